"""The online intake in a real browser: keyboard only, bad input, axe, screenshots."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from clinic import roles
from clinic.mail import deliver_due
from clinic.worker import run_ready_tasks
from intake import online
from intake.models import Intake
from referrals.models import Referral
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.browser.pages import (
    LONG_HISTORY,
    answer_directly,
    answer_step,
    press_button,
    tab_to,
)
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; ``migrated_data`` (in new_page) reloads
    # the catalogue and services after each test's flush.
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "correct-horse-battery"  # UserFactory's
SLUGS = [step.slug for step in online.STEPS]
# Treatment histories typed in each language's walk: a brand name and a generic one.
HISTORY = {
    "en": [
        {
            "name": "Aimovig",
            "dose": "140 mg monthly",
            "weeks": "24",
            "outcome": "ineffective",
        },
        LONG_HISTORY[1],
    ],
    "es": [
        {
            "name": "aimovig",
            "dose": "140 mg al mes",
            "weeks": "24",
            "outcome": "ineffective",
        },
        LONG_HISTORY[1],
    ],
}
FIRST_HALF = SLUGS[:5]
SECOND_HALF = SLUGS[5:-1]


def summary_has_focus(page) -> bool:
    return page.evaluate(
        "() => document.activeElement.hasAttribute('data-error-summary')"
    )


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']}: {violation['help']} "
        f"({[node['target'] for node in violation['nodes']]})"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_a_patient_fills_the_intake_by_keyboard_stops_and_resumes_from_the_email(
    new_page,
):
    page = new_page(PHONE, motion="no-preference")  # as a phone is set by default
    page.goto("/")
    tab_to(page, 'a[href="/intake/about-you/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")

    for slug in FIRST_HALF:
        assert page.url.endswith(f"/intake/{slug}/")
        answer_step(page, slug, keyboard=True)
        action = "later" if slug == FIRST_HALF[-1] else "next"
        press_button(page, action, keyboard=True)
        assert page.locator(".error-summary").count() == 0, page.content()

    assert page.get_by_role("heading", name="Your answers are saved").is_visible()
    deliver_due()  # the worker sends the queued e-mail
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/intake/resume/\S+/", mail.outbox[0].body).group(0)
    assert page.input_value("#resume-link") == link

    resumed = new_page(PHONE)
    resumed.goto(link)
    assert resumed.url.endswith(f"/intake/{FIRST_HALF[-1]}/")
    assert resumed.input_value('[name="acute_days_triptan"]') == "6"
    press_button(resumed, "next", keyboard=True)
    for slug in SECOND_HALF:
        answer_step(resumed, slug, keyboard=True)
        press_button(resumed, "next", keyboard=True)
        assert resumed.locator(".error-summary").count() == 0, resumed.content()

    assert resumed.url.endswith("/intake/review/")
    assert resumed.get_by_text("Feverfew tea").is_visible()
    press_button(resumed, "next", keyboard=True)
    assert resumed.url.endswith("/intake/done/")
    assert resumed.get_by_role("heading", name="What happens next").is_visible()
    assert resumed.get_by_text("Foods to leave out").is_visible()

    intake = Intake.objects.select_related("patient").get()
    assert (intake.status, intake.source) == ("submitted", "online")
    assert intake.patient.last_name == "Delgado-Park"
    assert intake.patient.emergency_contact_name == "Luis Delgado"
    assert intake.migraine_days_per_month == 14
    assert intake.features == ["one_sided", "pulsing"]
    assert intake.triggers == ["stress", "sleep", "chocolate", "msg"]
    assert intake.acute_days_triptan == 6 and intake.acute_use_months == 4
    assert intake.conditions == ["vertigo", "needle_phobia"]
    assert intake.red_flags == ["cancer_history"]
    assert intake.allergies == ["ketamine"] and intake.medications == ["antiplatelet"]
    assert intake.phq9_answers == [1, 1, 1, 1, 1, 1, 1, 1, 0]
    assert intake.midas_answers == [4, 6, 5, 7, 3] and intake.midas_b == 8
    assert intake.interests == ["ketamine", "acupuncture", "yoga"]
    assert intake.heard_from == "doctor"
    assert intake.consent_signature == "rosa delgado park"
    rows = [
        (trial.name, trial.dose, trial.weeks, trial.outcome)
        for trial in intake.treatments.select_related("drug")
    ]
    assert rows == [
        (
            row["name"],
            row.get("dose", ""),
            int(row["weeks"]) if "weeks" in row else None,
            row["outcome"],
        )
        for row in LONG_HISTORY
    ]
    assert intake.treatments.get(drug_name="Feverfew tea").treatment_class == (
        "other_preventive"
    )

    resumed.goto(link)
    assert resumed.get_by_text("You have already sent your answers").is_visible()

    run_ready_tasks()  # the worker routes it
    staff_sees_the_online_intake_and_its_referrals(new_page, intake)


def staff_sees_the_online_intake_and_its_referrals(new_page, intake):
    """The front desk finds it marked online; the physician clears its hold (a past
    cancer is a red flag) and its referrals follow."""
    record = intake.patient.record_number
    UserFactory(username="desk", role=roles.FRONT_DESK)
    UserFactory(username="doctor", role=roles.PHYSICIAN)

    desk = new_page(DESKTOP)
    sign_in(desk, "desk")
    desk.goto(f"/admin/intake/intake/?q={record}")
    row = desk.locator("#result_list tbody tr")
    assert row.count() == 1
    assert "Online" in row.inner_text() and "Submitted" in row.inner_text()

    doctor = new_page(DESKTOP)
    sign_in(doctor, "doctor")
    doctor.goto("/admin/referrals/queueentry/")
    queued = doctor.locator("tr", has_text=record)
    assert "Urgent" in queued.inner_text()
    queued.get_by_role("link", name="Review").click()
    doctor.get_by_label("What was done").fill("Oncology history reviewed.")
    doctor.get_by_role("button", name="Clear hold and route again").click()
    assert doctor.get_by_text("Pending review").first.is_visible()
    services = set(
        Referral.objects.filter(intake=intake).values_list("service__code", flat=True)
    )
    assert {"acupuncture", "yoga"} <= services


def sign_in(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")  # the home page, loaded


# (step, answers to type, field whose message must show, typed value kept)
BAD_ANSWERS = [
    ("about-you", {"date_of_birth": "13/45/1987"}, "date_of_birth", "13/45/1987"),
    (
        "headaches",
        {"headache_days_per_month": "5", "migraine_days_per_month": "9"},
        "migraine_days_per_month",
        "9",
    ),
    (
        "treatments",
        {"treatments-0-name": "Mystery pill"},
        "treatments-0-treatment_class",
        None,
    ),
    ("medicines", {"acute_days_triptan": "45"}, "acute_days_triptan", "45"),
    ("health", {"postpartum_weeks": "500"}, "postpartum_weeks", "500"),
    ("mood", {}, "phq9_1", None),
    ("daily-life", {"midas_1": "95"}, "midas_1", "95"),
    ("consent", {"consent_signature": "Someone Else"}, "consent_signature", None),
]


def test_bad_answers_on_each_step_show_a_focused_summary_and_keep_what_was_typed(
    new_page,
):
    page = new_page(PHONE)
    page.goto("/intake/about-you/")
    for slug, answers, field, kept in BAD_ANSWERS:
        if slug != "about-you":
            page.goto(f"/intake/{slug}/")
        for name, value in answers.items():
            answer_directly(page, name, value)
        press_button(page, "next", keyboard=False)

        assert page.url.endswith(f"/intake/{slug}/"), slug
        assert summary_has_focus(page), slug
        summary = page.locator("[data-error-summary]")
        assert summary.get_attribute("role") == "alert"
        assert summary.locator(f'a[href^="#id_{field}"]').count() == 1, slug
        assert page.locator(f"#id_{field}_error").is_visible(), slug
        if kept is not None:
            assert page.input_value(f"#id_{field}") == kept, slug
        for name, value in answers.items():
            assert page.input_value(f'[name="{name}"]') == value, (slug, name)

        summary.locator("a").first.press("Enter")
        assert not summary_has_focus(page)

        if slug == "about-you":
            for name in answers:
                answer_directly(page, name, "04/12/1987")
            answer_step(page, slug, keyboard=False)
            press_button(page, "next", keyboard=False)
            assert page.url.endswith("/intake/headaches/")

    page.goto("/intake/review/")
    press_button(page, "next", keyboard=False)
    assert summary_has_focus(page)
    assert page.get_by_text("Some steps are not finished yet").is_visible()


@pytest.mark.parametrize(
    ("size", "viewport", "language"),
    [("phone", PHONE, "en"), ("desktop", DESKTOP, "en"), ("phone", PHONE, "es")],
)
def test_every_page_passes_axe_in_each_language_and_is_photographed(
    new_page, size, viewport, language
):
    """Every step, the end, an error page and the saved page; in Spanish, the
    whole intake is completed on a phone with a brand name in its history."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page = new_page(viewport, language=language)
    spanish = language == "es"
    problems = {}

    def check(name):
        page.screenshot(
            path=SCREENSHOTS / f"{name}-{size}-{language}.png", full_page=True
        )
        if found := serious_violations(page):
            problems[name] = found

    page.goto("/")
    assert page.locator("html").get_attribute("lang") == language
    check("00-start")
    page.goto("/intake/about-you/")
    for number, slug in enumerate(SLUGS, start=1):
        assert page.url.endswith(f"/intake/{slug}/")
        if slug == "review":
            check(f"{number:02d}-{slug}")
            break
        answer_step(page, slug, keyboard=False, treatments=HISTORY[language])
        if spanish and slug == "about-you":
            answer_directly(page, "date_of_birth", "12/04/1987")
        check(f"{number:02d}-{slug}")
        press_button(page, "next", keyboard=False)
        assert page.locator(".error-summary").count() == 0, page.content()
    if spanish:
        assert page.get_by_text(
            "erenumab (inyección o infusión anti-CGRP)"
        ).is_visible()
        assert page.get_by_text("12 de abril de 1987").is_visible()
    press_button(page, "next", keyboard=False)
    check(f"{len(SLUGS) + 1:02d}-done")
    if spanish:
        assert page.get_by_role("heading", name="Qué pasa ahora").is_visible()
        intake = Intake.objects.select_related("patient").get()
        assert intake.status == "submitted"
        assert (intake.consent_language, intake.patient.date_of_birth.month) == (
            "es",
            4,
        )
        erenumab = intake.treatments.get(drug__name="erenumab")
        assert (erenumab.treatment_class, erenumab.dose) == (
            "cgrp_pathway",
            "140 mg al mes",
        )

    page.goto("/intake/about-you/")
    press_button(page, "next", keyboard=False)
    check("90-errors")
    answer_step(page, "about-you", keyboard=False)
    if spanish:
        answer_directly(page, "date_of_birth", "12/04/1987")
    press_button(page, "later", keyboard=False)
    check("91-saved")

    assert problems == {}


