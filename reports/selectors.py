"""The clinic's operations reports, each computed by the database.

A report covers the intakes submitted in a period of days (the clinic's time zone),
and follows them: their online drafts, routing decisions, holds, referrals and the
treatments they had tried. Every figure is an aggregate query (counts, conditional
counts, ``TruncWeek``, percentiles); Python only lays the few aggregated rows (a week,
a service, a tier) out as a :class:`Table`, the shape the page, its charts and the CSV
files all read.

Every query reads only the period's rows. Its intakes come from a partial index of
submitted intakes by submission time. The rows routing writes for an intake (its
decisions, referrals and their events) are written after the intake was submitted, so
a report reads only those written since the period began (:func:`written_since`): a
range of the table's own time index, instead of every row of the table joined to the
period's intakes.

Percentiles are the continuous ones (linear interpolation, as PostgreSQL's
``percentile_cont``): on PostgreSQL by ``percentile_cont`` itself, on SQLite by
numbering each group's values in order (a window function) and reading the one or
two values each percentile falls between.
"""

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from intake import codes
from intake.models import Intake, OnlineDraft, TreatmentTrial
from intake.online import STEPS
from referrals import routing
from referrals.models import (
    OPEN_HOLD,
    REACHED_STATUSES,
    DecisionStatus,
    HoldTier,
    Referral,
    ReferralEvent,
    ReferralStatus,
    RoutingDecision,
)

PERCENTILES = (0.5, 0.9)  # the median and the 90th percentile
TOP_REASONS = 15  # the deciding reasons listed, most frequent first
OUTCOMES = (routing.REC, routing.FLAG, routing.NE, routing.BLOCK, routing.HOLD)
SERVICE_NAMES = dict(codes.SERVICES)
TIER_NAMES = dict(HoldTier.choices)
# A class by its name alone, without the examples in brackets the form shows.
CLASS_NAMES = {code: label.split(" (")[0] for code, label in codes.TREATMENT_CLASSES}
FUNNEL_STATUSES = tuple(ReferralStatus)  # every status, in the workflow's order
FAILED_OUTCOMES = sorted(codes.WITHOUT_BENEFIT_OUTCOMES)
FAILED_HEADINGS = {
    "contraindicated": "not allowed",
    "ineffective": "did not work",
    "intolerable": "not tolerated",
}


@dataclass(frozen=True)
class Period:
    """The days from ``start`` to ``end``, both included, in the clinic's time zone."""

    start: datetime.date
    end: datetime.date

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The first moment of ``start`` and the first moment after ``end``."""
        zone = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone),
            datetime.datetime.combine(
                self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
            ),
        )

    def weeks(self) -> list[datetime.date]:
        """The Monday of every week the period touches, in order."""
        monday = self.start - datetime.timedelta(days=self.start.weekday())
        weeks = []
        while monday <= self.end:
            weeks.append(monday)
            monday += datetime.timedelta(days=7)
        return weeks

    @property
    def slug(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


# The rows routing writes for an intake are written after its submission; the bound
# is a day earlier than the period's start, so clocks differing between the nodes that
# submit and route never leave a row out.
CLOCK_MARGIN = datetime.timedelta(days=1)


def written_since(period: Period, field: str = "created") -> Q:
    """Rows written since ``period`` began (less :data:`CLOCK_MARGIN`): a redundant
    condition that lets the database read a range of ``field``'s index."""
    start, _ = period.bounds()
    return Q(**{f"{field}__gte": start - CLOCK_MARGIN})


@dataclass(frozen=True)
class Table:
    """A report's figures: column headings and rows of plain values."""

    columns: tuple[str, ...]
    rows: list[tuple]


class Seconds(Func):
    """The seconds from the second datetime expression to the first, as a float."""

    output_field = FloatField()

    def _operands(self, compiler):
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])
        return end_sql, start_sql, (*end_params, *start_params)

    def as_sql(self, compiler, connection, **extra):
        end_sql, start_sql, params = self._operands(compiler)
        return f"((julianday({end_sql}) - julianday({start_sql})) * 86400.0)", params

    def as_postgresql(self, compiler, connection, **extra):
        end_sql, start_sql, params = self._operands(compiler)
        sql = f"EXTRACT(EPOCH FROM ({end_sql} - {start_sql}))::double precision"
        return sql, params


