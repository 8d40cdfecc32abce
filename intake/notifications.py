"""E-mails to patients about their online intake, in each patient's language.

The confirmation is queued in the database by django-post-office in the caller's
transaction (as ``referrals.notifications`` queues its mail), so it commits, or not,
with the submission; the mail worker delivers it. Neither e-mail holds an answer:
only what happens next, the clinic's phone, and for a draft its private link.
"""

import datetime

from django.conf import settings
from django.utils import translation
from post_office import mail

from clinic.mail import render_text
from intake import advice
from intake.models import Intake, Patient


def _render(template: str, patient: Patient, context: dict) -> tuple[str, str]:
    """Subject and body of ``template`` in the patient's preferred language."""
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "first_name": patient.first_name,
        **context,
    }
    with translation.override(patient.preferred_language):
        subject = render_text(f"intake/email/{template}_subject.txt", context)
        body = render_text(f"intake/email/{template}.txt", context)
    return " ".join(subject.split()), body


def resume_link_message(
    *, patient: Patient, url: str, expires_at: datetime.datetime
) -> tuple[str, str]:
    """The subject and body of the e-mail that carries a draft's resume link."""
    return _render("resume_link", patient, {"url": url, "expires_at": expires_at})


def submission_confirmation(*, intake: Intake):
    """Queue the patient's confirmation that their online intake arrived.

    Only for an online intake whose patient gave an e-mail address; returns the
    queued ``Email``, or ``None``.
    """
    patient = intake.patient
    if intake.source != Intake.Source.ONLINE or not patient.email:
        return None
    review = advice.REVIEW in advice.urgent_advice_for(intake)
    subject, body = _render("submitted", patient, {"intake": intake, "review": review})
    return mail.send(recipients=[patient.email], subject=subject, message=body)
