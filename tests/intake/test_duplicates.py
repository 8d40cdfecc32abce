"""Staff see possible duplicates before saving a patient, and must say they differ."""

import datetime

import pytest
from django.urls import reverse

from clinic.models import AuditEntry
from intake.matching import Person
from intake.models import Patient
from intake.selectors import patient_duplicates
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:intake_patient_add")


@pytest.fixture
def rosa():
    return PatientFactory(
        first_name="Rosa",
        last_name="Quintero",
        date_of_birth=datetime.date(1985, 3, 5),
        mobile_phone="7045550166",
        email="rosa.q@example.com",
    )


def patient_form(**changes) -> dict:
    return {
        "first_name": "Rosa",
        "last_name": "Quintero",
        "date_of_birth": "1985-03-05",
        "sex": "female",
        "preferred_language": "en",
        "mobile_phone": "",
        "email": "",
        "intakes-TOTAL_FORMS": "0",
        "intakes-INITIAL_FORMS": "0",
        "intakes-MIN_NUM_FORMS": "0",
        "intakes-MAX_NUM_FORMS": "1000",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"first_name": "Quintero", "last_name": "Rosa"},
            "first and last names swapped",
        ),
        (
            {"first_name": "ROSA", "last_name": "Quintéro"},
            "same or nearly the same name",
        ),
        ({"date_of_birth": "1985-03-06"}, "birth date one day apart"),
        ({"date_of_birth": "1985-05-03"}, "birth date with day and month swapped"),
        (
            {"first_name": "Ana", "last_name": "Lee", "mobile_phone": "704 555 0166"},
            "same phone",
        ),
        (
            {"first_name": "Ana", "last_name": "Lee", "email": "Rosa.Q@example.com"},
            "same e-mail",
        ),
    ],
)
def test_each_duplicate_case_is_shown_before_saving(desk_client, rosa, changes, reason):
    response = desk_client.post(ADD, patient_form(**changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert "may be a patient already on file" in page
    assert reason in page
    link = f'<a href="{rosa.get_absolute_url()}" target="_blank">{rosa.record_number}'
    assert link in page  # a working link, not its HTML as text
    assert "&lt;a href" not in page
    assert Patient.objects.count() == 1

    confirmed = desk_client.post(
        ADD, {**patient_form(**changes), "not_a_duplicate": "on"}
    )
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


def test_showing_possible_duplicates_is_audited_as_a_read(desk_client, rosa):
    desk_client.post(ADD, patient_form(date_of_birth="1985-03-06"))
    entry = AuditEntry.objects.filter(object_repr__startswith="possible duplicates")
    assert entry.get().additional_data == {"patients": [rosa.record_number]}


def test_a_different_person_saves_without_a_question(desk_client, rosa):
    response = desk_client.post(
        ADD, patient_form(first_name="Ana", last_name="Lee", date_of_birth="1985-03-07")
    )
    assert response.status_code == 302


def test_editing_a_patient_without_changing_who_they_are_asks_nothing(
    desk_client, rosa
):
    twin = PatientFactory(
        first_name="Rose",
        last_name="Quintero",
        date_of_birth=rosa.date_of_birth,
        mobile_phone=rosa.mobile_phone,
    )
    url = reverse("admin:intake_patient_change", args=[twin.pk])
    data = patient_form(
        first_name="Rose",
        mobile_phone="7045550166",
        email=twin.email,
        emergency_contact_name="Luis",
    )
    assert desk_client.post(url, data).status_code == 302
    renamed = desk_client.post(url, {**data, "first_name": "Rosa"})
    assert renamed.status_code == 200
    assert "may be a patient already on file" in renamed.content.decode()


def test_the_selector_judges_only_indexed_candidates_and_orders_by_evidence(rosa):
    PatientFactory(first_name="Zed", last_name="Other", mobile_phone="7045550999")
    same_everything = PatientFactory(
        first_name="Rosa",
        last_name="Quintero",
        date_of_birth=datetime.date(1985, 3, 5),
        mobile_phone="7045550166",
        email="rosa.q@example.com",
    )
    person = Person(
        "Rosa",
        "Quintero",
        datetime.date(1985, 3, 5),
        "7045550166",
        "rosa.q@example.com",
    )
    found = patient_duplicates(person=person, exclude_pk=same_everything.pk)
    assert [patient for patient, _ in found] == [rosa]
    assert patient_duplicates(person=Person("", "", None)) == []
