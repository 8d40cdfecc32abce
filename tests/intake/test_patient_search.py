"""The front desk finds a patient however the name or number is given."""

import json

import pytest
from django.urls import reverse

from intake.models import Intake, Patient
from tests.factories import IntakeFactory, PatientFactory

pytestmark = pytest.mark.django_db

PATIENTS = reverse("admin:intake_patient_changelist")


@pytest.fixture
def elena():
    return PatientFactory(
        first_name="Elena",
        last_name="Ramírez",
        date_of_birth="1979-11-02",
        mobile_phone="7045550102",
    )


@pytest.fixture
def others():
    return [
        PatientFactory(
            first_name="Imani", last_name="Okonkwo", mobile_phone="7045550188"
        ),
        PatientFactory(first_name="Ramona", last_name="Lee", mobile_phone="7045550177"),
    ]


def found(client, term, url=PATIENTS):
    response = client.get(url, {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize(
    "term",
    [
        "ramirez",
        "Ramírez",
        "RAMI",
        "Elena",
        "ramírez, elena",
        "Ramirez,Elena",
        "Elena Ramirez",
        "elena ram",
        "555-0102",
        "0102",
        "(704) 555-0102",
    ],
)
def test_front_desk_finds_elena_ramirez(desk_client, elena, others, term):
    assert found(desk_client, term) == [elena]


def test_last_first_with_a_wrong_first_name_finds_no_one(desk_client, elena):
    assert found(desk_client, "Ramirez, Imani") == []


def test_a_first_name_alone_finds_every_patient_of_that_first_name(desk_client, elena):
    other = PatientFactory(first_name="Élena", last_name="Zed")
    assert set(found(desk_client, "elena")) == {elena, other}


def test_three_digits_are_not_searched_as_a_phone(desk_client, elena):
    assert found(desk_client, "102") == []


def test_four_digits_find_a_record_number_or_a_phone_ending(desk_client, elena):
    by_number = PatientFactory(mobile_phone="")
    Patient.objects.filter(pk=by_number.pk).update(record_number="P-000102")
    assert set(found(desk_client, "0102")) == {elena, by_number}


def test_punctuation_alone_finds_no_one(desk_client, elena):
    assert found(desk_client, "!!") == []


def test_a_corrected_name_is_found_by_its_new_spelling(desk_client, elena):
    elena.last_name = "Ramos"
    elena.save(update_fields=["last_name"])
    assert found(desk_client, "ramos") == [elena]
    assert found(desk_client, "ramirez") == []


def test_the_intake_list_searches_the_same_way(desk_client, elena, others):
    intake = IntakeFactory(patient=elena)
    IntakeFactory(patient=others[0])
    url = reverse("admin:intake_intake_changelist")
    assert found(desk_client, "ramirez", url) == [intake]
    assert found(desk_client, "555-0102", url) == [intake]


def test_lists_show_the_birth_date_and_a_formatted_phone(desk_client, elena):
    IntakeFactory(patient=elena)
    page = desk_client.get(PATIENTS).content.decode()
    assert "(704) 555-0102" in page
    page = desk_client.get(reverse("admin:intake_intake_changelist")).content.decode()
    assert "Ramírez, Elena" in page
    assert "1979-11-02" in page
    assert "…0102" in page


def test_the_patient_picker_shows_name_birth_date_and_phone_ending(
    desk_client, elena, others
):
    response = desk_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "ramirez",
            "app_label": "intake",
            "model_name": "intake",
            "field_name": "patient",
        },
    )
    results = json.loads(response.content)["results"]
    assert [result["text"] for result in results] == [
        f"{elena.record_number} · Ramírez, Elena · born 1979-11-02 · phone …0102"
    ]


def test_the_chosen_patient_shows_who_it_is_when_the_form_comes_back(
    desk_client, elena
):
    response = desk_client.post(
        reverse("admin:intake_intake_add"),
        {
            "patient": str(elena.pk),
            "source": "front_desk",
            "worst_pain": "11",
            "treatments-TOTAL_FORMS": "0",
            "treatments-INITIAL_FORMS": "0",
            "treatments-MIN_NUM_FORMS": "0",
            "treatments-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "Ramírez, Elena · born 1979-11-02" in response.content.decode()
    assert not Intake.objects.exists()