class JSONArrayLength(Func):
    """The number of items of a JSON array column."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH")


@dataclass(frozen=True)
class Spread:
    """How many durations, and their median and 90th percentile, in hours."""

    count: int
    median: float
    p90: float


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 1)


def _day(value: Any) -> datetime.date:
    """A week read by a raw query: a date, a datetime, or SQLite's text."""
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _interpolated(values: dict[int, float], count: int, fraction: float) -> float:
    """``percentile_cont``: the value at ``fraction`` of the way through the sorted
    values, interpolating between the two it falls between."""
    position = fraction * (count - 1)
    low = math.floor(position)
    if position == low:
        return values[low]
    return values[low] + (position - low) * (values[low + 1] - values[low])


def spread_by(queryset: QuerySet, *, group, end: str, start: str) -> dict[Any, Spread]:
    """The spread of ``end - start`` over the rows of ``queryset``, by ``group``.

    One query. Rows where ``end`` is empty are left out.
    """
    inner = (
        queryset.filter(**{f"{end}__isnull": False})
        .order_by()
        .annotate(grp=group, seconds=Seconds(F(end), F(start)))
        .values_list("grp", "seconds")
    )
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            median, p90 = (
                f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY seconds)"
                for fraction in PERCENTILES
            )
            cursor.execute(
                f"SELECT grp, COUNT(*), {median}, {p90} FROM ({sql}) AS durations "
                "GROUP BY grp",
                params,
            )
            return {
                grp: Spread(count, _hours(low), _hours(high))
                for grp, count, low, high in cursor.fetchall()
            }
        positions = ", ".join(
            f"CAST({fraction} * (n - 1) AS INTEGER){step}"
            for fraction in PERCENTILES
            for step in ("", " + 1")
        )
        cursor.execute(
            "SELECT grp, n, rn - 1, seconds FROM ("
            " SELECT grp, seconds,"
            " ROW_NUMBER() OVER (PARTITION BY grp ORDER BY seconds) AS rn,"
            " COUNT(*) OVER (PARTITION BY grp) AS n"
            f" FROM ({sql}) AS durations"
            f") AS ranked WHERE rn - 1 IN ({positions})",
            params,
        )
        found: dict[Any, tuple[int, dict[int, float]]] = {}
        for grp, count, position, seconds in cursor.fetchall():
            found.setdefault(grp, (count, {}))[1][position] = seconds
    return {
        grp: Spread(
            count,
            *(
                _hours(_interpolated(values, count, fraction))
                for fraction in PERCENTILES
            ),
        )
        for grp, (count, values) in found.items()
    }


def submitted_in(period: Period, prefix: str = "") -> Q:
    start, end = period.bounds()
    return Q(
        **{
            f"{prefix}status": Intake.Status.SUBMITTED,
            f"{prefix}submitted_at__gte": start,
            f"{prefix}submitted_at__lt": end,
        }
    )


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def intakes_per_week(period: Period) -> Table:
    """Intakes submitted each week, online and at the front desk."""
    counted = {
        timezone.localtime(row["week"]).date(): row
        for row in Intake.objects.filter(submitted_in(period))
        .order_by()
        .annotate(week=TruncWeek("submitted_at"))
        .values("week")
        .annotate(
            online=Count("pk", filter=Q(source=Intake.Source.ONLINE)),
            front_desk=Count("pk", filter=Q(source=Intake.Source.FRONT_DESK)),
        )
    }
    rows = []
    for week in period.weeks():
        row = counted.get(week, {"online": 0, "front_desk": 0})
        rows.append(
            (week, row["online"], row["front_desk"], row["online"] + row["front_desk"])
        )
    return Table(("week", "online", "front desk", "total"), rows)


def online_drafts(period: Period) -> Table:
    """Online forms started in the period, how many were sent, and how many not."""
    start, end = period.bounds()
    totals = OnlineDraft.objects.filter(created__gte=start, created__lt=end).aggregate(
        started=Count("pk"),
        sent=Count("pk", filter=Q(intake__status=Intake.Status.SUBMITTED)),
    )
    unfinished = totals["started"] - totals["sent"]
    return Table(
        ("started", "sent", "not sent", "sent %"),
        [
            (
                totals["started"],
                totals["sent"],
                unfinished,
                _percent(totals["sent"], totals["started"]),
            )
        ],
    )


