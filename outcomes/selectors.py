"""Reads of the outcomes app: one row per treated course, in a fixed number of
queries whatever the number of courses (the outcomes page's test pins it), and the
follow-ups whose links are due or open."""

import datetime
import hashlib
from collections import Counter, defaultdict

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    Sum,
    Value,
)
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone

from outcomes import definitions
from outcomes.definitions import Measure
from outcomes.figures import (
    POINTS,
    SEVERITIES,
    SUSTAINED_POINTS,
    CourseRow,
    FollowUpRow,
    ServiceFigures,
    spread,
)
from outcomes.models import (
    AdverseEvent,
    CourseStatus,
    FollowUp,
    TreatmentCourse,
)
from referrals.models import Service

MIDAS_ITEMS = [f"midas_{n}" for n in range(1, 6)]
SERVICE = "referral__service__code"


def _treated(
    path: str = "",
    *,
    service: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> Q:
    """Courses with at least one attended session, by the day of the first one;
    ``path`` leads to the course from the model filtered (``"course__"``)."""
    treated = Q(**{f"{path}started_on__isnull": False})
    if service:
        treated &= Q(**{f"{path}{SERVICE}": service})
    if since:
        treated &= Q(**{f"{path}started_on__gte": since})
    if until:
        treated &= Q(**{f"{path}started_on__lte": until})
    return treated


def treated_courses(**filters):
    """Courses with at least one attended session, by the day of the first one."""
    return TreatmentCourse.objects.filter(_treated(**filters))


def course_rows(**filters) -> list[CourseRow]:
    """The treated courses as rows, for the CSV export: three queries."""
    courses = treated_courses(**filters)
    events = defaultdict(dict)
    for count in (
        AdverseEvent.objects.filter(session__course__in=courses.values("pk"))
        .values("session__course_id", "severity")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        events[count["session__course_id"]][count["severity"]] = count["n"]
    follow_ups = defaultdict(dict)
    for answer in FollowUp.objects.filter(course__in=courses.values("pk")).values(
        "course_id",
        "point",
        "answered_at",
        "current_pain",
        "headache_days",
        "pgic",
        *MIDAS_ITEMS,
    ):
        answered = answer["answered_at"] is not None
        follow_ups[answer["course_id"]][answer["point"]] = FollowUpRow(
            answered=answered,
            current_pain=answer["current_pain"],
            headache_days=answer["headache_days"],
            midas_total=(
                sum(answer[item] for item in MIDAS_ITEMS) if answered else None
            ),
            pgic=answer["pgic"],
        )
    intake = "referral__intake__"
    rows = []
    for course in courses.values(
        "pk",
        "referral__service__code",
        "status",
        "started_on",
        "ended_on",
        "sessions_attended",
        "pain_before_first",
        "pain_after_last",
        f"{intake}headache_days_per_month",
        f"{intake}patient__date_of_birth",
        *(f"{intake}{item}" for item in MIDAS_ITEMS),
    ).order_by("started_on", "pk"):
        midas = [course[f"{intake}{item}"] for item in MIDAS_ITEMS]
        rows.append(
            CourseRow(
                course=str(course["pk"])[:8],
                service=course["referral__service__code"],
                status=course["status"],
                started_on=course["started_on"],
                ended_on=course["ended_on"],
                sessions_attended=course["sessions_attended"],
                pain_before_first=course["pain_before_first"],
                pain_after_last=course["pain_after_last"],
                baseline_headache_days=course[f"{intake}headache_days_per_month"],
                baseline_midas=None if None in midas else sum(midas),
                birth_year=course[f"{intake}patient__date_of_birth"].year,
                adverse_events=events.get(course["pk"], {}),
                follow_ups=follow_ups.get(course["pk"], {}),
            )
        )
    return rows


# The figures, counted by the database. Each condition below is a definition of
# ``outcomes.definitions`` said in SQL, with its constants; the tests hold every
# count to the definitions applied course by course (``CourseRow``), on both sides
# of each threshold. Whole numbers only, so SQLite and PostgreSQL count alike.

ENDED = Q(ended_on__isnull=False)
BASELINE_DAYS = F("referral__intake__headache_days_per_month")


def _pain_fell(start, end, holds: bool) -> Q:
    """``definitions.pain_response``'s test: pain fell by at least
    ``PAIN_RESPONSE_DECREASE`` from ``start`` to ``end`` (or, ``holds=False``, by
    less). Neither when either score is missing."""
    lookup = GreaterThanOrEqual if holds else LessThan
    return Q(lookup(start - end, definitions.PAIN_RESPONSE_DECREASE))


def _days_halved(at_follow_up, holds: bool) -> Q:
    """``definitions.headache_days_response``: at least
    ``HEADACHE_DAYS_RESPONSE_REDUCTION`` fewer headache days than the intake's (in
    whole numbers: reduction x denominator >= baseline x numerator). Neither
    without headache days at baseline."""
    share = definitions.HEADACHE_DAYS_RESPONSE_REDUCTION
    lookup = GreaterThanOrEqual if holds else LessThan
    return Q(referral__intake__headache_days_per_month__gt=0) & Q(
        lookup(
            (BASELINE_DAYS - at_follow_up) * share.denominator,
            BASELINE_DAYS * share.numerator,
        )
    )


def _counters(today: datetime.date) -> dict:
    """What is counted of each service's courses: each measure's patients,
    responders and non-responders (the rest of its patients are lost), and the
    sessions attended."""
    first, last = F("pain_before_first"), F("pain_after_last")
    responded = _pain_fell(first, last, True)
    not_responded = _pain_fell(first, last, False)
    counters = {
        "treated": Count("pk"),
        "sessions": Sum("sessions_attended"),
        "completed": Count("pk", filter=Q(status=CourseStatus.COMPLETED)),
        "discontinued": Count("pk", filter=Q(status=CourseStatus.DISCONTINUED)),
        "immediate": Count("pk", filter=ENDED),
        "immediate_yes": Count("pk", filter=ENDED & responded),
        "immediate_no": Count("pk", filter=ENDED & not_responded),
    }
    for point in SUSTAINED_POINTS:
        answered = Q(**{f"follow_up_{point}__answered_at__isnull": False})
        current = F(f"follow_up_{point}__current_pain")
        days = F(f"follow_up_{point}__headache_days")
        # definitions.follow_up_state: no longer pending once answered, or once
        # its time point and answer days have passed unanswered.
        lost_from = today - datetime.timedelta(
            days=definitions.FOLLOW_UP_DAYS[point] + definitions.FOLLOW_UP_ANSWER_DAYS
        )
        counted = ENDED & (answered | Q(ended_on__lte=lost_from))
        counters |= {
            f"sustained_{point}": Count("pk", filter=counted),
            f"sustained_{point}_yes": Count(
                "pk",
                filter=ENDED & answered & responded & _pain_fell(first, current, True),
            ),
            f"sustained_{point}_no": Count(
                "pk",
                filter=counted
                & (
                    not_responded
                    | (answered & responded & _pain_fell(first, current, False))
                ),
            ),
            f"preventive_{point}": Count("pk", filter=counted),
            f"preventive_{point}_yes": Count(
                "pk", filter=ENDED & answered & _days_halved(days, True)
            ),
            f"preventive_{point}_no": Count(
                "pk", filter=ENDED & answered & _days_halved(days, False)
            ),
        }
    return counters


def _measure(counts: dict, name: str) -> Measure:
    responders, non_responders = counts[f"{name}_yes"], counts[f"{name}_no"]
    return Measure(
        responders=responders,
        non_responders=non_responders,
        lost_to_follow_up=counts[name] - responders - non_responders,
    )


def _counted(queryset, *fields, **values) -> list[dict]:
    """How many rows have each combination of ``fields`` and ``values``."""
    return list(queryset.values(*fields, **values).annotate(n=Count("pk")).order_by())


def _spreads(filters: dict) -> dict[str, dict[tuple, Counter]]:
    """Headache days at the intake (point ``"baseline"``) and at each answered
    follow-up of an ended course, and their changes (and MIDAS's) from the intake:
    how many times each value occurs, by service and point. Three queries."""
    spreads = {
        name: defaultdict(Counter)
        for name in ("baseline", "headache_days", "headache_days_change")
    }
    for row in _counted(
        treated_courses(**filters), service=F(SERVICE), value=BASELINE_DAYS
    ):
        if row["value"] is not None:
            spreads["baseline"][row["service"], "baseline"][row["value"]] += row["n"]
    answered = FollowUp.objects.filter(
        _treated("course__", **filters),
        course__ended_on__isnull=False,
        answered_at__isnull=False,
    )
    intake = "course__referral__intake__"
    for row in _counted(
        answered,
        "point",
        "headache_days",
        service=F(f"course__{SERVICE}"),
        baseline=F(f"{intake}headache_days_per_month"),
    ):
        key = row["service"], row["point"]
        spreads["headache_days"][key][row["headache_days"]] += row["n"]
        if row["baseline"] is not None:
            change = row["headache_days"] - row["baseline"]
            spreads["headache_days_change"][key][change] += row["n"]
    spreads["midas_change"] = defaultdict(Counter)
    for row in _counted(
        answered.filter(**{f"{intake}{item}__isnull": False for item in MIDAS_ITEMS}),
        "point",
        service=F(f"course__{SERVICE}"),
        value=ExpressionWrapper(
            sum((F(item) for item in MIDAS_ITEMS), Value(0))
            - sum((F(f"{intake}{item}") for item in MIDAS_ITEMS), Value(0)),
            output_field=IntegerField(),
        ),
    ):
        spreads["midas_change"][row["service"], row["point"]][row["value"]] = row["n"]
    return spreads


def outcome_figures(
    *,
    service: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    today: datetime.date | None = None,
) -> list[ServiceFigures]:
    """Each service's figures (all services, or the one asked for), counted by the
    database: six queries whatever the number of courses (the services, their
    measures, three counts of values for the medians, the adverse events)."""
    today = today or timezone.localdate()
    filters = {"service": service, "since": since, "until": until}
    courses = treated_courses(**filters)
    services = Service.objects.order_by("pk")
    if service:
        services = services.filter(code=service)
    counts = {
        row["service"]: row
        for row in courses.annotate(
            service=F(SERVICE),
            **{
                f"follow_up_{point}": FilteredRelation(
                    "follow_ups", condition=Q(follow_ups__point=point)
                )
                for point in SUSTAINED_POINTS
            },
        )
        .values("service")
        .annotate(**_counters(today))
        .order_by()
    }
    spreads = _spreads(filters)
    events = defaultdict(Counter)
    for row in _counted(
        AdverseEvent.objects.filter(_treated("session__course__", **filters)),
        "severity",
        service=F(f"session__course__{SERVICE}"),
    ):
        events[row["service"]][row["severity"]] = row["n"]
    nobody = defaultdict(int)
    figures = []
    for s in services:
        count = counts.get(s.code, nobody)
        figures.append(
            ServiceFigures(
                code=s.code,
                name=s.name,
                treated=count["treated"],
                completed=count["completed"],
                discontinued=count["discontinued"],
                immediate=_measure(count, "immediate"),
                sustained={
                    point: _measure(count, f"sustained_{point}")
                    for point in SUSTAINED_POINTS
                },
                preventive=(
                    {
                        point: _measure(count, f"preventive_{point}")
                        for point in SUSTAINED_POINTS
                    }
                    if s.code in definitions.PREVENTIVE_SERVICES
                    else None
                ),
                headache_days={
                    "baseline": spread(spreads["baseline"][s.code, "baseline"]),
                    **{
                        point: spread(spreads["headache_days"][s.code, point])
                        for point in POINTS
                    },
                },
                headache_days_change={
                    point: spread(spreads["headache_days_change"][s.code, point])
                    for point in POINTS
                },
                midas_change={
                    point: spread(spreads["midas_change"][s.code, point])
                    for point in POINTS
                },
                sessions=count["sessions"],
                adverse_events={
                    severity: events[s.code][severity] for severity in SEVERITIES
                },
                published=definitions.published_for(s.code),
            )
        )
    return figures


def token_hash(token: str) -> str:
    """The SHA-256 of a follow-up link's token: all a follow-up stores of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def _open_on(today: datetime.date) -> Q:
    """Follow-ups whose time point has come and whose answer days have not passed."""
    window = Q()
    for point, days in definitions.FOLLOW_UP_DAYS.items():
        window |= Q(
            point=point,
            course__ended_on__lte=today - datetime.timedelta(days=days),
            course__ended_on__gt=today
            - datetime.timedelta(days=days + definitions.FOLLOW_UP_ANSWER_DAYS),
        )
    return window


def follow_ups_due(*, today: datetime.date):
    """Unanswered follow-ups whose link is due, or due a reminder, today."""
    remind_before = timezone.now() - datetime.timedelta(
        days=definitions.FOLLOW_UP_REMINDER_DAYS
    )
    return (
        FollowUp.objects.filter(_open_on(today), answered_at__isnull=True)
        .exclude(course__referral__intake__patient__email="")
        .filter(
            Q(sent_at__isnull=True)
            | Q(sent_at__lte=remind_before, reminded_at__isnull=True)
        )
        .order_by("pk")
    )


def follow_up_for_link(*, token: str, today: datetime.date) -> FollowUp | None:
    """The follow-up a private link opens, or ``None``: unknown, replaced by a
    reminder's link, answered already (single use) or past its answer days."""
    return (
        FollowUp.objects.filter(
            _open_on(today), token_hash=token_hash(token), answered_at__isnull=True
        )
        .select_related("course__referral__intake__patient")
        .first()
    )
