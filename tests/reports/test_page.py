"""The operations reports page and its CSV files: who may see them, what they show,
a query count that does not grow with the data, and the audit of every export."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from clinic.models import AuditEntry
from intake.models import Intake
from referrals import routing
from referrals.models import Referral
from reports.selectors import REPORTS
from tests.reports.world import (
    PERIOD,
    at,
    held,
    online_draft,
    referral,
    routed,
    submitted_intake,
)

pytestmark = pytest.mark.django_db

URL = reverse("admin:reports_operationsreport_changelist")
CHOSEN = {"start": "2026-11-02", "end": "2026-11-15"}
S = Referral.Status


def some_clinic(days=(3, 4, 10), physician=None):
    """Intakes of every kind on ``days`` of the period."""
    for day in days:
        online = submitted_intake(at(day), Intake.Source.ONLINE)
        online_draft(online, created=at(day), steps=["about-you"])
        routed(online, {"ketamine": (routing.NE, ["K_NE_ADULTS_ONLY"])})
        referral(
            online,
            "botox",
            [(S.WAITLISTED, at(day)), (S.PENDING_REVIEW, at(day, 15))],
        )
        held(submitted_intake(at(day)), "urgent", ["G4_ONSET"])


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager_client", 200), ("physician_client", 200), ("desk_client", 403)],
)
def test_managers_and_physicians_read_the_reports_front_desk_does_not(
    request, who, status
):
    client = request.getfixturevalue(who)
    assert client.get(URL).status_code == status
    csv_url = reverse("admin:reports_report_csv", args=["holds"])
    assert client.get(csv_url).status_code == status


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_every_report_has_its_table_and_the_charted_ones_an_svg(manager_client):
    some_clinic()
    response = manager_client.get(URL, CHOSEN)
    page = response.content.decode()

    for report in REPORTS:
        assert f'id="{report.slug}"' in page
        assert escape(report.title) in page
    sections = {
        section["report"].slug: section for section in response.context["sections"]
    }
    assert sections["intakes-per-week"]["rows"][0][:4] == [
        (PERIOD.weeks()[0], False),
        (2, True),  # online
        (2, True),  # front desk
        (4, True),
    ]
    funnel = sections["referral-funnel"]  # turned: a column per service
    assert funnel["columns"][:3] == (
        "service",
        "Ketamine infusion",
        "Botox for migraine",
    )
    assert funnel["rows"][0][:3] == [("referrals", False), (0, True), (3, True)]
    assert page.count('<svg class="report-chart"') == 10
    # Each table's box scrolls sideways when it is wider than the page, and a
    # keyboard reaches it.
    assert page.count('class="report-scroll" tabindex="0" role="region"') == len(
        REPORTS
    )
    assert "<script>" not in page  # the admin's own scripts are files
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_page_keeps_the_content_security_policy(manager_client):
    policy = manager_client.get(reverse("admin:index"))["Content-Security-Policy"]
    assert manager_client.get(URL)["Content-Security-Policy"] == policy
    assert "'unsafe-inline'" not in policy


def test_query_count_does_not_grow_with_the_data(manager_client, physician_user):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(URL, CHOSEN).status_code == 200
        return len(captured)

    queries()  # the session settles
    empty = queries()
    some_clinic()
    some_clinic(days=(5, 6, 11, 12, 13))

    assert queries() == empty
    # The session, the user and 14 report queries.
    assert empty == 16


def test_a_bad_period_says_why_and_shows_the_default_weeks(manager_client):
    response = manager_client.get(URL, {"start": "2026-11-15", "end": "2026-11-02"})
    assert response.status_code == 200
    assert "The end comes before the start." in response.content.decode()
    assert response.context["period"].end >= response.context["period"].start


def test_viewing_the_page_reads_no_patient(manager_client):
    some_clinic()
    before = AuditEntry.objects.count()
    manager_client.get(URL, CHOSEN)
    assert AuditEntry.objects.count() == before


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv"
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_a_reports_csv_has_the_pages_rows_and_is_an_audited_export(
    manager_client, manager_user
):
    some_clinic()
    response = manager_client.get(
        reverse("admin:reports_report_csv", args=["intakes-per-week"]), CHOSEN
    )

    assert response.streaming
    assert (
        "intakes-per-week_2026-11-02_2026-11-15.csv"
        in (response["Content-Disposition"])
    )
    assert read_csv(response) == [
        ["week", "online", "front desk", "total"],
        ["2026-11-02", "2", "2", "4"],
        ["2026-11-09", "1", "1", "2"],
    ]
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == AuditEntry.Action.ACCESS
    assert entry.actor == manager_user
    assert entry.additional_data == {
        "export": "Intakes per week by source, 2026-11-02 to 2026-11-15",
        "patients_covered": 6,
    }


def test_an_unknown_report_is_not_found(manager_client):
    url = reverse("admin:reports_report_csv", args=["no-such-report"])
    assert manager_client.get(url).status_code == 404
