"""A ketamine course end to end in Chromium: a physician records five sessions, the
front desk ends the course, the patient answers the 1-month follow-up on a phone
(saving it unfinished and coming back by the same link on the way), and
the outcomes page counts them."""

import datetime
import re

import pytest
from django.utils import timezone
from post_office.models import Email

from clinic import roles
from outcomes.models import FollowUp, TreatmentCourse
from outcomes.services import follow_ups_send_due
from outcomes.tasks import follow_up_url
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.test_intake_browser import serious_violations, sign_in
from tests.factories import UserFactory
from tests.outcomes.builders import scheduled_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}
# (pain before, pain after) of each day's infusion.
PAINS = [(8, 6), (7, 5), (6, 4), (5, 3), (5, 2)]


def test_a_ketamine_course_from_its_sessions_to_the_outcomes_page(new_page):
    SCREENSHOTS.mkdir(exist_ok=True)
    UserFactory(username="doctor", role=roles.PHYSICIAN)
    UserFactory(username="desk", role=roles.FRONT_DESK)
    course = scheduled_referral("ketamine").treatment_course
    first_day = timezone.localdate() - datetime.timedelta(days=36)

    doctor = new_page(LAPTOP)
    sign_in(doctor, "doctor")
    for number, (before, after) in enumerate(PAINS):
        doctor.goto(course.get_absolute_url())
        doctor.get_by_role("link", name="Record a session").click()
        day = first_day + datetime.timedelta(days=number)
        doctor.locator("#id_date").fill(day.isoformat())
        doctor.locator("#id_pain_before").fill(str(before))
        doctor.locator("#id_pain_after").fill(str(after))
        doctor.locator("#id_ketamine_dose_mg_kg_h").fill("0.60")
        doctor.locator("#id_ketamine_minutes").fill("300")
        doctor.locator("#id_bp_systolic_before").fill("122")
        doctor.locator("#id_bp_diastolic_before").fill("78")
        doctor.locator("#id_bp_systolic_after").fill("136")
        doctor.locator("#id_bp_diastolic_after").fill("84")
        if number == 2:
            doctor.get_by_text("Add another Adverse event").click()
            doctor.locator("#id_adverse_events-0-kind").select_option("dissociation")
            doctor.locator("#id_adverse_events-0-severity").select_option("mild")
            doctor.screenshot(path=SCREENSHOTS / "outcomes-session.png", full_page=True)
        doctor.locator("input[name=_save]").click()
        doctor.wait_for_url(f"**{course.get_absolute_url()}")
    doctor.screenshot(path=SCREENSHOTS / "outcomes-course.png", full_page=True)
    assert course.sessions.filter(attended=True).count() == 5

    front = new_page(LAPTOP)
    sign_in(front, "desk")
    front.goto(course.get_absolute_url())
    front.locator("#id_end").select_option("complete")
    front.locator("input[name=_save]").click()
    course.refresh_from_db()
    assert course.status == TreatmentCourse.Status.COMPLETED
    assert course.ended_on == first_day + datetime.timedelta(days=4)

    assert follow_ups_send_due(today=timezone.localdate(), build_url=follow_up_url)
    message = Email.objects.filter(message__contains="/follow-up/link/").get()
    link = re.search(r"http\S+/follow-up/link/\S+/", message.message).group(0)

    patient = new_page(PHONE)
    patient.goto(link)
    assert patient.url.endswith("/follow-up/")
    assert serious_violations(patient) == []
    patient.get_by_label("on how many days did you have a headache?").fill("7")
    patient.get_by_label("on how many of those days was it a migraine?").fill("9")
    patient.locator("#div_id_current_pain").get_by_label("3", exact=True).check()
    patient.locator("#div_id_worst_pain").get_by_label("6", exact=True).check()
    for n in range(1, 6):
        patient.locator(f"#id_midas_{n}").fill("1")
    patient.get_by_label("Much improved", exact=True).check()
    patient.get_by_role("button", name="Send my answers").click()
    error = patient.locator("#div_id_migraine_days .field-error")
    assert "counted among the headache days" in error.inner_text()
    assert patient.locator("#id_headache_days").input_value() == "7"
    assert serious_violations(patient) == []
    patient.screenshot(
        path=SCREENSHOTS / "outcomes-follow-up-error.png", full_page=True
    )
    # The patient stops here and comes back by the same link on another phone.
    patient.get_by_role("button", name="Save and finish later").click()
    # After a POST, wait for the page it leads to, loaded, as a person does.
    patient.wait_for_url("**/follow-up/saved/")
    assert serious_violations(patient) == []
    patient.screenshot(path=SCREENSHOTS / "outcomes-follow-up-saved.png")
    patient = new_page(PHONE)
    patient.goto(link)
    assert patient.url.endswith("/follow-up/")
    assert patient.locator("#id_headache_days").input_value() == "7"
    assert patient.locator("#id_migraine_days").input_value() == "9"
    assert (
        patient.locator("#div_id_current_pain")
        .get_by_label("3", exact=True)
        .is_checked()
    )
    assert serious_violations(patient) == []
    patient.screenshot(
        path=SCREENSHOTS / "outcomes-follow-up-resumed.png", full_page=True
    )
    patient.locator("#id_migraine_days").fill("3")
    patient.get_by_role("button", name="Send my answers").click()
    patient.wait_for_url("**/follow-up/thanks/")
    patient.screenshot(path=SCREENSHOTS / "outcomes-follow-up-thanks.png")
    answered = FollowUp.objects.get(course=course, point="1m")
    assert (answered.current_pain, answered.headache_days) == (3, 7)

    doctor.goto("/admin/outcomes/outcomesreport/?service=ketamine")
    rows = doctor.locator("#service-ketamine table").first
    assert "1/1 (100%)" in rows.locator("tr", has_text="Immediate").inner_text()
    assert (
        "1/1 (100%)" in rows.locator("tr", has_text="Sustained at 1 month").inner_text()
    )
    doctor.screenshot(path=SCREENSHOTS / "outcomes-page.png", full_page=True)
