"""The public intake's steps, in order, and how a patient moves between them.

A patient may leave a step with "Back" or "Save and finish later" whatever is on
it: valid answers are saved as usual, anything else is kept as posted
(``OnlineDraft.unchecked_answers``) and shown again when the step is opened, so
leaving never loses what was typed. Only "Save and continue" checks a step.
"""

from dataclasses import dataclass

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake.models import OnlineDraft
from intake.online.fields import NONE_OF_THESE, AnyOfTheseField
from intake.online.forms import (
    MAX_TREATMENT_ROWS,
    AboutYouForm,
    BaseTreatmentFormSet,
    BirthDateField,
    ConsentForm,
    DailyLifeForm,
    HeadachesForm,
    HealthForm,
    MedicinesForm,
    MoodForm,
    ReviewForm,
    ServicesForm,
    SymptomsForm,
    TreatmentForm,
    WarningSignsForm,
)

# What is kept of a step left unchecked: the longest answer the form takes, and
# no more values for one name than the longest tick list has choices.
UNCHECKED_MAX_CHARS = 4000
UNCHECKED_MAX_VALUES = 40


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type
    template: str = "intake/steps/_fields.html"
    intro: str = ""

    def form(self, draft: OnlineDraft | None, data=None, **kwargs):
        """The step's form, bound to ``data`` or showing the draft's answers.

        On a step the patient completed, a group answered with nothing ticked
        shows "None of these" ticked, as they answered it.
        """
        form = self.form_class.for_draft(draft, data=data, **kwargs)
        if data is None and draft is not None and self.slug in draft.steps_done:
            for name, field in getattr(form, "fields", {}).items():
                if isinstance(
                    field, AnyOfTheseField
                ) and not form.get_initial_for_field(field, name):
                    form.initial[name] = [NONE_OF_THESE]
        return form

    def form_as_left(self, draft: OnlineDraft | None, **kwargs):
        """The step as the patient left it: their unchecked answers, if any."""
        kept = draft.unchecked_answers.get(self.slug) if draft else None
        if kept is None:
            return self.form(draft, **kwargs)
        posted = MultiValueDict(kept)
        if self.form_class is BaseTreatmentFormSet:
            return self.form(draft, rows=_rows_as_posted(posted), **kwargs)
        form = self.form(draft, **kwargs)
        for name, field in form.fields.items():
            form.initial[name] = field.widget.value_from_datadict(
                posted, MultiValueDict(), form.add_prefix(name)
            )
        return form

    def posted_answers(self, form, data) -> dict[str, list[str]]:
        """The values posted for this step's own fields, to keep unchecked."""
        if isinstance(form, forms.BaseFormSet):
            try:
                rows = int(data.get(f"{form.prefix}-TOTAL_FORMS", 0))
            except ValueError:
                rows = 0
            names = [
                f"{form.prefix}-{index}-{name}"
                for index in range(max(0, min(rows, MAX_TREATMENT_ROWS)))
                for name in [*TreatmentForm.base_fields, "DELETE"]
            ]
        else:
            names = [form.add_prefix(name) for name in form.fields]
        # NUL is no character a person types, and PostgreSQL's JSON cannot hold it.
        kept = {
            name: [
                value.replace("\x00", "")[:UNCHECKED_MAX_CHARS]
                for value in data.getlist(name)[:UNCHECKED_MAX_VALUES]
            ]
            for name in names
            if name in data
        }
        if not isinstance(form, forms.BaseFormSet):
            for name, field in form.fields.items():
                key = form.add_prefix(name)
                if isinstance(field, BirthDateField) and kept.get(key):
                    # Shown again perhaps in the other language: its meaning kept.
                    kept[key] = [field.as_kept(value) for value in kept[key]]
        return kept


def _rows_as_posted(posted: MultiValueDict) -> list[dict]:
    """The treatment rows of posted answers, without the ones ticked for removal."""
    rows = []
    for index in range(MAX_TREATMENT_ROWS):
        prefix = f"treatments-{index}-"
        if not any(key.startswith(prefix) for key in posted):
            continue
        if posted.get(f"{prefix}DELETE"):
            continue
        row = {
            name: field.widget.value_from_datadict(
                posted, MultiValueDict(), f"{prefix}{name}"
            )
            for name, field in TreatmentForm.base_fields.items()
        }
        if any(row.values()):
            rows.append(row)
    return rows


