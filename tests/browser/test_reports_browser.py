"""The clinic manager reads the operations reports in Chromium at 1366x900 and checks a
CSV against the page; the front desk exports a filtered list."""

import csv
import datetime

import pytest
from django.utils import timezone

from clinic import roles
from intake.models import Intake
from reports.selectors import REPORTS
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_intake_browser import sign_in
from tests.factories import UserFactory
from tests.reports.world import held, routed, submitted_intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}


def test_the_manager_sees_every_report_and_its_csv_matches_the_page(new_page):
    UserFactory(username="boss", role=roles.CLINIC_MANAGER)
    now = timezone.now()
    for days_ago in (1, 7, 7, 14, 20, 20, 20):  # all within the last 4 weeks
        source = Intake.Source.ONLINE if days_ago % 2 else Intake.Source.FRONT_DESK
        intake = submitted_intake(now - datetime.timedelta(days=days_ago), source)
        routed(intake)
    held(submitted_intake(now - datetime.timedelta(days=3)), "urgent", ["G4_ONSET"])

    page = new_page(LAPTOP)
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    sign_in(page, "boss")
    page.locator("#nav-sidebar").get_by_role("link", name="Operations reports").click()
    page.get_by_role("link", name="4 weeks").click()

    for report in REPORTS:
        section = page.locator(f"#{report.slug}")
        assert section.locator("h2").inner_text() == report.title
        assert section.locator("table.report-table tbody tr").count() >= 1
    charts = page.locator("svg.report-chart")
    assert charts.count() == 10
    for index in range(charts.count()):
        assert charts.nth(index).bounding_box()["width"] > 250
    assert refused == []
    page.screenshot(path=SCREENSHOTS / "reports-top.png")
    page.screenshot(path=SCREENSHOTS / "reports-full.png", full_page=True)

    section = page.locator("#intakes-per-week")
    shown = [
        row.locator("td").all_inner_texts() for row in section.locator("tbody tr").all()
    ]
    with page.expect_download() as download:
        section.get_by_role("link", name="CSV").click()
    with open(download.value.path(), newline="") as file:
        rows = list(csv.reader(file))[1:]
    assert len(rows) == len(shown) == 4
    assert [row[1:] for row in rows] == [cells[1:] for cells in shown]
    assert sum(int(row[3]) for row in rows) == 8


def test_the_front_desk_exports_the_intake_list_as_filtered_on_its_page(new_page):
    UserFactory(username="desk", role=roles.FRONT_DESK)
    now = timezone.now()
    online = [
        submitted_intake(now - datetime.timedelta(days=days), Intake.Source.ONLINE)
        for days in (1, 2, 3)
    ]
    submitted_intake(now - datetime.timedelta(days=1))  # front desk: filtered out

    page = new_page(LAPTOP)
    sign_in(page, "desk")
    page.goto("/admin/intake/intake/")
    page.locator("#changelist-filter").get_by_role("link", name="Online").click()
    assert page.locator("#result_list tbody tr").count() == 3
    page.get_by_role("link", name="Export these rows (CSV)").click()

    assert page.locator("section.report-section").count() == 1  # that list alone
    assert "filters and search chosen on its page" in page.content()
    page.screenshot(path=SCREENSHOTS / "list-export-filtered.png")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    with open(download.value.path(), newline="") as file:
        rows = list(csv.DictReader(file))

    assert sorted(row["record number"] for row in rows) == sorted(
        intake.patient.record_number for intake in online
    )
    assert {row["source"] for row in rows} == {"online"}
