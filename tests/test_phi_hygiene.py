"""No patient's name, birth date, e-mail or phone in logs, URLs or record names."""

import logging

import pytest
from django.urls import reverse

from clinic import roles
from clinic.models import AuditEntry
from clinic.worker import run_ready_tasks
from intake.models import Intake, TreatmentTrial
from referrals import services
from referrals.models import Referral, RoutingDecision
from tests.factories import ONLINE_STEP_ANSWERS, UserFactory

pytestmark = pytest.mark.django_db

ABOUT = ONLINE_STEP_ANSWERS["about-you"]
DETAILS = [
    ABOUT["first_name"],
    ABOUT["last_name"],
    ABOUT["email"],
    "1987-04-12",
    "04/12/1987",
    "555-0134",
    "5550134",
    ABOUT["emergency_contact_name"],
]


def leaks(text: str) -> list[str]:
    return [detail for detail in DETAILS if detail.lower() in text.lower()]


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def test_a_whole_intake_and_review_logs_no_patient_details(
    online_patient_client, client_class, everything_logged
):
    visited = []
    submitted = online_patient_client.post("/intake/review/", {"action": "next"})
    run_ready_tasks()
    visited.append(submitted["Location"])
    intake = Intake.objects.get()

    doctor = client_class()
    doctor.force_login(UserFactory(username="doctor", role=roles.PHYSICIAN))
    review = reverse("admin:referrals_review", args=[intake.pk])
    visited.append(review)
    assert doctor.get(review).status_code == 200
    # The sample patient reports a past cancer: an urgent hold the physician clears.
    hold = RoutingDecision.objects.get(intake=intake)
    clear = reverse("admin:referrals_clear_hold", args=[hold.pk])
    visited.append(clear)
    doctor.post(clear, {"note": "Oncology history reviewed; no current concern."})
    referral = Referral.objects.filter(intake=intake).first()
    decide = reverse("admin:referrals_decide", args=[referral.pk])
    visited.append(decide)
    doctor.post(decide, {"action": "approve"})
    letter = reverse("admin:referrals_referral_letter_pdf", args=[referral.pk])
    visited.append(letter)
    assert doctor.get(letter).status_code == 200
    desk = client_class()
    desk.force_login(UserFactory(username="desk", role=roles.FRONT_DESK))
    for url in (intake.get_absolute_url(), intake.patient.get_absolute_url()):
        visited.append(url)
        assert desk.get(url).status_code == 200

    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.APPROVED
    assert everything_logged.records, "the flow logged nothing: the test sees nothing"
    for record in everything_logged.records:
        assert leaks(record.getMessage()) == [], record.getMessage()
    for url in visited:
        assert leaks(url) == [], url


def test_record_names_carry_no_patient_details(online_patient_client):
    online_patient_client.post("/intake/review/", {"action": "next"})
    run_ready_tasks()
    intake = Intake.objects.get()
    records = [
        intake,
        intake.patient,
        *TreatmentTrial.objects.filter(intake=intake),
        *RoutingDecision.objects.filter(intake=intake),
        *Referral.objects.filter(intake=intake),
    ]
    for record in records:
        assert leaks(str(record)) == [], record
    for entry in AuditEntry.objects.all():
        assert leaks(entry.object_repr + str(entry.changes)) == [], entry.pk


def test_error_pages_show_no_patient_details(online_patient_client, client_class):
    staff = client_class()
    staff.force_login(UserFactory(username="desk", role=roles.FRONT_DESK))
    missing = staff.get("/admin/intake/intake/00000000-0000-0000-0000-000000000000/")
    assert leaks(missing.content.decode()) == []
    assert online_patient_client.get("/no-such-page/").status_code == 404


def test_a_hold_alert_and_its_clearance_log_no_details(
    online_patient_client, everything_logged
):
    online_patient_client.post("/intake/review/", {"action": "next"})
    run_ready_tasks()
    hold = RoutingDecision.objects.get()
    doctor = UserFactory(username="doctor", role=roles.PHYSICIAN)
    services.decision_clear_hold(decision=hold, user=doctor, note="Reviewed.")
    assert Referral.objects.exists()
    for record in everything_logged.records:
        assert leaks(record.getMessage()) == [], record.getMessage()
