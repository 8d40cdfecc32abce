"""The outcome definitions, without a database: each threshold from both sides, the
Wilson interval against published values, the lost to follow-up counted both ways."""

from math import isclose

import pytest

from outcomes import definitions as d


@pytest.mark.parametrize(
    ("before_first", "after_last", "expected"),
    [
        (8, 6, True),  # exactly the decrease
        (8, 7, False),  # one short
        (8, 0, True),
        (2, 0, True),
        (1, 0, False),
        (5, 5, False),
        (4, 6, False),  # worse
    ],
)
def test_immediate_response_is_a_fall_of_at_least_two_points(
    before_first, after_last, expected
):
    assert d.PAIN_RESPONSE_DECREASE == 2
    assert d.pain_response(before_first=before_first, after_last=after_last) is expected


@pytest.mark.parametrize(
    ("after_last", "at_follow_up", "expected"),
    [
        (3, 6, True),  # still exactly 2 below the first score of 8
        (3, 7, False),  # only 1 below
        (3, 2, True),
        (7, 2, False),  # no immediate response: nothing to sustain
        (6, 6, True),
    ],
)
def test_sustained_response_keeps_two_points_below_the_first_score(
    after_last, at_follow_up, expected
):
    assert (
        d.sustained_pain_response(
            before_first=8, after_last=after_last, at_follow_up=at_follow_up
        )
        is expected
    )


@pytest.mark.parametrize(
    ("baseline", "at_follow_up", "expected"),
    [
        (20, 10, True),  # exactly half
        (20, 11, False),
        (15, 7, True),  # 53%
        (15, 8, False),  # 47%
        (1, 0, True),
        (1, 1, False),
        (10, 12, False),
        (0, 0, None),  # nothing to halve
    ],
)
def test_preventive_response_is_monthly_headache_days_halved(
    baseline, at_follow_up, expected
):
    assert (
        d.headache_days_response(baseline=baseline, at_follow_up=at_follow_up)
        is expected
    )


# Newcombe RG. Two-sided confidence intervals for the single proportion: comparison
# of seven methods. Stat Med 1998;17:857-872, method 3 (Wilson), to four places.
@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (5, 10, 0.2366, 0.7634),
    ],
)
def test_wilson_interval_matches_newcombes_table(k, n, low, high):
    got = d.wilson_interval(k, n)
    assert round(got[0], 4) == low
    assert round(got[1], 4) == high


def test_wilson_interval_of_schwenks_48_of_61():
    low, high = d.wilson_interval(48, 61)
    assert (round(low, 4), round(high, 4)) == (0.6688, 0.8710)
    # Each bound is a proportion p whose normal interval's edge is the observed 48/61:
    # (k/n - p)^2 = z^2 p (1 - p) / n.
    observed = 48 / 61
    for p in (low, high):
        assert isclose((observed - p) ** 2, d.Z_95**2 * p * (1 - p) / 61)


def test_wilson_interval_of_nobody_is_none_and_impossible_counts_fail():
    assert d.wilson_interval(0, 0) is None
    assert d.wilson_interval(10, 10)[1] == 1.0
    with pytest.raises(ValueError):
        d.wilson_interval(3, 2)
    with pytest.raises(ValueError):
        d.wilson_interval(-1, 2)


def test_lost_to_follow_up_counts_as_non_responders_or_is_excluded():
    m = d.measure([True, True, True, False, None, None])
    assert (m.responders, m.non_responders, m.lost_to_follow_up) == (3, 1, 2)
    assert m.patients == 6
    assert m.as_non_responders == d.Proportion(3, 6)
    assert m.as_non_responders.rate == 0.5
    assert m.excluding_lost == d.Proportion(3, 4)
    assert m.excluding_lost.rate == 0.75
    assert m.excluding_lost.ci95 == d.wilson_interval(3, 4)


def test_a_measure_of_only_lost_patients_has_no_rate_excluding_them():
    m = d.measure([None, None])
    assert m.as_non_responders.rate == 0.0
    assert m.excluding_lost.rate is None
    assert m.excluding_lost.ci95 is None
    assert d.measure([]).as_non_responders.rate is None


@pytest.mark.parametrize(
    ("point", "days", "answered", "state"),
    [
        ("1m", 10, False, "pending"),
        ("1m", 30 + d.FOLLOW_UP_ANSWER_DAYS - 1, False, "pending"),
        ("1m", 30 + d.FOLLOW_UP_ANSWER_DAYS, False, "lost"),
        ("1m", 200, True, "answered"),
        ("3m", 91 + d.FOLLOW_UP_ANSWER_DAYS - 1, False, "pending"),
        ("3m", 91 + d.FOLLOW_UP_ANSWER_DAYS, False, "lost"),
    ],
)
def test_a_follow_up_is_lost_only_once_its_answer_days_have_passed(
    point, days, answered, state
):
    assert (
        d.follow_up_state(point=point, days_since_end=days, answered=answered) == state
    )


def test_published_figures_are_the_papers():
    schwenk, pomeroy = d.published_for("ketamine")
    assert schwenk.source is d.SCHWENK_2018
    assert (schwenk.immediate.responders, schwenk.immediate.patients) == (48, 61)
    assert schwenk.immediate.stated_rate == 0.77
    assert schwenk.sustained_1m.stated_rate == 0.40
    assert schwenk.sustained_3m.stated_rate == 0.39
    assert pomeroy.patients == 77
    assert pomeroy.immediate.stated_rate == 0.714
    assert pomeroy.sustained_1m.stated_rate == 0.273
    # 27.3% is of Pomeroy's 55 acute responders, not of all 77 patients.
    assert round(15 / 55, 3) == pomeroy.sustained_1m.stated_rate
    assert pomeroy.sustained_3m is None
    assert d.published_for("yoga") == []
