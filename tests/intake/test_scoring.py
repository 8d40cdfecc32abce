"""Questionnaire scoring, at every band boundary on both sides."""

import pytest

from intake import scoring


def phq9_answers(total: int) -> list[int]:
    """Nine answers (0-3) adding up to ``total``, item 9 kept at 0 where possible."""
    answers = [0] * 9
    remaining = total
    for index in range(9):
        answers[index] = min(3, remaining)
        remaining -= answers[index]
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_total_falls_in_its_band(total, band):
    assert scoring.phq9(phq9_answers(total)) == (total, band)


def test_phq9_item9_is_the_ninth_answer():
    assert scoring.phq9_item9([0, 0, 0, 0, 0, 0, 0, 0, 2]) == 2
    assert scoring.phq9_item9([3, 3, 3, 3, 3, 3, 3, 3, 0]) == 0


@pytest.mark.parametrize(
    "answers",
    [
        [0] * 8,
        [0] * 10,
        [0] * 8 + [4],
        [0] * 8 + [-1],
        [0] * 8 + [True],
        [0] * 8 + ["1"],
    ],
)
def test_phq9_rejects_malformed_answers(answers):
    with pytest.raises(ValueError):
        scoring.phq9(answers)


@pytest.mark.parametrize(
    ("total", "grade"),
    [(0, "I"), (5, "I"), (6, "II"), (10, "II"), (11, "III"), (20, "III"), (21, "IV")],
)
def test_midas_score_falls_in_its_grade(total, grade):
    answers = [min(total, 90), 0, 0, 0, 0]
    score = scoring.midas(answers)
    assert score.total == total
    assert score.band.startswith(f"grade {grade},")


def test_midas_adds_the_five_scored_items():
    assert scoring.midas([1, 2, 3, 4, 5]).total == 15


@pytest.mark.parametrize(
    "answers", [[0] * 4, [0] * 6, [91, 0, 0, 0, 0], [-1, 0, 0, 0, 0]]
)
def test_midas_rejects_malformed_answers(answers):
    with pytest.raises(ValueError):
        scoring.midas(answers)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (36, "little or no impact"),
        (49, "little or no impact"),
        (50, "some impact"),
        (55, "some impact"),
        (56, "substantial impact"),
        (59, "substantial impact"),
        (60, "severe impact"),
        (78, "severe impact"),
    ],
)
def test_hit6_total_falls_in_its_band(total, band):
    assert scoring.hit6(total) == (total, band)


@pytest.mark.parametrize("total", [35, 79, True, "60"])
def test_hit6_rejects_impossible_totals(total):
    with pytest.raises(ValueError):
        scoring.hit6(total)


@pytest.mark.parametrize(
    ("item9", "positive"), [(None, False), (0, False), (1, True), (3, True)]
)
def test_phq9_item9_is_positive_from_several_days_up_never_when_unanswered(
    item9, positive
):
    assert scoring.phq9_item9_positive(item9) is positive