def test_an_english_patient_leaves_step_2_half_done_and_finds_it_in_a_new_browser(
    new_page,
):
    SCREENSHOTS.mkdir(exist_ok=True)
    page = new_page(PHONE)
    page.goto("/intake/about-you/")
    answer_step(page, "about-you", keyboard=False)
    press_button(page, "next", keyboard=False)
    answer_directly(page, "diagnosis", "migraine_with_aura")
    answer_directly(page, "onset_age", "16")
    press_button(page, "later", keyboard=False)
    assert page.get_by_role("heading", name="Your answers are saved").is_visible()
    link = page.input_value("#resume-link")
    # Reloading the page shows it again; it does not send the form again, which
    # would replace the link just given (and e-mailed).
    assert page.url.endswith("/intake/saved/")
    page.reload()
    assert page.get_by_role("heading", name="Your answers are saved").is_visible()
    assert page.locator("#resume-link").count() == 0

    other = new_page(PHONE)
    other.goto(link)

    assert other.url.endswith("/intake/headaches/")
    other.screenshot(path=SCREENSHOTS / "resumed-step-2-phone-en.png", full_page=True)
    assert other.is_checked('input[name="diagnosis"][value="migraine_with_aura"]')
    assert other.input_value('[name="onset_age"]') == "16"
    assert other.input_value('[name="lifetime_attacks"]') == ""
    assert other.locator(".error-summary").count() == 0
    for slug in ("headaches", "symptoms", "treatments"):
        answer_step(other, slug, keyboard=False, treatments=HISTORY["en"])
        press_button(other, "next", keyboard=False)
        assert other.locator(".error-summary").count() == 0, other.content()
    other.goto("/intake/review/")
    assert other.get_by_text("erenumab (CGRP injection or infusion)").is_visible()
    other.screenshot(path=SCREENSHOTS / "review-aimovig-phone-en.png", full_page=True)


def test_enter_in_a_treatment_field_saves_and_continues(new_page):
    page = new_page(PHONE)
    page.goto("/intake/about-you/")
    for slug in SLUGS[: SLUGS.index("treatments")]:
        answer_step(page, slug, keyboard=False)
        press_button(page, "next", keyboard=False)
    answer_step(page, "treatments", keyboard=False, treatments=LONG_HISTORY[:1])
    page.focus('[name="treatments-0-weeks"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/intake/{SLUGS[SLUGS.index('treatments') + 1]}/")
    draft = Intake.objects.get()
    assert [trial.name for trial in draft.treatments.all()] == ["propranolol"]
