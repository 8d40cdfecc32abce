"""What a patient is told right after sending an intake, computed from the answers.

Pure functions, no Django: urgent advice for answers that need action now, and the
clinic's own self-care tips (its page in ``seed/clinic-page.txt``) matched to the
triggers the patient reported.
"""

from dataclasses import dataclass
from enum import StrEnum

from intake.codes import EMERGENCY_RED_FLAGS, TRIGGERS

REVIEW_ONSET_AGE = 50
FOOD_TRIGGERS = (
    "processed_foods",
    "nitrates",
    "chocolate",
    "cheese",
    "dried_fruits",
    "cultured_dairy",
    "msg",
)
TRIGGER_LABELS = dict(TRIGGERS)


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    CRISIS = "crisis"
    REVIEW = "review"


@dataclass(frozen=True)
class UrgentAdvice:
    urgency: Urgency
    title: str
    text: str


@dataclass(frozen=True)
class Tip:
    key: str
    title: str
    text: str
    because: tuple[str, ...]


EMERGENCY = UrgentAdvice(
    Urgency.EMERGENCY,
    "Call 911 or go to the emergency department now",
    "Some of your answers describe warning signs that need a doctor today. If you "
    "have any of them now, or they come back, call 911 or go to the nearest "
    "emergency department straight away. Do not wait for us to contact you.",
)
CRISIS = UrgentAdvice(
    Urgency.CRISIS,
    "You can talk to someone now: call or text 988",
    "You told us you have had thoughts of being better off dead or of hurting "
    "yourself. The 988 Suicide & Crisis Lifeline is free, confidential and open "
    "24 hours a day: call or text 988. If you are in danger now, call 911.",
)
REVIEW = UrgentAdvice(
    Urgency.REVIEW,
    "A physician will review your answers within 24 hours",
    "Some of your answers mean a physician should look at them first, before we "
    "plan any treatment. We will contact you within 24 hours. If your headaches get "
    "suddenly worse in the meantime, call 911.",
)


# What the front desk is told when a patient they enter or amend needs the same advice.
STAFF_ADVICE = {
    Urgency.EMERGENCY: UrgentAdvice(
        Urgency.EMERGENCY,
        "Emergency warning signs: act now.",
        "If the patient is here or on the phone and has any of these signs now, call "
        "911 or send them to the emergency department. Tell the on-call physician "
        "straight away.",
    ),
    Urgency.CRISIS: UrgentAdvice(
        Urgency.CRISIS,
        "Thoughts of self-harm (PHQ-9 item 9).",
        "Make sure the patient knows they can call or text 988 (Suicide & Crisis "
        "Lifeline) at any hour, and 911 if in danger now. Tell the on-call physician "
        "straight away: a same-day safety review is needed.",
    ),
    Urgency.REVIEW: UrgentAdvice(
        Urgency.REVIEW,
        "Physician review within 24 hours.",
        "Some answers need a physician before any treatment is planned. Tell the "
        "on-call physician; no routine referral is made until they clear it.",
    ),
}


def urgent_advice(
    *,
    red_flags: list[str],
    phq9_item9: int | None,
    new_or_changed_pattern: bool | None,
    onset_age: int | None,
) -> list[UrgentAdvice]:
    """The urgent advice the answers call for, most urgent first."""
    advice = []
    if EMERGENCY_RED_FLAGS.intersection(red_flags):
        advice.append(EMERGENCY)
    if phq9_item9:
        advice.append(CRISIS)
    if (
        red_flags
        or new_or_changed_pattern
        or (onset_age is not None and onset_age >= REVIEW_ONSET_AGE)
    ):
        advice.append(REVIEW)
    return advice


def _labels(codes: list[str]) -> tuple[str, ...]:
    return tuple(TRIGGER_LABELS[code] for code in codes)


def self_care_tips(triggers: list[str]) -> list[Tip]:
    """The clinic's self-care tips that fit the triggers reported, in a fixed order."""
    reported = set(triggers)
    foods = [code for code in FOOD_TRIGGERS if code in reported]
    stress = [code for code in ("stress",) if code in reported]
    rest = [code for code in ("stress", "sleep") if code in reported]
    meals = [code for code in ("skipped_meals",) if code in reported]
    tips = []
    if foods:
        named = ", ".join(label.lower() for label in _labels(foods))
        tips.append(
            Tip(
                "foods",
                "Foods to leave out",
                f"You said {named} can bring on an attack. Our physicians suggest "
                "cutting out processed foods and foods containing nitrates, "
                "chocolate, cheese, dried fruits, cultured dairy products or MSG.",
                _labels(foods),
            )
        )
    if foods or meals:
        tips.append(
            Tip(
                "magnesium",
                "Add magnesium to your diet",
                "Almonds, oatmeal, eggs and milk are great sources of magnesium. "
                "Regular meals that include them are a good habit.",
                _labels(foods + meals),
            )
        )
    if rest:
        tips.append(
            Tip(
                "lavender",
                "Try lavender oil",
                "Breathe in the scent of lavender oil, or rub a diluted lavender oil "
                "solution on your temples.",
                _labels(rest),
            )
        )
        tips.append(
            Tip(
                "yoga",
                "Take a restorative yoga class",
                "A meditative or restorative yoga class can help you wind down and "
                "sleep better. We offer yoga at the clinic.",
                _labels(rest),
            )
        )
    if stress:
        tips.append(
            Tip(
                "massage",
                "Treat yourself to a massage",
                "Massage is proven to improve stress response and coping skills "
                "while decreasing heart rate, anxiety and adrenaline. We offer "
                "massage at the clinic.",
                _labels(stress),
            )
        )
    return tips
