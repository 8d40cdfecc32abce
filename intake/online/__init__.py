"""The public intake: its step forms, the steps in order, and the review page.

``fields`` holds the building blocks, ``forms`` one form per step, ``steps`` the
order and the moves between steps, ``review`` the last step's summary.
"""

from intake.online.forms import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    AboutYouForm,
    BaseTreatmentFormSet,
    TreatmentForm,
)
from intake.online.review import review_sections
from intake.online.steps import (
    FIRST_STEP,
    REVIEW_STEP,
    STEP_BY_SLUG,
    STEPS,
    Step,
    error_summary,
    first_unfinished_step,
    next_step,
    previous_step,
    step_number,
)

__all__ = [
    "CONSENT_TEXT",
    "CONSENT_VERSION",
    "FIRST_STEP",
    "REVIEW_STEP",
    "STEPS",
    "STEP_BY_SLUG",
    "AboutYouForm",
    "BaseTreatmentFormSet",
    "Step",
    "TreatmentForm",
    "error_summary",
    "first_unfinished_step",
    "next_step",
    "previous_step",
    "review_sections",
    "step_number",
]
