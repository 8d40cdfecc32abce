"""The online intake in Spanish: pages, messages, e-mails; staff stay in English."""

import datetime
import functools
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation
from post_office.models import Email

from intake import codes, online
from intake.models import Intake
from intake.online import consent
from tests.conftest import carrying, cookies_of, rolled_back_after
from tests.factories import ONLINE_STEP_ANSWERS, ONLINE_STEP_SLUGS

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-US,es;q=0.9,en;q=0.5"}


class PageText(HTMLParser):
    """The words a person meets on a page: text, and labels held in attributes."""

    SPOKEN = {"title", "aria-label", "placeholder", "alt", "label"}

    def __init__(self):
        super().__init__()
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self.texts += [value for name, value in attrs if name in self.SPOKEN and value]

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


@functools.cache
def english_messages() -> tuple[list[str], list[tuple[str, re.Pattern]]]:
    """The catalogue's English that a Spanish page must not show.

    Short messages (under three words) must match a whole piece of text ("Sex" is in
    "Sexo"); longer ones are patterns found anywhere, %(name)s standing for a few
    words. A message whose Spanish is the same word ("No", "Yoga") is left out.
    """
    short, long = [], []
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.msgstr == entry.msgid:
            continue
        english = re.sub(r"<[^>]+>", "", entry.msgid)
        if len(english.split()) < 3:
            short.append(english)
            continue
        parts = [
            re.escape(part)
            for part in re.split(r"%\(\w+\)s|\{\w+\}", english)
            if part.strip()
        ]
        long.append((english, re.compile(r".{1,200}?".join(parts))))
    return short, long


def english_left_in(page: str) -> list[str]:
    """English sentences of the catalogue that a Spanish page still shows."""
    parser = PageText()
    parser.feed(page)
    pieces = set(parser.texts)
    text = " ".join(parser.texts)
    short, long = english_messages()
    return [english for english in short if english in pieces] + [
        english for english, pattern in long if pattern.search(text)
    ]


class AnswerLabels(HTMLParser):
    """The words of each answer's label on a page, by the input it labels."""

    def __init__(self):
        super().__init__()
        self.labels, self._for = {}, None

    def handle_starttag(self, tag, attrs):
        if tag == "label":
            self._for = dict(attrs).get("for")

    def handle_endtag(self, tag):
        if tag == "label":
            self._for = None

    def handle_data(self, data):
        if self._for and data.strip():
            words = f"{self.labels.get(self._for, '')} {' '.join(data.split())}"
            self.labels[self._for] = words.strip()


def answer_labels(page: str) -> dict[str, str]:
    parser = AnswerLabels()
    parser.feed(page)
    return parser.labels


@functools.cache
def same_in_spanish() -> set[str]:
    """The catalogue's words that Spanish writes the same ("No", "Yoga"), and each
    language's name in its own tongue ("English", "Español")."""
    return {
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE))
        if entry.msgstr == entry.msgid
    } | {name for _code, name in settings.LANGUAGES}


def untranslated_labels(english: str, spanish: str) -> list[str]:
    """The labels a Spanish page shows as its English page does, words the
    catalogue does not write the same in both left aside: words never marked for
    translation, which the catalogue cannot know."""
    spanish_labels = answer_labels(spanish)
    return [
        words
        for input_id, words in answer_labels(english).items()
        if spanish_labels.get(input_id) == words
        and re.search(r"[A-Za-z]", words)
        and words not in same_in_spanish()
    ]


@pytest.fixture
def spanish_client(client):
    client.defaults.update(SPANISH)
    return client


def post_step(client, slug, action="next", **changes):
    data = {**ONLINE_STEP_ANSWERS.get(slug, {}), **changes, "action": action}
    return client.post(f"/intake/{slug}/", data)


def answer_every_step(client):
    for slug in ONLINE_STEP_SLUGS:
        changes = {"date_of_birth": "12/04/1987"} if slug == "about-you" else {}
        response = post_step(client, slug, **changes)
        assert response.status_code == 302, (slug, response.content.decode())


