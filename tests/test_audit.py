"""The audit trail: every change and staff read, masked, append-only, tamper-evident."""

import io

import pytest
from auditlog.registry import auditlog
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from clinic import roles
from clinic.audit import MASKED, record_export
from clinic.models import AuditEntry, AuditEntryImmutable
from intake.models import Patient
from referrals import services as referral_services
from referrals.models import Referral, Service
from tests.factories import (
    COMPLETE_ANSWERS,
    IntakeFactory,
    PatientFactory,
    UserFactory,
)
from tests.intake.test_admin import intake_form
from tests.referrals.builders import submitted_example1

pytestmark = pytest.mark.django_db
ACCESS = AuditEntry.Action.ACCESS


def test_creating_a_patient_is_recorded_with_identifiers_masked():
    patient = PatientFactory(first_name="Imogen", last_name="Quartermaine")
    entry = AuditEntry.objects.get(object_pk=str(patient.pk))
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.patient == patient.record_number
    assert entry.changes["first_name"] == [MASKED, MASKED]
    assert "Imogen" not in str(entry.changes)
    assert "Quartermaine" not in entry.object_repr


def test_a_change_records_who_changed_what(desk_client, front_desk_user):
    intake = IntakeFactory(headache_days_per_month=12)
    url = reverse("admin:intake_intake_change", args=[intake.pk])
    answers = {**COMPLETE_ANSWERS, "headache_days_per_month": 20}
    response = desk_client.post(url, intake_form(intake.patient, answers, rows=[]))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(
        object_pk=str(intake.pk), action=AuditEntry.Action.UPDATE
    )
    assert entry.actor == front_desk_user
    assert entry.changes["headache_days_per_month"] == [12, 20]


@pytest.mark.parametrize("model", ["patient", "intake"])
def test_staff_reading_a_record_is_recorded(desk_client, front_desk_user, model):
    intake = IntakeFactory()
    record = intake.patient if model == "patient" else intake
    desk_client.get(reverse(f"admin:intake_{model}_change", args=[record.pk]))
    entry = AuditEntry.objects.get(object_pk=str(record.pk), action=ACCESS)
    assert entry.actor == front_desk_user
    assert entry.patient == intake.patient.record_number


def test_entries_cannot_be_changed_or_deleted_through_the_application():
    PatientFactory()
    entry = AuditEntry.objects.first()
    entry.object_repr = "changed"
    with pytest.raises(AuditEntryImmutable):
        entry.save()
    with pytest.raises(AuditEntryImmutable):
        entry.delete()


def test_manager_reads_the_trail_filtered_by_patient(client, manager_user):
    first, second = PatientFactory(), PatientFactory()
    client.force_login(manager_user)
    url = reverse("admin:clinic_auditentry_changelist")
    response = client.get(url, {"q": first.record_number})
    assert response.status_code == 200
    assert {e.patient for e in response.context["cl"].result_list} == {
        first.record_number
    }
    entry = AuditEntry.objects.filter(patient=second.record_number).first()
    change = client.get(reverse("admin:clinic_auditentry_change", args=[entry.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    delete = reverse("admin:clinic_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_front_desk_cannot_read_the_trail(desk_client):
    response = desk_client.get(reverse("admin:clinic_auditentry_changelist"))
    assert response.status_code == 403


def test_entries_written_during_a_request_verify_once_sealed(desk_client):
    intake = IntakeFactory()
    desk_client.get(reverse("admin:intake_intake_change", args=[intake.pk]))
    entry = AuditEntry.objects.get(action=ACCESS)
    assert entry.actor is not None
    assert entry.remote_addr == "127.0.0.1"
    call_command("seal_audit_trail", stdout=io.StringIO())
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert (
        f"{AuditEntry.objects.count()} entries verified in 1 batches" in out.getvalue()
    )


def test_the_trail_records_the_address_the_proxy_saw_not_one_the_client_wrote(
    desk_client, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    intake = IntakeFactory()
    desk_client.get(
        reverse("admin:intake_intake_change", args=[intake.pk]),
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
    )
    assert AuditEntry.objects.get(action=ACCESS).remote_addr == "203.0.113.9"


def test_the_trails_list_says_how_many_patients_an_export_covered(client, manager_user):
    client.force_login(manager_user)
    record_export(model=Patient, what="Patients list (record_number)", patients=12)
    response = client.get(reverse("admin:clinic_auditentry_changelist"))
    html = response.content.decode()
    assert "export: Patients list (record_number)" in html
    assert "12 patients (export)" in html


# Free text about no patient: a service's description for patients; a routing
# failure's error, which names the failing rule and never a patient's answers
# (referrals/services.py logs and stores it without patient details).
FREE_TEXT_ABOUT_NO_PATIENT = {
    ("referrals.Service", "description"),
    ("referrals.RoutingDecision", "error"),
}


def test_every_free_text_field_of_an_audited_record_is_masked():
    unmasked = {
        (model._meta.label, field.name)
        for model in auditlog.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField)
        and field.name not in auditlog.get_model_fields(model)["mask_fields"]
    }
    assert unmasked == FREE_TEXT_ABOUT_NO_PATIENT


def test_a_cancellation_reason_is_recorded_as_changed_never_by_value(
    front_desk_user,
):
    referral = Referral.objects.filter(intake=submitted_example1()).first()
    referral_services.referral_approve(
        referral=referral, user=UserFactory(role=roles.PHYSICIAN)
    )
    referral_services.referral_cancel(
        referral=referral, user=front_desk_user, reason="Moved to Asheville"
    )
    entry = AuditEntry.objects.filter(object_pk=str(referral.pk)).last()
    assert entry.changes["cancel_reason"] == [MASKED, MASKED]
    assert "Asheville" not in str(entry.changes)


def test_the_trail_names_changed_fields_as_staff_pages_do(manager_client):
    botox = Service.objects.get(code="botox")
    referral_services.service_open(service=botox, user=None)
    page = manager_client.get(
        reverse("admin:clinic_auditentry_changelist")
    ).content.decode()
    assert '<td class="field-msg_short">1 change: Accepts referrals</td>' in page
    assert "accepts_referrals" not in page
