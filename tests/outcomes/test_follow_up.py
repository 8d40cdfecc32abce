"""The patient's follow-up: links sent when due and reminded once, exchanged for the
session (no token left in the URL or logs), single use, expiring; the form keeps what
was typed and says what is wrong beside the question."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from post_office.models import Email

from clinic.logs import redact_path
from clinic.mail import BEARER_LINK, TOKEN_REMOVED
from outcomes.models import FollowUp, TreatmentCourse
from outcomes.selectors import follow_up_for_link
from outcomes.services import follow_ups_send_due
from outcomes.tasks import follow_up_url
from tests.conftest import rolled_back_after
from tests.outcomes.builders import ended_course

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/follow-up/link/[A-Za-z0-9_-]+/")
ANSWERS = {
    "headache_days": "8",
    "migraine_days": "3",
    "current_pain": "2",
    "worst_pain": "6",
    **{f"midas_{n}": "1" for n in range(1, 6)},
    "pgic": "2",
    "side_effects": "",
}


def send_due(today=None) -> int:
    return follow_ups_send_due(
        today=today or timezone.localdate(), build_url=follow_up_url
    )


def follow_up_mail():
    return Email.objects.filter(message__contains="/follow-up/link/").order_by("pk")


def last_link() -> str:
    return LINK.search(follow_up_mail().last().message).group(0)


@pytest.fixture(scope="class")
def ended_month_ago(django_db_setup, django_db_blocker):
    """A course that ended 30 days ago, made once for a test class (each test's
    writes are rolled back); a test outside a class gets its own."""
    with rolled_back_after(django_db_blocker):
        yield ended_course([(8, 4)], days_ago=30).pk


@pytest.fixture
def month_ago(db, ended_month_ago):
    """A course that ended 30 days ago: its 1-month link is due, its 1-week one
    has passed its answer days."""
    return TreatmentCourse.objects.get(pk=ended_month_ago)


def test_follow_up_tokens_stay_out_of_logs_and_sent_mail():
    assert redact_path("/follow-up/link/abcDEF_123-x/") == "/follow-up/link/[token]/"
    assert "abc" not in BEARER_LINK.sub(
        TOKEN_REMOVED, "https://clinic.example/follow-up/link/abcDEF_123-x/"
    )


class TestACourseEndedAMonthAgo:
    """Tests following up the same course, ended 30 days ago, made once for them."""

    def test_the_due_link_is_mailed_once_then_reminded_once(self, month_ago):
        assert send_due() == 1
        follow_up = month_ago.follow_ups.get(point="1m")
        assert follow_up.sent_at is not None and follow_up.token_hash
        assert not month_ago.follow_ups.get(point="1w").sent_at  # past its days
        mail = follow_up_mail().get()
        assert mail.to == [month_ago.referral.intake.patient.email]
        assert "/follow-up/link/" in mail.message
        assert "migraine" not in mail.message.lower()  # nothing clinical by e-mail
        assert send_due() == 0  # not again, not a reminder yet

        first_link = last_link()
        FollowUp.objects.filter(pk=follow_up.pk).update(
            sent_at=timezone.now() - datetime.timedelta(days=3, minutes=1)
        )
        assert send_due() == 1
        assert follow_up_mail().count() == 2
        assert "replaces the one we sent" in follow_up_mail().last().message
        assert send_due() == 0  # one reminder only
        # The reminder's link replaces the first one.
        assert first_link != last_link()

    def test_the_link_opens_the_form_in_the_session_and_works_once(
        self, client, month_ago
    ):
        send_due()
        link = last_link()
        path = link.split("://", 1)[1].split("/", 1)[1]
        opened = client.get("/" + path)
        assert opened.status_code == 302
        assert opened.url == reverse("outcomes:follow_up")  # the token left the URL
        form = client.get(opened.url)
        assert form.status_code == 200
        assert form["Cache-Control"].startswith("max-age=0")

        wrong = client.post(opened.url, {**ANSWERS, "migraine_days": "9", "pgic": ""})
        html = wrong.content.decode()
        assert wrong.status_code == 200
        assert "Migraine days are counted among the headache days" in html
        assert "Choose one of the answers." in html
        assert 'value="8"' in html  # what was typed is kept
        assert 'id="div_id_migraine_days" class="field field-invalid"' in html

        done = client.post(opened.url, ANSWERS)
        assert done.url == reverse("outcomes:follow_up_thanks")
        follow_up = month_ago.follow_ups.get(point="1m")
        assert (follow_up.current_pain, follow_up.pgic, follow_up.answered_by) == (
            2,
            2,
            None,
        )
        assert follow_up.token_hash == ""
        assert client.get("/" + path).status_code == 404  # single use
        assert client.get(opened.url).url == reverse("outcomes:follow_up_thanks")

    def test_a_link_past_its_answer_days_no_longer_opens(self, client, month_ago):
        send_due()
        path = "/" + last_link().split("://", 1)[1].split("/", 1)[1]
        later = timezone.localdate() + datetime.timedelta(days=21)
        assert send_due(today=later) == 0
        token = path.rstrip("/").rsplit("/", 1)[1]
        assert follow_up_for_link(token=token, today=timezone.localdate()) is not None
        assert follow_up_for_link(token=token, today=later) is None
        assert client.get("/follow-up/link/not-a-token/").status_code == 404
        assert client.get(reverse("outcomes:follow_up")).status_code == 404

    def test_a_patient_gets_the_follow_up_in_their_language(self, client, month_ago):
        patient = month_ago.referral.intake.patient
        patient.preferred_language = "es"
        patient.save()
        send_due()
        assert "¿Cómo van sus dolores de cabeza?" in follow_up_mail().get().subject
        path = "/" + last_link().split("://", 1)[1].split("/", 1)[1]
        page = client.get(client.get(path).url).content.decode()
        assert "¿Qué tan fuerte es su dolor de cabeza en este momento?" in page
        assert "Muchísimo mejor" in page

    def test_save_and_finish_later_keeps_the_answers_and_the_link(
        self, client, month_ago
    ):
        send_due()
        path = "/" + last_link().split("://", 1)[1].split("/", 1)[1]
        form_url = client.get(path).url
        follow_up = month_ago.follow_ups.get(point="1m")
        token = follow_up.token_hash
        unfinished = {"headache_days": "8", "migraine_days": "12", "current_pain": "3"}

        saved = client.post(form_url, {**unfinished, "action": "later"})
        assert saved.url == reverse("outcomes:follow_up_saved")
        page = client.get(saved.url).content.decode()
        assert "Your answers are saved" in page
        follow_up.refresh_from_db()
        until = follow_up.open_until
        assert until == month_ago.ended_on + datetime.timedelta(days=30 + 21 - 1)
        assert follow_up_for_link(token=path.split("/")[-2], today=until) is not None
        assert (
            follow_up_for_link(
                token=path.split("/")[-2], today=until + datetime.timedelta(days=1)
            )
            is None
        )
        # Kept as typed, judged by nothing (more migraine than headache days), and the
        # link not used up.
        assert follow_up.draft_answers == unfinished
        assert (follow_up.answered_at, follow_up.token_hash) == (None, token)

        # Back later, in another browser: the link opens what was typed.
        client.logout()
        again = client.get(client.get(path).url).content.decode()
        assert 'name="headache_days" value="8"' in again
        assert 'name="migraine_days" value="12"' in again
        assert re.search(r'value="3"[^>]*id="id_current_pain_3"[^>]*checked', again)
        assert "Migraine days are counted" not in again  # no errors before sending

        done = client.post(form_url, {**ANSWERS, "action": "send"})
        assert done.url == reverse("outcomes:follow_up_thanks")
        follow_up.refresh_from_db()
        assert follow_up.answered_at is not None
        assert follow_up.draft_answers == {}
        assert client.get(path).status_code == 404  # answering used the link up
        assert client.get(reverse("outcomes:follow_up_saved")).url == reverse(
            "outcomes:follow_up_thanks"
        )

    def test_the_saved_page_speaks_the_patients_language(self, client, month_ago):
        patient = month_ago.referral.intake.patient
        patient.preferred_language = "es"
        patient.save()
        send_due()
        path = "/" + last_link().split("://", 1)[1].split("/", 1)[1]
        form = client.get(client.get(path).url).content.decode()
        assert "Guardar y terminar más tarde" in form
        saved = client.post(reverse("outcomes:follow_up"), {"action": "later"})
        page = client.get(saved.url).content.decode()
        assert "Sus respuestas están guardadas" in page
        assert "vuelva a abrir el enlace de nuestro correo" in page

    def test_the_language_switch_keeps_what_was_typed(self, client, month_ago):
        send_due()
        path = "/" + last_link().split("://", 1)[1].split("/", 1)[1]
        form_url = client.get(path).url
        assert 'value="language:es"' in client.get(form_url).content.decode()
        typed = {"headache_days": "8", "migraine_days": "12", "current_pain": "3"}

        switched = client.post(form_url, {**typed, "action": "language:es"})

        assert switched.url == form_url
        page = client.get(form_url).content.decode()
        assert "¿Qué tan fuerte es su dolor de cabeza en este momento?" in page
        assert 'name="headache_days" value="8"' in page
        assert 'name="migraine_days" value="12"' in page
        follow_up = month_ago.follow_ups.get(point="1m")
        assert follow_up.answered_at is None  # nothing judged or sent