@pytest.fixture(scope="class")
def spanish_answers(django_db_setup, django_db_blocker):
    """The cookies of a Spanish browser that answered every step, made once for a
    test class (each test's writes are rolled back); a test outside a class gets its
    own."""
    with rolled_back_after(django_db_blocker):
        browser = Client(**SPANISH)
        answer_every_step(browser)
        yield cookies_of(browser)


@pytest.fixture
def answered_spanish_client(db, spanish_client, spanish_answers):
    return carrying(spanish_answers, spanish_client)


def test_the_spanish_catalogue_is_complete():
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.percent_translated() == 100
    assert not catalogue.fuzzy_entries()


def test_the_page_checker_finds_english_left_on_a_page():
    assert english_left_in("<p>Paso 1 de 12</p><button>Save and continue</button>") == [
        "Save and continue"
    ]
    assert english_left_in("<p>Step 3 of 12</p>") == ["Step %(number)s of %(total)s"]
    assert english_left_in("<label>Sexo</label><p>Sí</p><p>No</p>") == []


def test_the_label_checker_finds_a_label_left_in_english():
    english = '<label for="a">My doctor</label><label for="b">No</label>'
    spanish = '<label for="a">My doctor</label><label for="b">No</label>'
    assert untranslated_labels(english, spanish) == ["My doctor"]
    assert untranslated_labels(english, '<label for="a">Mi médico</label>') == []


def test_the_other_pages_in_spanish_have_no_english_left(spanish_client):
    pages = [spanish_client.get("/").content.decode()]
    post_step(spanish_client, "about-you")
    pages.append(
        post_step(spanish_client, "headaches", action="later").content.decode()
    )
    answer_every_step(spanish_client)
    spanish_client.post("/intake/review/", {"action": "next"})
    pages.append(spanish_client.get("/intake/done/").content.decode())
    pages.append(spanish_client.get("/intake/resume/not-a-link/").content.decode())
    pages.append(spanish_client.get("/no-such-page/").content.decode())
    for page in pages:
        assert english_left_in(page) == []
    assert "Cosas que puede probar ahora" in pages[2]


def test_the_first_page_follows_accept_language_and_the_switch_wins(client):
    assert "Cuéntenos sobre sus migrañas" in client.get("/", **SPANISH).content.decode()
    assert "Tell us about your migraines" in client.get("/").content.decode()

    response = client.post(
        "/intake/language/", {"language": "en", "next": "/"}, **SPANISH
    )

    assert response["Location"] == "/"
    assert "Tell us about your" in client.get("/", **SPANISH).content.decode()


def test_every_page_has_a_language_switch(client):
    page = client.get("/").content.decode()
    assert 'action="/intake/language/"' in page
    assert 'name="language" value="es" lang="es"' in page
    step = client.get("/intake/about-you/").content.decode()
    assert 'form="step-form" name="action" value="language:es"' in step


def test_switching_language_on_a_step_keeps_what_was_typed(client):
    post_step(client, "about-you")
    response = client.post(
        "/intake/headaches/",
        {"onset_age": "16", "worst_pain": "12", "action": "language:es"},
    )

    assert response["Location"] == "/intake/headaches/"
    page = client.get("/intake/headaches/").content.decode()
    assert "Sus dolores de cabeza" in page
    assert 'value="16"' in page and 'value="12"' in page


def test_switching_language_on_a_new_first_step_keeps_what_was_typed(client):
    response = client.post(
        "/intake/about-you/", {"first_name": "Rosa", "action": "language:es"}
    )
    page = response.content.decode()
    assert "Sus datos" in page and 'value="Rosa"' in page
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert not Intake.objects.exists()


def test_a_birth_date_typed_before_switching_language_keeps_its_meaning(client):
    # April 12, typed month first; the page turns Spanish (day first) unsaved.
    response = client.post(
        "/intake/about-you/",
        {"first_name": "Rosa", "date_of_birth": "04/12/1987", "action": "language:es"},
    )
    assert 'value="12/04/1987"' in response.content.decode()
    answers = {**ONLINE_STEP_ANSWERS["about-you"], "date_of_birth": "12/04/1987"}
    client.post("/intake/about-you/", {**answers, "action": "next"})
    assert Intake.objects.get().patient.date_of_birth == datetime.date(1987, 4, 12)


