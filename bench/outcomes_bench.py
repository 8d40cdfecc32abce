"""The outcomes page's figures at scale: ``python -m bench.outcomes_bench [COURSES]``.

Gives the benchmark database treatment courses for ``COURSE_SHARE`` of its intakes
(one per referral, as far as referrals go; 1,000,000 intakes get 100,000 courses),
unless it has them (or COURSES of them, for a trial at a small scale): five sessions
each, the follow-ups at 1 week, 1 month and 3 months with two answered, an adverse
event in one session of twenty. Then times what the outcomes page computes
(``outcomes.selectors.outcome_figures``) for the most recent tenth of the courses
(the page filtered by date: the same-run baseline) and for all of them, and prints
one JSON line: courses, seconds (median of three) and queries of each.
"""

import datetime
import json
import random
import statistics
import sys
import time

COURSE_SHARE = 0.1
BATCH = 5000
REPEATS = 3


def _add_courses(target: int) -> None:
    from bench import scale
    from outcomes.models import (
        AdverseEvent,
        FollowUp,
        TreatmentCourse,
        TreatmentSession,
    )
    from referrals.models import Referral

    frontdesk, _ = scale.bench_users()
    rng = random.Random(2026)
    today = datetime.date.today()
    wanted = target - TreatmentCourse.objects.count()
    free = Referral.objects.filter(treatment_course__isnull=True).values_list(
        "pk", flat=True
    )[: max(wanted, 0)]
    ids = list(free)
    answered = datetime.datetime.now(datetime.UTC)
    for start in range(0, len(ids), BATCH):
        courses = TreatmentCourse.objects.bulk_create(
            TreatmentCourse(
                referral_id=pk,
                planned_sessions=5,
                status=TreatmentCourse.Status.COMPLETED,
                ended_on=today - datetime.timedelta(days=rng.randint(1, 730)),
                opened_by=frontdesk,
                ended_by=frontdesk,
            )
            for pk in ids[start : start + BATCH]
        )
        sessions = TreatmentSession.objects.bulk_create(
            TreatmentSession(
                course=course,
                date=course.ended_on - datetime.timedelta(days=4 - day),
                pain_before=rng.randint(5, 9),
                pain_after=rng.randint(1, 8),
            )
            for course in courses
            for day in range(5)
        )
        TreatmentCourse.objects.filter(
            pk__in=[course.pk for course in courses]
        ).summarize_sessions()
        AdverseEvent.objects.bulk_create(
            AdverseEvent(session=session, kind="nausea", severity="mild")
            for session in sessions
            if rng.random() < 0.05
        )
        FollowUp.objects.bulk_create(
            FollowUp(
                course=course,
                point=point,
                answered_at=answered if point != "3m" else None,
                **(
                    {
                        "headache_days": rng.randint(2, 20),
                        "migraine_days": 1,
                        "current_pain": rng.randint(0, 8),
                        "worst_pain": 9,
                        "pgic": rng.randint(1, 7),
                        **{f"midas_{n}": rng.randint(0, 10) for n in range(1, 6)},
                    }
                    if point != "3m"
                    else {}
                ),
            )
            for course in courses
            for point in ("1w", "1m", "3m")
        )
    print(f"courses: {TreatmentCourse.objects.count():,}", file=sys.stderr)


def _time(**filters) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from outcomes.selectors import outcome_figures

    seconds = []
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            figures = outcome_figures(**filters)
            seconds.append(time.perf_counter() - started)
    return {
        "courses": sum(f.treated for f in figures),
        "seconds": statistics.median(seconds),
        "queries": len(queries),
    }


def main() -> int:
    import django

    django.setup()
    from django.db import connection

    from intake.models import Intake
    from outcomes.models import TreatmentCourse

    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else None
    _add_courses(wanted or int(Intake.objects.count() * COURSE_SHARE))
    with connection.cursor() as cursor:  # statistics for the rows just added
        cursor.execute("ANALYZE")
    days = sorted(
        TreatmentCourse.objects.values_list("sessions__date", flat=True)
        .filter(sessions__date__isnull=False)
        .distinct()
    )
    recent = days[len(days) * 9 // 10] if days else None
    print(json.dumps({"tenth": _time(since=recent), "all": _time()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
