"""Deliver queued e-mail every few seconds until stopped (for `make run`)."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from post_office.mail import get_queued, send_queued


class Command(BaseCommand):
    help = (
        "Send queued e-mail (django-post-office) every --interval seconds, retrying "
        "failed messages as POST_OFFICE allows. Stop with Ctrl-C or SIGTERM. In "
        "production, cron `manage.py send_queued_mail` every minute instead, or run "
        "this under a process supervisor."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=3.0)
        parser.add_argument(
            "--once", action="store_true", help="send what is due, then exit"
        )

    def handle(self, *args, **options):
        try:
            while True:
                if get_queued().exists():
                    send_queued(processes=1)
                if options["once"]:
                    return
                # Between rounds, like between requests: drop a stale connection.
                close_old_connections()
                time.sleep(options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("Mail worker stopped.")
