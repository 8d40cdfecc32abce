"""What a patient is told right after sending an intake, computed from the answers.

Pure functions: urgent advice for answers that need action now, and self-care tips
matched to the triggers the patient reported. Every trigger the form asks about has
at least one tip. The words are marked for translation with ``gettext_noop`` (which
returns them unchanged); the page translates them as it shows them.

Sources: the clinic's own advice (``docs/clinic-advice.md``: foods to leave out,
magnesium, lavender oil, acupuncture and acupressure, restorative yoga, massage) and,
for menstrual cycle, weather, alcohol, caffeine and meals, the everyday
self-management that headache services give (a headache diary, regular meals and
caffeine, noting drinks). The clinic's physicians should read them over.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_noop

from intake import scoring
from intake.codes import EMERGENCY_RED_FLAGS, TRIGGERS, URGENT_ONSET_AGE

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
    gettext_noop("Call 911 or go to the emergency department now"),
    gettext_noop(
        "Some of your answers describe warning signs that need a doctor today. If "
        "you have any of them now, or they come back, call 911 or go to the nearest "
        "emergency department straight away. Do not wait for us to contact you."
    ),
)
CRISIS = UrgentAdvice(
    Urgency.CRISIS,
    gettext_noop("You can talk to someone now: call or text 988"),
    gettext_noop(
        "You told us you have had thoughts of being better off dead or of hurting "
        "yourself. The 988 Suicide & Crisis Lifeline is free, confidential and open "
        "24 hours a day: call or text 988. If you are in danger now, call 911."
    ),
)
REVIEW = UrgentAdvice(
    Urgency.REVIEW,
    gettext_noop("A physician will review your answers within 24 hours"),
    gettext_noop(
        "Some of your answers mean a physician should look at them first, before we "
        "plan any treatment. We will contact you within 24 hours. If your headaches "
        "get suddenly worse in the meantime, call 911."
    ),
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
    if scoring.phq9_item9_positive(phq9_item9):
        advice.append(CRISIS)
    if (
        red_flags
        or new_or_changed_pattern
        or (onset_age is not None and onset_age >= URGENT_ONSET_AGE)
    ):
        advice.append(REVIEW)
    return advice


def urgent_advice_for(intake) -> list[UrgentAdvice]:
    """``urgent_advice`` for an intake's answers (any object with its fields)."""
    return urgent_advice(
        red_flags=intake.red_flags,
        phq9_item9=intake.phq9_9,
        new_or_changed_pattern=intake.new_or_changed_pattern,
        onset_age=intake.onset_age,
    )


# (key, triggers it answers, title, text), in the order they are shown.
TIPS = [
    (
        "foods",
        FOOD_TRIGGERS,
        gettext_noop("Foods to leave out"),
        gettext_noop(
            "Our physicians suggest cutting out processed foods and foods containing "
            "nitrates, chocolate, cheese, dried fruits, cultured dairy products or "
            "MSG. Add magnesium instead: almonds, oatmeal, eggs and milk are great "
            "sources."
        ),
    ),
    (
        "meals",
        ("skipped_meals",),
        gettext_noop("Eat regular meals, with magnesium"),
        gettext_noop(
            "Eat at about the same times every day, and don't skip breakfast. "
            "Almonds, oatmeal, eggs and milk are great sources of magnesium: make "
            "them part of your meals."
        ),
    ),
    (
        "caffeine",
        ("caffeine",),
        gettext_noop("Keep your caffeine steady"),
        gettext_noop(
            "Have about the same amount of coffee, tea or cola each day, and not "
            "too much. If you want to cut down, do it slowly over a few weeks: "
            "missing your usual caffeine can bring on an attack too."
        ),
    ),
    (
        "alcohol",
        ("alcohol",),
        gettext_noop("Notice which drinks set off an attack"),
        gettext_noop(
            "Write down which drinks, and how much, come before an attack; red wine "
            "is a common one. Leaving them out for a few weeks shows whether it "
            "helps."
        ),
    ),
    (
        "diary",
        ("menstrual", "weather"),
        gettext_noop("Keep a headache diary"),
        gettext_noop(
            "Note each attack with the date, your cycle and the weather. If attacks "
            "come at the same point of each month, tell our physicians: some "
            "treatments are taken just around those days. On days the weather "
            "changes, keep to your meals, sleep and water, and keep your medicine "
            "for attacks with you."
        ),
    ),
    (
        "acupuncture",
        ("stress", "menstrual", "weather"),
        gettext_noop("Try acupuncture and acupressure"),
        gettext_noop(
            "Acupuncture may make attacks less frequent, and acupressure (firm "
            "pressure on certain points) is something you can learn to do yourself. "
            "We offer acupuncture at the clinic."
        ),
    ),
    (
        "lavender",
        ("stress", "sleep"),
        gettext_noop("Try lavender oil"),
        gettext_noop(
            "Breathe in the scent of lavender oil, or rub a diluted lavender oil "
            "solution on your temples."
        ),
    ),
    (
        "yoga",
        ("stress", "sleep"),
        gettext_noop("Take a restorative yoga class"),
        gettext_noop(
            "A meditative or restorative yoga class can help you wind down and sleep "
            "better. We offer yoga at the clinic."
        ),
    ),
    (
        "massage",
        ("stress",),
        gettext_noop("Treat yourself to a massage"),
        gettext_noop(
            "Massage is proven to improve stress response and coping skills while "
            "decreasing heart rate, anxiety and adrenaline. We offer massage at the "
            "clinic."
        ),
    ),
]


def self_care_tips(triggers: list[str]) -> list[Tip]:
    """The tips that fit the triggers reported, each with the triggers it answers."""
    reported = [code for code, _label in TRIGGERS if code in set(triggers)]
    tips = []
    for key, answers, title, text in TIPS:
        because = tuple(TRIGGER_LABELS[code] for code in reported if code in answers)
        if because:
            tips.append(Tip(key, title, text, because))
    return tips
