"""Each role's home page in Chromium at 1366x900: the front desk watches routing
finish without reloading; each number opens its list."""

import re

import pytest
from playwright.sync_api import expect

from clinic import roles
from clinic.worker import run_ready_tasks
from intake.services import intake_submit
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_intake_browser import serious_violations, sign_in
from tests.factories import UserFactory
from tests.referrals.builders import example1_intake, submitted_example1

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}


def test_each_role_lands_on_its_day_and_each_number_opens_its_list(new_page):
    UserFactory(username="desk", role=roles.FRONT_DESK)
    UserFactory(username="doctor", role=roles.PHYSICIAN)
    UserFactory(username="boss", role=roles.CLINIC_MANAGER)
    submitted_example1()
    submitted_example1(new_or_changed_pattern=True)  # an urgent hold
    waiting = intake_submit(intake=example1_intake())  # the worker has not run

    desk = new_page(LAPTOP)
    sign_in(desk, "desk")
    row = desk.locator("tr", has_text=waiting.patient.record_number)
    expect(row).to_contain_text("Routing…")
    desk.screenshot(path=SCREENSHOTS / "home-front-desk-routing.png")
    run_ready_tasks()
    # The table is fetched again while routing runs: the outcome appears unasked.
    expect(row).to_contain_text("Routed: 5 referrals", timeout=15_000)
    expect(desk.locator("tr", has_text="On hold")).to_contain_text("urgent")
    desk.screenshot(path=SCREENSHOTS / "home-front-desk.png")
    assert serious_violations(desk) == []
    desk.get_by_role("link", name=re.compile("intakes submitted today")).click()
    expect(desk.locator("#result_list tbody tr")).to_have_count(3)

    doctor = new_page(LAPTOP)
    sign_in(doctor, "doctor")
    doctor.screenshot(path=SCREENSHOTS / "home-physician.png")
    doctor.get_by_role(
        "link", name=re.compile("intakes with referrals pending review")
    ).click()
    expect(doctor.locator(".rq-queue tbody tr:not(.rq-section-row)")).to_have_count(2)
    assert serious_violations(doctor) == []  # the hold badges' contrast among them
    expect(
        doctor.get_by_text("Showing only: intakes with referrals pending review.")
    ).to_be_visible()

    boss = new_page(LAPTOP)
    sign_in(boss, "boss")
    expect(boss.get_by_text("waiting for Botox for migraine")).to_be_visible()
    boss.screenshot(path=SCREENSHOTS / "home-manager.png")
    assert serious_violations(boss) == []
    assert "Front desk" not in boss.content()
