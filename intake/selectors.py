"""Reads of the intake app more involved than one filter."""

import datetime
import difflib
import hashlib
import re

from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.utils import timezone

from intake.models import Drug, DrugName, OnlineDraft, Patient, fold_name

LOOKALIKE_NAME_RATIO = 0.8
RECORD_NUMBER = re.compile(r"^(?:p-?(\d{1,10})|(\d{1,6}))$", re.IGNORECASE)
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y")


class ResumeLinkInvalid(Exception):
    """A resume link that is unknown, replaced by a newer one, or expired."""


def parse_date(text: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def patient_search(queryset: QuerySet, term: str, prefix: str = "") -> QuerySet:
    """Filter by record number, date of birth, phone, or the start of a name.

    ``prefix`` leads from the queryset's model to the patient, such as
    ``"intake__patient__"``. Each form of search uses an index: the record number's
    unique index, the birth date's, the phone's, and the upper-cased last name's.
    """
    term = term.strip()
    if not term:
        return queryset
    if match := RECORD_NUMBER.match(term):
        number = f"P-{int(match.group(1) or match.group(2)):06d}"
        return queryset.filter(**{f"{prefix}record_number": number})
    if day := parse_date(term):
        return queryset.filter(**{f"{prefix}date_of_birth": day})
    digits = re.sub(r"[^\d+]", "", term)
    if len(digits) >= 7 and len(digits) >= len(term.replace(" ", "")) - 4:
        return queryset.filter(**{f"{prefix}mobile_phone": digits})
    words = term.split()
    if len(words) == 1:
        return queryset.annotate(_last=Upper(f"{prefix}last_name")).filter(
            _last__startswith=term.upper()
        )
    return queryset.annotate(_last=Upper(f"{prefix}last_name")).filter(
        _last__startswith=words[-1].upper(),
        **{f"{prefix}first_name__istartswith": words[0]},
    )


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


def token_hash(token: str) -> str:
    """The SHA-256 of a resume link's token: all a draft stores of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def draft_resume(*, token: str) -> OnlineDraft:
    """The draft a resume link opens; ``ResumeLinkInvalid`` for a dead link.

    A link of a submitted intake still resolves, so the patient can be told
    kindly that it was sent; the caller must not show its answers.
    """
    draft = (
        OnlineDraft.objects.select_related("intake")
        .filter(resume_token_hash=token_hash(token))
        .first()
    )
    if draft is None or draft.resume_expires_at <= timezone.now():
        raise ResumeLinkInvalid
    return draft
