"""The clinic app's background tasks: thin, each calls the function doing the work."""

import datetime

from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from clinic import audit_trail, mail

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


@task()
def seal_audit_trail() -> int:
    """Seal the audit entries waiting now (periodic: every few seconds)."""
    return len(audit_trail.audit_trail_seal_waiting())


@task()
def mail_audit_checkpoint() -> int:
    """E-mail the audit trail's latest checkpoint to the clinic managers (daily)."""
    return audit_trail.audit_checkpoint_mail()
