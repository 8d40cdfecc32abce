"""Every write of the intake app that matters, one transaction each."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake.models import Intake, Patient
from intake.signals import intake_submitted

CONSENT_VERSION = "2026-01"


@transaction.atomic
def patient_create(*, patient: Patient) -> Patient:
    """Give an unsaved patient its record number, validate it and save it."""
    patient.record_number = Patient.next_record_number()
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def intake_save(*, intake: Intake) -> Intake:
    """Validate and save an intake's answers; a submitted intake stays submitted."""
    intake.full_clean()
    intake.save()
    return intake


def intake_submit(*, intake: Intake, user: AbstractBaseUser | None = None) -> Intake:
    """Submit a complete intake, once, then announce it with ``intake_submitted``.

    Idempotent: submitting an intake that is already submitted returns it unchanged
    and announces nothing, so a double click or a resubmitted page never routes twice.
    Raises ``ValidationError`` naming every missing answer of an incomplete intake.
    """
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        if intake.status == Intake.Status.SUBMITTED:
            return intake
        missing = intake.missing_for_submission()
        if missing:
            raise ValidationError(
                "Answer these before submitting: %(missing)s.",
                code="incomplete",
                params={"missing": "; ".join(missing)},
            )
        now = timezone.now()
        intake.status = Intake.Status.SUBMITTED
        intake.submitted_at = now
        if not intake.consent_signed_at:
            intake.consent_signed_at = now
            intake.consent_version = intake.consent_version or CONSENT_VERSION
        if user is not None and intake.entered_by_id is None:
            intake.entered_by = user
        intake.full_clean()
        intake.save()
    intake_submitted.send(sender=Intake, intake=intake)
    return intake
