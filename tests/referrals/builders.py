"""Intakes for the referral tests, built from docs/routing.md section 7's examples."""

import datetime

from django.utils import timezone

from clinic.worker import run_ready_tasks
from intake.models import Intake
from intake.services import intake_submit
from referrals import services
from referrals.models import Referral
from tests.factories import IntakeFactory, add_treatment

# Worked example 1's treatment history: (drug, outcome, weeks).
EXAMPLE_1_TREATMENTS = [
    ("propranolol", "ineffective", 16),
    ("topiramate", "intolerable", None),
    ("nortriptyline", "ineffective", 10),
    ("sumatriptan", "ineffective", None),
    ("rizatriptan", "ineffective", None),
]


def example1_intake(treatments=EXAMPLE_1_TREATMENTS, **answers) -> Intake:
    """An unsubmitted intake of worked example 1, with ``answers`` changed."""
    intake = IntakeFactory(**answers)
    for drug, outcome, weeks in treatments:
        add_treatment(intake, drug, outcome, weeks)
    return intake


def submitted_example1(**answers) -> Intake:
    """Worked example 1, submitted and routed (the worker has run its task)."""
    intake = intake_submit(intake=example1_intake(**answers))
    run_ready_tasks()
    return intake


def schedule(referral, user, *, days_ahead: int = 1):
    """Book ``referral`` ``days_ahead`` days from now, with a provider and a place."""
    return services.referral_schedule(
        referral=referral,
        user=user,
        appointment_at=timezone.now() + datetime.timedelta(days=days_ahead),
        provider="Dr. Ada Park",
        location="Infusion suite, room 2",
    )


def appointment_passed(referral, *, ago=datetime.timedelta(minutes=1)):
    """Move ``referral``'s appointment into the past, as if its day had come."""
    Referral.objects.filter(pk=referral.pk).update(appointment_at=timezone.now() - ago)
