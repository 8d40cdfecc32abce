"""The follow-up e-mails, in each patient's language.

Queued in the database by django-post-office in the caller's transaction, so the
e-mail commits, or not, with the link it carries; the mail worker delivers it and
then removes the link from its stored copy (``clinic.mail``). The e-mail holds no
answer and no treatment: only that the clinic asks how the patient is doing.
"""

from django.conf import settings
from django.utils import translation
from post_office import mail

from clinic.mail import render_text
from intake.models import Patient


def follow_up_email(*, patient: Patient, url: str, point: str, reminder: bool):
    """Queue the e-mail with a follow-up's private link (or its reminder)."""
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "first_name": patient.first_name,
        "url": url,
        "point": point,
        "reminder": reminder,
    }
    with translation.override(patient.preferred_language):
        subject = render_text("outcomes/email/follow_up_subject.txt", context)
        body = render_text("outcomes/email/follow_up.txt", context)
    return mail.send(
        recipients=[patient.email], subject=" ".join(subject.split()), message=body
    )
