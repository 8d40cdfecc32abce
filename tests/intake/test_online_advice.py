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


@pytest.mark.parametrize("trigger", sorted(codes.codes(codes.TRIGGERS)))
def test_every_trigger_the_form_asks_about_gets_a_tip_naming_it(trigger):
    tips = self_care_tips([trigger])
    assert tips
    label = dict(codes.TRIGGERS)[trigger]
    assert all(tip.because == (label,) for tip in tips)


@pytest.mark.parametrize(
    "food",
    ["processed_foods", "nitrates", "chocolate", "cheese", "dried_fruits"]
    + ["cultured_dairy", "msg"],
)
def test_each_food_trigger_suggests_foods_to_leave_out_and_magnesium(food):
    (tip,) = self_care_tips([food])
    assert tip.key == "foods"
    assert "almonds, oatmeal, eggs and milk" in tip.text


def test_the_foods_reported_are_listed_once_beside_the_tip_not_in_its_text():
    (alone,) = self_care_tips(["chocolate"])
    (foods,) = self_care_tips(["cheese", "msg"])
    assert foods.text == alone.text
    assert foods.because == ("Cheese", "MSG (monosodium glutamate)")


def test_skipped_meals_suggest_magnesium_and_name_only_skipped_meals():
    tips = {tip.key: tip for tip in self_care_tips(["cheese", "skipped_meals"])}
    assert list(tips) == ["foods", "meals"]
    assert "almonds, oatmeal, eggs and milk" in tips["meals"].text.lower()
    assert tips["meals"].because == ("Skipped meals",)


def test_stress_suggests_acupuncture_lavender_yoga_and_massage():
    assert tip_keys(["stress"]) == ["acupuncture", "lavender", "yoga", "massage"]


def test_poor_sleep_suggests_lavender_and_restorative_yoga():
    keys = tip_keys(["sleep"])
    assert keys == ["lavender", "yoga"]
    assert "restorative yoga" in self_care_tips(["sleep"])[1].text


@pytest.mark.parametrize("trigger", ["menstrual", "weather"])
def test_cycle_and_weather_suggest_a_diary_and_acupressure(trigger):
    assert tip_keys([trigger]) == ["diary", "acupuncture"]


def test_tips_tie_acupuncture_yoga_and_massage_to_the_clinic():
    tips = {tip.key: tip.text for tip in self_care_tips(["stress"])}
    assert "acupressure" in tips["acupuncture"]
    for key in ("acupuncture", "yoga", "massage"):
        assert "at the clinic" in tips[key]


@pytest.mark.parametrize(
    ("trigger", "key"), [("alcohol", "alcohol"), ("caffeine", "caffeine")]
)
def test_alcohol_and_caffeine_get_their_own_tip(trigger, key):
    assert tip_keys([trigger]) == [key]
