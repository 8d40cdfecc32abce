"""The staff lists as CSV: the columns each role may export, every row streamed, and
an audited export naming how many patients it covered."""

import csv
import io
import re
from html import escape, unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AuditEntry
from intake.models import Intake
from referrals.models import Referral, Service
from tests.factories import IntakeFactory
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


def export_link(client, changelist: str, query: dict) -> str:
    """The "Export these rows" link of an admin list page filtered by ``query``."""
    page = client.get(reverse(changelist), query)
    assert page.status_code == 200
    html = page.content.decode()
    link = re.search(r'href="([^"]*)">Export these rows \(CSV\)</a>', html).group(1)
    return unescape(link)


def export_from_list(client, changelist: str, query: dict, slug: str, columns):
    """Follow the list page's export link and download the chosen columns."""
    link = export_link(client, changelist, query)
    export_page = client.get(link)
    assert [e["list"].slug for e in export_page.context["exports"]] == [slug]
    filters = export_page.context["filters"]
    assert f'name="filters" value="{escape(filters)}"' in export_page.content.decode()
    return client.get(csv_url(slug), {f"{slug}-columns": columns, "filters": filters})


def test_an_intake_list_filtered_on_its_page_exports_exactly_its_rows(
    manager_client,
):
    online = [submitted_intake(at(3), Intake.Source.ONLINE) for _ in range(3)]
    submitted_intake(at(4))  # front desk
    IntakeFactory(source=Intake.Source.ONLINE)  # a draft

    response = export_from_list(
        manager_client,
        "admin:intake_intake_changelist",
        {"status__exact": "submitted", "source__exact": "online"},
        "intakes",
        ["record_number", "source", "status"],
    )

    rows = read_csv(response)
    assert sorted(rows[1:]) == sorted(
        [intake.patient.record_number, "submitted", "online"] for intake in online
    )
    entry = AuditEntry.objects.latest("pk")
    assert entry.additional_data == {
        "export": "Intakes list as filtered (record_number, source, status)",
        "patients_covered": 3,
    }


def test_an_intakes_services_asked_about_are_one_plain_cell(manager_client):
    intake = submitted_intake(at(3))
    Intake.objects.filter(pk=intake.pk).update(interests=["ketamine", "yoga"])
    response = manager_client.get(
        csv_url("intakes"), {"intakes-columns": ["record_number", "interests"]}
    )
    assert read_csv(response)[1:] == [[intake.patient.record_number, "ketamine; yoga"]]


def test_a_searched_patient_list_exports_the_patients_found_with_the_roles_columns(
    desk_client, manager_user
):
    wanted = submitted_intake(at(3)).patient
    submitted_intake(at(3))
    search = {"q": wanted.last_name}

    rows = read_csv(
        export_from_list(
            desk_client,
            "admin:intake_patient_changelist",
            search,
            "patients",
            ["record_number", "last_name"],
        )
    )
    assert rows == [
        ["record number", "last name"],
        [wanted.record_number, wanted.last_name],
    ]
    entry = AuditEntry.objects.latest("pk")
    assert entry.additional_data["patients_covered"] == 1
    assert wanted.last_name not in str(entry.additional_data)  # the search is not

    # The manager's export of the same search: record numbers, never names.
    manager_client = Client()
    manager_client.force_login(manager_user)
    filters = f"q={wanted.last_name}"
    refused = manager_client.get(
        csv_url("patients"),
        {"patients-columns": ["record_number", "last_name"], "filters": filters},
    )
    assert refused.status_code == 400
    rows = read_csv(
        manager_client.get(
            csv_url("patients"),
            {"patients-columns": ["record_number"], "filters": filters},
        )
    )
    assert rows == [["record number"], [wanted.record_number]]


def test_a_referral_list_filtered_by_service_and_status_exports_those_referrals(
    manager_client,
):
    made = referrals(3)  # a yoga and a massage referral for each intake
    yoga = Service.objects.get(code="yoga")
    approved = made[0]
    Referral.objects.filter(pk=approved.pk).update(status=S.APPROVED)

    rows = read_csv(
        export_from_list(
            manager_client,
            "admin:referrals_referral_changelist",
            {"service__id__exact": yoga.pk, "status__exact": "pending_review"},
            "referrals",
            ["record_number", "service", "status"],
        )
    )

    assert sorted(rows[1:]) == sorted(
        [r.intake.patient.record_number, "yoga", "pending_review"]
        for r in made
        if r.service_id == yoga.pk and r.pk != approved.pk
    )
    assert len(rows) == 3


def test_every_page_of_a_filtered_list_is_exported(manager_client):
    made = referrals(30)  # 60 referrals: two pages of 50
    link = export_link(
        manager_client,
        "admin:referrals_referral_changelist",
        {"status__exact": "pending_review", "p": "2"},
    )
    filters = manager_client.get(link).context["filters"]
    rows = read_csv(
        manager_client.get(
            csv_url("referrals"),
            {"referrals-columns": ["record_number"], "filters": filters},
        )
    )
    assert len(rows) - 1 == len(made)


def test_filters_the_list_does_not_have_are_refused(manager_client):
    response = manager_client.get(
        csv_url("intakes"),
        {"intakes-columns": ["record_number"], "filters": "no_such_field=1"},
    )
    assert response.status_code == 400