def draft_stopping_steps(period: Period) -> Table:
    """Where unsent online forms stopped: the step after the ones completed.

    A draft with n steps completed stopped at step n + 1, the one the patient did
    not get through (patients mostly complete the steps in order).
    """
    start, end = period.bounds()
    stopped = dict(
        OnlineDraft.objects.filter(
            created__gte=start, created__lt=end, intake__status=Intake.Status.DRAFT
        )
        .order_by()
        .annotate(done=JSONArrayLength("steps_done"))
        .values("done")
        .annotate(drafts=Count("pk"))
        .values_list("done", "drafts")
    )
    at_step = [0] * len(STEPS)
    for done, drafts in stopped.items():
        at_step[min(done, len(STEPS) - 1)] += drafts
    rows = [
        (number, str(step.title), drafts)
        for number, (step, drafts) in enumerate(zip(STEPS, at_step, strict=True), 1)
    ]
    return Table(("step", "title", "drafts stopped there"), rows)


def _current_decisions(period: Period) -> QuerySet:
    return (
        RoutingDecision.objects.current()
        .filter(submitted_in(period, "intake__"), written_since(period))
        .order_by()
    )


def _decisions_json_sql(period: Period, status: str) -> tuple[str, tuple]:
    """The SQL and parameters selecting the JSON of the period's current decisions
    with ``status``, for a query that expands it."""
    return (
        _current_decisions(period)
        .filter(status=status)
        .values_list("decision")
        .query.sql_with_params()
    )


# A held decision's every service has the outcome HOLD (``routing.route``): only
# routed decisions are expanded service by service; held and failed ones are counted.
def routing_outcomes(period: Period) -> Table:
    """The current routing decision of each intake: every service's outcome."""
    routed_sql, routed_params = _decisions_json_sql(period, DecisionStatus.ROUTED)
    others_sql, others_params = (
        _current_decisions(period)
        .exclude(status=DecisionStatus.ROUTED)
        .values("status")
        .annotate(decisions=Count("pk"))
        .values_list("status", "decisions")
        .query.sql_with_params()
    )
    if connection.vendor == "postgresql":
        outcomes = (
            "SELECT s.key, s.value ->> 'outcome', COUNT(*) "
            f"FROM ({routed_sql}) AS d "
            "CROSS JOIN LATERAL jsonb_each(d.decision -> 'services') AS s "
            "GROUP BY 1, 2"
        )
    else:
        outcomes = (
            "SELECT s.key, json_extract(s.value, '$.outcome'), COUNT(*) "
            f"FROM ({routed_sql}) AS d, json_each(d.decision, '$.services') AS s "
            "GROUP BY 1, 2"
        )
    with connection.cursor() as cursor:
        # Each decision is read once: the routed ones' services, then the count of
        # the others by status (a row each, service '').
        cursor.execute(
            f"{outcomes} UNION ALL SELECT '', o.* FROM ({others_sql}) AS o",
            (*routed_params, *others_params),
        )
        counts = {(service, outcome): count for service, outcome, count in cursor}
    held = counts.get(("", DecisionStatus.HELD), 0)
    rows = [
        (
            SERVICE_NAMES[service],
            *(
                held if outcome == routing.HOLD else counts.get((service, outcome), 0)
                for outcome in OUTCOMES
            ),
            counts.get(("", DecisionStatus.FAILED), 0),
        )
        for service in routing.SERVICE_CODES
    ]
    return Table(("service", *OUTCOMES, "routing failed"), rows)


