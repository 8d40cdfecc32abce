"""Questionnaire scoring: PHQ-9 (Kroenke 2001), MIDAS (Stewart 2001), HIT-6.

Pure functions of the answers, no Django: the admin, the facts and the routing
engine all read their scores from here.
"""

from typing import NamedTuple

PHQ9_ITEMS = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself, or that you are a failure or have let yourself "
    "or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching "
    "television",
    "Moving or speaking so slowly that other people could have noticed, or the "
    "opposite: being so fidgety or restless that you have been moving around a lot "
    "more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself in some way",
]
PHQ9_ANSWERS = [
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
]
# (lowest total, band): Kroenke 2001.
PHQ9_BANDS = [
    (0, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (15, "moderately severe"),
    (20, "severe"),
]

MIDAS_ITEMS = [
    "Days in the last 3 months you missed work or school because of headaches",
    "Days in the last 3 months your productivity at work or school was reduced by half "
    "or more (not counting days missed)",
    "Days in the last 3 months you did no household work because of headaches",
    "Days in the last 3 months your productivity in household work was reduced by half "
    "or more (not counting days with no household work)",
    "Days in the last 3 months you missed family, social or leisure activities",
]
MIDAS_A = "Days in the last 3 months you had a headache"
MIDAS_B = "How painful were these headaches, on average (0-10)?"
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
