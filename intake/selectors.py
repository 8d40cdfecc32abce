"""Reads of the intake app more involved than one filter."""

import datetime
import difflib

from django.db.models import QuerySet

from intake.models import Drug, DrugName, Patient, fold_name

LOOKALIKE_NAME_RATIO = 0.8


def _similar(a: str, b: str) -> bool:
    a, b = a.strip().lower(), b.strip().lower()
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= LOOKALIKE_NAME_RATIO


def patient_lookalikes(
    *, first_name: str, last_name: str, date_of_birth: datetime.date, exclude_pk=None
) -> list[Patient]:
    """Patients born the same day whose first or last name is the same or nearly so.

    Catches a typo ("Jon"/"John"), a changed surname, or a first name given as a
    nickname's neighbour; the date of birth narrows the search to a handful of rows.
    """
    candidates: QuerySet[Patient] = Patient.objects.filter(date_of_birth=date_of_birth)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return [
        patient
        for patient in candidates[:50]
        if _similar(patient.last_name, last_name)
        or _similar(patient.first_name, first_name)
    ]


def drug_catalogue() -> dict[str, Drug]:
    """Every catalogue drug by each of its names, folded: generic, brand, Spanish."""
    catalogue = {fold_name(drug.name): drug for drug in Drug.objects.all()}
    for other in DrugName.objects.select_related("drug"):
        catalogue.setdefault(other.folded, other.drug)
    return catalogue