def deciding_reasons(period: Period) -> Table:
    """The reasons that decided outcomes most often.

    A service's reasons at the level of its outcome (an NE reason of a service the
    engine found not eligible, ...), and the hold reasons of held intakes (HOLD
    decides every service at once, so they are counted once per intake).
    """
    # Each decision is expanded once: a routed one's services' reasons, a held one's
    # hold reasons (its services are all HOLD, decided by the hold).
    routed_sql, routed_params = _decisions_json_sql(period, DecisionStatus.ROUTED)
    held_sql, held_params = _decisions_json_sql(period, DecisionStatus.HELD)
    if connection.vendor == "postgresql":
        services = (
            "SELECT s.key, s.value ->> 'outcome', r ->> 'code', COUNT(*), "
            "MIN(r ->> 'text') "
            f"FROM ({routed_sql}) AS d "
            "CROSS JOIN LATERAL jsonb_each(d.decision -> 'services') AS s "
            "CROSS JOIN LATERAL jsonb_array_elements(s.value -> 'reasons') AS r "
            "GROUP BY 1, 2, 3"
        )
        holds = (
            "SELECT '', 'HOLD', r ->> 'code', COUNT(*), MIN(r ->> 'text') "
            f"FROM ({held_sql}) AS d CROSS JOIN LATERAL "
            "jsonb_array_elements(d.decision -> 'hold' -> 'reasons') AS r "
            "GROUP BY 1, 2, 3"
        )
    else:
        services = (
            "SELECT s.key, json_extract(s.value, '$.outcome'), "
            "json_extract(r.value, '$.code'), COUNT(*), "
            "MIN(json_extract(r.value, '$.text')) "
            f"FROM ({routed_sql}) AS d, json_each(d.decision, '$.services') AS s, "
            "json_each(s.value, '$.reasons') AS r GROUP BY 1, 2, 3"
        )
        holds = (
            "SELECT '', 'HOLD', json_extract(r.value, '$.code'), COUNT(*), "
            "MIN(json_extract(r.value, '$.text')) "
            f"FROM ({held_sql}) AS d, json_each(d.decision, '$.hold.reasons') AS r "
            "GROUP BY 1, 2, 3"
        )
    with connection.cursor() as cursor:
        cursor.execute(f"{services} UNION ALL {holds}", (*routed_params, *held_params))
        grouped = cursor.fetchall()
    deciding = sorted(
        (
            (-count, outcome, code, service, example)
            for service, outcome, code, count, example in grouped
            if (outcome == routing.HOLD and not service)
            or (outcome != routing.HOLD and routing.reason_level(code) == outcome)
        )
    )[:TOP_REASONS]
    # A reason's words differ by patient ("Age 69 >= 65"); one example says what
    # the code means.
    return Table(
        ("reason", "for example", "outcome", "service", "times it decided"),
        [
            (code, example, outcome, SERVICE_NAMES.get(service, "all services"), -count)
            for count, outcome, code, service, example in deciding
        ],
    )


def holds_by_tier(period: Period) -> Table:
    """Intakes put on hold, by tier, and the hours from submission to clearance."""
    held = RoutingDecision.objects.filter(
        submitted_in(period, "intake__"),
        written_since(period),
        status=DecisionStatus.HELD,
    )
    counts = {
        row["hold_tier"]: row
        for row in held.order_by()
        .values("hold_tier")
        .annotate(
            holds=Count("pk"),
            cleared=Count("pk", filter=Q(cleared_at__isnull=False)),
            open=Count("pk", filter=OPEN_HOLD),
        )
    }
    spreads = spread_by(
        held, group=F("hold_tier"), end="cleared_at", start="intake__submitted_at"
    )
    rows = []
    for tier in routing.TIERS:
        row = counts.get(tier, {"holds": 0, "cleared": 0, "open": 0})
        spread = spreads.get(tier)
        rows.append(
            (
                TIER_NAMES[tier],
                row["holds"],
                row["cleared"],
                row["open"],
                spread.median if spread else None,
                spread.p90 if spread else None,
            )
        )
    return Table(
        (
            "tier",
            "holds",
            "cleared",
            "still open",
            "hours to clearance, median",
            "hours to clearance, 90th percentile",
        ),
        rows,
    )


def _referrals_of(period: Period) -> QuerySet:
    return Referral.objects.filter(
        submitted_in(period, "intake__"), written_since(period)
    )


DECISION_COLUMNS = ("decisions", "hours, median", "hours, 90th percentile")


