"""Scheduling and letters in Chromium at 1366x900: the front desk books an
appointment (errors beside the fields), the manager fills a physician's NPI, and the
physician opens the Botox prior-authorisation letter from the review page."""

import datetime

import pytest
from django.utils import timezone

from clinic import roles
from referrals import services
from referrals.models import Referral
from staff.models import StaffProfile
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_intake_browser import sign_in
from tests.factories import UserFactory
from tests.referrals.builders import submitted_example1

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}


def test_front_desk_books_an_appointment_with_errors_beside_the_fields(new_page):
    doctor = UserFactory(username="doctor", role=roles.PHYSICIAN)
    UserFactory(username="desk", role=roles.FRONT_DESK)
    intake = submitted_example1()
    ketamine = intake.referrals.get(service__code="ketamine")
    services.referral_approve(referral=ketamine, user=doctor)

    page = new_page(LAPTOP)
    sign_in(page, "desk")
    page.goto(f"/admin/referrals/referral/{ketamine.pk}/change/")
    page.get_by_role("link", name="Mark scheduled").click()
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Provider").fill("Dr. Ada Park")
    page.get_by_role("button", name="Schedule the referral").click()

    date_row = page.locator(".form-row", has=page.get_by_label("Date"))
    assert "This field is required." in date_row.inner_text()
    location_row = page.locator(".form-row", has=page.get_by_label("Location"))
    assert "This field is required." in location_row.inner_text()
    assert page.get_by_label("Provider").input_value() == "Dr. Ada Park"
    page.screenshot(path=SCREENSHOTS / "letters-schedule-errors.png")

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Location").fill("Infusion suite, room 2")
    page.get_by_role("button", name="Schedule the referral").click()

    assert "Referral scheduled." in page.locator(".messagelist").inner_text()
    ketamine.refresh_from_db()
    assert ketamine.status == Referral.Status.SCHEDULED
    assert ketamine.appointment_location == "Infusion suite, room 2"
    page.screenshot(path=SCREENSHOTS / "letters-scheduled.png", full_page=True)

    page.get_by_role("link", name="Mark completed").click()
    page.get_by_role("button", name="Mark the referral completed").click()
    assert "only on or after its appointment" in page.locator("#content").inner_text()


def test_the_physician_opens_the_botox_letter_with_the_npi_the_manager_filled(
    new_page,
):
    doctor = UserFactory(
        username="doctor", first_name="Ada", last_name="Park", role=roles.PHYSICIAN
    )
    UserFactory(username="boss", role=roles.CLINIC_MANAGER)
    intake = submitted_example1()

    manager = new_page(LAPTOP)
    sign_in(manager, "boss")
    manager.goto(f"/admin/staff/staffaccount/{doctor.pk}/change/")
    manager.get_by_label("Credentials").fill("MD")
    manager.get_by_label("NPI").fill("1234567890")
    manager.get_by_role("button", name="Save", exact=True).click()
    npi_row = manager.locator(".form-row", has=manager.get_by_label("NPI"))
    assert "last digit checks the others" in npi_row.inner_text()
    manager.screenshot(path=SCREENSHOTS / "letters-npi-refused.png", full_page=True)
    manager.get_by_label("NPI").fill("1234567893")
    manager.get_by_role("button", name="Save", exact=True).click()
    assert StaffProfile.objects.get(user=doctor).npi == "1234567893"

    page = new_page(LAPTOP)
    sign_in(page, "doctor")
    page.goto(f"/admin/referrals/queueentry/intake/{intake.pk}/")
    page.locator("#service-botox").get_by_role(
        "link", name="Prior-authorization letter"
    ).click()
    text = page.locator("body").inner_text()
    assert "Request for prior authorization" in text
    assert "G43.719" in text and "NPI 1234567893" in text and "Ada Park, MD" in text
    page.screenshot(path=SCREENSHOTS / "letters-botox-page.png", full_page=True)
