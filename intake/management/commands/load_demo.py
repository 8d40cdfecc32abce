from django.core.management.base import BaseCommand

from intake.demo import DEMO_PASSWORD, ensure_demo_users, load_demo_patients


class Command(BaseCommand):
    help = "Create the demo staff logins and about 50 fictional patients (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=50)

    def handle(self, *args, **options):
        users = ensure_demo_users()
        new = load_demo_patients(count=options["patients"])
        self.stdout.write(f"Demo patients: {new} created.")
        self.stdout.write(f"Demo staff logins (password for each: {DEMO_PASSWORD}):")
        for username, role in users:
            self.stdout.write(f"  {username:<12} {role}")
