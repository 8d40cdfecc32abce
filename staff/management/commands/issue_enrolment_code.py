from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from staff.services import enrolment_code_issue


class Command(BaseCommand):
    help = (
        "Issue a one-time code that links an authenticator app to an account: for "
        "the first superuser and the first clinic manager, whom no manager can issue "
        "one to yet. Replaces any earlier code of the account."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as error:
            raise CommandError(f"No account {options['username']!r}.") from error
        issued = enrolment_code_issue(user=user, by=None)
        self.stdout.write(
            f"Enrolment code for {user.username}: {issued.code} (works once, until "
            f"{issued.expires_at:%Y-%m-%d %H:%M %Z})."
        )