def test_a_kept_unfinished_birth_date_keeps_its_meaning_in_the_other_language(
    client,
):
    post_step(client, "about-you")  # saved in English
    client.post(
        "/intake/about-you/",
        {
            **ONLINE_STEP_ANSWERS["about-you"],
            "date_of_birth": "04/12/1987",
            "first_name": "",
            "action": "back",
        },
    )  # unfinished (no first name): kept as typed
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get("/intake/about-you/").content.decode()
    assert 'value="12/04/1987"' in page


def test_staff_pages_stay_in_english_whatever_the_browser_or_cookie_asks(
    desk_client,
):
    desk_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = desk_client.get("/admin/", **SPANISH).content.decode()
    assert '<html lang="en-us"' in page
    assert "Log out" in page and "Terminar sesión" not in page


def test_a_spanish_date_of_birth_is_day_first(spanish_client):
    page = spanish_client.get("/intake/about-you/").content.decode()
    assert "por ejemplo 12/04/1987" in page
    post_step(spanish_client, "about-you", date_of_birth="03/02/1990")
    assert Intake.objects.get().patient.date_of_birth == datetime.date(1990, 2, 3)


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_consent_version_pins_its_words(language):
    version = consent.VERSIONS[language]
    assert consent.text_sha256(language) == consent.TEXT_SHA256[(language, version)]


def test_the_consent_texts_differ_by_language():
    assert consent.text_in("en") != consent.text_in("es")


def test_preferred_language_is_a_choice_that_defaults_to_the_page(spanish_client):
    page = spanish_client.get("/intake/about-you/").content.decode()
    assert 'name="preferred_language" value="es"' in page
    assert re.search(r'value="es"[^>]*checked', page)
    response = post_step(spanish_client, "about-you", preferred_language="Klingon")
    assert response.status_code == 400


def test_the_resume_email_is_in_the_patients_language(client):
    post_step(client, "about-you", preferred_language="es")
    post_step(client, "headaches", action="later")
    (message,) = mail.outbox
    assert "su enlace para terminar su formulario" in message.subject
    assert "Abra este enlace privado" in message.body
    assert "(704) 555-0100" in message.body


def test_the_confirmation_is_in_english_for_an_english_patient(client):
    for slug in ONLINE_STEP_SLUGS:
        changes = {"preferred_language": "en"} if slug == "about-you" else {}
        post_step(client, slug, **changes)
    client.post("/intake/review/", {"action": "next"}, **SPANISH)
    (email,) = Email.objects.filter(to=["rosa@example.com"])
    assert "we received your intake" in email.subject


def test_no_confirmation_without_an_email_address(client):
    for slug in ONLINE_STEP_SLUGS:
        changes = {"email": ""} if slug == "about-you" else {}
        post_step(client, slug, **changes)
    client.post("/intake/review/", {"action": "next"})
    assert Intake.objects.get().status == "submitted"
    assert not Email.objects.exclude(to=[settings.ON_CALL_EMAIL]).exists()


def test_codes_stay_english_outside_a_patient_page():
    with translation.override("es"):
        assert dict(codes.CONDITIONS)["vertigo"] == (
            "Do you have vertigo or frequent dizzy spells?"
        )


