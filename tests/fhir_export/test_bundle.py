"""A physician downloads one patient's record as a FHIR Bundle from their page."""

import json

import pytest
from django.urls import reverse
from fhir.resources.bundle import Bundle

from clinic import roles
from clinic.models import AuditEntry
from tests.factories import UserFactory
from tests.fhir_export.helpers import walk
from tests.referrals.builders import submitted_example1

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor_client(client):
    client.force_login(UserFactory(username="fhir-reader", role=roles.PHYSICIAN))
    return client


def bundle_url(patient) -> str:
    return reverse("admin:fhir_export_patient_bundle", args=[patient.pk])


def test_a_physician_downloads_one_patients_bundle_that_validates(doctor_client):
    intake, other = submitted_example1(), submitted_example1()
    response = doctor_client.get(bundle_url(intake.patient))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{intake.patient.record_number}.fhir.json"'
    )
    assert "no-cache" in response["Cache-Control"]
    bundle = json.loads(response.content)
    Bundle.parse_obj(bundle)
    assert bundle["type"] == "collection"
    resources = [entry["resource"] for entry in bundle["entry"]]
    kinds = {resource["resourceType"] for resource in resources}
    assert {"Patient", "QuestionnaireResponse", "ServiceRequest", "Consent"} <= kinds
    patients = [r["id"] for r in resources if r["resourceType"] == "Patient"]
    assert patients == [str(intake.patient.pk)]
    assert str(other.patient.pk) not in response.content.decode()
    present = {f"{r['resourceType']}/{r['id']}" for r in resources}
    references = set(walk(resources, "reference"))
    assert references and references <= present
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"].endswith(
            f"/{resource['resourceType']}/{resource['id']}"
        )


def test_the_download_is_audited_as_a_download_of_that_patient(doctor_client):
    intake = submitted_example1()
    patient = intake.patient
    before = AuditEntry.objects.order_by("pk").last().pk
    doctor_client.get(bundle_url(patient))
    (entry,) = AuditEntry.objects.filter(pk__gt=before)
    assert entry.action == AuditEntry.Action.ACCESS
    assert entry.patient == patient.record_number
    assert entry.actor.username == "fhir-reader"
    assert entry.object_repr == "download: FHIR record (Bundle), 1 patient"
    assert entry.additional_data == {
        "patient": patient.record_number,
        "download": "FHIR record (Bundle)",
        "patients_covered": 1,
    }

    # Viewing the patient's page is a read, not a download.
    doctor_client.get(reverse("admin:intake_patient_change", args=[patient.pk]))
    view = AuditEntry.objects.latest("pk")
    assert view.patient == patient.record_number
    assert "download" not in view.additional_data
    assert not view.object_repr.startswith("download")


def test_the_url_names_the_patient_by_public_id_only():
    intake = submitted_example1()
    patient = intake.patient
    url = bundle_url(patient)
    assert str(patient.pk) in url
    for detail in (patient.record_number, patient.last_name, patient.first_name):
        assert detail not in url


def test_an_unknown_patient_is_not_found(doctor_client):
    url = reverse(
        "admin:fhir_export_patient_bundle",
        args=["00000000-0000-0000-0000-000000000000"],
    )
    assert doctor_client.get(url).status_code == 404


def test_the_patient_page_links_to_the_download_for_physicians_only(client):
    intake = submitted_example1()
    page = reverse("admin:intake_patient_change", args=[intake.patient.pk])
    link = f'href="{bundle_url(intake.patient)}"'
    for role, shown in ((roles.PHYSICIAN, True), (roles.FRONT_DESK, False)):
        client.force_login(UserFactory(role=role))
        response = client.get(page)
        assert response.status_code == 200
        assert (link in response.content.decode()) is shown, role
