"""The outcome figures of a service, and the row of one course. Pure: no ORM.

``outcomes.selectors`` counts the figures in the database (a fixed number of
queries, whatever the number of courses) by ``outcomes.definitions``; the outcomes
page and ``manage.py outcomes_report`` show them. A :class:`CourseRow` applies the
same definitions to one course, for the CSV export's rows; the tests hold the two
to the same numbers.

Monthly headache days: the intake asks for headache days a month, the follow-up for
headache days in the last 4 weeks; the 4 weeks are taken as the month, as the IHS
trial guidelines' 28-day month does.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Spread:
    """Median and interquartile range of some numbers (``None`` with none)."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None


def spread(counts: Mapping[int, int]) -> Spread:
    """The median and quartiles of whole numbers given as ``{value: how many}``.

    The database counts each value (``outcomes.selectors``); this gives the numbers
    ``statistics.median`` and ``statistics.quantiles(n=4, method="inclusive")`` give
    for the values written out one by one, without writing them out.
    """
    ordered = sorted((value, count) for value, count in counts.items() if count)
    n = sum(count for _, count in ordered)
    if n == 0:
        return Spread(0, None, None, None)

    def nth(index: int) -> int:
        """The value at ``index`` (from 0) of the values in order."""
        for value, count in ordered:
            if index < count:
                return value
            index -= count
        raise IndexError(index)

    half = n // 2
    middle = nth(half) if n % 2 else (nth(half - 1) + nth(half)) / 2
    if n == 1:
        return Spread(1, middle, middle, middle)
    q1, q3 = (
        (nth(j) * (4 - delta) + nth(j + 1) * delta) / 4
        for j, delta in (divmod(i * (n - 1), 4) for i in (1, 3))
    )
    return Spread(n, middle, q1, q3)


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
