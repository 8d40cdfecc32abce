"""The public intake from the patient's side: steps, saving, submission, advice."""

import datetime
import hashlib
import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.defaults import server_error
from post_office.models import Email

from intake import codes, online
from intake.models import Intake, OnlineDraft, Patient
from intake.signals import intake_submitted
from tests.factories import ONLINE_STEP_ANSWERS, ONLINE_STEP_SLUGS

pytestmark = pytest.mark.django_db

REVIEW = "/intake/review/"


def post_step(client, slug, answers=None, action="next", **changes):
    data = {**ONLINE_STEP_ANSWERS.get(slug, {}), **(answers or {}), **changes}
    return client.post(f"/intake/{slug}/", {**data, "action": action})


def only_intake() -> Intake:
    return Intake.objects.select_related("patient", "online_draft").get()


def test_front_page_explains_the_intake_and_starts_it(client):
    page = client.get("/").content.decode()
    assert "Elev8 MD Wellness Center" in page
    assert "About 15 minutes" in page
    assert 'href="/intake/about-you/"' in page
    assert "If this is an emergency, call 911." in page


def test_review_lists_unfinished_steps_instead_of_submitting(client):
    post_step(client, "about-you")
    response = client.post(REVIEW, {"action": "next"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Some steps are not finished yet" in page
    assert 'href="/intake/headaches/"' in page
    assert only_intake().status == "draft"


def test_done_page_shows_emergency_and_crisis_advice_first(client):
    for slug in ONLINE_STEP_SLUGS:
        changes = {}
        if slug == "warning-signs":
            changes = {"headache_signs": ["thunderclap"]}
        if slug == "mood":
            changes = {"phq9_9": "2"}
        post_step(client, slug, changes)
    client.post(REVIEW, {"action": "next"})
    page = client.get("/intake/done/").content.decode()
    main = page.split("<main")[1]
    emergency = main.index("Call 911 or go to the emergency department now")
    crisis = main.index("call or text 988")
    thanks = main.index("Thank you, your answers were sent")
    assert emergency < crisis < thanks
    assert 'role="alert"' in main[:emergency]


def test_answers_are_saved_when_moving_back(client):
    post_step(client, "about-you")
    response = post_step(client, "headaches", action="back")
    assert response["Location"] == "/intake/about-you/"
    assert only_intake().onset_age == 16
    assert "headaches" in only_intake().online_draft.steps_done


def test_steps_without_a_draft_send_the_patient_to_the_start(client):
    response = client.get("/intake/mood/")
    assert response["Location"] == "/"


def test_unknown_step_is_not_found(client):
    assert client.get("/intake/nothing-here/").status_code == 404


def test_the_server_error_page_names_the_clinic_without_a_request(rf, settings):
    settings.CLINIC_NAME = "Elev8 MD Wellness Center"
    settings.CLINIC_PHONE = "(704) 555-0100"
    page = server_error(rf.get("/intake/mood/")).content.decode()
    assert "<title>Something went wrong · Elev8 MD Wellness Center</title>" in page
    assert page.count("Elev8 MD Wellness Center") == 3  # title, header, footer
    assert 'href="tel:+17045550100"' in page


# Bad input


@pytest.mark.parametrize(
    ("slug", "changes", "field", "message"),
    [
        (
            "about-you",
            {"date_of_birth": "01/01/2999"},
            "date_of_birth",
            "must be before today",
        ),
        (
            "about-you",
            {"date_of_birth": "01/01/1890"},
            "date_of_birth",
            "more than 120 years ago",
        ),
        (
            "about-you",
            {"date_of_birth": "31/31/1987"},
            "date_of_birth",
            "month/day/year",
        ),
        (
            "about-you",
            {"email": "", "mobile_phone": ""},
            "email",
            "e-mail address or a mobile phone",
        ),
        ("about-you", {"mobile_phone": "call me"}, "mobile_phone", "using digits"),
        ("about-you", {"mobile_phone": "555-0123"}, "mobile_phone", "area code"),
        (
            "headaches",
            {"migraine_days_per_month": "25"},
            "migraine_days_per_month",
            "cannot be more than headache days",
        ),
        ("headaches", {"onset_age": "60"}, "onset_age", "older than you are now"),
        ("headaches", {"worst_pain": "11"}, "worst_pain", "from 0 to 10"),
        ("headaches", {"diagnosis": "flu"}, "diagnosis", "Choose one of the answers"),
        (
            "treatments",
            {"treatments-2-treatment_class": ""},
            "treatments-2-treatment_class",
            "not in our list",
        ),
        (
            "medicines",
            {"acute_days_triptan": "40"},
            "acute_days_triptan",
            "from 0 to 31",
        ),
        ("health", {"pregnant": ""}, "pregnant", "Choose yes or no"),
        ("mood", {"phq9_4": "7"}, "phq9_4", "Choose one of the answers"),
        ("daily-life", {"midas_2": "89"}, "midas_2", "more than the 90 days"),
        (
            "consent",
            {"consent_signature": "Someone Else"},
            "consent_signature",
            "exactly as you gave it",
        ),
        ("consent", {"agree": ""}, "agree", "Tick the box"),
    ],
)
def test_bad_answers_are_explained_beside_the_field_and_in_a_summary(
    client, slug, changes, field, message
):
    for earlier in ONLINE_STEP_SLUGS[: ONLINE_STEP_SLUGS.index(slug)]:
        post_step(client, earlier)
    before = list(Intake.objects.values()) + list(Patient.objects.values())

    response = post_step(client, slug, changes)

    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert" tabindex="-1"' in page
    assert f'id="id_{field}_error"' in page
    assert message in page
    summary = page.split("data-error-summary>")[1].split("</div>")[0]
    assert f'href="#id_{field}' in summary
    typed = next((value for value in changes.values() if value), None)
    if typed and field not in ("diagnosis", "phq9_4"):
        assert f'value="{typed}"' in page
    assert list(Intake.objects.values()) + list(Patient.objects.values()) == before


# Treatments


def test_add_another_treatment_works_without_javascript(client):
    for slug in ONLINE_STEP_SLUGS[:3]:
        post_step(client, slug)
    response = post_step(client, "treatments", action="add")
    assert response["Location"] == "/intake/treatments/?add=1"
    assert only_intake().treatments.count() == 3
    page = client.get(response["Location"]).content.decode()
    assert 'name="treatments-TOTAL_FORMS" value="4"' in page
    assert "Treatment 4" in page
    assert 'name="treatments-3-name"' in page and "autofocus" in page


def test_a_treatment_can_be_removed(client):
    for slug in ONLINE_STEP_SLUGS[:4]:
        post_step(client, slug)
    data = {
        **ONLINE_STEP_ANSWERS["treatments"],
        "treatments-INITIAL_FORMS": "3",
        "treatments-1-DELETE": "on",
    }
    post_step(client, "treatments", data)
    assert [t.name for t in only_intake().treatments.all()] == [
        "propranolol",
        "Feverfew tea",
    ]


def test_catalogue_names_are_offered_in_a_datalist(client):
    post_step(client, "about-you")
    page = client.get("/intake/treatments/").content.decode()
    assert '<datalist id="drug-catalogue">' in page
    assert '<option value="sumatriptan">' in page
    assert 'list="drug-catalogue"' in page


def test_too_many_treatment_rows_are_refused_not_crashed(client):
    post_step(client, "about-you")
    response = client.post(
        "/intake/treatments/",
        {
            "treatments-TOTAL_FORMS": "5000",
            "treatments-INITIAL_FORMS": "0",
            "action": "next",
        },
    )
    assert response.status_code == 400


# Health questions


def test_health_steps_ask_every_condition_and_red_flag_in_plain_words(client):
    post_step(client, "about-you")
    page = client.get("/intake/health/").content.decode()
    page += client.get("/intake/warning-signs/").content.decode()
    for _, question in codes.CONDITIONS + codes.RED_FLAGS:
        assert escape(question) in page, question


def test_mood_step_asks_phq9_items_as_radio_groups_in_fieldsets(client):
    post_step(client, "about-you")
    page = client.get("/intake/mood/").content.decode()
    assert page.count("<fieldset") == 9
    assert page.count('type="radio"') == 36


# Resume links


def resume_link(client, slug="headaches"):
    response = post_step(client, slug, action="later")
    assert response.status_code == 200
    return response.context["link"].url


def test_finish_later_gives_a_private_link_stored_only_as_a_hash(client):
    post_step(client, "about-you")
    url = resume_link(client)

    token = url.rstrip("/").rsplit("/", 1)[1]
    draft = OnlineDraft.objects.get()
    assert len(token) >= 43
    assert draft.resume_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(OnlineDraft.objects.values()))
    assert (
        draft.resume_expires_at.date()
        == (timezone.now() + datetime.timedelta(days=30)).date()
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rosa@example.com"]
    assert url in mail.outbox[0].body


def test_no_email_is_sent_without_an_address(client):
    post_step(client, "about-you", email="")
    response = post_step(client, "headaches", action="later")
    assert mail.outbox == []
    assert "We have not e-mailed it to you" in response.content.decode()


def test_resume_link_opens_the_step_where_the_patient_stopped_in_a_new_browser(
    client, client_class
):
    for slug in ONLINE_STEP_SLUGS[:5]:
        post_step(client, slug)
    post_step(client, "headaches", action="back")
    url = resume_link(client, "treatments")

    other = client_class()
    response = other.get(url)

    assert response["Location"] == "/intake/treatments/"
    assert "Delgado-Park" in other.get("/intake/about-you/").content.decode()


def test_a_new_link_replaces_the_old_one(client, client_class):
    post_step(client, "about-you")
    old = resume_link(client)
    new = resume_link(client)
    assert client_class().get(old).status_code == 404
    assert client_class().get(new).status_code == 302


def test_an_expired_link_does_not_open_the_answers(client, client_class):
    post_step(client, "about-you")
    url = resume_link(client)
    OnlineDraft.objects.update(resume_expires_at=timezone.now())
    response = client_class().get(url)
    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()


def test_a_made_up_link_is_not_found(client):
    response = client.get(reverse("intake:resume", args=["x" * 43]))
    assert response.status_code == 404


# Abuse


def test_a_filled_honeypot_looks_like_success_but_saves_nothing(client):
    response = post_step(client, "about-you", website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == "/intake/headaches/"
    assert not Patient.objects.exists()
    assert not Intake.objects.exists()


def test_new_forms_are_limited_per_address_and_browser_keeping_the_answers(
    client_class, settings
):
    settings.INTAKE_NEW_FORMS_PER_HOUR = 2
    tablet = {"HTTP_USER_AGENT": "Waiting-room tablet"}
    for _ in range(2):
        assert post_step(client_class(**tablet), "about-you").status_code == 302

    response = post_step(client_class(**tablet), "about-you")

    page = response.content.decode()
    assert response.status_code == 429
    assert "We could not start a new form just now" in page
    assert 'value="Delgado-Park"' in page and 'value="04/12/1987"' in page
    assert '<a class="phone-link" href="tel:+17045550100">(704) 555-0100</a>' in page
    assert OnlineDraft.objects.count() == 2
    phone = client_class(HTTP_USER_AGENT="A patient's phone")
    assert post_step(phone, "about-you").status_code == 302
    elsewhere = client_class(REMOTE_ADDR="203.0.113.9", **tablet)
    assert post_step(elsewhere, "about-you").status_code == 302


def test_sixty_patients_in_an_hour_on_one_address_and_browser_are_not_refused(
    client_class,
):
    for n in range(60):
        browser = client_class(HTTP_USER_AGENT="Waiting-room tablet")
        response = post_step(browser, "about-you", email=f"patient{n}@example.com")
        assert response.status_code == 302, n
    assert OnlineDraft.objects.count() == 60
    assert len(set(OnlineDraft.objects.values_list("client_hash", flat=True))) == 1


def test_the_address_is_stored_only_as_a_salted_hash(client):
    post_step(client, "about-you")
    draft = OnlineDraft.objects.get()
    assert "127.0.0.1" not in draft.client_hash
    assert draft.client_hash != hashlib.sha256(b"127.0.0.1").hexdigest()
    assert len(draft.client_hash) == 64


def test_a_double_click_on_the_first_step_makes_one_draft(client):
    client.get("/intake/about-you/")
    start_key = client.session["intake_start_key"]
    post_step(client, "about-you")
    session = client.session
    session["intake_start_key"] = start_key
    del session["intake_draft"]
    session.save()

    post_step(client, "about-you")

    assert OnlineDraft.objects.count() == 1
    assert Patient.objects.count() == 1


def test_posts_without_the_csrf_token_are_refused(client_class):
    strict = client_class(enforce_csrf_checks=True)
    response = strict.post("/intake/about-you/", ONLINE_STEP_ANSWERS["about-you"])
    assert response.status_code == 403
    assert not Patient.objects.exists()


# Clear errors


def summary_lines(page: str) -> list[str]:
    summary = page.split("data-error-summary>")[1].split("</div>")[0]
    return [
        unescape(line) for line in re.findall(r'<a href="#[^"]+">(.*?)</a>', summary)
    ]


def test_each_summary_line_names_its_question(client):
    post_step(client, "about-you")
    response = post_step(
        client,
        "headaches",
        headache_days_per_month="40",
        months_at_this_frequency="abc",
        worst_pain="",
        attack_length="",
    )
    assert summary_lines(response.content.decode()) == [
        "Headache days a month: enter a number from 0 to 31.",
        "Months this often: enter a whole number from 0 to 1,200.",
        "How long an attack lasts: choose one of the answers.",
        "Worst pain: enter a number from 0 to 10.",
    ]


def test_the_summary_follows_the_page_not_the_forms_field_order(client):
    for slug in ONLINE_STEP_SLUGS[: ONLINE_STEP_SLUGS.index("warning-signs")]:
        post_step(client, slug)
    response = client.post("/intake/warning-signs/", {"action": "next"})
    page = response.content.decode()
    linked = re.findall(
        r'<a href="#(id_[a-z_]+?)(?:_0)?">',
        page.split("data-error-summary>")[1].split("</div>")[0],
    )
    shown = [
        field_id
        for field_id in re.findall(r'id="(id_[a-z_]+?)(?:_0)?"', page)
        if field_id in linked
    ]
    assert linked and linked == list(dict.fromkeys(shown))


def test_a_treatment_rows_summary_lines_name_the_row(client):
    post_step(client, "about-you")
    response = post_step(client, "treatments", {"treatments-1-outcome": ""})
    assert "Treatment 2 (What happened): choose one of the answers." in summary_lines(
        response.content.decode()
    )


def test_a_problem_found_twice_is_said_once(client):
    for slug in ONLINE_STEP_SLUGS[:2]:
        post_step(client, slug)
    assert only_intake().migraine_days_per_month == 14

    response = post_step(
        client, "headaches", headache_days_per_month="5", migraine_days_per_month="9"
    )

    page = response.content.decode()
    beside = page.split('id="id_migraine_days_per_month_error"')[1].split("</div>")[0]
    assert beside.count("Migraine days cannot be more than headache days.") == 1
    assert (
        summary_lines(page).count(
            "Migraine days a month: migraine days cannot be more than headache days."
        )
        == 1
    )


def test_the_summary_asks_with_the_question_when_the_name_is_a_question(client):
    post_step(client, "about-you")
    response = post_step(client, "health", mental_health=[])
    assert (
        "Mental health, alcohol and drugs: any of these? Tick the ones that apply, "
        "or “None of these”." in summary_lines(response.content.decode())
    )


# The health steps: "None of these" is an answer, a skipped group is not


@pytest.mark.parametrize(
    ("slug", "group"),
    [("health", "heart_blood"), ("warning-signs", "headache_signs")]
    + [("warning-signs", "allergies"), ("warning-signs", "medications")],
)
def test_a_group_left_blank_is_an_error_not_a_no(client, slug, group):
    post_step(client, "about-you")
    response = post_step(client, slug, {group: []})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{group}_error"' in page
    assert "Tick the ones that apply, or “None of these”." in page


def test_none_of_these_with_another_answer_is_an_error(client):
    post_step(client, "about-you")
    response = post_step(client, "warning-signs", headache_signs=["none", "seizure"])
    assert response.status_code == 400
    assert "Tick “None of these” or the ones that apply, not both." in (
        response.content.decode()
    )


def test_none_of_these_is_stored_as_no_codes_and_shown_again(client):
    post_step(client, "about-you")
    post_step(client, "health")
    post_step(client, "warning-signs")
    intake = only_intake()
    assert intake.conditions == ["vertigo", "needle_phobia"]
    assert intake.red_flags == ["cancer_history"]

    page = client.get("/intake/health/").content.decode()

    assert re.search(r'name="heart_blood" value="none"[^>]*checked', page)
    assert not re.search(r'name="eyes_nerves" value="none"[^>]*checked', page)


def test_one_health_step_keeps_the_conditions_the_other_asked(client):
    post_step(client, "about-you")
    post_step(client, "warning-signs")
    post_step(client, "health", eyes_nerves=["glaucoma"])
    assert only_intake().conditions == ["glaucoma", "needle_phobia"]
    post_step(client, "warning-signs", needles=["none"])
    assert only_intake().conditions == ["glaucoma"]


# Plain words, the phone, the review page


def test_the_clinic_phone_comes_from_the_settings(client, settings):
    settings.CLINIC_PHONE = "(980) 555-0199"
    assert (
        'href="tel:+19805550199">(980) 555-0199</a>' in client.get("/").content.decode()
    )


def test_a_routine_done_page_and_e_mail_promise_2_working_days(client):
    for slug in ONLINE_STEP_SLUGS:
        changes = {"general_signs": ["none"]} if slug == "warning-signs" else {}
        post_step(client, slug, changes)
    client.post(REVIEW, {"action": "next"})
    page = client.get("/intake/done/").content.decode()
    assert "within 2 working days" in page
    assert "24 hours" not in page.split("<footer")[0]
    confirmation = Email.objects.get().message  # Rosa reads Spanish
    assert "en un plazo de 2 días hábiles" in confirmation
    assert "24 horas" not in confirmation


def test_a_treatments_kind_and_use_are_not_marked_optional_as_they_may_be_asked(
    client,
):
    post_step(client, "about-you")
    page = client.get("/intake/treatments/").content.decode()
    for label in ("Say what kind of treatment it is", "What was it for?"):
        heading = page.split(label)[1].split("</")[0]
        assert "(optional)" not in heading, label
    assert "Needed when the name is not in our list." in page
    dose = page.split(">Dose")[1].split("</")[0]
    assert "(optional)" in dose  # truly optional fields still say so


def test_a_too_long_answer_is_told_in_plain_words_and_kept(client):
    response = post_step(client, "about-you", {"first_name": "A" * 130})
    page = response.content.decode()
    assert "Keep this to 100 characters or fewer: it has 130." in page
    assert "Ensure this value" not in page
    assert 'value="' + "A" * 130 + '"' in page


@pytest.mark.parametrize("typed", ["04/12/57", "04/12/24"])
def test_a_two_digit_year_is_refused_and_asked_in_full(client, typed):
    response = post_step(client, "about-you", {"date_of_birth": typed})
    assert response.status_code == 400
    assert "with all four digits of the year" in response.content.decode()
    assert not Intake.objects.exists()


def test_a_birth_date_of_today_is_refused_and_yesterday_accepted(client):
    today = timezone.localdate()
    refused = post_step(client, "about-you", date_of_birth=today.strftime("%m/%d/%Y"))
    assert refused.status_code == 400
    assert "must be before today" in refused.content.decode()
    yesterday = today - datetime.timedelta(days=1)
    accepted = post_step(
        client, "about-you", date_of_birth=yesterday.strftime("%m/%d/%Y")
    )
    assert accepted.status_code == 302


def test_every_page_has_a_favicon(client):
    assert (
        'rel="icon" href="/static/img/favicon.svg"' in client.get("/").content.decode()
    )


class TestAnAnsweredDraft:
    """Tests starting from a draft with every step answered, made once for them."""

    def test_every_step_shows_its_number_and_the_count(self, online_patient_client):
        assert [*ONLINE_STEP_SLUGS, "review"] == [step.slug for step in online.STEPS]
        for number, slug in enumerate([*ONLINE_STEP_SLUGS, "review"], start=1):
            page = online_patient_client.get(f"/intake/{slug}/").content.decode()
            assert f"Step {number} of 12" in page
            assert f'<progress class="step-progress" max="12" value="{number}"' in page

    def test_submitting_stores_every_answer_as_an_online_intake(
        self, online_patient_client
    ):
        response = online_patient_client.post(REVIEW, {"action": "next"})

        assert response.status_code == 302
        assert response["Location"] == "/intake/done/"
        intake = only_intake()
        patient = intake.patient
        assert (intake.status, intake.source) == ("submitted", "online")
        assert intake.get_source_display() == "Online"
        assert (patient.first_name, patient.last_name) == ("Rosa", "Delgado-Park")
        assert patient.date_of_birth == datetime.date(1987, 4, 12)
        assert patient.mobile_phone == "7045550134"
        assert patient.emergency_contact_phone == "7045550199"
        assert patient.preferred_language == "es"
        assert patient.record_number.startswith("P-")
        assert intake.diagnosis == "migraine_with_aura"
        assert (intake.headache_days_per_month, intake.migraine_days_per_month) == (
            20,
            14,
        )
        assert intake.features == ["one_sided", "pulsing"]
        assert intake.new_or_changed_pattern is False
        assert intake.triggers == ["stress", "sleep", "chocolate", "msg"]
        assert intake.acute_days_triptan == 6 and intake.acute_days_opioid is None
        assert intake.conditions == ["vertigo", "needle_phobia"]
        assert intake.red_flags == ["cancer_history"]
        assert intake.medications == ["antiplatelet"]
        assert intake.phq9_answers == [1, 1, 1, 1, 1, 1, 1, 1, 0]
        assert intake.midas_answers == [4, 6, 5, 7, 3]
        assert (intake.midas_a, intake.midas_b) == (40, 8)
        assert intake.interests == ["ketamine", "acupuncture", "yoga"]
        assert intake.consent_signature == "rosa delgado park"
        assert (intake.consent_version, intake.consent_language) == ("2026-01", "en")
        assert intake.consent_signed_at is not None
        rows = [
            (
                t.name,
                t.drug_id is not None,
                t.treatment_class,
                t.intent,
                t.weeks,
                t.outcome,
            )
            for t in intake.treatments.select_related("drug")
        ]
        assert rows == [
            ("propranolol", True, "beta_blocker", "preventive", 16, "ineffective"),
            ("topiramate", True, "antiepileptic", "preventive", 3, "intolerable"),
            ("Feverfew tea", False, "other_preventive", "preventive", None, "helped"),
        ]

    def test_double_submission_makes_one_intake_and_one_announcement(
        self,
        online_patient_client,
    ):
        announced = []

        def receiver(sender, intake, **kwargs):
            announced.append(intake.pk)

        intake_submitted.connect(receiver)
        try:
            first = online_patient_client.post(REVIEW, {"action": "next"})
            second = online_patient_client.post(REVIEW, {"action": "next"})
        finally:
            intake_submitted.disconnect(receiver)

        assert first["Location"] == second["Location"] == "/intake/done/"
        assert Intake.objects.count() == 1
        assert len(announced) == 1

    def test_review_shows_every_answer_with_a_change_link(self, online_patient_client):
        page = online_patient_client.get(REVIEW).content.decode()
        for expected in (
            "Delgado-Park",
            "April 12, 1987",
            "Migraine with aura",
            "Throbbing or pulsing",
            "Feverfew tea",
            "Side effects I could not tolerate",
            "Sertraline 50 mg",
            "Do you have vertigo or frequent dizzy spells?",
            "Have you ever had cancer?",
            "Penicillin: rash",
            "Ketamine infusion",
            "rosa delgado park",
        ):
            assert expected in page, expected
        assert 'href="/intake/treatments/"' in page

    def test_done_page_explains_next_steps_and_matches_tips_to_triggers(
        self,
        online_patient_client,
    ):
        online_patient_client.post(REVIEW, {"action": "next"})
        page = online_patient_client.get("/intake/done/").content.decode()
        assert "What happens next" in page
        assert "Foods to leave out" in page
        assert "almonds, oatmeal, eggs and milk" in page.lower()
        assert "lavender oil" in page
        assert "restorative yoga" in page
        assert "massage" in page
        assert "A physician will review your answers within 24 hours" in page
        assert "Call 911 or go to the emergency department now" not in page
        assert "988" not in page.split("<footer")[0]

    def test_pages_with_answers_are_never_cached(self, online_patient_client):
        response = online_patient_client.get("/intake/health/")
        assert "no-store" in response["Cache-Control"]

    def test_no_address_carries_a_name_or_a_database_id(self, online_patient_client):
        intake = only_intake()
        secrets_ = {
            str(intake.pk),
            str(intake.patient.pk),
            intake.patient.record_number,
        }
        secrets_ |= {"Rosa", "Delgado"}
        locations = [
            post_step(online_patient_client, slug)["Location"]
            for slug in ONLINE_STEP_SLUGS
        ]
        locations.append(
            online_patient_client.post(REVIEW, {"action": "next"})["Location"]
        )
        for location in locations:
            assert not any(secret in location for secret in secrets_), location

    def test_changing_the_name_asks_for_the_signature_again(
        self, online_patient_client
    ):
        post_step(online_patient_client, "about-you", last_name="Park")
        intake = only_intake()
        assert intake.consent_signature == ""
        assert "consent" not in intake.online_draft.steps_done
        response = online_patient_client.post(REVIEW, {"action": "next"})
        assert response.status_code == 400
        assert only_intake().status == "draft"

    def test_after_submission_the_link_says_so_kindly_and_hides_the_answers(
        self, online_patient_client, client_class
    ):
        url = resume_link(online_patient_client, "consent")
        online_patient_client.post(REVIEW, {"action": "next"})

        other = client_class()
        response = other.get(url)
        page = response.content.decode()
        assert response.status_code == 200
        assert "You have already sent your answers" in page
        assert "Delgado" not in page
        assert other.get("/intake/about-you/").status_code == 200
        assert "Delgado" not in other.get("/intake/about-you/").content.decode()

    def test_pages_that_say_call_us_give_the_number_as_a_link(
        self, online_patient_client
    ):
        link = '<a class="phone-link" href="tel:+17045550100">(704) 555-0100</a>'
        for url in ("/", "/intake/review/", "/intake/resume/expired-link/"):
            page = online_patient_client.get(url).content.decode()
            assert link in page.split("<footer")[0], url
        online_patient_client.post(REVIEW, {"action": "next"})
        assert link in online_patient_client.get("/intake/done/").content.decode()

    def test_the_review_shows_a_phone_as_people_write_it_and_medicines_one_a_line(
        self,
        online_patient_client,
    ):
        post_step(
            online_patient_client,
            "medicines",
            other_medications="Sertraline 50 mg\nVitamin D\n\n",
        )
        page = online_patient_client.get(REVIEW).content.decode()
        assert "(704) 555-0134" in page and "7045550134" not in page
        assert "<li>Sertraline 50 mg</li><li>Vitamin D</li>" in page

    def test_the_patient_sees_no_jargon_or_questionnaire_names(
        self, online_patient_client
    ):
        pages = "".join(
            online_patient_client.get(f"/intake/{slug}/").content.decode()
            for slug in [*ONLINE_STEP_SLUGS, "review"]
        )
        for jargon in (
            "(PHQ-9)",
            "(MIDAS)",
            "Ditan (",
            "Gepant (",
            "Ergot (",
            "medicines below",
        ):
            assert jargon not in pages, jargon
        assert "Botox for migraine (coming soon)" in pages

    def test_the_review_says_at_once_which_steps_are_unfinished(
        self, online_patient_client
    ):
        review = online_patient_client.get(REVIEW).content.decode()
        assert "Some steps are not finished yet" not in review
        online_patient_client.post(
            "/intake/headaches/",
            {
                **ONLINE_STEP_ANSWERS["headaches"],
                "migraine_days_per_month": "25",  # above the 20 headache days
                "action": "back",
            },
        )
        review = online_patient_client.get(REVIEW).content.decode()
        notice = review.split("Some steps are not finished yet")[1].split("</div>")[0]
        assert "the ones last saved" in notice
        assert 'href="/intake/headaches/"' in notice
        assert 'href="/intake/mood/"' not in notice

    def test_a_red_flag_done_page_and_e_mail_promise_24_hours_only(
        self, online_patient_client
    ):
        online_patient_client.post(REVIEW, {"action": "next"})
        page = online_patient_client.get("/intake/done/").content.decode()
        assert "within 24 hours" in page
        assert "2 working days" not in page
        confirmation = Email.objects.get().message  # Rosa reads Spanish
        assert "en un plazo de 24 horas" in confirmation
        assert "2 días hábiles" not in confirmation
