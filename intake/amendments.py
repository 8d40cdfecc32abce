"""What an amendment changed, in words a physician reads: answers and treatment rows.

Each change is ``{"field": label, "before": text, "after": text}``; a treatment row
added or removed has an empty side.
"""

from collections.abc import Iterable, Mapping

from django.db import models

from clinic.fields import CodeListField
from intake.models import Intake, TreatmentTrial

# Bookkeeping, not answers: never part of an amendment.
NOT_ANSWERS = {
    "id",
    "patient",
    "status",
    "source",
    "entered_by",
    "submitted_at",
    "created",
    "modified",
}
NOT_ANSWERED = "not answered"


def in_words(instance: models.Model, field: models.Field) -> str:
    """One stored answer as the admin shows it."""
    value = getattr(instance, field.attname)
    if isinstance(field, CodeListField):
        labels = dict(field.options)
        return ", ".join(str(labels.get(code, code)) for code in value) or "none"
    if value is None or value == "":
        return NOT_ANSWERED
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        return str(getattr(instance, field.name))
    return str(value)


def _same(field: models.Field, old, new) -> bool:
    if isinstance(field, CodeListField):  # ticked boxes: their order means nothing
        return set(old) == set(new)
    return old == new


def answer_changes(before: Intake, after: Intake) -> list[dict]:
    """Each answer of the intake that differs between ``before`` and ``after``."""
    return [
        {
            "field": str(field.verbose_name),
            "before": in_words(before, field),
            "after": in_words(after, field),
        }
        for field in Intake._meta.concrete_fields
        if field.name not in NOT_ANSWERS
        and not _same(
            field, getattr(before, field.attname), getattr(after, field.attname)
        )
    ]


def _row(trial: TreatmentTrial) -> str:
    weeks = "weeks unknown" if trial.weeks is None else f"{trial.weeks} weeks"
    dose = f", {trial.dose}" if trial.dose else ""
    return (
        f"{trial.name} ({trial.get_treatment_class_display()}, "
        f"{trial.get_intent_display().lower()}{dose}, {weeks}): "
        f"{trial.get_outcome_display().lower()}"
    )


def treatment_changes(
    before: Mapping[int, TreatmentTrial],
    saved: Iterable[TreatmentTrial],
    removed: Iterable[TreatmentTrial],
) -> list[dict]:
    """Treatment rows added, changed (by row) and removed."""
    changes = []
    for trial in saved:
        old = before.get(trial.pk)
        if old is None:
            changes.append(
                {"field": "treatment added", "before": "", "after": _row(trial)}
            )
        elif _row(old) != _row(trial):
            changes.append(
                {
                    "field": "treatment changed",
                    "before": _row(old),
                    "after": _row(trial),
                }
            )
    changes += [
        {"field": "treatment removed", "before": _row(before[trial.pk]), "after": ""}
        for trial in removed
        if trial.pk in before
    ]
    return changes
