"""Questionnaire scoring: PHQ-9 (Kroenke 2001), MIDAS (Stewart 2001), HIT-6.

Pure functions of the answers: the admin, the facts and the routing engine all read
their scores from here. The questions' wording is marked for translation with
``gettext_noop`` (it returns them unchanged); the patient's pages translate it.

Spanish wording (in ``locale/es/LC_MESSAGES/django.po``):

- PHQ-9: the official US Spanish version, word for word ("Cuestionario sobre la
  salud del paciente-9", developed by Drs Spitzer, Williams, Kroenke and colleagues
  with an educational grant from Pfizer Inc.; Pfizer's PHQ screeners, no permission
  required to reproduce or translate).
- MIDAS: the published Spanish validation's wording could not be established, so
  the Spanish is the clinic's own translation of the English questions below, not
  a validated version. Replace it with the published one when the clinic has it.
"""

from typing import NamedTuple

from django.utils.translation import gettext_noop

PHQ9_ITEMS = [
    gettext_noop("Little interest or pleasure in doing things"),
    gettext_noop("Feeling down, depressed, or hopeless"),
    gettext_noop("Trouble falling or staying asleep, or sleeping too much"),
    gettext_noop("Feeling tired or having little energy"),
    gettext_noop("Poor appetite or overeating"),
    gettext_noop(
        "Feeling bad about yourself, or that you are a failure or have let yourself "
        "or your family down"
    ),
    gettext_noop(
        "Trouble concentrating on things, such as reading the newspaper or watching "
        "television"
    ),
    gettext_noop(
        "Moving or speaking so slowly that other people could have noticed, or the "
        "opposite: being so fidgety or restless that you have been moving around a lot "
        "more than usual"
    ),
    gettext_noop(
        "Thoughts that you would be better off dead, or of hurting yourself in some way"
    ),
]
PHQ9_ANSWERS = [
    (0, gettext_noop("Not at all")),
    (1, gettext_noop("Several days")),
    (2, gettext_noop("More than half the days")),
    (3, gettext_noop("Nearly every day")),
]
# (lowest total, band): Kroenke 2001.
PHQ9_MODERATELY_SEVERE = 15
PHQ9_BANDS = [
    (0, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (PHQ9_MODERATELY_SEVERE, "moderately severe"),
    (20, "severe"),
]

MIDAS_ITEMS = [
    gettext_noop(
        "Days in the last 3 months you missed work or school because of headaches"
    ),
    gettext_noop(
        "Days in the last 3 months your productivity at work or school was reduced "
        "by half or more (not counting days missed)"
    ),
    gettext_noop(
        "Days in the last 3 months you did no household work because of headaches"
    ),
    gettext_noop(
        "Days in the last 3 months your productivity in household work was reduced "
        "by half or more (not counting days with no household work)"
    ),
    gettext_noop(
        "Days in the last 3 months you missed family, social or leisure activities"
    ),
]
MIDAS_A = gettext_noop("Days in the last 3 months you had a headache")
MIDAS_B = gettext_noop("How painful were these headaches, on average (0-10)?")
# (lowest score, grade, meaning): Stewart 2001.
MIDAS_GRADES = [
    (0, "I", "little or no disability"),
    (6, "II", "mild disability"),
    (11, "III", "moderate disability"),
    (21, "IV", "severe disability"),
]

# (lowest total, band): HIT-6 interpretation bands.
HIT6_BANDS = [
    (36, "little or no impact"),
    (50, "some impact"),
    (56, "substantial impact"),
    (60, "severe impact"),
]


class Score(NamedTuple):
    total: int
    band: str


def _band(value: int, bands: list[tuple]) -> tuple:
    """Return the last band whose lower bound ``value`` reaches."""
    chosen = bands[0]
    for band in bands:
        if value >= band[0]:
            chosen = band
    return chosen


def _check_answers(answers: list[int], count: int, highest: int) -> None:
    if len(answers) != count:
        raise ValueError(f"Expected {count} answers, got {len(answers)}.")
    for answer in answers:
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise ValueError(f"Answers must be whole numbers, got {answer!r}.")
        if not 0 <= answer <= highest:
            raise ValueError(f"Answers must be 0 to {highest}, got {answer}.")


def phq9(answers: list[int]) -> Score:
    """PHQ-9 total (0-27) and severity band."""
    _check_answers(answers, 9, 3)
    total = sum(answers)
    return Score(total, _band(total, PHQ9_BANDS)[1])


def phq9_item9(answers: list[int]) -> int:
    """The ninth answer: thoughts of being better off dead or of self-harm."""
    _check_answers(answers, 9, 3)
    return answers[8]


def phq9_item9_positive(item9: int | None) -> bool:
    """Whether item 9 was answered above "Not at all" (0): any such thought, on any
    day. Routing's same-day safety review (docs/routing.md, ``G2_PHQ9_ITEM9``), the
    crisis advice and the staff pages' alerts all act on it; unanswered is not."""
    return item9 is not None and item9 > 0


def midas(answers: list[int]) -> Score:
    """MIDAS score (sum of the five scored items) and grade I-IV."""
    _check_answers(answers, 5, 90)
    total = sum(answers)
    _, grade, meaning = _band(total, MIDAS_GRADES)
    return Score(total, f"grade {grade}, {meaning}")


def hit6(total: int) -> Score:
    """HIT-6 impact band of a total score (36-78)."""
    if isinstance(total, bool) or not isinstance(total, int) or not 36 <= total <= 78:
        raise ValueError(f"A HIT-6 total is 36 to 78, got {total!r}.")
    return Score(total, _band(total, HIT6_BANDS)[1])
