"""The outcomes page's figures, counted by the database, are the definitions'.

Courses on both sides of every threshold (the 2-point fall in pain, the halved
headache days, the day a follow-up is lost) are counted by ``outcome_figures`` and,
course by course, by the pure definitions (``CourseRow``, the CSV's rows): the two
must agree on every figure, on SQLite and on PostgreSQL. The median and quartiles
from counted values are checked against ``statistics`` without a database.
"""

import datetime
import random
import statistics
from collections import Counter

import pytest
from django.utils import timezone

from clinic import roles
from intake.models import Intake
from outcomes import definitions, services
from outcomes.figures import (
    POINTS,
    SEVERITIES,
    SUSTAINED_POINTS,
    ServiceFigures,
    Spread,
    spread,
)
from outcomes.models import (
    AdverseEvent,
    FollowUp,
    TreatmentCourse,
    TreatmentSession,
)
from outcomes.selectors import course_rows, outcome_figures
from referrals.models import Referral, Service
from tests.factories import UserFactory, intake_batch
from tests.outcomes.builders import open_course, scheduled_referral, staff

# statistics.median and quantiles(method="inclusive") of the values written out.


def written_out(values: list[int]) -> Spread:
    if not values:
        return Spread(0, None, None, None)
    if len(values) == 1:
        return Spread(1, values[0], values[0], values[0])
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(len(values), statistics.median(values), q1, q3)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 57, 1000])
def test_the_spread_of_counted_values_is_statistics_of_the_values(size):
    rng = random.Random(size)
    values = [rng.randint(-30, 30) for _ in range(size)]
    assert spread(Counter(values)) == written_out(values)
    # Few distinct values, many times each: the database's usual counts.
    repeated = [rng.choice([0, 4, 18]) for _ in range(size)]
    assert spread(Counter(repeated)) == written_out(repeated)


def test_a_value_counted_zero_times_is_not_a_value():
    assert spread({3: 2, 9: 0}) == written_out([3, 3])


# The same figures, course by course: each CourseRow applies outcomes.definitions.


def by_definitions(code, name, rows, today) -> ServiceFigures:
    ended = [row for row in rows if row.ended]

    def counted(row, point):
        return row.follow_up_state(point, today) != "pending"

    answered = {
        point: [r for r in ended if r.follow_up_state(point, today) == "answered"]
        for point in POINTS
    }
    baseline = [r.baseline_headache_days for r in rows]
    return ServiceFigures(
        code=code,
        name=name,
        treated=len(rows),
        completed=sum(row.status == "completed" for row in rows),
        discontinued=sum(row.status == "discontinued" for row in rows),
        immediate=definitions.measure(row.immediate() for row in ended),
        sustained={
            point: definitions.measure(
                row.sustained(point, today) for row in ended if counted(row, point)
            )
            for point in SUSTAINED_POINTS
        },
        preventive=(
            {
                point: definitions.measure(
                    row.preventive(point, today) for row in ended if counted(row, point)
                )
                for point in SUSTAINED_POINTS
            }
            if code in definitions.PREVENTIVE_SERVICES
            else None
        ),
        headache_days={
            "baseline": written_out([b for b in baseline if b is not None]),
            **{
                point: written_out(
                    [r.follow_ups[point].headache_days for r in answered[point]]
                )
                for point in POINTS
            },
        },
        headache_days_change={
            point: written_out(
                [
                    r.follow_ups[point].headache_days - r.baseline_headache_days
                    for r in answered[point]
                    if r.baseline_headache_days is not None
                ]
            )
            for point in POINTS
        },
        midas_change={
            point: written_out(
                [
                    r.follow_ups[point].midas_total - r.baseline_midas
                    for r in answered[point]
                    if r.baseline_midas is not None
                ]
            )
            for point in POINTS
        },
        sessions=sum(row.sessions_attended for row in rows),
        adverse_events={
            severity: sum(row.adverse_events.get(severity, 0) for row in rows)
            for severity in SEVERITIES
        },
        published=definitions.published_for(code),
    )


