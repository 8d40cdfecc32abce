"""What counts as a response to a treatment course, and the published figures.

The one home of the outcome definitions (docs/outcomes.md says them in words): the
outcomes page, ``manage.py outcomes_report`` and the tests all read them from here, so
the medical director changes a definition in one place. Pure: no ORM, no Django.

Each definition names its source. A patient's result at a time point is ``True``
(responder), ``False`` (non-responder) or ``None`` (lost to follow-up: no answer to
judge by); :func:`measure` counts the lost both ways the studies' readers ask for, as
non-responders and excluded.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from math import sqrt
from statistics import NormalDist


@dataclass(frozen=True)
class Source:
    """A publication a definition or a figure comes from."""

    short: str
    citation: str


SCHWENK_2018 = Source(
    "Schwenk 2018",
    "Schwenk ES, Dayan AC, Rangavajjula A, et al. Ketamine for refractory headache: "
    "a retrospective analysis. Reg Anesth Pain Med 2018;43(8):875-879. "
    "doi:10.1097/AAP.0000000000000827",
)
POMEROY_2017 = Source(
    "Pomeroy 2017",
    "Pomeroy JL, Marmura MJ, Nahas SJ, Viscusi ER. Ketamine infusions for treatment "
    "refractory headache. Headache 2017. doi:10.1111/head.13013",
)
IHS_PREVENTIVE_TRIALS = Source(
    "IHS trial guidelines",
    "Tassorelli C, Diener HC, Dodick DW, et al. Guidelines of the International "
    "Headache Society for controlled trials of preventive treatment of chronic "
    "migraine in adults. Cephalalgia 2018",
)

# Schwenk 2018 and Pomeroy 2017: an immediate responder's pain (0-10 numerical rating
# scale) fell by at least this much from before the first infusion to the end of the
# course; a sustained responder's is still at least this much below that first score
# at a follow-up.
PAIN_RESPONSE_DECREASE = 2
# IHS trial guidelines: a responder has at least this fraction fewer monthly headache
# days than at baseline (the intake's "headache days a month").
HEADACHE_DAYS_RESPONSE_REDUCTION = Fraction(1, 2)

# Clinic choice: the services judged by headache days as preventive treatments (the
# IHS definition) besides the pain score. Botox is a preventive; the clinic counts
# acupuncture, massage and yoga with it. Service codes are intake.codes.SERVICES'.
PREVENTIVE_SERVICES = frozenset({"botox", "acupuncture", "massage", "yoga"})

# Clinic choice: the sessions a course is planned with when its referral is
# scheduled; staff change them on the course's page. Ketamine: the 5-day infusion of
# Schwenk 2018 and Pomeroy 2017 as five sessions. Service codes are
# intake.codes.SERVICES'.
PLANNED_SESSIONS = {
    "ketamine": 5,
    "botox": 1,
    "acupuncture": 6,
    "massage": 6,
    "yoga": 8,
}

# The follow-ups a patient is asked to answer, days after the course ends (clinic
# choice, near the studies' visits: Schwenk's came at a mean of 38 and 101 days).
FOLLOW_UP_DAYS = {"1w": 7, "1m": 30, "3m": 91}
# Clinic choice: a follow-up link is valid this many days from its time point; one
# unanswered by then is lost to follow-up.
FOLLOW_UP_ANSWER_DAYS = 21

# Two-sided 95% interval: the standard normal quantile at 0.975 (1.95996...).
Z_95 = NormalDist().inv_cdf(0.975)


def pain_response(*, before_first: int, after_last: int) -> bool:
    """Immediate response (Schwenk 2018, Pomeroy 2017).

    ``before_first``: pain before the course's first session; ``after_last``: pain
    after its last one, both 0-10.
    """
    return before_first - after_last >= PAIN_RESPONSE_DECREASE


def sustained_pain_response(
    *, before_first: int, after_last: int, at_follow_up: int
) -> bool:
    """Sustained response (Schwenk 2018): the immediate response still held.

    An immediate responder whose current pain at the follow-up is still at least
    ``PAIN_RESPONSE_DECREASE`` below their pain before the first session.
    """
    return (
        pain_response(before_first=before_first, after_last=after_last)
        and before_first - at_follow_up >= PAIN_RESPONSE_DECREASE
    )


def headache_days_response(*, baseline: int, at_follow_up: int) -> bool | None:
    """Preventive response (IHS trial guidelines): monthly headache days halved.

    ``None`` when there is nothing to reduce (no headache days at baseline): such a
    patient is neither responder nor non-responder by this definition.
    """
    if baseline <= 0:
        return None
    return baseline - at_follow_up >= HEADACHE_DAYS_RESPONSE_REDUCTION * baseline


def follow_up_state(*, point: str, days_since_end: int, answered: bool) -> str:
    """Where a course's follow-up at ``point`` stands: ``"answered"``, ``"lost"``
    (unanswered past its time point and the answer days) or ``"pending"`` (not due
    yet, or still open: counted neither way)."""
    if answered:
        return "answered"
    if days_since_end >= FOLLOW_UP_DAYS[point] + FOLLOW_UP_ANSWER_DAYS:
        return "lost"
    return "pending"


def wilson_interval(successes: int, total: int) -> tuple[float, float] | None:
    """Wilson score 95% interval of a proportion (Wilson 1927; Newcombe 1998, method 3).

    ``None`` when there is no one to count: a proportion of nobody has no interval.
    """
    if not 0 <= successes <= total:
        raise ValueError(f"Expected 0 <= successes <= total, got {successes}/{total}.")
    if total == 0:
        return None
    p = successes / total
    z2 = Z_95 * Z_95
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = Z_95 * sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Proportion:
    """k of n, with its rate and Wilson interval (``None`` when n is 0)."""

    responders: int
    patients: int

    @property
    def rate(self) -> float | None:
        return self.responders / self.patients if self.patients else None

    @property
    def ci95(self) -> tuple[float, float] | None:
        return wilson_interval(self.responders, self.patients)


@dataclass(frozen=True)
class Measure:
    """Responders at one time point, the lost to follow-up counted both ways.

    ``as_non_responders`` counts every patient, the lost among those who did not
    respond (the stricter figure); ``excluding_lost`` counts only the patients whose
    result is known.
    """

    responders: int
    non_responders: int
    lost_to_follow_up: int

    @property
    def patients(self) -> int:
        return self.responders + self.non_responders + self.lost_to_follow_up

    @property
    def as_non_responders(self) -> Proportion:
        return Proportion(self.responders, self.patients)

    @property
    def excluding_lost(self) -> Proportion:
        return Proportion(self.responders, self.responders + self.non_responders)


def measure(results: Iterable[bool | None]) -> Measure:
    """Count each patient's result: ``True``, ``False`` or ``None`` (lost)."""
    counts = {True: 0, False: 0, None: 0}
    for result in results:
        counts[result] += 1
    return Measure(
        responders=counts[True],
        non_responders=counts[False],
        lost_to_follow_up=counts[None],
    )


