"""The clinic app's background tasks: thin, each calls the function doing the work."""

import datetime

from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from clinic import mail

# Finished task results are kept this long, for an operator to read.
KEEP_TASK_RESULTS = datetime.timedelta(days=7)


@task()
def deliver_mail() -> int:
    """Send the queued e-mail that is due (periodic: every few seconds)."""
    return mail.deliver_due()


@task()
def prune_task_results() -> int:
    """Delete finished task results older than a week (periodic: hourly)."""
    cutoff = timezone.now() - KEEP_TASK_RESULTS
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
