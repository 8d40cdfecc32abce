"""How one person is recognised in two records: pure functions, no ORM.

The patient search folds names and phones the way these functions do, and the
duplicate check (``intake.selectors.patient_duplicates``) asks :func:`match_reasons`
whether a stored patient may be the person being entered. Tested without a database
(tests/intake/test_matching.py).
"""

import datetime
import difflib
import re
import unicodedata
from dataclasses import dataclass

# Two spellings of a name this alike (difflib's ratio) may be one name mistyped:
# "Jonathon"/"Jonathan", "Whitfeld"/"Whitfield".
LOOKALIKE_NAME_RATIO = 0.8
# A phone number shorter than this is not compared: it names no one.
PHONE_MIN_DIGITS = 7


def fold_name(text: str) -> str:
    """A name as it is matched: no case, accents, punctuation or extra spaces.

    "Nurtec ODT", "nurtec-odt" and "NURTEC  odt" fold alike, and so do "sumatriptán"
    and "sumatriptan", "Ramírez" and "RAMIREZ".
    """
    plain = "".join(
        char
        for char in unicodedata.normalize("NFKD", text.casefold())
        if not unicodedata.combining(char)
    )
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def phone_digits_only(text: str) -> str:
    """The digits of a phone number, without a leading + or any punctuation."""
    return re.sub(r"\D", "", text)


def phone_reversed(text: str) -> str:
    """A phone's digits last first: "ends with 0166" becomes "starts with 6610".

    Stored beside the number, so a search by its last digits is a prefix search
    that an index serves.
    """
    return phone_digits_only(text)[::-1]


def format_phone(stored: str) -> str:
    """A stored phone number as people write it: "(704) 555-0166"."""
    digits = phone_digits_only(stored)
    if len(digits) == 11 and digits.startswith("1"):
        return f"+1 ({digits[1:4]}) {digits[4:7]}-{digits[7:]}"
    if len(digits) == 10 and not stored.startswith("+"):
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return stored


def phone_last_four(stored: str) -> str:
    """The last four digits of a phone, for telling records apart ("…0166")."""
    digits = phone_digits_only(stored)
    return f"…{digits[-4:]}" if len(digits) >= 4 else ""


def patient_who_parts(patient) -> list[str]:
    """Name, birth date and the phone's last four digits, each a part of
    ``patient_who``."""
    parts = [
        f"{patient.last_name}, {patient.first_name}",
        f"born {patient.date_of_birth:%Y-%m-%d}",
    ]
    if last_four := phone_last_four(patient.mobile_phone):
        parts.append(f"phone {last_four}")
    return parts


def patient_who(patient) -> str:
    """Who a patient is, beside their record number: name, birth date and the
    phone's last four digits ("Ramírez, Elena · born 1979-11-02 · phone …0102")."""
    return " · ".join(patient_who_parts(patient))


def patient_identity(patient) -> str:
    """A patient as a picker or a warning shows them: record number, name, birth
    date and the phone's last four digits, enough to confirm who it is."""
    return f"{patient.record_number} · {patient_who(patient)}"


def transposed(day: datetime.date) -> datetime.date | None:
    """The date with day and month swapped (03/05 for 05/03), if that is a date."""
    if day.day == day.month or day.day > 12:
        return None
    return day.replace(month=day.day, day=day.month)


def nearby_birth_dates(day: datetime.date) -> list[datetime.date]:
    """The birth dates a mistyped ``day`` may stand for: itself, a day either side,
    and its day and month swapped."""
    one = datetime.timedelta(days=1)
    dates = [day, day - one, day + one]
    if swapped := transposed(day):
        dates.append(swapped)
    return dates


@dataclass(frozen=True)
class Person:
    """What identifies someone in a record, as entered."""

    first_name: str
    last_name: str
    date_of_birth: datetime.date | None
    phone: str = ""
    email: str = ""


def _alike(a: str, b: str) -> bool:
    a, b = fold_name(a), fold_name(b)
    if not a or not b:
        return False
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= LOOKALIKE_NAME_RATIO


def _birth_date_reason(new: datetime.date, stored: datetime.date) -> str | None:
    if new == stored:
        return "same birth date"
    if abs((new - stored).days) == 1:
        return "birth date one day apart"
    if transposed(new) == stored:
        return "birth date with day and month swapped"
    return None


def _name_reason(new: Person, stored: Person, *, same_birth_date: bool) -> str | None:
    first = _alike(new.first_name, stored.first_name)
    last = _alike(new.last_name, stored.last_name)
    if first and last:
        return "same or nearly the same name"
    if _alike(new.first_name, stored.last_name) and _alike(
        new.last_name, stored.first_name
    ):
        return "first and last names swapped"
    # Born the same day, one name alike: a changed surname or a nickname.
    if same_birth_date and (first or last):
        return "one name alike"
    return None


def match_reasons(new: Person, stored: Person) -> list[str]:
    """Why ``stored`` may be the same person as ``new``; empty when nothing says so.

    Caught: the same name with a birth date one day off or with day and month
    swapped, first and last names swapped, accents and case, a name mistyped, a
    changed surname on the same birth date, and the same phone or e-mail under any
    name (a relative's shared phone is shown too: staff decide).
    """
    reasons = []
    if new.date_of_birth and stored.date_of_birth:
        born = _birth_date_reason(new.date_of_birth, stored.date_of_birth)
        if born:
            name = _name_reason(new, stored, same_birth_date=born == "same birth date")
            if name:
                reasons += [name, born]
    new_phone, stored_phone = (
        phone_digits_only(new.phone),
        phone_digits_only(stored.phone),
    )
    if len(new_phone) >= PHONE_MIN_DIGITS and new_phone[-10:] == stored_phone[-10:]:
        reasons.append("same phone")
    if new.email and new.email.strip().casefold() == stored.email.strip().casefold():
        reasons.append("same e-mail")
    return reasons


# What a merge fills in on the record kept from the record merged into it, where the
# kept record has none: each group goes whole (an emergency contact's name and phone
# describe one person, so neither is mixed with the other record's).
MERGE_FILLED_GROUPS = (
    ("email",),
    ("mobile_phone",),
    ("emergency_contact_name", "emergency_contact_phone"),
)


def merge_fill_in(kept: dict[str, str], merged: dict[str, str]) -> dict[str, str]:
    """The details a merge copies to the kept record: each group of
    ``MERGE_FILLED_GROUPS`` the kept record leaves wholly blank and the merged one
    gives. Everything else of the kept record (name, birth date, sex, language, and a
    contact detail it has) stays as it is; the merged record's are kept with the
    merge (``PatientMerge.merged_details``)."""
    filled = {}
    for group in MERGE_FILLED_GROUPS:
        if not any(kept[name].strip() for name in group) and any(
            merged[name].strip() for name in group
        ):
            filled.update({name: merged[name] for name in group})
    return filled
