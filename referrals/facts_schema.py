"""The facts record routing reads, checked before any rule runs (docs/routing.md
section 1): every key present and no other, exact types, numbers in plausible ranges,
codes known. Pure Python, no Django; built from the generic checks of
``referrals.json_checks``. ``referrals.routing.route`` refuses facts with a problem.
"""

from __future__ import annotations

from typing import Any

from intake import codes
from referrals.json_checks import (
    OBJECT,
    Check,
    Problem,
    boolean,
    code_in,
    codes_in,
    each,
    kind,
    non_blank,
    record,
    whole_number,
)

# Plausibility limits for validation; a value outside them is a data-entry error.
MAX_AGE = 130
MAX_DAYS_PER_MONTH = 31
MAX_MONTHS = MAX_AGE * 12
MAX_WEEKS = MAX_AGE * 53
MAX_LIFETIME_ATTACKS = 100_000
SYSTOLIC_RANGE = (50, 300)
DIASTOLIC_RANGE = (20, 200)

# Checks are built once, not on every call: validation is on the hot path of routing.

_PHQ9_ANSWER = whole_number(0, 3)
_DAYS = whole_number(0, MAX_DAYS_PER_MONTH)
_ACUTE_CLASSES = codes.codes(codes.ACUTE_CLASSES)


def _phq9(value: Any) -> Problem:
    """Check nine PHQ-9 answers of 0-3, or null when the PHQ-9 was not completed."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        return f"must be a list of 9 answers or null, got {kind(value)}"
    if len(value) != 9:
        return f"must have exactly 9 answers, got {len(value)}"
    return each(_PHQ9_ANSWER, value)


def _acute_use(value: Any) -> Problem:
    """Check a map of acute class code to days per month."""
    if not isinstance(value, OBJECT):
        return f"must be an object of acute class to days, got {kind(value)}"
    problems: dict[str, str] = {}
    for key, days in value.items():
        if not isinstance(key, str):
            problems[f"[{key!r}]"] = "keys must be acute class codes"
        elif key not in _ACUTE_CLASSES:
            problems[f".{key}"] = f"unknown acute class {key!r}"
        else:
            problem = _DAYS(days)
            if problem is not None:
                problems[f".{key}"] = problem
    return problems or None


_TREATMENT = record(
    {
        "drug": non_blank,
        "class": code_in(codes.codes(codes.TREATMENT_CLASSES)),
        "intent": code_in(codes.codes(codes.INTENTS)),
        "outcome": code_in(codes.codes(codes.OUTCOMES)),
        "weeks": whole_number(0, MAX_WEEKS, nullable=True),
    }
)


def _treatments(value: Any) -> Problem:
    """Check the list of treatments tried."""
    if not isinstance(value, (list, tuple)):
        return f"must be a list of treatments, got {kind(value)}"
    return each(_TREATMENT, value)


_AGE = whole_number(0, MAX_AGE)
_MONTHS = whole_number(0, MAX_MONTHS)
_WEEKS_OR_NULL = whole_number(0, MAX_WEEKS, nullable=True)

# docs/routing.md section 1, in its order.
_FACT_CHECKS: dict[str, Check] = {
    "age": _AGE,
    "pregnant": boolean,
    "postpartum_weeks": _WEEKS_OR_NULL,
    "breastfeeding": boolean,
    "diagnosis": code_in(codes.codes(codes.DIAGNOSES)),
    "lifetime_attacks": whole_number(0, MAX_LIFETIME_ATTACKS),
    "onset_age": _AGE,
    "headache_days_per_month": _DAYS,
    "migraine_days_per_month": _DAYS,
    "months_at_this_frequency": _MONTHS,
    "debilitating_days_per_month": _DAYS,
    "debilitating_months": _MONTHS,
    "new_or_changed_pattern": boolean,
    "red_flags": codes_in(codes.codes(codes.RED_FLAGS)),
    "phq9": _phq9,
    "safety_cleared": boolean,
    "bp_systolic": whole_number(*SYSTOLIC_RANGE, nullable=True),
    "bp_diastolic": whole_number(*DIASTOLIC_RANGE, nullable=True),
    "treatments": _treatments,
    "acute_use": _acute_use,
    "acute_use_months": _MONTHS,
    "moh_plan_documented": boolean,
    "conditions": codes_in(codes.codes(codes.CONDITIONS)),
    "allergies": codes_in(codes.codes(codes.ALLERGIES)),
    "medications": codes_in(codes.codes(codes.MEDICATIONS)),
    "last_botox_weeks_ago": _WEEKS_OR_NULL,
    "interests": codes_in(codes.codes(codes.SERVICES)),
}


_FACTS = record(_FACT_CHECKS)


def validate_facts(facts: Any) -> dict[str, str]:
    """Return every problem with ``facts`` as {key path: message}; empty when valid.

    Every key of docs/routing.md section 1 is required and no other key is allowed.
    Types are exact (a boolean is not a whole number), numbers must be in range and
    codes known. Nested keys are named by path, such as ``treatments[2].weeks`` or
    ``phq9[8]``.
    """
    problem = _FACTS(facts)
    if problem is None:
        return {}
    if isinstance(problem, str):
        return {"facts": problem}
    # The facts object's own keys are named without the leading "." of a nested key.
    return {path.removeprefix("."): message for path, message in problem.items()}