STEPS = [
    Step(
        "about-you",
        _("About you"),
        AboutYouForm,
        intro=_("We use these details to find your records and to contact you."),
    ),
    Step(
        "headaches",
        _("Your headaches"),
        HeadachesForm,
        intro=_("Your best guess is fine for every number."),
    ),
    Step(
        "symptoms",
        _("Symptoms and triggers"),
        SymptomsForm,
        intro=_(
            "Knowing what comes with your attacks, and what sets them off, helps us "
            "choose treatments and suggest things you can try at home."
        ),
    ),
    Step(
        "treatments",
        _("Treatments you have tried"),
        BaseTreatmentFormSet,
        "intake/steps/treatments.html",
        intro=_(
            "List every medicine or treatment you have tried for your headaches, "
            "past and present, one at a time. This matters most: it tells our "
            "physicians, and your insurer, what has already been tried."
        ),
    ),
    Step(
        "medicines",
        _("Medicines you take now"),
        MedicinesForm,
        intro=_(
            "Taking medicines for attacks on many days can itself cause headaches, "
            "so we ask how often you take them."
        ),
    ),
    Step(
        "health",
        _("Health questions"),
        HealthForm,
        intro=_(
            "Some treatments are not safe with some conditions. Your answers are "
            "read by a physician."
        ),
    ),
    Step(
        "warning-signs",
        _("Warning signs, allergies and medicines"),
        WarningSignsForm,
        intro=_(
            "Some headaches need a doctor soon, and some treatments are not safe "
            "with some allergies or medicines."
        ),
    ),
    Step(
        "mood",
        _("How you have been feeling"),
        MoodForm,
        intro=_(
            "Over the last 2 weeks, how often have you been bothered by any of the "
            "following problems?"
        ),
    ),
    Step(
        "daily-life",
        _("Headaches and daily life"),
        DailyLifeForm,
        intro=_(
            "These questions are about the last 3 months. Count each day once; if "
            "you are not sure, give your best guess."
        ),
    ),
    Step(
        "services",
        _("Services and how you found us"),
        ServicesForm,
    ),
    Step("consent", _("Consent"), ConsentForm, "intake/steps/consent.html"),
    Step(
        "review",
        _("Check your answers"),
        ReviewForm,
        "intake/steps/review.html",
        intro=_("Check everything before you send it. You can change any part."),
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


def resume_step(draft: OnlineDraft) -> Step:
    """Where a patient coming back carries on: where they stopped."""
    return STEP_BY_SLUG.get(draft.resume_step) or first_unfinished_step(draft)


def _summary_line(name, message) -> str:
    """One line of the error summary: the question it is about, then the problem."""
    name, message = str(name), str(message)
    if name.endswith("?"):
        return gettext("%(question)s %(problem)s") % {
            "question": name,
            "problem": message,
        }
    if message[1:2].islower():
        message = message[:1].lower() + message[1:]
    return gettext("%(question)s: %(problem)s") % {"question": name, "problem": message}


def _page_order(form) -> list[str]:
    """A step form's field names as its page shows them: its layout's order where
    it has one (the fields are declared in another), then any field left out."""
    layout = form.layout() if hasattr(form, "layout") else None
    shown = [pointer.name for pointer in layout.get_field_names()] if layout else []
    shown = [name for name in shown if name in form.fields]
    return shown + [name for name in form.fields if name not in shown]


def error_summary(form) -> list[tuple[str, str]]:
    """(field id, line) of every error of a step form or formset, in page order.

    Each line names its question; a message is listed once however often it
    was found.
    """
    formset = isinstance(form, forms.BaseFormSet)
    summary = []
    if formset:
        summary += [("treatments", str(error)) for error in form.non_form_errors()]
    for number, each in enumerate(form.forms if formset else [form], start=1):
        summary += [("step-form", str(error)) for error in each.non_field_errors()]
        for name in _page_order(each):
            field = each.fields[name]
            bound = each[name]
            anchor = bound.auto_id + ("_0" if bound.use_fieldset else "")
            question = getattr(field, "short_name", None) or bound.label
            if formset:
                question = gettext("Treatment %(number)s (%(question)s)") % {
                    "number": number,
                    "question": question,
                }
            summary += [
                (anchor, _summary_line(question, error)) for error in bound.errors
            ]
    unique = []
    for line in summary:
        if line not in unique:
            unique.append(line)
    return unique