# Courses written straight to the tables (many, quickly), on copies of one real
# scheduled referral: (service, [(pain before, after) or None for a missed
# session], days since the last session or None if open, how it ended, the
# intake's headache days and MIDAS items, {point: (current pain, headache days)}).

DECREASE = definitions.PAIN_RESPONSE_DECREASE
LOST_1M = definitions.FOLLOW_UP_DAYS["1m"] + definitions.FOLLOW_UP_ANSWER_DAYS
LOST_3M = definitions.FOLLOW_UP_DAYS["3m"] + definitions.FOLLOW_UP_ANSWER_DAYS
MIDAS = (4, 6, 5, 7, 3)

COURSES = [
    # The immediate response: exactly the decrease, one short, a score missing.
    ("ketamine", [(8, 8 - DECREASE)], 120, "completed", 18, MIDAS, {}),
    ("ketamine", [(8, 9 - DECREASE)], 120, "completed", 18, MIDAS, {}),
    ("ketamine", [(None, 3)], 120, "completed", 18, MIDAS, {}),
    ("ketamine", [(7, None)], 120, "discontinued", 18, MIDAS, {}),
    # First attended session's pain before, last attended one's after.
    ("ketamine", [None, (8, 7), (7, 6), None], 120, "completed", 18, MIDAS, {}),
    ("ketamine", [(6, 6), (9, 3)], 120, "completed", 18, MIDAS, {}),
    # Sustained: still the decrease below the first score, or one short.
    ("ketamine", [(8, 3)], 120, "completed", 18, MIDAS, {"1m": (8 - DECREASE, 9)}),
    ("ketamine", [(8, 3)], 120, "completed", 18, MIDAS, {"1m": (9 - DECREASE, 9)}),
    ("ketamine", [(8, 3)], 120, "completed", None, MIDAS, {"3m": (2, 4)}),
    ("ketamine", [(8, 7)], 120, "completed", 18, MIDAS, {"1m": (0, 2)}),
    # The day a follow-up is lost, and the day before (pending: not counted).
    ("ketamine", [(9, 2)], LOST_1M, "completed", 18, MIDAS, {}),
    ("ketamine", [(9, 2)], LOST_1M - 1, "completed", 18, MIDAS, {}),
    ("ketamine", [(9, 9)], LOST_1M - 1, "completed", 18, MIDAS, {}),
    ("ketamine", [(9, 2)], LOST_3M, "completed", 18, MIDAS, {"1m": (1, 20)}),
    ("ketamine", [(9, 2)], LOST_3M - 1, "discontinued", 18, None, {"1m": (4, 3)}),
    # Under way: treated, not yet counted at any time point.
    ("ketamine", [(9, 2)], None, "open", 18, MIDAS, {}),
    # Preventive: headache days halved exactly, one day short, nothing to halve.
    ("botox", [(6, 5)], 120, "completed", 18, MIDAS, {"1m": (4, 9), "3m": (4, 10)}),
    ("botox", [(6, 5)], 120, "completed", 1, MIDAS, {"1m": (4, 0), "3m": (4, 1)}),
    ("botox", [(6, 5)], 120, "completed", 0, MIDAS, {"1m": (4, 0)}),
    ("botox", [(6, 5)], 120, "completed", 15, (0, 0, 1, 0, 0), {"1m": (4, 7)}),
    ("botox", [(6, 5)], 120, "completed", 15, MIDAS, {"1m": (4, 8)}),
    ("botox", [(7, 2)], LOST_1M - 1, "completed", 15, MIDAS, {}),
    ("yoga", [(5, 3)], 400, "completed", 20, MIDAS, {"1m": (3, 12)}),
]


