"""Reads of the outcomes app: one row per treated course, in a fixed number of
queries whatever the number of courses (the outcomes page's test pins it), and the
follow-ups whose links are due or open."""

import datetime
import hashlib
from collections import defaultdict

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from outcomes import definitions
from outcomes.figures import CourseRow, FollowUpRow, ServiceFigures, service_figures
from outcomes.models import AdverseEvent, FollowUp, TreatmentCourse, TreatmentSession
from referrals.models import Service

MIDAS_ITEMS = [f"midas_{n}" for n in range(1, 6)]


def _count(queryset, group: str):
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def treated_courses(
    *,
    service: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
):
    """Courses with at least one attended session, by the day of the first one."""
    attended = TreatmentSession.objects.filter(course=OuterRef("pk"), attended=True)
    courses = TreatmentCourse.objects.annotate(
        started_on=Subquery(attended.order_by("date").values("date")[:1]),
        pain_before_first=Subquery(attended.order_by("date").values("pain_before")[:1]),
        pain_after_last=Subquery(attended.order_by("-date").values("pain_after")[:1]),
        sessions_attended=_count(attended, "course"),
    ).filter(started_on__isnull=False)
    if service:
        courses = courses.filter(referral__service__code=service)
    if since:
        courses = courses.filter(started_on__gte=since)
    if until:
        courses = courses.filter(started_on__lte=until)
    return courses


def course_rows(**filters) -> list[CourseRow]:
    """The treated courses as rows: three queries."""
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


def outcome_figures(
    *,
    service: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    today: datetime.date | None = None,
) -> tuple[list[ServiceFigures], list[CourseRow]]:
    """Each service's figures (all services, or the one asked for) and the rows
    behind them: four queries."""
    today = today or timezone.localdate()
    rows = course_rows(service=service, since=since, until=until)
    services = Service.objects.order_by("pk")
    if service:
        services = services.filter(code=service)
    by_service = defaultdict(list)
    for row in rows:
        by_service[row.service].append(row)
    figures = [
        service_figures(code=s.code, name=s.name, rows=by_service[s.code], today=today)
        for s in services
    ]
    return figures, rows


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
