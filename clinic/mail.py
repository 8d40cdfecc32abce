"""Delivery of queued e-mail: claimed, sent, retried with back-off, never sent twice.

Every message is an ``Email`` row of django-post-office, written as ``queued`` in the
transaction of the change that causes it (an approval, a hold, a saved draft). The
task worker calls :func:`deliver_due` every few seconds. Each message is first claimed
with a conditional update (its ``scheduled_time`` moved a lease ahead, committed), so
a second worker, on this node or another, skips it; a worker that dies mid-send
leaves it to be retried when the lease runs out. A refused or failed send is retried
with growing pauses until ``MAIL_RETRY_DAYS`` after the message was queued, and only
then marked failed, for the clinic manager to see and resend.
"""

import datetime
import logging
import re
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from post_office.connections import connections
from post_office.models import STATUS, Email, Log

logger = logging.getLogger(__name__)

# Longer than one SMTP attempt can take (EMAIL_TIMEOUT, connect and send).
CLAIM_LEASE = datetime.timedelta(minutes=5)
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_PAUSE = datetime.timedelta(hours=1)
WAITING = (STATUS.queued, STATUS.requeued)
# The worker sends within seconds; a message still waiting this long is stuck.
STUCK_AFTER = datetime.timedelta(minutes=15)
# Links that carry a bearer token (a resume link opens a patient's answers, a
# password link sets a staff member's password). The stored copy of a message loses
# the token once the message is sent.
BEARER_LINK = re.compile(
    r"(/intake/resume/|/follow-up/link/|/staff/password/[A-Za-z0-9_-]+/)"
    r"[A-Za-z0-9_-]+/?"
)
TOKEN_REMOVED = r"\1(link removed after sending)"
# Once a message has left, recording it as sent is tried this many times through
# database errors (pauses of 0.1 s doubling to 2 s: about 20 s in all).
RECORD_SENT_ATTEMPTS = 14


def render_text(template_name: str, context: dict) -> str:
    """A plain-text template (an e-mail's subject or body), with nothing escaped."""
    return render_to_string(template_name, context, using="text")


def stuck() -> QuerySet[Email]:
    """Unsent e-mail the worker failed to send at least once, or has not picked up
    ``STUCK_AFTER`` after it was queued: the clinic manager's to look at."""
    return Email.objects.filter(status__in=WAITING).filter(
        Q(number_of_retries__gte=1) | Q(created__lt=timezone.now() - STUCK_AFTER)
    )


def retry_pause(attempt: int) -> datetime.timedelta:
    """The pause after failed attempt number ``attempt``: 1, 2, 4... minutes, at most
    an hour."""
    return min(FIRST_RETRY * 2 ** (attempt - 1), LONGEST_PAUSE)


def delivery_state(email: Email | None) -> str:
    """Where a message stands, in one word: "sent", "failed", "queued" or "none"."""
    if email is None:
        return "none"
    return {STATUS.sent: "sent", STATUS.failed: "failed"}.get(email.status, "queued")


def masked_address(address: str) -> str:
    """An address shown to staff who need only to tell messages apart: r***@host."""
    local, _, host = address.partition("@")
    return f"{local[:1]}***@{host}" if host else "***"


def retry_deadline(email: Email) -> datetime.datetime:
    """When a message still unsent is given up: ``MAIL_RETRY_DAYS`` after it was
    queued, or after the manager last resent it."""
    return email.expires_at or email.created + datetime.timedelta(
        days=settings.MAIL_RETRY_DAYS
    )


def due() -> QuerySet[Email]:
    """Messages waiting to be sent whose time has come, most urgent first."""
    now = timezone.now()
    return (
        Email.objects.filter(status__in=WAITING)
        .filter(Q(scheduled_time__isnull=True) | Q(scheduled_time__lte=now))
        .order_by("-priority", "created")
    )


def claim_next() -> Email | None:
    """Claim the most urgent due message for this worker, or None."""
    with transaction.atomic():
        email = due().select_for_update(skip_locked=True).first()
        if email is None:
            return None
        lease_until = timezone.now() + CLAIM_LEASE
        Email.objects.filter(pk=email.pk).update(scheduled_time=lease_until)
        return email


def deliver(email: Email) -> int:
    """Send one claimed message and record the outcome; return its new status."""
    now = timezone.now()
    try:
        email.dispatch(commit=False, disconnect_after_delivery=False)
    except Exception as error:
        attempts = (email.number_of_retries or 0) + 1
        given_up = now >= retry_deadline(email)
        status = STATUS.failed if given_up else STATUS.requeued
        with transaction.atomic():
            Email.objects.filter(pk=email.pk).update(
                status=status,
                number_of_retries=attempts,
                scheduled_time=None if given_up else now + retry_pause(attempts),
                last_updated=now,
            )
            # The exception's type only: an SMTP error can quote the recipient.
            Log.objects.create(
                email=email,
                status=STATUS.failed,
                message=f"Attempt {attempts} failed: {type(error).__name__}.",
                exception_type=type(error).__name__,
            )
        logger.warning(
            "E-mail %s not sent (attempt %s, %s)%s.",
            email.pk,
            attempts,
            type(error).__name__,
            "; given up" if given_up else "",
        )
        return status
    record_sent(email, now)
    return STATUS.sent


def record_sent(email: Email, now: datetime.datetime) -> None:
    """Mark a message that has left as sent, through database errors.

    The mail server has it: a message left marked queued would be sent again when
    its claim runs out. So a lost connection is replaced and the write tried again
    (``RECORD_SENT_ATTEMPTS``), rather than given up with the first error.
    """
    for attempt in range(RECORD_SENT_ATTEMPTS):
        try:
            with transaction.atomic():
                Email.objects.filter(pk=email.pk).update(
                    status=STATUS.sent,
                    scheduled_time=None,
                    last_updated=now,
                    message=BEARER_LINK.sub(TOKEN_REMOVED, email.message or ""),
                    html_message=BEARER_LINK.sub(
                        TOKEN_REMOVED, email.html_message or ""
                    ),
                )
                Log.objects.create(email=email, status=STATUS.sent)
            return
        except (OperationalError, InterfaceError):
            if attempt == RECORD_SENT_ATTEMPTS - 1 or connection.in_atomic_block:
                raise
            logger.warning("E-mail %s sent; recording it failed, retrying.", email.pk)
            connection.close()
            time.sleep(min(0.1 * 2**attempt, 2))


def deliver_due(limit: int = 100) -> int:
    """Send up to ``limit`` due messages, one claim at a time; return how many sent."""
    sent = 0
    try:
        for _ in range(limit):
            email = claim_next()
            if email is None:
                break
            sent += deliver(email) == STATUS.sent
    finally:
        connections.close()
    return sent


@transaction.atomic
def mail_resend(*, email: Email) -> Email:
    """Queue a failed message again, to be sent at once (the manager's "Resend")."""
    email = Email.objects.select_for_update().get(pk=email.pk)
    if email.status != STATUS.failed:
        return email
    now = timezone.now()
    Email.objects.filter(pk=email.pk).update(
        status=STATUS.queued,
        scheduled_time=None,
        number_of_retries=0,
        expires_at=now + datetime.timedelta(days=settings.MAIL_RETRY_DAYS),
        last_updated=now,
    )
    email.refresh_from_db()
    return email
