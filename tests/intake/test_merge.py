"""Two records of one person made one: all moves, the old number still finds it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic.models import AuditEntry
from intake.models import Intake, Patient, PatientAlias, PatientMerge
from intake.services import patient_merge
from tests.factories import IntakeFactory, PatientFactory, UserFactory
from tests.referrals.builders import submitted_example1

pytestmark = pytest.mark.django_db

PATIENTS = reverse("admin:intake_patient_changelist")


@pytest.fixture
def pair():
    kept = PatientFactory(
        first_name="Rosa", last_name="Quintero", date_of_birth=datetime.date(1985, 3, 5)
    )
    extra = PatientFactory(
        first_name="Rosa", last_name="Quintero", date_of_birth=datetime.date(1985, 3, 6)
    )
    return kept, extra


def test_merging_moves_intakes_referrals_and_keeps_the_old_number(
    pair, front_desk_user
):
    kept, extra = pair
    routed = submitted_example1(patient=extra)
    referrals = set(routed.referrals.values_list("pk", flat=True))
    assert referrals
    merge = patient_merge(
        survivor=kept, merged=extra, user=front_desk_user, reason="Same ID card"
    )
    assert not Patient.objects.filter(pk=extra.pk).exists()
    routed.refresh_from_db()
    assert routed.patient == kept
    assert set(kept.intakes.get().referrals.values_list("pk", flat=True)) == referrals
    assert merge.merged_record_number == extra.record_number
    assert merge.merged_details["date_of_birth"] == "1985-03-06"
    assert merge.intakes_moved == 1
    assert PatientAlias.objects.get(record_number=extra.record_number).patient == kept


def test_a_second_merge_carries_the_earlier_numbers_along(pair, front_desk_user):
    kept, extra = pair
    third = PatientFactory()
    patient_merge(survivor=extra, merged=third, user=front_desk_user, reason="x")
    patient_merge(survivor=kept, merged=extra, user=front_desk_user, reason="y")
    assert set(kept.aliases.values_list("record_number", flat=True)) == {
        extra.record_number,
        third.record_number,
    }


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_merge_needs_a_reason(pair, front_desk_user, reason):
    kept, extra = pair
    with pytest.raises(ValidationError):
        patient_merge(survivor=kept, merged=extra, user=front_desk_user, reason=reason)
    assert Patient.objects.count() == 2


def test_a_record_is_not_merged_into_itself(pair, front_desk_user):
    with pytest.raises(ValidationError):
        patient_merge(
            survivor=pair[0], merged=pair[0], user=front_desk_user, reason="x"
        )


def test_a_record_with_an_online_intake_being_filled_in_is_not_merged(
    pair, front_desk_user
):
    kept, extra = pair
    IntakeFactory(patient=extra, source=Intake.Source.ONLINE)
    with pytest.raises(ValidationError, match="still being filled in"):
        patient_merge(survivor=kept, merged=extra, user=front_desk_user, reason="x")
    assert Patient.objects.filter(pk=extra.pk).exists()


def test_the_database_refuses_a_merge_record_without_reason_or_of_one_record(
    front_desk_user,
):
    for bad in (
        {"survivor_record_number": "P-000001", "merged_record_number": "P-000002"},
        {
            "survivor_record_number": "P-000001",
            "merged_record_number": "P-000001",
            "reason": "x",
        },
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            PatientMerge.objects.create(
                merged_details={}, intakes_moved=0, merged_by=front_desk_user, **bad
            )


def merge_post(kept, extra, **changes) -> dict:
    return {
        "action": "merge_records",
        "_selected_action": [str(kept.pk), str(extra.pk)],
        "confirm_merge": "1",
        "survivor": str(kept.pk),
        "reason": "Same person, ID checked at the desk",
        "confirmed": "on",
        **changes,
    }


def test_front_desk_merges_after_a_confirmation_page(
    desk_client, front_desk_user, pair
):
    kept, extra = pair
    IntakeFactory(patient=extra)
    shown = desk_client.post(
        PATIENTS,
        {"action": "merge_records", "_selected_action": [str(kept.pk), str(extra.pk)]},
    )
    assert shown.status_code == 200
    page = shown.content.decode()
    assert "Merge two records of one patient" in page
    assert "1985-03-06" in page and "1985-03-05" in page
    assert Patient.objects.count() == 2

    unconfirmed = desk_client.post(PATIENTS, merge_post(kept, extra, confirmed=""))
    assert unconfirmed.status_code == 200
    assert Patient.objects.count() == 2

    done = desk_client.post(PATIENTS, merge_post(kept, extra))
    assert done.status_code == 302
    assert done.url == kept.get_absolute_url()
    assert list(Patient.objects.all()) == [kept]
    assert kept.intakes.count() == 1
    merge = PatientMerge.objects.get()
    assert merge.merged_by == front_desk_user
    assert AuditEntry.objects.filter(object_repr=str(merge)).exists()

    found = desk_client.get(PATIENTS, {"q": extra.record_number})
    assert list(found.context["cl"].result_list) == [kept]
    by_digits = desk_client.get(PATIENTS, {"q": str(int(extra.record_number[2:]))})
    assert list(by_digits.context["cl"].result_list) == [kept]
    page = desk_client.get(kept.get_absolute_url()).content.decode()
    assert extra.record_number in page


def test_one_record_selected_is_not_merged(desk_client, pair):
    response = desk_client.post(
        PATIENTS, {"action": "merge_records", "_selected_action": [str(pair[0].pk)]}
    )
    assert response.status_code == 302
    assert Patient.objects.count() == 2


@pytest.mark.parametrize("role", ["Physician", "Clinic manager"])
def test_only_the_front_desk_merges(client, pair, role):
    client.force_login(UserFactory(role=role))
    client.post(PATIENTS, merge_post(*pair))
    assert Patient.objects.count() == 2
    assert "merge_records" not in client.get(PATIENTS).content.decode()


def test_no_one_changes_or_deletes_a_merge_record(
    manager_client, pair, front_desk_user
):
    merge = patient_merge(
        survivor=pair[0], merged=pair[1], user=front_desk_user, reason="x"
    )
    url = reverse("admin:intake_patientmerge_change", args=[merge.pk])
    assert manager_client.get(url).status_code == 200
    delete = reverse("admin:intake_patientmerge_delete", args=[merge.pk])
    assert manager_client.post(delete, {"post": "yes"}).status_code == 403
    assert PatientMerge.objects.count() == 1


def test_a_merge_fills_in_the_contact_details_the_kept_record_lacks(front_desk_user):
    kept = PatientFactory(email="", mobile_phone="", emergency_contact_name="")
    extra = PatientFactory(
        email="rosa@example.com",
        mobile_phone="7045550166",
        emergency_contact_name="Luis Quintero",
        emergency_contact_phone="7045550199",
    )
    merge = patient_merge(
        survivor=kept, merged=extra, user=front_desk_user, reason="Same ID card"
    )
    kept.refresh_from_db()
    assert kept.email == "rosa@example.com"
    assert kept.mobile_phone == "7045550166"
    assert kept.phone_reversed == "6610555407"  # found by the phone's last digits
    assert (kept.emergency_contact_name, kept.emergency_contact_phone) == (
        "Luis Quintero",
        "7045550199",
    )
    assert merge.filled_in == [
        "email",
        "emergency_contact_name",
        "emergency_contact_phone",
        "mobile_phone",
    ]


def test_a_merge_keeps_the_kept_records_own_details(front_desk_user):
    kept = PatientFactory(first_name="Rosa", email="kept@example.com")
    extra = PatientFactory(
        first_name="Rosita", email="other@example.com", mobile_phone="7045550166"
    )
    merge = patient_merge(
        survivor=kept, merged=extra, user=front_desk_user, reason="Same ID card"
    )
    kept.refresh_from_db()
    assert (kept.first_name, kept.email, kept.mobile_phone) == (
        "Rosa",
        "kept@example.com",
        "7045550100",
    )
    assert merge.filled_in == []
    assert merge.merged_details["email"] == "other@example.com"
    assert merge.merged_details["mobile_phone"] == "7045550166"


def test_the_merge_page_says_what_is_copied_and_the_message_what_was(
    desk_client, front_desk_user
):
    kept = PatientFactory(email="")
    extra = PatientFactory(email="rosa@example.com")
    shown = desk_client.post(
        PATIENTS,
        {"action": "merge_records", "_selected_action": [str(kept.pk), str(extra.pk)]},
    )
    assert "the other record's is copied to it" in shown.content.decode()
    done = desk_client.post(PATIENTS, merge_post(kept, extra), follow=True)
    assert "its e-mail filled in" in done.content.decode()
    kept.refresh_from_db()
    assert kept.email == "rosa@example.com"
