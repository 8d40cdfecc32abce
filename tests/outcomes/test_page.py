"""The outcomes page: who sees it, what it shows, its fixed query count, and the
audited, de-identified CSV."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import roles
from clinic.models import AuditEntry
from outcomes import definitions
from outcomes.forms import default_since
from outcomes.views import CSV_COLUMNS, birth_year_cell
from tests.factories import UserFactory
from tests.outcomes.builders import ended_course

pytestmark = pytest.mark.django_db

PAGE = "admin:outcomes_outcomesreport_changelist"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.PHYSICIAN, 200),
        (roles.CLINIC_MANAGER, 200),
        (roles.FRONT_DESK, 403),
        (roles.CLINICIAN, 403),
    ],
)
def test_managers_and_physicians_see_the_page_others_do_not(client, role, status):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse(PAGE)).status_code == status
    assert client.get(reverse("admin:outcomes_rows_csv")).status_code == status


def test_a_backwards_date_range_is_refused_beside_the_field(physician_client):
    response = physician_client.get(
        reverse(PAGE), {"since": "2026-06-01", "until": "2026-05-01"}
    )
    assert response.status_code == 200
    assert "The end comes before the start." in response.content.decode()


@pytest.mark.parametrize(
    ("birth_year", "cell"),
    [(1937, "1937"), (1936, "90 or older"), (1920, "90 or older")],
)
def test_the_csv_gives_no_birth_year_that_may_reveal_an_age_over_89(birth_year, cell):
    # In 2026 someone born in 1937 is 88 or 89; born in 1936, possibly 90.
    assert birth_year_cell(birth_year, 2026) == cell


def test_the_page_opens_on_the_last_year_and_a_range_reaches_further(
    physician_client,
):
    ended_course([(8, 3)], days_ago=400)
    ended_course([(8, 7)], days_ago=100)
    page = physician_client.get(reverse(PAGE)).content.decode()
    assert "0/1 (0%)" in page  # only the course begun within the year
    assert f'value="{default_since().isoformat()}"' in page  # the period, shown
    whole = physician_client.get(
        reverse(PAGE), {"since": "2020-01-01", "service": "ketamine"}
    ).content.decode()
    assert "1/2 (50%)" in whole


def test_the_page_says_how_it_counts_from_the_definitions_and_cites_their_sources(
    physician_client, monkeypatch
):
    monkeypatch.setattr(definitions, "FOLLOW_UP_ANSWER_DAYS", 28)
    html = physician_client.get(reverse(PAGE)).content.decode()
    assert "1 week after the course; 1 month after the course; 3 months" in html
    assert "unanswered 28 days after its time point counts as lost" in html
    for source in (
        definitions.SCHWENK_2018,
        definitions.POMEROY_2017,
        definitions.IHS_PREVENTIVE_TRIALS,
    ):
        assert source.citation in html
    assert "docs/" not in html  # a repository path a physician cannot open


class TestThreeCourses:
    """Tests reading the same three ended courses, made once for them."""

    def test_the_page_shows_the_figures_beside_the_published_ones(
        self, physician_client, three_courses
    ):
        response = physician_client.get(reverse(PAGE), {"service": "ketamine"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "2/3 (67%)" in html  # immediate, as non-responders
        assert "21%–94%" in html  # its Wilson interval
        assert "1/3 (33%)" in html  # sustained at 1 month, the lost as non-responders
        assert "1/2 (50%)" in html  # the same, the lost excluded
        assert "Schwenk 2018" in html and "Pomeroy 2017" in html
        assert html.count('class="outcomes-chart"') == 2
        assert "<script" not in html.split('id="content-main"')[1]
        assert "style=" not in html.split('id="content-main"')[1]
        # The answered 1-month follow-up: 6 headache days against the intake's 18.
        assert "-12" in html

    def test_the_page_takes_the_same_queries_whatever_the_number_of_courses(
        self, physician_client, three_courses
    ):
        physician_client.get(reverse(PAGE))  # the session's first save
        with CaptureQueriesContext(connection) as few:
            physician_client.get(reverse(PAGE))
        ended_course([(7, 3)], days_ago=40)
        ended_course([(6, 2)], days_ago=50, service="yoga")
        with CaptureQueriesContext(connection) as more:
            response = physician_client.get(reverse(PAGE))
        assert "Yoga" in response.content.decode()
        assert len(more) == len(few)

    def test_the_csv_is_de_identified_and_its_download_audited(
        self, manager_client, three_courses
    ):
        before = AuditEntry.objects.count()
        response = manager_client.get(reverse("admin:outcomes_rows_csv"))
        body = b"".join(response.streaming_content).decode()
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0] == CSV_COLUMNS
        assert len(rows) == 4
        first = dict(zip(rows[0], rows[1], strict=True))
        assert first["birth_year"] == "1987"
        assert first["immediate_responder"] == "yes"
        assert first["1m_state"] == "answered"
        assert first["1m_sustained_responder"] == "yes"
        assert first["3m_state"] == "lost"
        assert "P-0" not in body and "Avery" not in body and "Whitfield" not in body
        assert "1987-04-12" not in body
        entry = AuditEntry.objects.order_by("pk")[before:].get()
        assert entry.additional_data["patients_covered"] == 3
