"""The public intake: its step forms, the steps in order, and the review page.

``fields`` holds the building blocks, ``forms`` one form per step, ``steps`` the
order and the moves between steps, ``review`` the last step's summary; ``consent``
the consent text and its versions, ``vocabulary`` the patient's words for jargon.
"""

from intake.online.forms import (
    AboutYouForm,
    BaseTreatmentFormSet,
    BirthDateField,
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
    resume_step,
    step_number,
)

__all__ = [
    "FIRST_STEP",
    "REVIEW_STEP",
    "STEPS",
    "STEP_BY_SLUG",
    "AboutYouForm",
    "BaseTreatmentFormSet",
    "BirthDateField",
    "Step",
    "TreatmentForm",
    "error_summary",
    "first_unfinished_step",
    "next_step",
    "previous_step",
    "resume_step",
    "review_sections",
    "step_number",
]