def write_courses(courses) -> None:
    model = scheduled_referral()
    copied = {
        field.attname: getattr(model, field.attname)
        for field in Referral._meta.concrete_fields
        if field.name not in {"id", "intake", "service"}
    }
    desk = UserFactory(role=roles.FRONT_DESK)
    today = timezone.localdate()
    intakes = intake_batch(len(courses))
    services = {s.code: s for s in Service.objects.all()}
    for number, (intake, course) in enumerate(zip(intakes, courses, strict=True)):
        code, sessions, days_ago, status, days, midas, answers = course
        Intake.objects.filter(pk=intake.pk).update(
            headache_days_per_month=days,
            migraine_days_per_month=None if days is None else min(days, 8),
            **{f"midas_{n}": v for n, v in enumerate(midas or [None] * 5, start=1)},
        )
        referral = Referral.objects.create(
            intake=intake,
            service=services[code],
            **copied,
        )
        last = today - datetime.timedelta(days=days_ago or 0)
        ended = status != "open"
        row = TreatmentCourse.objects.create(
            referral=referral,
            planned_sessions=len(sessions),
            status=status,
            ended_on=last if ended else None,
            end_note="Moved away" if status == "discontinued" else "",
            opened_by=desk,
            ended_by=desk if ended else None,
        )
        for day, pains in enumerate(sessions):
            session = TreatmentSession.objects.create(
                course=row,
                date=last - datetime.timedelta(days=len(sessions) - 1 - day),
                attended=pains is not None,
                pain_before=pains[0] if pains else None,
                pain_after=pains[1] if pains else None,
            )
            if pains and number % 3 == day % 3:
                AdverseEvent.objects.create(
                    session=session,
                    kind="nausea",
                    severity=SEVERITIES[number % 3],
                )
        TreatmentCourse.objects.filter(pk=row.pk).summarize_sessions()
        if not ended:
            continue
        for point in POINTS:
            answer = answers.get(point)
            FollowUp.objects.create(
                course=row,
                point=point,
                **(
                    {
                        "answered_at": timezone.now(),
                        "current_pain": answer[0],
                        "headache_days": answer[1],
                        "migraine_days": 0,
                        "worst_pain": 9,
                        "pgic": 2,
                        **{f"midas_{n}": number % 4 + n for n in range(1, 6)},
                    }
                    if answer
                    else {}
                ),
            )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"service": "botox"},
        {"since": timezone.localdate() - datetime.timedelta(days=LOST_1M + 2)},
        {"until": timezone.localdate() - datetime.timedelta(days=LOST_3M)},
    ],
)
def test_the_databases_figures_are_the_definitions_course_by_course(filters):
    write_courses(COURSES)
    today = timezone.localdate()
    figures = outcome_figures(**filters, today=today)
    rows = course_rows(**filters)
    assert rows  # something to count
    for f in figures:
        expected = by_definitions(
            f.code, f.name, [r for r in rows if r.service == f.code], today
        )
        assert f == expected, f.code
    if not filters:
        (ketamine,) = [f for f in figures if f.code == "ketamine"]
        # Both sides of each threshold were reached.
        assert ketamine.immediate.responders and ketamine.immediate.non_responders
        assert ketamine.immediate.lost_to_follow_up
        for point in SUSTAINED_POINTS:
            sustained = ketamine.sustained[point]
            assert sustained.responders and sustained.non_responders
            assert sustained.lost_to_follow_up
        preventive = next(f for f in figures if f.code == "botox").preventive["1m"]
        assert preventive.responders and preventive.non_responders
        assert preventive.lost_to_follow_up


@pytest.mark.django_db
def test_each_saved_session_keeps_the_courses_summary_of_its_sessions():
    course = open_course()
    doctor = staff(roles.PHYSICIAN)
    day = datetime.date(2026, 9, 2)

    def save(session):
        services.session_save(session=session, user=doctor)
        course.refresh_from_db()
        return (
            course.started_on,
            course.pain_before_first,
            course.pain_after_last,
            course.sessions_attended,
        )

    second = TreatmentSession(course=course, date=day, pain_before=7, pain_after=5)
    assert save(second) == (day, 7, 5, 1)
    earlier = day - datetime.timedelta(days=1)
    first = TreatmentSession(course=course, date=earlier, pain_before=9, pain_after=8)
    assert save(first) == (earlier, 9, 5, 2)
    missed = TreatmentSession(
        course=course, date=day + datetime.timedelta(days=1), attended=False
    )
    assert save(missed) == (earlier, 9, 5, 2)  # a missed session is not the last
    first.pain_before = 8
    assert save(first) == (earlier, 8, 5, 2)
    first.attended, first.pain_before, first.pain_after = False, None, None
    assert save(first) == (day, 7, 5, 1)