def decision_time_by_service(period: Period) -> Table:
    """Hours from an intake's submission to the physician's decision on each of its
    referrals (approved or declined), by service."""
    spreads = spread_by(
        _referrals_of(period),
        group=F("service__code"),
        end="decided_at",
        start="intake__submitted_at",
    )
    rows = []
    for service in routing.SERVICE_CODES:
        spread = spreads.get(service, Spread(0, None, None))
        rows.append((SERVICE_NAMES[service], spread.count, spread.median, spread.p90))
    return Table(("service", *DECISION_COLUMNS), rows)


def decision_time_by_week(period: Period) -> Table:
    """The same hours to a decision, by the week the intake was submitted."""
    spreads = {
        _day(week): spread
        for week, spread in spread_by(
            _referrals_of(period),
            group=TruncWeek("intake__submitted_at"),
            end="decided_at",
            start="intake__submitted_at",
        ).items()
    }
    rows = []
    for week in period.weeks():
        spread = spreads.get(week, Spread(0, None, None))
        rows.append((week, spread.count, spread.median, spread.p90))
    return Table(("week", *DECISION_COLUMNS), rows)


def referral_funnel(period: Period) -> Table:
    """Each service's referrals by where they stand now, how many ever reached
    approval, scheduling and completion, and the conversion between those steps."""
    referrals_sql, referrals_params = (
        _referrals_of(period)
        .order_by()
        .annotate(code=F("service__code"))
        .values_list("id", "code", "status")
        .query.sql_with_params()
    )
    # The steps each referral reached, from its events written since the period
    # began (a partial index of those events, read alone): 1 for a step it got to,
    # however often.
    steps_sql, steps_params = (
        ReferralEvent.objects.filter(
            written_since(period, "at"), to_status__in=REACHED_STATUSES
        )
        .order_by()
        .values("referral_id")
        .annotate(
            **{
                f"reached_{status}": Max(
                    Case(When(to_status=status, then=Value(1)), default=Value(0))
                )
                for status in REACHED_STATUSES
            }
        )
        .query.sql_with_params()
    )
    standing = ", ".join(
        ["COUNT(*) FILTER (WHERE r.status = %s)"] * len(FUNNEL_STATUSES)
    )
    reached_sums = ", ".join(
        f"COALESCE(SUM(e.reached_{status}), 0)" for status in REACHED_STATUSES
    )
    with connection.cursor() as cursor:
        # One pass over the period's referrals, each with the steps it reached.
        cursor.execute(
            f"SELECT r.code, COUNT(*), {standing}, {reached_sums} "
            f"FROM ({referrals_sql}) AS r LEFT JOIN ({steps_sql}) AS e "
            "ON e.referral_id = r.id GROUP BY r.code",
            (*FUNNEL_STATUSES, *referrals_params, *steps_params),
        )
        counted = {code: counts for code, *counts in cursor}
    rows = []
    for service in routing.SERVICE_CODES:
        total, *counts = counted.get(
            service, [0] * (1 + len(FUNNEL_STATUSES) + len(REACHED_STATUSES))
        )
        standing_now = counts[: len(FUNNEL_STATUSES)]
        approved, scheduled, completed, declined = counts[len(FUNNEL_STATUSES) :]
        rows.append(
            (
                SERVICE_NAMES[service],
                total,
                *standing_now,
                approved,
                scheduled,
                completed,
                _percent(approved, approved + declined),
                _percent(scheduled, approved),
                _percent(completed, scheduled),
            )
        )
    return Table(
        (
            "service",
            "referrals",
            *(ReferralStatus(status).label.lower() for status in FUNNEL_STATUSES),
            "ever approved",
            "ever scheduled",
            "ever completed",
            "approved of decided %",
            "scheduled of approved %",
            "completed of scheduled %",
        ),
        rows,
    )


