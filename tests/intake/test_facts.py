"""A stored intake becomes exactly the facts record of docs/routing.md section 1."""

import datetime

import pytest
from django.utils import timezone

from intake import codes
from intake.facts import intake_facts
from tests.factories import IntakeFactory, PatientFactory, add_treatment

pytestmark = pytest.mark.django_db

INT = "int"
INT_OR_NONE = "int or null"
BOOL = "bool"
# docs/routing.md section 1: key -> expected type.
SECTION_1 = {
    "age": INT,
    "pregnant": BOOL,
    "postpartum_weeks": INT_OR_NONE,
    "breastfeeding": BOOL,
    "diagnosis": codes.codes(codes.DIAGNOSES),
    "lifetime_attacks": INT,
    "onset_age": INT,
    "headache_days_per_month": INT,
    "migraine_days_per_month": INT,
    "months_at_this_frequency": INT,
    "debilitating_days_per_month": INT,
    "debilitating_months": INT,
    "new_or_changed_pattern": BOOL,
    "red_flags": ("list", codes.codes(codes.RED_FLAGS)),
    "phq9": "phq9",
    "safety_cleared": BOOL,
    "bp_systolic": INT_OR_NONE,
    "bp_diastolic": INT_OR_NONE,
    "treatments": "treatments",
    "acute_use": "acute_use",
    "acute_use_months": INT,
    "moh_plan_documented": BOOL,
    "conditions": ("list", codes.codes(codes.CONDITIONS)),
    "allergies": ("list", codes.codes(codes.ALLERGIES)),
    "medications": ("list", codes.codes(codes.MEDICATIONS)),
    "last_botox_weeks_ago": INT_OR_NONE,
    "interests": ("list", codes.codes(codes.SERVICES)),
}
DAY_KEYS = {
    "headache_days_per_month",
    "migraine_days_per_month",
    "debilitating_days_per_month",
}


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def section_1_problems(facts: dict) -> list[str]:
    """Every way ``facts`` departs from docs/routing.md section 1."""
    problems = [f"{key}: missing" for key in SECTION_1 if key not in facts]
    problems += [f"{key}: unexpected" for key in facts if key not in SECTION_1]
    for key, kind in SECTION_1.items():
        value = facts.get(key)
        ok = True
        if kind == INT:
            ok = is_int(value) and value >= 0
        elif kind == INT_OR_NONE:
            ok = value is None or (is_int(value) and value >= 0)
        elif kind == BOOL:
            ok = isinstance(value, bool)
        elif kind == "phq9":
            ok = value is None or (
                isinstance(value, list)
                and len(value) == 9
                and all(is_int(v) and 0 <= v <= 3 for v in value)
            )
        elif kind == "treatments":
            ok = isinstance(value, list) and all(
                set(row) == {"drug", "class", "intent", "outcome", "weeks"}
                and isinstance(row["drug"], str)
                and row["drug"]
                and row["class"] in codes.codes(codes.TREATMENT_CLASSES)
                and row["intent"] in codes.codes(codes.INTENTS)
                and row["outcome"] in codes.codes(codes.OUTCOMES)
                and (row["weeks"] is None or is_int(row["weeks"]))
                for row in value
            )
        elif kind == "acute_use":
            ok = (
                isinstance(value, dict)
                and set(value) <= codes.codes(codes.ACUTE_CLASSES)
                and all(is_int(days) and 0 <= days <= 31 for days in value.values())
            )
        elif isinstance(kind, tuple):
            ok = isinstance(value, list) and set(value) <= kind[1]
        else:
            ok = value in kind
        if key in DAY_KEYS and ok:
            ok = value <= 31
        if not ok:
            problems.append(f"{key}: {value!r}")
    return problems


def test_facts_carry_the_answers_and_the_treatment_rows():
    intake = IntakeFactory(
        patient=PatientFactory(date_of_birth="1988-01-15"),
        conditions=["glaucoma", "vertigo"],
        red_flags=["positional"],
        medications=["anticoagulant"],
        interests=["yoga", "ketamine"],
        acute_days_triptan=9,
        acute_use_months=4,
    )
    add_treatment(intake, "propranolol", "ineffective", weeks=16)
    add_treatment(intake, "rimegepant", "helped")
    facts = intake_facts(intake)
    assert facts["age"] == intake.patient.age_on(intake.intake_date)
    assert facts["phq9"] == [1, 1, 0, 0, 0, 0, 0, 0, 0]
    assert facts["conditions"] == ["glaucoma", "vertigo"]
    assert facts["red_flags"] == ["positional"]
    assert facts["interests"] == ["ketamine", "yoga"]
    assert facts["acute_use"]["triptan"] == 9
    assert facts["acute_use"]["opioid"] == 0
    assert facts["treatments"] == [
        {
            "drug": "propranolol",
            "class": "beta_blocker",
            "intent": "preventive",
            "outcome": "ineffective",
            "weeks": 16,
        },
        {
            "drug": "rimegepant",
            "class": "gepant",
            "intent": "acute",
            "outcome": "helped",
            "weeks": None,
        },
    ]
    assert section_1_problems(facts) == []


def test_age_counts_whole_years_on_the_intake_day():
    patient = PatientFactory.build(date_of_birth=datetime.date(2000, 6, 15))
    assert patient.age_on(datetime.date(2018, 6, 14)) == 17
    assert patient.age_on(datetime.date(2018, 6, 15)) == 18


def test_draft_facts_leave_unanswered_questions_empty():
    intake = IntakeFactory(onset_age=None, phq9_5=None, pregnant=None)
    facts = intake_facts(intake)
    assert facts["onset_age"] is None
    assert facts["phq9"] is None
    assert facts["pregnant"] is None


def test_safety_clearance_shows_in_facts():
    intake = IntakeFactory(phq9_9=1)
    assert intake_facts(intake)["safety_cleared"] is False
    intake.safety_cleared_at = timezone.now()
    assert intake_facts(intake)["safety_cleared"] is True
