from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from outcomes.demo import load_demo_outcomes


class Command(BaseCommand):
    help = (
        "Create about 40 fictional treatment courses with follow-ups (idempotent). "
        "Run after load_demo, whose staff logins record them."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo_outcomes creates fictional patients: it runs only for a "
                "local trial, with DJANGO_DEBUG on."
            )
        self.stdout.write(f"Demo treatment courses: {load_demo_outcomes()} created.")
