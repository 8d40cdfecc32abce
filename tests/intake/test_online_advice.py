"""Urgent advice and self-care tips after an online intake: pure functions."""

import pytest

from intake import codes
from intake.advice import Urgency, self_care_tips, urgent_advice


def urgencies(**answers) -> list[Urgency]:
    base = {
        "red_flags": [],
        "phq9_item9": 0,
        "new_or_changed_pattern": False,
        "onset_age": 20,
    }
    return [item.urgency for item in urgent_advice(**{**base, **answers})]


def test_ordinary_answers_need_no_urgent_advice():
    assert urgencies() == []


@pytest.mark.parametrize("flag", sorted(codes.EMERGENCY_RED_FLAGS))
def test_every_emergency_red_flag_says_call_911(flag):
    assert urgencies(red_flags=[flag])[0] == Urgency.EMERGENCY


@pytest.mark.parametrize(
    "flag", sorted(codes.codes(codes.RED_FLAGS) - codes.EMERGENCY_RED_FLAGS)
)
def test_other_red_flags_get_a_physician_review_not_911(flag):
    assert urgencies(red_flags=[flag]) == [Urgency.REVIEW]


@pytest.mark.parametrize(("item9", "crisis"), [(0, False), (1, True), (3, True)])
def test_phq9_item9_above_zero_offers_988(item9, crisis):
    assert (Urgency.CRISIS in urgencies(phq9_item9=item9)) is crisis


def test_unanswered_phq9_item9_offers_nothing():
    assert urgencies(phq9_item9=None) == []


@pytest.mark.parametrize(("onset", "review"), [(49, False), (50, True), (None, False)])
def test_onset_at_50_or_later_gets_a_review(onset, review):
    assert (Urgency.REVIEW in urgencies(onset_age=onset)) is review


def test_new_or_changed_headaches_get_a_review():
    assert urgencies(new_or_changed_pattern=True) == [Urgency.REVIEW]


def test_most_urgent_comes_first():
    assert urgencies(red_flags=["seizure"], phq9_item9=2) == [
        Urgency.EMERGENCY,
        Urgency.CRISIS,
        Urgency.REVIEW,
    ]


def tip_keys(triggers):
    return [tip.key for tip in self_care_tips(triggers)]


def test_no_triggers_no_tips():
    assert tip_keys([]) == []
    assert tip_keys(["weather", "menstrual"]) == []


@pytest.mark.parametrize(
    "food",
    ["processed_foods", "nitrates", "chocolate", "cheese", "dried_fruits"]
    + ["cultured_dairy", "msg"],
)
def test_each_food_trigger_suggests_foods_to_avoid_and_magnesium(food):
    assert tip_keys([food]) == ["foods", "magnesium"]


def test_the_food_tip_names_the_foods_reported():
    (foods, _) = self_care_tips(["cheese", "msg"])
    assert "cheese, msg (monosodium glutamate) can bring on" in foods.text
    assert foods.because == ("Cheese", "MSG (monosodium glutamate)")


def test_skipped_meals_suggest_magnesium_rich_foods():
    (tip,) = self_care_tips(["skipped_meals"])
    assert tip.key == "magnesium"
    assert "almonds, oatmeal, eggs and milk" in tip.text.lower()


def test_stress_suggests_lavender_yoga_and_massage():
    assert tip_keys(["stress"]) == ["lavender", "yoga", "massage"]


def test_poor_sleep_suggests_lavender_and_restorative_yoga():
    keys = tip_keys(["sleep"])
    assert keys == ["lavender", "yoga"]
    assert "restorative yoga" in self_care_tips(["sleep"])[1].text