def botox_waitlist(period: Period) -> Table:
    """The Botox waitlist week by week: who joined, who left, how many were on it
    at the end of the week (Botox referrals while the service is 'coming soon')."""
    start, end = period.bounds()
    joined = Q(to_status=ReferralStatus.WAITLISTED)
    left = Q(from_status=ReferralStatus.WAITLISTED)
    # Only the moves onto and off the waitlist, read by their own index.
    moves = ReferralEvent.objects.filter(
        joined | left, referral__service__code=codes.BOTOX
    ).order_by()
    before = moves.filter(at__lt=start).aggregate(
        joined=Count("pk", filter=joined), left=Count("pk", filter=left)
    )
    weekly = {
        timezone.localtime(row["week"]).date(): row
        for row in moves.filter(at__gte=start, at__lt=end)
        .annotate(week=TruncWeek("at"))
        .values("week")
        .annotate(joined=Count("pk", filter=joined), left=Count("pk", filter=left))
    }
    waiting = before["joined"] - before["left"]
    rows = []
    for week in period.weeks():
        row = weekly.get(week, {"joined": 0, "left": 0})
        waiting += row["joined"] - row["left"]
        rows.append((week, row["joined"], row["left"], waiting))
    return Table(("week", "joined", "left", "on the waitlist at week's end"), rows)


def failed_treatment_classes(period: Period) -> Table:
    """The treatment classes patients had tried without benefit, most often first."""
    intakes_sql, intakes_params = (
        Intake.objects.filter(submitted_in(period))
        .order_by()
        .values_list("id", "patient_id")
        .query.sql_with_params()
    )
    failed = ", ".join(["%s"] * len(FAILED_OUTCOMES))
    trials = TreatmentTrial._meta.db_table
    if connection.vendor == "postgresql":
        # Each of the period's intakes looks its treatments up in the partial index
        # (``treatment_without_benefit``). Left to choose, PostgreSQL scanned the
        # whole table (five treatments per intake since the clinic opened), which
        # has no time of its own to narrow the read; OFFSET 0 keeps the lookup.
        treatments = (
            "CROSS JOIN LATERAL (SELECT t.treatment_class, t.outcome "
            f"FROM {trials} AS t WHERE t.intake_id = i.id "
            f"AND t.outcome IN ({failed}) OFFSET 0) AS t"
        )
    else:
        treatments = (
            f"JOIN {trials} AS t ON t.intake_id = i.id AND t.outcome IN ({failed})"
        )
    by_outcome = ", ".join(
        ["COUNT(*) FILTER (WHERE t.outcome = %s)"] * len(FAILED_OUTCOMES)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.treatment_class, COUNT(DISTINCT i.patient_id), COUNT(*), "
            f"{by_outcome} FROM ({intakes_sql}) AS i {treatments} "
            "GROUP BY t.treatment_class ORDER BY 2 DESC, 1",
            (*FAILED_OUTCOMES, *intakes_params, *FAILED_OUTCOMES),
        )
        rows = cursor.fetchall()
    return Table(
        (
            "class",
            "patients",
            "treatments",
            *(FAILED_HEADINGS[outcome] for outcome in FAILED_OUTCOMES),
        ),
        [(CLASS_NAMES.get(row[0], row[0]), *row[1:]) for row in rows],
    )


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    build: Callable[[Period], Table]

    @property
    def description(self) -> str:
        """What the report counts: its function's docstring, as one paragraph."""
        return " ".join((self.build.__doc__ or "").split())


REPORTS = (
    Report("intakes-per-week", "Intakes per week by source", intakes_per_week),
    Report("online-drafts", "Online forms started and sent", online_drafts),
    Report(
        "draft-stopping-steps",
        "Where unsent online forms stopped",
        draft_stopping_steps,
    ),
    Report("routing-outcomes", "Routing outcomes per service", routing_outcomes),
    Report("deciding-reasons", "Reasons deciding most often", deciding_reasons),
    Report("holds", "Holds by tier and time to clearance", holds_by_tier),
    Report(
        "decision-time-by-service",
        "Submission to physician's decision, by service",
        decision_time_by_service,
    ),
    Report(
        "decision-time-by-week",
        "Submission to physician's decision, by week",
        decision_time_by_week,
    ),
    Report("referral-funnel", "Referral funnel per service", referral_funnel),
    Report("botox-waitlist", "Botox waitlist over time", botox_waitlist),
    Report(
        "failed-treatment-classes",
        "Treatment classes tried without benefit",
        failed_treatment_classes,
    ),
)
REPORT_BY_SLUG = {report.slug: report for report in REPORTS}
