from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic import roles
from intake.demo import DEMO_PASSWORD, ensure_demo_users, load_demo_patients
from staff.models import StaffAccount
from staff.services import enrolment_code_issue


class Command(BaseCommand):
    help = "Create the demo staff logins and about 50 fictional patients (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=50)

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo creates staff logins with a published password and "
                "fictional patients: it runs only for a local trial, with "
                "DJANGO_DEBUG on."
            )
        users = ensure_demo_users()
        new = load_demo_patients(count=options["patients"])
        self.stdout.write(f"Demo patients: {new} created.")
        self.stdout.write(f"Demo staff logins (password for each: {DEMO_PASSWORD}):")
        for username, role in users:
            self.stdout.write(f"  {username:<12} {role}")
        self._enrolment_codes(users)

    def _enrolment_codes(self, users):
        """Codes for the demo logins that link an authenticator app, if 2FA is on."""
        waiting = StaffAccount.objects.filter(
            username__in=[u for u, role in users if role in roles.TWO_FACTOR_ROLES]
        ).exclude(totpdevice__confirmed=True)
        if not waiting:
            return
        state = "on" if settings.REQUIRE_2FA else "off"
        self.stdout.write(
            f"Two-step sign-in is {state} (DJANGO_REQUIRE_2FA). When it is on, "
            "physicians, the clinician and the manager link an authenticator app at "
            "their first sign-in with these one-time enrolment codes (valid 7 days; "
            "loading the "
            "demo again issues new ones):"
        )
        for user in waiting.order_by("username"):
            issued = enrolment_code_issue(user=user, by=None)
            self.stdout.write(f"  {user.username:<12} {issued.code}")
