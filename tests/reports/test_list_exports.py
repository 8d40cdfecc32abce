"""The staff lists as CSV: the columns each role may export, every row streamed, and
an audited export naming how many patients it covered."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AuditEntry
from referrals.models import Referral
from tests.reports.world import at, referral, submitted_intake

pytestmark = pytest.mark.django_db

PAGE = reverse("admin:reports_listexport_changelist")
S = Referral.Status


def csv_url(slug):
    return reverse("admin:reports_list_csv", args=[slug])


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def referrals(count: int) -> list[Referral]:
    made = []
    for n in range(count):
        intake = submitted_intake(at(3 + n % 5))
        made.append(referral(intake, "yoga", [(S.PENDING_REVIEW, at(3))]))
        made.append(referral(intake, "massage", [(S.PENDING_REVIEW, at(3))]))
    return made


def test_the_manager_is_not_offered_names_or_contact_details(manager_client):
    page = manager_client.get(PAGE)
    columns = {
        export["list"].slug: [
            name for name, _ in export["form"].fields["columns"].choices
        ]
        for export in page.context["exports"]
    }

    assert columns["patients"] == [
        "record_number",
        "sex",
        "birth_year",
        "preferred_language",
        "created",
    ]
    assert "first_name" not in columns["intakes"]
    assert "last_name" not in columns["referrals"]
    assert "not names, birth dates or contact details" in page.content.decode()


def test_the_front_desk_may_export_names_and_contact_details(desk_client):
    page = desk_client.get(PAGE)
    patients = next(e for e in page.context["exports"] if e["list"].slug == "patients")
    offered = [name for name, _ in patients["form"].fields["columns"].choices]
    assert {"first_name", "last_name", "mobile_phone", "date_of_birth"} <= set(offered)


def test_a_manager_asking_for_names_is_refused_and_nothing_is_recorded(
    manager_client,
):
    referrals(1)
    before = AuditEntry.objects.count()
    response = manager_client.get(
        csv_url("referrals"),
        {"referrals-columns": ["record_number", "first_name"]},
    )
    assert response.status_code == 400
    assert AuditEntry.objects.count() == before


def test_the_referral_list_has_every_row_and_the_export_is_audited(
    manager_client, manager_user
):
    made = referrals(3)
    response = manager_client.get(
        csv_url("referrals"),
        {"referrals-columns": ["record_number", "service", "status"]},
    )
    rows = read_csv(response)

    assert rows[0] == ["record number", "service", "status"]
    assert sorted(rows[1:]) == sorted(
        [r.intake.patient.record_number, r.service.code, "pending_review"] for r in made
    )
    entry = AuditEntry.objects.latest("pk")
    assert entry.actor == manager_user
    assert entry.action == AuditEntry.Action.ACCESS
    assert entry.additional_data == {
        "export": "Referrals list (record_number, service, status)",
        "patients_covered": 3,
    }


def test_the_front_desks_patient_list_carries_names(desk_client):
    intake = submitted_intake(at(3))
    rows = read_csv(
        desk_client.get(
            csv_url("patients"),
            {"patients-columns": ["record_number", "last_name", "birth_year"]},
        )
    )
    patient = intake.patient
    assert rows == [
        ["record number", "birth year", "last name"],
        [patient.record_number, "1987", patient.last_name],
    ]


@pytest.mark.parametrize("slug", ["patients", "intakes", "referrals"])
def test_every_column_of_a_list_is_read_in_a_fixed_number_of_queries(desk_client, slug):
    every = {
        export["list"].slug: [
            name for name, _ in export["form"].fields["columns"].choices
        ]
        for export in desk_client.get(PAGE).context["exports"]
    }[slug]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows = read_csv(desk_client.get(csv_url(slug), {f"{slug}-columns": every}))
        assert len(rows[0]) == len(every)
        return len(captured)

    referrals(2)
    queries()
    few = queries()
    referrals(10)
    assert queries() == few


def test_a_list_the_role_may_not_view_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", is_staff=True)
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert client.get(csv_url("patients")).status_code == 403
