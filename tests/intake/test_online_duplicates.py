"""Online patients are matched in the background, flagged to staff, not the public."""

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import DuplicateFlag, Patient
from intake.services import patient_merge
from tests.factories import ONLINE_STEP_ANSWERS, PatientFactory

pytestmark = pytest.mark.django_db

ABOUT_YOU = {**ONLINE_STEP_ANSWERS["about-you"], "action": "next"}


def start_online(**changes):
    """One online start from a new browser, as a patient trying again would."""
    response = Client().post("/intake/about-you/", {**ABOUT_YOU, **changes})
    assert response.status_code == 302
    return response


def test_three_online_starts_are_flagged_and_never_shown_to_the_patient(
    run_tasks, desk_client
):
    responses = [start_online() for _ in range(3)]
    first, second, third = Patient.objects.order_by("record_number")
    assert not DuplicateFlag.objects.exists()  # in the background: not yet
    run_tasks()
    flagged = {
        (flag.patient.record_number, flag.candidate.record_number)
        for flag in DuplicateFlag.objects.select_related("patient", "candidate")
    }
    assert flagged == {
        (second.record_number, first.record_number),
        (third.record_number, first.record_number),
        (third.record_number, second.record_number),
    }
    flag = DuplicateFlag.objects.get(patient=second)
    assert {"same or nearly the same name", "same phone", "same e-mail"} <= set(
        flag.reasons
    )
    for response in responses:
        page = Client().get(response.url).content.decode()
        assert "P-0" not in page and "duplicate" not in page.lower()

    listing = desk_client.get(
        reverse("admin:intake_patient_changelist"), {"duplicates": "flagged"}
    )
    assert set(listing.context["cl"].result_list) == {second, third}
    assert f">{first.record_number}</a>" in listing.content.decode()


def test_matching_twice_keeps_one_flag_per_pair(run_tasks):
    start_online()
    start_online()
    run_tasks()
    from intake.tasks import match_online_patient

    match_online_patient.enqueue(
        patient_id=str(Patient.objects.order_by("record_number").last().pk)
    )
    run_tasks()
    assert DuplicateFlag.objects.count() == 1


def test_a_different_person_online_is_not_flagged(run_tasks):
    start_online()
    start_online(
        first_name="Ana",
        last_name="Lee",
        date_of_birth="01/02/1990",
        email="ana@example.com",
        mobile_phone="704 555 0111",
    )
    run_tasks()
    assert not DuplicateFlag.objects.exists()


def test_staff_clear_a_flag_by_saving_the_patient_as_a_different_person(
    run_tasks, desk_client
):
    start_online()
    start_online()
    run_tasks()
    flagged = DuplicateFlag.objects.get().patient
    url = reverse("admin:intake_patient_change", args=[flagged.pk])
    page = desk_client.get(url).content.decode()
    candidate = DuplicateFlag.objects.get().candidate
    assert "Possible duplicate of" in page
    assert f">{candidate.record_number}</a>" in page
    data = {
        "first_name": flagged.first_name,
        "last_name": flagged.last_name,
        "date_of_birth": flagged.date_of_birth.isoformat(),
        "sex": flagged.sex,
        "email": flagged.email,
        "mobile_phone": flagged.mobile_phone,
        "preferred_language": flagged.preferred_language,
        "not_a_duplicate": "on",
        "intakes-TOTAL_FORMS": "1",
        "intakes-INITIAL_FORMS": "1",
        "intakes-MIN_NUM_FORMS": "0",
        "intakes-MAX_NUM_FORMS": "1000",
        "intakes-0-id": str(flagged.intakes.get().pk),
        "intakes-0-patient": str(flagged.pk),
    }
    assert desk_client.post(url, data).status_code == 302
    assert not DuplicateFlag.objects.exists()


def test_a_merge_clears_the_flag(run_tasks, front_desk_user):
    start_online()
    start_online()
    run_tasks()
    flag = DuplicateFlag.objects.get()
    flag.patient.intakes.update(status="submitted", submitted_at="2026-01-01T00:00Z")
    patient_merge(
        survivor=flag.candidate,
        merged=flag.patient,
        user=front_desk_user,
        reason="Tried three times",
    )
    assert not DuplicateFlag.objects.exists()


def test_a_flag_with_a_third_record_passes_to_the_record_kept(front_desk_user):
    first, second, third = PatientFactory(), PatientFactory(), PatientFactory()
    DuplicateFlag.objects.create(patient=second, candidate=first, reasons=["x"])
    DuplicateFlag.objects.create(
        patient=third, candidate=second, reasons=["same phone"]
    )
    patient_merge(survivor=first, merged=second, user=front_desk_user, reason="x")
    flag = DuplicateFlag.objects.get()
    assert (flag.patient, flag.candidate, flag.reasons) == (
        third,
        first,
        ["same phone"],
    )
