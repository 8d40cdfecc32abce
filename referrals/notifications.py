"""E-mails of the referral workflow, queued in the database by django-post-office.

Nothing here talks to a mail server: ``post_office.mail.send`` writes an ``Email`` row
in the caller's transaction, and the task worker delivers it (``clinic.mail``),
retrying while the server refuses. So a request never waits on SMTP and a
notification commits, or not, with the decision that caused it.

Messages say no more than their reader needs: the patient hears that a referral was
approved and that the clinic will call; staff get a record number and a link, never a
name or a diagnosis.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from post_office import mail

from clinic.mail import render_text
from intake.codes import SERVICES
from referrals.models import Referral, RoutingDecision

HOLD_PRIORITY = "high"
# What patients read as each service's name (translatable; staff see Service.name).
SERVICE_NAMES = dict(SERVICES)


def _absolute(path: str) -> str:
    return settings.CLINIC_SITE_URL.rstrip("/") + path


def _send(
    *,
    to: str,
    template: str,
    context: dict,
    priority: str | None = None,
    language: str | None = None,
):
    """Queue one message, rendered in ``language`` (a patient's) or in English."""
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        **context,
    }
    with translation.override(language or "en"):
        subject = render_text(f"referrals/email/{template}_subject.txt", context)
        message = render_text(f"referrals/email/{template}.txt", context)
    return mail.send(
        recipients=[to],
        subject=" ".join(subject.split()),
        message=message,
        priority=priority,  # None: POST_OFFICE's default, which queues
    )


def hold_alert(*, decision: RoutingDecision):
    """Alert the on-call physician that an intake is on hold, ahead of the queue."""
    return _send(
        to=settings.ON_CALL_EMAIL,
        template="hold_alert",
        context={
            "decision": decision,
            "record_number": decision.intake.patient.record_number,
            "review_url": _absolute(
                reverse("admin:referrals_review", args=[decision.intake_id])
            ),
        },
        priority=HOLD_PRIORITY,
    )


def referral_approved(*, referral: Referral) -> list:
    """Tell the patient (if they gave an e-mail) and the service's team."""
    sent = []
    patient = referral.intake.patient
    context = {
        "referral": referral,
        "service": referral.service,
        "record_number": patient.record_number,
    }
    if patient.email:
        sent.append(
            _send(
                to=patient.email,
                template="approved_patient",
                context={
                    **context,
                    "first_name": patient.first_name,
                    "service_name": SERVICE_NAMES[referral.service.code],
                },
                language=patient.preferred_language,
            )
        )
    if referral.service.contact_email:
        letter = reverse("admin:referrals_referral_letter", args=[referral.pk])
        sent.append(
            _send(
                to=referral.service.contact_email,
                template="approved_service",
                context={**context, "letter_url": _absolute(letter)},
            )
        )
    return sent
