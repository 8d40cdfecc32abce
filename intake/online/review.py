"""The last step's page: every stored answer, labelled as the patient saw it."""

import re
from dataclasses import dataclass

from django import forms
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext

from intake import codes
from intake.models import OnlineDraft, TreatmentTrial
from intake.online import vocabulary
from intake.online.fields import translated
from intake.online.forms import BaseTreatmentFormSet, TreatmentForm
from intake.online.steps import STEPS, Step

HIDDEN = {"website", "agree"}
PHONES = {"mobile_phone", "emergency_contact_phone"}


def phone_text(digits: str) -> str:
    """A stored phone number as people write it: (704) 555-0134 for US numbers."""
    match = re.fullmatch(r"(?:\+?1)?(\d{3})(\d{3})(\d{4})", digits)
    return f"({match[1]}) {match[2]}-{match[3]}" if match else digits


def answer_lines(bound: forms.BoundField) -> list[str]:
    """An unbound field's stored answer in words, one line per item."""
    value = bound.value()
    field = bound.field
    if isinstance(field, forms.MultipleChoiceField):
        labels = dict(field.choices)
        return [str(labels[code]) for code in value or []] or [gettext("None")]
    if value is None or value == "":
        return [gettext("Not answered")]
    if isinstance(field, forms.ChoiceField):
        return [str(dict(field.choices).get(value, value))]
    if isinstance(field, forms.DateField):
        return [date_format(value)]
    if isinstance(field, forms.IntegerField):
        return [number_format(value, force_grouping=True)]
    if bound.name in PHONES:
        return [phone_text(value)]
    return [line.strip() for line in str(value).splitlines() if line.strip()]


def treatment_lines(trial: TreatmentTrial) -> list[tuple[str, list[str]]]:
    """A treatment row for the review: the generic name with its kind, and answers."""
    fields = TreatmentForm.base_fields
    kind = vocabulary.kind_of(
        trial.drug.name if trial.drug_id else None, trial.treatment_class
    )
    weeks = (
        number_format(trial.weeks)
        if trial.weeks is not None
        else gettext("Not answered")
    )
    return [
        (
            fields["name"].label,
            [
                gettext("%(name)s (%(kind)s)")
                % {"name": vocabulary.shown_name(trial.name), "kind": kind}
            ],
        ),
        (fields["intent"].label, [dict(translated(codes.INTENTS))[trial.intent]]),
        (fields["dose"].label, [trial.dose or gettext("Not answered")]),
        (fields["weeks"].label, [weeks]),
        (fields["outcome"].label, [dict(translated(codes.OUTCOMES))[trial.outcome]]),
    ]


@dataclass(frozen=True)
class ReviewSection:
    step: Step
    answers: list[tuple[str, list[str]]]
    rows: list[list[tuple[str, list[str]]]]


def review_sections(draft: OnlineDraft) -> list[ReviewSection]:
    """Every step's stored answers, labelled as the patient saw them."""
    sections = []
    for step in STEPS[:-1]:
        if step.form_class is BaseTreatmentFormSet:
            trials = draft.intake.treatments.select_related("drug")
            rows = [treatment_lines(trial) for trial in trials]
            sections.append(ReviewSection(step, [], rows))
            continue
        form = step.form(draft)
        answers = [
            (form[name].label, answer_lines(form[name]))
            for name in form.fields
            if name not in HIDDEN
        ]
        sections.append(ReviewSection(step, answers, []))
    return sections
