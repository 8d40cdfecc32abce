"""outcomes_report --json: the issue's stable shape, the lost counted as
non-responders, pending follow-ups counted neither way; and the figures' query count
does not grow with the courses."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outcomes import definitions
from outcomes.selectors import outcome_figures
from tests.outcomes.builders import ended_course

pytestmark = pytest.mark.django_db


def report(*args) -> dict:
    out = StringIO()
    call_command("outcomes_report", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_follow_ups_not_yet_due_are_counted_neither_way(db):
    ended_course([(8, 4)], days_ago=10)
    (k,) = report("--service", "ketamine")["services"]
    assert k["immediate"]["patients"] == 1
    assert k["sustained_1m"]["patients"] == 0
    assert k["sustained_1m"]["rate"] is None


class TestThreeCourses:
    """Tests reading the same three ended courses, made once for them."""

    def test_the_json_has_the_issues_shape_and_counts(self, three_courses):
        ketamine = report("--service", "ketamine")["services"]
        assert [s["code"] for s in ketamine] == ["ketamine"]
        (k,) = ketamine
        assert set(k) == {
            "code",
            "immediate",
            "sustained_1m",
            "sustained_3m",
            "published",
        }
        low, high = definitions.wilson_interval(2, 3)
        assert k["immediate"] == {
            "responders": 2,
            "patients": 3,
            "lost_to_follow_up": 0,
            "rate": 2 / 3,
            "ci95": [low, high],
        }
        # The 1-month answer keeps 3 points off the first score; the non-responder
        # stays one; the one who never answered is lost, counted as a non-responder.
        assert k["sustained_1m"]["responders"] == 1
        assert k["sustained_1m"]["patients"] == 3
        assert k["sustained_1m"]["lost_to_follow_up"] == 1
        assert k["sustained_3m"]["responders"] == 0
        assert k["sustained_3m"]["patients"] == 3
        assert k["sustained_3m"]["lost_to_follow_up"] == 2
        assert k["sustained_3m"]["rate"] == 0.0
        assert k["published"] == [
            {
                "source": "Schwenk 2018",
                "immediate": 0.77,
                "sustained_1m": 0.40,
                "sustained_3m": 0.39,
            },
            {
                "source": "Pomeroy 2017",
                "immediate": 0.714,
                "sustained_1m": 0.273,
                "sustained_3m": None,
            },
        ]

    def test_a_service_without_patients_has_null_rates(self, three_courses):
        (yoga,) = report("--service", "yoga")["services"]
        assert yoga["immediate"] == {
            "responders": 0,
            "patients": 0,
            "lost_to_follow_up": 0,
            "rate": None,
            "ci95": None,
        }
        assert yoga["published"] == []
        assert [s["code"] for s in report()["services"]] == [
            "ketamine",
            "botox",
            "acupuncture",
            "massage",
            "yoga",
        ]

    def test_since_leaves_out_earlier_courses(self, three_courses):
        later = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
        (k,) = report("--service", "ketamine", "--since", later)["services"]
        assert k["immediate"]["patients"] == 0

    def test_the_figures_take_the_same_queries_for_one_course_or_four(
        self, three_courses
    ):
        with CaptureQueriesContext(connection) as few:
            outcome_figures()
        ended_course([(7, 3)], days_ago=40)
        with CaptureQueriesContext(connection) as more:
            figures = outcome_figures()
        assert sum(f.treated for f in figures) == 4
        # The services, their measures, three counts of values, the adverse events.
        assert len(more) == len(few) == 6

    def test_the_text_report_reads_for_a_person_and_a_bad_date_is_refused(
        self, three_courses
    ):
        out = StringIO()
        call_command("outcomes_report", "--service", "ketamine", stdout=out)
        text = out.getvalue()
        assert "3 treated, 2 completed" in text
        assert "immediate     2/3 67% (95% CI 21%-94%), 0 lost to follow-up" in text
        assert "published: Schwenk 2018, 61 patients: immediate 77%" in text
        with pytest.raises(CommandError):
            call_command("outcomes_report", "--since", "last week")