class TestASpanishPatientsAnswers:
    """Tests starting from every step answered in Spanish, made once for them."""

    def test_every_step_in_spanish_has_no_english_left(self, answered_spanish_client):
        for step in online.STEPS:
            page = answered_spanish_client.get(f"/intake/{step.slug}/").content.decode()
            assert '<html lang="es">' in page, step.slug
            assert english_left_in(page) == [], step.slug

    def test_every_answer_offered_on_a_step_is_labelled_in_spanish(
        self, answered_spanish_client
    ):
        # The review page shows the same forms' labels as text: checked here, on
        # the forms.
        for step in online.STEPS[:-1]:
            url = f"/intake/{step.slug}/"
            spanish = answered_spanish_client.get(url).content.decode()
            answered_spanish_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            english = answered_spanish_client.get(url).content.decode()
            answered_spanish_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
            assert len(answer_labels(english)) > 0, step.slug
            assert untranslated_labels(english, spanish) == [], step.slug

    def test_lowering_a_saved_answer_below_another_says_so_once_in_spanish(
        self, answered_spanish_client
    ):
        # Saved: 20 headache days, 14 of them migraine days. Now 5 headache days:
        # the form's check and the model's find the same problem.
        response = post_step(
            answered_spanish_client,
            "headaches",
            headache_days_per_month="5",
            debilitating_days_per_month="4",
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "Hay un problema con sus respuestas" in page
        assert page.count("Los días con migraña no pueden ser más") == 1
        assert english_left_in(page) == []

    def test_a_therapy_typed_in_spanish_is_shown_in_spanish_and_stays_itself(
        self, answered_spanish_client
    ):
        treatments = {
            **ONLINE_STEP_ANSWERS["treatments"],
            "treatments-2-name": "Fisioterapia",
            "treatments-2-treatment_class": "",
        }
        for _round in range(2):  # typed, then shown again and saved as it is shown
            response = answered_spanish_client.post(
                "/intake/treatments/", {**treatments, "action": "next"}
            )
            assert response.status_code == 302
            page = answered_spanish_client.get("/intake/treatments/").content.decode()
            assert 'value="fisioterapia"' in page
            treatments["treatments-2-name"] = "fisioterapia"
        review = answered_spanish_client.get("/intake/review/").content.decode()
        assert "fisioterapia (tratamiento sin medicina)" in review
        assert "physical therapy" not in review
        trial = Intake.objects.get().treatments.get(drug__name="physical therapy")
        assert trial.drug_name == ""

    def test_every_step_with_its_errors_in_spanish_has_no_english_left(
        self, answered_spanish_client
    ):
        optional = {"symptoms", "services"}
        for slug in [slug for slug in ONLINE_STEP_SLUGS if slug not in optional]:
            response = answered_spanish_client.post(
                f"/intake/{slug}/",
                {
                    "action": "next",
                    "treatments-TOTAL_FORMS": "1",
                    "treatments-0-name": "x",
                }
                | {"treatments-INITIAL_FORMS": "0", "onset_age": "abc", "agree": ""},
            )
            page = response.content.decode()
            assert response.status_code == 400, slug
            assert "Hay " in page and "con sus respuestas" in page, slug
            assert english_left_in(page) == [], slug

    def test_staff_see_a_spanish_intake_in_english(
        self, answered_spanish_client, desk_client
    ):
        answered_spanish_client.post("/intake/review/", {"action": "next"})
        intake = Intake.objects.get()

        page = desk_client.get(f"/admin/intake/intake/{intake.pk}/change/", **SPANISH)

        text = page.content.decode()
        assert "Do you have vertigo or frequent dizzy spells?" in text
        assert "Migraine with aura" in text
        assert "¿Tiene vértigo" not in text and "Migraña con aura" not in text

    def test_numbers_and_dates_follow_the_language(self, answered_spanish_client):
        intake = Intake.objects.select_related("patient").get()
        assert intake.patient.date_of_birth == datetime.date(1987, 4, 12)

        page = answered_spanish_client.get("/intake/review/").content.decode()

        assert "12 de abril de 1987" in page
        assert "2\xa0000" in page
        english = answered_spanish_client.get(
            "/intake/review/", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert "April 12, 1987" in english.content.decode()

    def test_the_signed_consent_records_its_language_and_version(
        self, answered_spanish_client
    ):
        page = answered_spanish_client.get("/intake/consent/").content.decode()
        assert consent.text_in("es")[0] in page
        intake = Intake.objects.get()
        assert (intake.consent_language, intake.consent_version) == (
            "es",
            consent.VERSIONS["es"],
        )

    def test_the_confirmation_email_is_queued_in_the_patients_language_without_answers(
        self,
        answered_spanish_client,
    ):
        answered_spanish_client.post("/intake/review/", {"action": "next"})
        answered_spanish_client.post("/intake/review/", {"action": "next"})

        (email,) = Email.objects.filter(to=["rosa@example.com"])
        assert "recibimos su formulario" in email.subject
        assert "Qué pasa ahora" in email.message
        assert "(704) 555-0100" in email.message
        for answer in ("Delgado", "Feverfew", "vértigo", "Sertraline", "Penicillin"):
            assert answer not in email.subject + email.message