@dataclass(frozen=True)
class PublishedFigure:
    """One published rate: k of n where the paper gives them, and the rate it states.

    ``stated_rate`` is the paper's own percentage as a fraction of 1, kept as
    published even where it differs from k/n (Schwenk's abstract states 77% for 48
    of 61, which is 78.7%). ``denominator`` says who n is.
    """

    stated_rate: float
    responders: int | None = None
    patients: int | None = None
    denominator: str = "all patients treated"
    when: str = ""


@dataclass(frozen=True)
class PublishedStudy:
    source: Source
    service: str
    patients: int
    immediate: PublishedFigure
    sustained_1m: PublishedFigure | None
    sustained_3m: PublishedFigure | None


# Schwenk's abstract does not say whether its sustained rates are of all 61 patients
# or of the 48 immediate responders.
UNSTATED = "patients (all 61, or the 48 responders: not stated)"

PUBLISHED = [
    PublishedStudy(
        source=SCHWENK_2018,
        service="ketamine",
        patients=61,
        immediate=PublishedFigure(0.77, 48, 61, when="end of the 5-day infusion"),
        sustained_1m=PublishedFigure(
            0.40,
            denominator=UNSTATED,
            when="first office visit, mean 38.1 days",
        ),
        sustained_3m=PublishedFigure(
            0.39,
            denominator=UNSTATED,
            when="second office visit, mean 101.3 days",
        ),
    ),
    PublishedStudy(
        source=POMEROY_2017,
        service="ketamine",
        patients=77,
        immediate=PublishedFigure(0.714, 55, 77, when="discharge"),
        sustained_1m=PublishedFigure(
            0.273,
            15,
            55,
            denominator="acute responders",
            when="first follow-up office visit",
        ),
        sustained_3m=None,
    ),
]


def published_for(service: str) -> list[PublishedStudy]:
    """The published studies to set beside a service's figures."""
    return [study for study in PUBLISHED if study.service == service]


# Clinic choice: a follow-up link unanswered this many days after it was sent gets
# one reminder.
FOLLOW_UP_REMINDER_DAYS = 3
