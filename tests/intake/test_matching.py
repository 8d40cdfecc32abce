"""Recognising one person in two records: the pure functions, without a database."""

import datetime

import pytest
from django import forms

from intake.forms import phone_digits
from intake.matching import (
    Person,
    fold_name,
    format_phone,
    match_reasons,
    merge_fill_in,
    nearby_birth_dates,
    phone_last_four,
    phone_reversed,
)

BORN = datetime.date(1985, 3, 5)
ROSA = Person("Rosa", "Quintero", BORN, phone="7045550166", email="rosa@example.com")


def person(**changes) -> Person:
    return Person(
        **{
            "first_name": "Rosa",
            "last_name": "Quintero",
            "date_of_birth": BORN,
            "phone": "",
            "email": "",
            **changes,
        }
    )


@pytest.mark.parametrize(
    ("typed", "folded"),
    [("Ramírez", "ramirez"), ("RAMIREZ", "ramirez"), ("  Núñez-Díaz ", "nunez diaz")],
)
def test_names_fold_without_accents_case_or_punctuation(typed, folded):
    assert fold_name(typed) == folded


def test_a_phone_is_reversed_as_digits_only():
    assert phone_reversed("+1 (704) 555-0166") == "66105554071"
    assert phone_reversed("") == ""


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("7045550166", "(704) 555-0166"),
        ("17045550166", "+1 (704) 555-0166"),
        ("+447700900123", "+447700900123"),
        ("", ""),
    ],
)
def test_phones_are_shown_as_people_write_them(stored, shown):
    assert format_phone(stored) == shown


def test_the_last_four_digits_of_a_phone():
    assert phone_last_four("7045550166") == "…0166"
    assert phone_last_four("") == ""


def test_nearby_birth_dates_are_a_day_either_side_and_day_month_swapped():
    assert nearby_birth_dates(BORN) == [
        BORN,
        datetime.date(1985, 3, 4),
        datetime.date(1985, 3, 6),
        datetime.date(1985, 5, 3),
    ]
    # The 20th of March has no swapped date; the 3rd of March is its own.
    assert len(nearby_birth_dates(datetime.date(1985, 3, 20))) == 3
    assert len(nearby_birth_dates(datetime.date(1985, 3, 3))) == 3


@pytest.mark.parametrize(
    ("entered", "reason"),
    [
        (person(), "same or nearly the same name"),
        (
            person(first_name="ROSA", last_name="Quintéro"),
            "same or nearly the same name",
        ),
        (
            person(first_name="Quintero", last_name="Rosa"),
            "first and last names swapped",
        ),
        (person(date_of_birth=datetime.date(1985, 3, 6)), "birth date one day apart"),
        (person(date_of_birth=datetime.date(1985, 3, 4)), "birth date one day apart"),
        (
            person(date_of_birth=datetime.date(1985, 5, 3)),
            "birth date with day and month swapped",
        ),
        (person(last_name="Smith"), "one name alike"),
        (
            person(first_name="Ana", last_name="Lee", phone="(704) 555-0166"),
            "same phone",
        ),
        (
            person(first_name="Ana", last_name="Lee", email="ROSA@example.com "),
            "same e-mail",
        ),
    ],
)
def test_each_kind_of_duplicate_is_caught(entered, reason):
    assert reason in match_reasons(entered, ROSA)


@pytest.mark.parametrize(
    "entered",
    [
        person(date_of_birth=datetime.date(1985, 3, 7)),  # two days apart
        person(date_of_birth=datetime.date(1986, 3, 5)),  # another year
        person(first_name="Ana", last_name="Lee"),  # same birth date, other names
        person(last_name="Smith", date_of_birth=datetime.date(1985, 3, 6)),
        person(first_name="Ana", last_name="Lee", phone="555-0166"),  # too short
        person(first_name="Ana", last_name="Lee", phone="7045550167"),
    ],
)
def test_different_people_are_not_matched(entered):
    assert match_reasons(entered, ROSA) == []


def test_an_empty_phone_or_email_matches_nothing():
    blank = person(first_name="Ana", last_name="Lee")
    assert match_reasons(blank, person(first_name="Bo", last_name="Ng")) == []


BLANK_CONTACT = {
    "email": "",
    "mobile_phone": "",
    "emergency_contact_name": "",
    "emergency_contact_phone": "",
}
FULL_CONTACT = {
    "email": "rosa@example.com",
    "mobile_phone": "7045550166",
    "emergency_contact_name": "Luis Quintero",
    "emergency_contact_phone": "7045550199",
}


def test_a_merge_fills_in_every_contact_detail_the_kept_record_lacks():
    assert merge_fill_in(BLANK_CONTACT, FULL_CONTACT) == FULL_CONTACT


def test_a_merge_keeps_the_kept_records_own_contact_details():
    kept = {**FULL_CONTACT, "email": "other@example.com", "mobile_phone": "7045550100"}
    assert merge_fill_in(kept, FULL_CONTACT) == {}
    assert merge_fill_in(FULL_CONTACT, BLANK_CONTACT) == {}
    assert merge_fill_in(BLANK_CONTACT, BLANK_CONTACT) == {}


def test_a_merge_fills_in_one_missing_detail_and_leaves_the_rest():
    kept = {**FULL_CONTACT, "email": " "}
    assert merge_fill_in(kept, FULL_CONTACT) == {"email": "rosa@example.com"}


def test_an_emergency_contact_is_filled_in_whole_or_not_at_all():
    half = {**BLANK_CONTACT, "emergency_contact_name": "Ana Quintero"}
    assert "emergency_contact_phone" not in merge_fill_in(half, FULL_CONTACT)
    only_phone = {**BLANK_CONTACT, "emergency_contact_phone": "7045550199"}
    assert merge_fill_in(BLANK_CONTACT, only_phone) == {
        "emergency_contact_name": "",
        "emergency_contact_phone": "7045550199",
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(704) 555-0166", "7045550166"),
        ("1 704 555 0166", "17045550166"),
        ("+44 20 7946 0958", "+442079460958"),
        ("555-0166", None),  # no area code: no way to call back
        ("704 555 016", None),
        ("+1234567", None),
        ("call after 5", None),
    ],
)
def test_a_phone_needs_its_area_code_or_country_code(typed, stored):
    if stored is None:
        with pytest.raises(forms.ValidationError, match="area code"):
            phone_digits(typed)
    else:
        assert phone_digits(typed) == stored
