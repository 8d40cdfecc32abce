"""The outcome figures of a service, from one row per course. Pure: no ORM.

``outcomes.selectors`` reads the rows (a fixed number of queries, whatever the number
of courses); this module applies ``outcomes.definitions`` to them. The outcomes page,
its CSV export and ``manage.py outcomes_report`` all show these figures.

Monthly headache days: the intake asks for headache days a month, the follow-up for
headache days in the last 4 weeks; the 4 weeks are taken as the month, as the IHS
trial guidelines' 28-day month does.
"""

import datetime
from dataclasses import dataclass, field
from statistics import median, quantiles

from outcomes import definitions
from outcomes.definitions import Measure, Proportion, PublishedStudy

POINTS = list(definitions.FOLLOW_UP_DAYS)  # "1w", "1m", "3m"
SUSTAINED_POINTS = ["1m", "3m"]
SEVERITIES = ["mild", "moderate", "severe"]


@dataclass(frozen=True)
class FollowUpRow:
    answered: bool
    current_pain: int | None = None
    headache_days: int | None = None
    midas_total: int | None = None
    pgic: int | None = None


@dataclass(frozen=True)
class CourseRow:
    """What the figures need of one course (no names, no record number)."""

    course: str
    service: str
    status: str
    started_on: datetime.date
    ended_on: datetime.date | None
    sessions_attended: int
    pain_before_first: int | None
    pain_after_last: int | None
    baseline_headache_days: int | None
    baseline_midas: int | None
    birth_year: int
    adverse_events: dict[str, int] = field(default_factory=dict)
    follow_ups: dict[str, FollowUpRow] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        return self.ended_on is not None

    def follow_up_state(self, point: str, today: datetime.date) -> str:
        """``"answered"``, ``"lost"`` or ``"pending"`` (not counted either way)."""
        follow_up = self.follow_ups.get(point)
        return definitions.follow_up_state(
            point=point,
            days_since_end=(today - self.ended_on).days,
            answered=follow_up is not None and follow_up.answered,
        )

    def immediate(self) -> bool | None:
        if self.pain_before_first is None or self.pain_after_last is None:
            return None
        return definitions.pain_response(
            before_first=self.pain_before_first, after_last=self.pain_after_last
        )

    def sustained(self, point: str, today: datetime.date) -> bool | None:
        immediate = self.immediate()
        if immediate is not True:
            return immediate  # a known non-responder, or unknown
        if self.follow_up_state(point, today) != "answered":
            return None
        return definitions.sustained_pain_response(
            before_first=self.pain_before_first,
            after_last=self.pain_after_last,
            at_follow_up=self.follow_ups[point].current_pain,
        )

    def preventive(self, point: str, today: datetime.date) -> bool | None:
        if self.follow_up_state(point, today) != "answered":
            return None
        if self.baseline_headache_days is None:
            return None
        return definitions.headache_days_response(
            baseline=self.baseline_headache_days,
            at_follow_up=self.follow_ups[point].headache_days,
        )

    def counted_at(self, point: str, today: datetime.date) -> bool:
        """Counted at a follow-up time point: ended, and the point no longer pending."""
        return self.ended and self.follow_up_state(point, today) != "pending"


@dataclass(frozen=True)
class Spread:
    """Median and interquartile range of some numbers (``None`` with none)."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None


def spread(values: list[float]) -> Spread:
    if not values:
        return Spread(0, None, None, None)
    if len(values) == 1:
        return Spread(1, values[0], values[0], values[0])
    q1, _, q3 = quantiles(values, n=4, method="inclusive")
    return Spread(len(values), median(values), q1, q3)


@dataclass(frozen=True)
class ServiceFigures:
    code: str
    name: str
    treated: int
    completed: int
    discontinued: int
    immediate: Measure
    sustained: dict[str, Measure]
    preventive: dict[str, Measure] | None
    headache_days: dict[str, Spread]  # "baseline" and each time point
    headache_days_change: dict[str, Spread]
    midas_change: dict[str, Spread]
    sessions: int
    adverse_events: dict[str, int]
    published: list[PublishedStudy]

    @property
    def adverse_events_total(self) -> int:
        return sum(self.adverse_events.values())

    @property
    def adverse_events_per_session(self) -> float | None:
        return self.adverse_events_total / self.sessions if self.sessions else None


def service_figures(
    *, code: str, name: str, rows: list[CourseRow], today: datetime.date
) -> ServiceFigures:
    """Every figure of one service's courses (``rows`` are that service's)."""
    ended = [row for row in rows if row.ended]
    answered = {
        point: [row for row in ended if row.follow_up_state(point, today) == "answered"]
        for point in POINTS
    }
    headache_days = {
        "baseline": spread(
            [
                r.baseline_headache_days
                for r in rows
                if r.baseline_headache_days is not None
            ]
        ),
        **{
            point: spread([r.follow_ups[point].headache_days for r in answered[point]])
            for point in POINTS
        },
    }
    return ServiceFigures(
        code=code,
        name=name,
        treated=len(rows),
        completed=sum(row.status == "completed" for row in rows),
        discontinued=sum(row.status == "discontinued" for row in rows),
        immediate=definitions.measure(row.immediate() for row in ended),
        sustained={
            point: definitions.measure(
                row.sustained(point, today)
                for row in ended
                if row.counted_at(point, today)
            )
            for point in SUSTAINED_POINTS
        },
        preventive=(
            {
                point: definitions.measure(
                    row.preventive(point, today)
                    for row in ended
                    if row.counted_at(point, today)
                )
                for point in SUSTAINED_POINTS
            }
            if code in definitions.PREVENTIVE_SERVICES
            else None
        ),
        headache_days=headache_days,
        headache_days_change={
            point: spread(
                [
                    r.follow_ups[point].headache_days - r.baseline_headache_days
                    for r in answered[point]
                    if r.baseline_headache_days is not None
                ]
            )
            for point in POINTS
        },
        midas_change={
            point: spread(
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


def _proportion_json(proportion: Proportion, lost: int) -> dict:
    ci95 = proportion.ci95
    return {
        "responders": proportion.responders,
        "patients": proportion.patients,
        "lost_to_follow_up": lost,
        "rate": proportion.rate,
        "ci95": list(ci95) if ci95 is not None else None,
    }


def measure_json(measure: Measure) -> dict:
    """A measure as ``outcomes_report --json`` gives it: the lost counted as
    non-responders (they are in ``patients``)."""
    return _proportion_json(measure.as_non_responders, measure.lost_to_follow_up)


def report_json(figures: list[ServiceFigures]) -> dict:
    """The stable JSON of ``manage.py outcomes_report --json`` (see the issue's
    shape in docs/outcomes.md)."""
    return {
        "services": [
            {
                "code": f.code,
                "immediate": measure_json(f.immediate),
                "sustained_1m": measure_json(f.sustained["1m"]),
                "sustained_3m": measure_json(f.sustained["3m"]),
                "published": [
                    {
                        "source": study.source.short,
                        "immediate": study.immediate.stated_rate,
                        "sustained_1m": (
                            study.sustained_1m.stated_rate
                            if study.sustained_1m
                            else None
                        ),
                        "sustained_3m": (
                            study.sustained_3m.stated_rate
                            if study.sustained_3m
                            else None
                        ),
                    }
                    for study in f.published
                ],
            }
            for f in figures
        ]
    }
