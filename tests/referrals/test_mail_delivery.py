"""E-mail is queued in the database and survives a mail server that refuses."""

import socket

import pytest
from django.core import mail
from django.utils import timezone
from post_office.mail import send_queued
from post_office.models import STATUS, Email

from referrals import services
from tests.referrals.builders import submitted_example1

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nothing listens on: connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_mail_survives_a_refusing_server_then_goes_out(settings, physician_user):
    settings.POST_OFFICE = {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
        "MAX_RETRIES": 3,
    }
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    intake = submitted_example1()
    referral = intake.referrals.get(service__code="acupuncture")

    # The physician's approval does not wait on SMTP, and does not fail with it.
    services.referral_approve(referral=referral, user=physician_user)
    queued = Email.objects.get(to=[intake.patient.email])
    assert queued.status == STATUS.queued

    send_queued()

    queued.refresh_from_db()
    assert queued.status == STATUS.requeued
    assert queued.number_of_retries == 1
    assert queued.logs.get().status == STATUS.failed
    assert mail.outbox == []

    # The server answers again; the retry is due.
    settings.POST_OFFICE = {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "django.core.mail.backends.locmem.EmailBackend"},
    }
    Email.objects.filter(pk=queued.pk).update(scheduled_time=timezone.now())
    send_queued()

    queued.refresh_from_db()
    assert queued.status == STATUS.sent
    assert intake.patient.email in [m.to[0] for m in mail.outbox]


def test_mail_worker_command_sends_what_is_queued(physician_user):
    from django.core.management import call_command

    submitted_example1(red_flags=["seizure"])
    alert = Email.objects.get(to=["on-call@clinic.example"])

    call_command("mail_worker", once=True)

    alert.refresh_from_db()
    assert alert.status == STATUS.sent
    assert mail.outbox[0].to == ["on-call@clinic.example"]
