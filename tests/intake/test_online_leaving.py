"""Leaving a step never loses what is on it; only "Save and continue" judges it."""

import pytest

from intake.models import Intake, OnlineDraft
from tests.factories import ONLINE_STEP_ANSWERS, ONLINE_STEP_SLUGS

pytestmark = pytest.mark.django_db

# Step 2 with 2 of its 11 answers, one of them out of range.
HALF_DONE = {"onset_age": "16", "headache_days_per_month": "45"}


def post(client, slug, data, action):
    return client.post(f"/intake/{slug}/", {**data, "action": action})


def draft() -> OnlineDraft:
    return OnlineDraft.objects.select_related("intake").get()


@pytest.fixture
def started(client):
    post(client, "about-you", ONLINE_STEP_ANSWERS["about-you"], "next")
    return client


def test_save_and_finish_later_keeps_a_half_done_step_as_it_was_typed(
    started, client_class
):
    response = post(started, "headaches", HALF_DONE, "later")

    assert response.status_code == 200
    assert "Your answers are saved" in response.content.decode()
    kept = draft()
    assert kept.unchecked_answers["headaches"] == {
        "onset_age": ["16"],
        "headache_days_per_month": ["45"],
    }
    assert "headaches" not in kept.steps_done
    assert kept.intake.onset_age is None

    other = client_class()
    assert other.get(response.context["link"].url)["Location"] == "/intake/headaches/"
    page = other.get("/intake/headaches/").content.decode()
    assert 'value="16"' in page and 'value="45"' in page
    assert "error-summary" not in page


def test_back_keeps_an_invalid_step_and_goes_back(started):
    response = post(started, "headaches", HALF_DONE, "back")

    assert response["Location"] == "/intake/about-you/"
    assert draft().unchecked_answers["headaches"]["headache_days_per_month"] == ["45"]
    assert draft().resume_step == "about-you"


def test_back_saves_a_valid_step_as_done(started):
    post(started, "headaches", ONLINE_STEP_ANSWERS["headaches"], "back")
    assert "headaches" in draft().steps_done
    assert draft().intake.onset_age == 16


def test_the_consent_step_can_be_left_unsigned(started):
    for slug in ONLINE_STEP_SLUGS[1:-1]:
        post(started, slug, ONLINE_STEP_ANSWERS[slug], "next")

    back = post(started, "consent", {"consent_signature": "Ros"}, "back")
    later = post(started, "consent", {"consent_signature": "Ros"}, "later")

    assert back["Location"] == "/intake/services/"
    assert later.status_code == 200
    assert draft().unchecked_answers["consent"] == {
        "consent_signature": ["Ros"],
    }
    page = started.get("/intake/consent/").content.decode()
    assert 'value="Ros"' in page


def test_continuing_checks_the_step_and_replaces_the_kept_answers(started):
    post(started, "headaches", HALF_DONE, "later")

    refused = post(started, "headaches", HALF_DONE, "next")
    accepted = post(started, "headaches", ONLINE_STEP_ANSWERS["headaches"], "next")

    assert refused.status_code == 400
    assert accepted["Location"] == "/intake/symptoms/"
    assert "headaches" not in draft().unchecked_answers
    assert "headaches" in draft().steps_done


def test_a_step_left_unchecked_must_be_finished_before_sending(started):
    for slug in ONLINE_STEP_SLUGS[1:]:
        post(started, slug, ONLINE_STEP_ANSWERS[slug], "next")
    post(started, "mood", {"phq9_1": "2"}, "back")

    response = started.post("/intake/review/", {"action": "next"})

    assert response.status_code == 400
    assert 'href="/intake/mood/"' in response.content.decode()
    assert Intake.objects.get().status == "draft"


def test_a_kept_treatment_list_comes_back_row_by_row(started):
    rows = {
        "treatments-TOTAL_FORMS": "3",
        "treatments-INITIAL_FORMS": "0",
        "treatments-0-name": "Aimovig",
        "treatments-0-weeks": "many",
        "treatments-1-name": "Mystery pill",
        "treatments-2-name": "Old pill",
        "treatments-2-DELETE": "on",
    }
    post(started, "treatments", rows, "later")

    page = started.get("/intake/treatments/").content.decode()

    assert 'value="Aimovig"' in page and 'value="many"' in page
    assert 'value="Mystery pill"' in page and "Old pill" not in page
    assert 'name="treatments-TOTAL_FORMS" value="2"' in page


def test_only_the_steps_own_fields_are_kept_and_long_answers_are_cut(started):
    post(
        started,
        "headaches",
        {"onset_age": "1" * 5000, "first_name": "Mallory", "unknown": "x"},
        "later",
    )
    kept = draft().unchecked_answers["headaches"]
    assert list(kept) == ["onset_age"]
    assert len(kept["onset_age"][0]) == 4000


def test_a_new_first_step_needs_its_details_before_it_can_be_saved(client):
    response = post(client, "about-you", {"first_name": "Rosa"}, "later")

    page = response.content.decode()
    assert response.status_code == 400
    assert "To save your answers for later we need these details first" in page
    assert 'value="Rosa"' in page
    assert not OnlineDraft.objects.exists()


@pytest.mark.parametrize(
    ("action", "stopped"),
    [("next", "symptoms"), ("back", "about-you"), ("later", "headaches")],
)
def test_continuing_on_the_front_page_opens_where_the_patient_stopped(
    started, action, stopped
):
    for slug in ONLINE_STEP_SLUGS[1:5]:
        post(started, slug, ONLINE_STEP_ANSWERS[slug], "next")
    post(started, "headaches", ONLINE_STEP_ANSWERS["headaches"], action)

    page = started.get("/").content.decode()

    assert f'href="/intake/{stopped}/">Continue your intake' in page


def test_a_nul_character_kept_unchecked_is_dropped(started):
    post(started, "headaches", {"onset_age": "1\x006"}, "later")
    assert draft().unchecked_answers["headaches"] == {"onset_age": ["16"]}


def test_the_saved_page_again_shows_no_link_and_issues_none(started):
    saved = post(started, "headaches", HALF_DONE, "later")
    assert 'data-settled-url="/intake/saved/"' in saved.content.decode()
    token_hash = OnlineDraft.objects.get().resume_token_hash
    again = started.get("/intake/saved/")
    page = again.content.decode()
    assert again.status_code == 200
    assert "not shown twice" in page and "/intake/resume/" not in page
    assert OnlineDraft.objects.get().resume_token_hash == token_hash


def test_the_saved_page_without_a_form_in_progress_goes_to_the_start(client):
    response = client.get("/intake/saved/")
    assert response.status_code == 302 and response["Location"] == "/"
