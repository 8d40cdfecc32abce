"""The outcomes tests' shared courses."""

import pytest

from outcomes import services
from tests.conftest import rolled_back_after
from tests.outcomes.builders import FOLLOW_UP, ended_course


@pytest.fixture(scope="class")
def three_courses(django_db_setup, django_db_blocker):
    """Ended 120 days ago: 1m is answered or lost, 3m (due 91 + 21) lost if unanswered.

    A responder who kept it at 1 month and did not answer at 3; a non-responder; a
    responder who stopped early and never answered. Made once for a test class (each
    test's writes are rolled back); a test outside a class gets its own.
    """
    with rolled_back_after(django_db_blocker):
        kept = ended_course([(8, 6), (6, 4)], days_ago=120)
        services.follow_up_answer(
            follow_up=kept.follow_ups.get(point="1m"), answers=FOLLOW_UP
        )
        ended_course([(8, 7)], days_ago=120)
        ended_course([(9, 5)], days_ago=120, discontinue=True)
        yield
