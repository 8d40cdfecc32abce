"""The last step's page: every stored answer, labelled as the patient saw it."""

from dataclasses import dataclass

from django import forms
from django.utils.formats import date_format

from intake.models import OnlineDraft
from intake.online.forms import BaseTreatmentFormSet
from intake.online.steps import STEPS, Step


def answer_text(bound: forms.BoundField) -> str:
    """An unbound field's stored answer in words, for the review page."""
    value = bound.value()
    field = bound.field
    if isinstance(field, forms.MultipleChoiceField):
        labels = dict(field.choices)
        return "; ".join(str(labels[code]) for code in value or []) or "None"
    if value is None or value == "":
        return "Not answered"
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(field, forms.DateField):
        return date_format(value)
    return str(value)


@dataclass(frozen=True)
class ReviewSection:
    step: Step
    answers: list[tuple[str, str]]
    rows: list[list[tuple[str, str]]]


def review_sections(draft: OnlineDraft) -> list[ReviewSection]:
    """Every step's stored answers, labelled as the patient saw them."""
    sections = []
    for step in STEPS[:-1]:
        form = step.form(draft)
        if isinstance(form, BaseTreatmentFormSet):
            rows = [
                [
                    (row[name].label, answer_text(row[name]))
                    for name in row.fields
                    if name != "DELETE"
                    and not (name == "treatment_class" and not row[name].value())
                ]
                for row in form.initial_forms
            ]
            sections.append(ReviewSection(step, [], rows))
            continue
        hidden = {"website", "agree"}
        answers = [
            (form[name].label, answer_text(form[name]))
            for name in form.fields
            if name not in hidden
        ]
        sections.append(ReviewSection(step, answers, []))
    return sections
