"""Intakes for the referral tests, built from docs/routing.md section 7's examples."""

from clinic.worker import run_ready_tasks
from intake.models import Intake
from intake.services import intake_submit
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
