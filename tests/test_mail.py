"""Queued e-mail is never lost to a refusing server and never sent twice."""

import datetime
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import OperationalError, connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from post_office import mail as post_office_mail
from post_office.models import STATUS, Email

from clinic import mail as delivery
from intake.notifications import resume_link_message
from outcomes.notifications import follow_up_email
from referrals import services
from tests.factories import PatientFactory
from tests.referrals.builders import submitted_example1

SMTP = "django.core.mail.backends.smtp.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def free_port() -> int:
    """A local port nothing listens on yet: connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server_down(settings):
    """Mail goes to a real SMTP server on a port where, for now, nothing listens."""
    settings.POST_OFFICE = {**settings.POST_OFFICE, "BACKENDS": {"default": SMTP}}
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    return settings


class Received:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 Message accepted"


def time_passes() -> None:
    """Every message waiting for its next attempt becomes due now."""
    Email.objects.filter(status=STATUS.requeued).update(scheduled_time=timezone.now())


def queue(count: int) -> list[Email]:
    return [
        post_office_mail.send(
            recipients=[f"patient{n}@example.com"],
            subject=f"Message {n}",
            message="Your referral was approved.",
        )
        for n in range(count)
    ]


@pytest.mark.django_db
def test_mail_survives_a_refusing_server_then_goes_out(
    smtp_server_down, physician_user
):
    intake = submitted_example1()
    referral = intake.referrals.get(service__code="acupuncture")

    # The physician's approval does not wait on SMTP, and does not fail with it.
    services.referral_approve(referral=referral, user=physician_user)
    queued = Email.objects.get(to=[intake.patient.email])
    assert queued.status == STATUS.queued

    assert delivery.deliver_due() == 0

    queued.refresh_from_db()
    assert queued.status == STATUS.requeued
    assert queued.number_of_retries == 1
    assert queued.scheduled_time > timezone.now()  # the next attempt, a minute on
    assert queued.logs.get().status == STATUS.failed
    assert mail.outbox == []

    smtp_server_down.POST_OFFICE = {
        **smtp_server_down.POST_OFFICE,
        "BACKENDS": {"default": LOCMEM},
    }
    assert delivery.deliver_due() == 0  # not due yet
    time_passes()
    assert delivery.deliver_due() == 2  # the patient's, and the service team's

    queued.refresh_from_db()
    assert queued.status == STATUS.sent
    assert [intake.patient.email] in [m.to for m in mail.outbox]


@pytest.mark.django_db
def test_no_failure_is_final_before_the_retry_window_ends(smtp_server_down):
    (email,) = queue(1)

    # Far more attempts than the old limit of ten, the pauses growing to an hour.
    for _ in range(25):
        delivery.deliver_due()
        time_passes()
    email.refresh_from_db()
    assert email.status == STATUS.requeued
    assert email.number_of_retries == 25
    pause = delivery.retry_pause(25)
    assert pause == datetime.timedelta(hours=1)

    # A week after it was queued (MAIL_RETRY_DAYS), the next failure is the last.
    Email.objects.filter(pk=email.pk).update(
        created=timezone.now() - datetime.timedelta(days=7, minutes=1)
    )
    delivery.deliver_due()
    email.refresh_from_db()
    assert email.status == STATUS.failed

    # The manager resends it once the server answers.
    smtp_server_down.POST_OFFICE = {
        **smtp_server_down.POST_OFFICE,
        "BACKENDS": {"default": LOCMEM},
    }
    delivery.mail_resend(email=email)
    assert delivery.deliver_due() == 1
    email.refresh_from_db()
    assert email.status == STATUS.sent


@pytest.mark.django_db
def test_the_retry_window_is_a_day_short_of_failing(smtp_server_down):
    (email,) = queue(1)
    Email.objects.filter(pk=email.pk).update(
        created=timezone.now() - datetime.timedelta(days=6, hours=23)
    )

    delivery.deliver_due()

    email.refresh_from_db()
    assert email.status == STATUS.requeued


@pytest.mark.django_db(transaction=True)
def test_after_a_long_outage_two_workers_deliver_every_message_exactly_once(
    smtp_server_down,
):
    if connection.vendor == "sqlite":
        pytest.skip("two workers at once need a database server's row locks")
    queue(40)
    for _ in range(12):  # SMTP down for longer than the old ten retries
        assert delivery.deliver_due() == 0
        time_passes()
    assert Email.objects.filter(status=STATUS.requeued).count() == 40

    received = Received()
    server = Controller(
        received, hostname="127.0.0.1", port=smtp_server_down.EMAIL_PORT
    )
    server.start()
    try:
        start = threading.Barrier(2)
        sent = []

        def worker():
            start.wait()
            try:
                sent.append(delivery.deliver_due())
            finally:
                connection.close()

        workers = [threading.Thread(target=worker) for _ in range(2)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
    finally:
        server.stop()

    subjects = sorted(
        line
        for message in received.messages
        for line in message.decode().splitlines()
        if line.startswith("Subject: ")
    )
    assert subjects == sorted(f"Subject: Message {n}" for n in range(40))
    assert sum(sent) == 40
    assert all(part > 0 for part in sent)  # both worked
    assert Email.objects.filter(status=STATUS.sent).count() == 40


@pytest.mark.django_db
def test_a_claimed_message_is_skipped_by_another_worker():
    (email,) = queue(1)

    claimed = delivery.claim_next()

    assert claimed.pk == email.pk
    assert delivery.claim_next() is None  # the lease keeps it from a second worker
    delivery.deliver(claimed)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_sent_message_keeps_no_resume_token(client):
    token = "Zx9_" + "a" * 40
    post_office_mail.send(
        recipients=["patient@example.com"],
        subject="Your link",
        message=f"Open https://intake.example.org/intake/resume/{token}/ to finish.",
    )

    delivery.deliver_due()

    assert token in mail.outbox[0].body  # the patient got it...
    stored = Email.objects.get()
    assert token not in stored.message  # ...the stored copy does not keep it
    assert "/intake/resume/(link removed after sending)" in stored.message


@pytest.mark.django_db
def test_the_hold_page_says_whether_on_call_was_alerted(
    smtp_server_down, physician_client
):
    intake = submitted_example1(red_flags=["seizure"])
    review = reverse("admin:referrals_review", args=[intake.pk])

    assert "On-call alert not sent yet" in physician_client.get(review).content.decode()
    delivery.deliver_due()
    page = physician_client.get(review).content.decode()
    assert "1 failed attempt: the mail server is refusing" in page

    smtp_server_down.POST_OFFICE = {
        **smtp_server_down.POST_OFFICE,
        "BACKENDS": {"default": LOCMEM},
    }
    time_passes()
    delivery.deliver_due()
    assert "On-call alert e-mailed" in physician_client.get(review).content.decode()


@pytest.mark.django_db
def test_the_worker_delivers_mail_as_a_periodic_task(run_tasks):
    from clinic.worker import enqueue_due_periodic_tasks

    queue(2)
    assert "mail-delivery" in enqueue_due_periodic_tasks()
    assert "mail-delivery" not in enqueue_due_periodic_tasks()  # not due again yet

    run_tasks()

    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_manager_sees_failed_mail_masked_without_its_body_and_resends_it(
    manager_client,
):
    (email,) = queue(1)
    Email.objects.filter(pk=email.pk).update(status=STATUS.failed)
    url = reverse("admin:clinic_outgoingmail_changelist")

    page = manager_client.get(url).content.decode()
    assert "p***@example.com" in page
    assert "patient0@example.com" not in page
    assert "Your referral was approved." not in page  # the body
    assert "FAILED: not sent" in page

    manager_client.post(
        url, {"action": "resend", "_selected_action": [email.pk]}, follow=True
    )
    assert delivery.deliver_due() == 1
    email.refresh_from_db()
    assert email.status == STATUS.sent


@pytest.mark.django_db
def test_a_message_page_shows_no_body_either(manager_client):
    (email,) = queue(1)

    page = manager_client.get(
        reverse("admin:clinic_outgoingmail_change", args=[email.pk])
    ).content.decode()

    assert "Your referral was approved." not in page
    assert "p***@example.com" in page


@pytest.mark.django_db
def test_a_spanish_speaking_patient_is_told_of_an_approval_in_spanish(
    physician_user,
):
    intake = submitted_example1()
    intake.patient.preferred_language = "es"
    intake.patient.save()
    referral = intake.referrals.get(service__code="acupuncture")

    services.referral_approve(referral=referral, user=physician_user)

    email = Email.objects.get(to=[intake.patient.email])
    assert email.subject == "Se aprobó su remisión a Acupuntura"
    assert "aprobó su remisión a Acupuntura" in email.message
    team = Email.objects.exclude(to=[intake.patient.email]).get()
    assert team.subject.startswith("New approved referral")  # staff read English


@pytest.mark.django_db(transaction=True)
def test_a_sent_message_is_recorded_through_a_lost_connection(monkeypatch):
    """The server has the message: a database error while recording it is retried,
    not left to resend the message when its claim runs out."""
    (email,) = queue(1)
    failures = [OperationalError("server closed the connection")] * 2

    def lose_the_connection_twice(execute, sql, params, many, context):
        if sql.startswith('UPDATE "post_office_email" SET "status"') and failures:
            raise failures.pop()
        return execute(sql, params, many, context)

    monkeypatch.setattr(delivery.time, "sleep", lambda seconds: None)
    with connection.execute_wrapper(lose_the_connection_twice):
        assert delivery.deliver_due() == 1

    email.refresh_from_db()
    assert not failures
    assert email.status == STATUS.sent
    assert email.scheduled_time is None
    assert len(mail.outbox) == 1
    assert delivery.deliver_due() == 0
    assert len(mail.outbox) == 1


def test_e_mails_are_plain_text_with_nothing_escaped(db, settings):
    """A name with an apostrophe or an ampersand is written as it is, in the subject
    and the body, and a page's HTML still escapes it."""
    settings.CLINIC_NAME = "O'Neil & Partners"
    patient = PatientFactory(first_name="D'Angelo", email="dangelo@example.org")
    email = follow_up_email(
        patient=patient, url="https://x.example/f/", point="1m", reminder=False
    )
    assert email.subject == "How are your headaches? (O'Neil & Partners)"
    assert email.message.startswith("Hello D'Angelo,")
    assert email.message.rstrip().endswith("O'Neil & Partners")
    subject, body = resume_link_message(
        patient=patient, url="https://x.example/r/", expires_at=timezone.now()
    )
    assert "Hello D'Angelo," in body and "&#x27;" not in body + subject
    page = render_to_string("500.html")
    assert "O&#x27;Neil &amp; Partners" in page
