"""Reads of the intake app more involved than one filter."""

import datetime
import hashlib
import re

from django.db.models import Q, QuerySet
from django.db.models.functions import Upper
from django.utils import timezone

from intake.matching import (
    PHONE_MIN_DIGITS,
    Person,
    fold_name,
    match_reasons,
    nearby_birth_dates,
    phone_digits_only,
)
from intake.models import Drug, DrugName, OnlineDraft, Patient, PatientAlias

# Candidates judged at most: a birth date shared by more people than this at one
# clinic would be a data problem of its own.
DUPLICATE_CANDIDATES_MAX = 200
RECORD_NUMBER = re.compile(r"^(?:p-?(\d{1,10})|(\d{1,6}))$", re.IGNORECASE)
# A term of digits and a phone's punctuation; 4 digits or more are searched as the
# end of a phone number.
PHONE_FRAGMENT = re.compile(r"^\+?[\d\s().-]+$")
PHONE_FRAGMENT_MIN = 4
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
    """Filter by record number, birth date, phone digits or names.

    ``prefix`` leads from the queryset's model to the patient, such as
    ``"intake__patient__"``. A term may be a record number (P-000123 or 123), a
    birth date, a record number merged into another (finding the record kept), 4 or
    more digits that end a phone number ("555-0102", "0102"), a
    last or first name's start ("ramirez" finds Ramírez), "Last, First", or
    "First Last". Names and phones are matched on stored folded forms
    (``Patient.fill_search_fields``), each with its own index; the record number
    and the birth date have theirs.
    """
    term = term.strip()
    if not term:
        return queryset
    if match := RECORD_NUMBER.match(term):
        number = f"P-{int(match.group(1) or match.group(2)):06d}"
        # A number merged into another record finds the record kept.
        numbers = [
            number,
            *PatientAlias.objects.filter(record_number=number).values_list(
                "patient__record_number", flat=True
            ),
        ]
        found = Q(**{f"{prefix}record_number__in": numbers})
        if match.group(2) and len(match.group(2)) >= PHONE_FRAGMENT_MIN:
            found |= _phone_ends_with(match.group(2), prefix)
        return queryset.filter(found)
    if day := parse_date(term):
        return queryset.filter(**{f"{prefix}date_of_birth": day})
    if PHONE_FRAGMENT.match(term):
        digits = phone_digits_only(term)
        if len(digits) >= PHONE_FRAGMENT_MIN:
            return queryset.filter(_phone_ends_with(digits, prefix))
    return queryset.filter(_name_matches(term, prefix))


def _phone_ends_with(digits: str, prefix: str) -> Q:
    return Q(**{f"{prefix}phone_reversed__startswith": digits[::-1]})


def _name_matches(term: str, prefix: str) -> Q:
    first, last = f"{prefix}first_name_folded", f"{prefix}last_name_folded"
    if "," in term:
        last_part, first_part = (fold_name(part) for part in term.split(",", 1))
        found = Q(**{f"{last}__startswith": last_part})
        if first_part:
            found &= Q(**{f"{first}__startswith": first_part})
        return found
    folded = fold_name(term)
    words = folded.split()
    if not words:
        return Q(**{f"{prefix}pk__in": []})
    if len(words) == 1:
        return Q(**{f"{last}__startswith": folded}) | Q(
            **{f"{first}__startswith": folded}
        )
    head, rest = words[0], " ".join(words[1:])
    return (
        Q(**{f"{last}__startswith": folded})
        | Q(**{f"{first}__startswith": head, f"{last}__startswith": rest})
        | Q(**{f"{last}__startswith": head, f"{first}__startswith": rest})
    )


def patient_duplicates(
    *, person: Person, exclude_pk=None
) -> list[tuple[Patient, list[str]]]:
    """Stored patients who may be ``person``, each with the reasons, best first.

    One query over indexed columns fetches the candidates (born on a nearby date,
    the same phone's digits, the same e-mail); ``intake.matching.match_reasons``
    judges each. See that function for what is caught.
    """
    near = Q()
    if person.date_of_birth:
        near |= Q(date_of_birth__in=nearby_birth_dates(person.date_of_birth))
    digits = phone_digits_only(person.phone)
    if len(digits) >= PHONE_MIN_DIGITS:
        near |= Q(phone_reversed__startswith=digits[::-1][:10])
    if person.email.strip():
        near |= Q(_email=person.email.strip().upper())
    if not near:
        return []
    candidates = Patient.objects.alias(_email=Upper("email")).filter(near)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    for patient in candidates.order_by("record_number")[:DUPLICATE_CANDIDATES_MAX]:
        stored = Person(
            patient.first_name,
            patient.last_name,
            patient.date_of_birth,
            phone=patient.mobile_phone,
            email=patient.email,
        )
        if reasons := match_reasons(person, stored):
            found.append((patient, reasons))
    return sorted(found, key=lambda pair: -len(pair[1]))


def drug_name_options() -> list[tuple[str, str]]:
    """(name, generic name) for the name field's suggestions: every name we know."""
    generics = [(name, "") for name in Drug.objects.values_list("name", flat=True)]
    others = list(DrugName.objects.values_list("name", "drug__name"))
    return sorted(generics + others, key=lambda option: fold_name(option[0]))


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
