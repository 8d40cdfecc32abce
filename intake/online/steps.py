"""The public intake's steps, in order, and how a patient moves between them."""

from dataclasses import dataclass

from django import forms

from intake.models import OnlineDraft
from intake.online.forms import (
    AboutYouForm,
    BaseTreatmentFormSet,
    ConsentForm,
    DailyLifeForm,
    HeadachesForm,
    HealthForm,
    MedicinesForm,
    MoodForm,
    ReviewForm,
    ServicesForm,
    SymptomsForm,
)


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type
    template: str = "intake/steps/_fields.html"
    intro: str = ""

    def form(self, draft: OnlineDraft | None, data=None, **kwargs):
        return self.form_class.for_draft(draft, data=data, **kwargs)


STEPS = [
    Step(
        "about-you",
        "About you",
        AboutYouForm,
        intro="We use these details to find your records and to contact you.",
    ),
    Step(
        "headaches",
        "Your headaches",
        HeadachesForm,
        intro="Your best guess is fine for every number.",
    ),
    Step(
        "symptoms",
        "Symptoms and triggers",
        SymptomsForm,
        intro="Knowing what comes with your attacks, and what sets them off, helps "
        "us choose treatments and suggest things you can try at home.",
    ),
    Step(
        "treatments",
        "Treatments you have tried",
        BaseTreatmentFormSet,
        "intake/steps/treatments.html",
        intro="List every medicine or treatment you have tried for your headaches, "
        "past and present, one at a time. This matters most: it tells our "
        "physicians, and your insurer, what has already been tried.",
    ),
    Step(
        "medicines",
        "Medicines you take now",
        MedicinesForm,
        intro="Taking medicines for attacks on many days can itself cause "
        "headaches, so we ask how often you take them.",
    ),
    Step(
        "health",
        "Health questions",
        HealthForm,
        intro="Some treatments are not safe with some conditions. Your answers are "
        "read by a physician.",
    ),
    Step(
        "mood",
        "How you have been feeling",
        MoodForm,
        intro="Over the last 2 weeks, how often have you been bothered by any of "
        "the following problems? (PHQ-9)",
    ),
    Step(
        "daily-life",
        "Headaches and daily life",
        DailyLifeForm,
        intro="These questions are about the last 3 months (MIDAS). Count each day "
        "once; if you are not sure, give your best guess.",
    ),
    Step(
        "services",
        "Services and how you found us",
        ServicesForm,
    ),
    Step("consent", "Consent", ConsentForm, "intake/steps/consent.html"),
    Step(
        "review",
        "Check your answers",
        ReviewForm,
        "intake/steps/review.html",
        intro="Check everything before you send it. You can change any part.",
    ),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}
FIRST_STEP = STEPS[0]
REVIEW_STEP = STEPS[-1]


def step_number(step: Step) -> int:
    return STEPS.index(step) + 1


def next_step(step: Step) -> Step:
    return STEPS[min(step_number(step), len(STEPS) - 1)]


def previous_step(step: Step) -> Step:
    return STEPS[max(step_number(step) - 2, 0)]


def first_unfinished_step(draft: OnlineDraft) -> Step:
    """The first step the patient has not yet completed, or the review."""
    for step in STEPS[:-1]:
        if step.slug not in draft.steps_done:
            return step
    return REVIEW_STEP


def error_summary(form) -> list[tuple[str, str]]:
    """(field id, message) of every error of a step form or formset, in page order."""
    forms_ = form.forms if isinstance(form, forms.BaseFormSet) else [form]
    summary = []
    if isinstance(form, forms.BaseFormSet):
        summary += [("treatments", error) for error in form.non_form_errors()]
    for each in forms_:
        summary += [("step-form", error) for error in each.non_field_errors()]
        for name in each.fields:
            bound = each[name]
            anchor = bound.auto_id + ("_0" if bound.use_fieldset else "")
            summary += [(anchor, error) for error in bound.errors]
    return summary
