"""The referral routing engine: one intake's facts in, a recommendation per service out.

This module implements ROUTING.md (rules version 2026.1) as a pure function of a facts
record: no Django, no database, no clock. Every reason that fired is returned with a
stable code and a text a physician reads, so a stored decision can be replayed and
explained. The engine recommends; a physician decides.

Public API: ``validate_facts``, ``derive``, ``route``, ``InvalidFacts``,
``RULES_VERSION``, ``SERVICE_CODES`` and ``TIERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from intake import codes

RULES_VERSION = "2026.1"

# --------------------------------------------------------------------------------------
# Thresholds. The medical director changes these here, never in the logic below.
# "Clinic policy" marks what ROUTING.md calls the clinic's own choice; the others come
# from the criteria ROUTING.md cites. Any change here needs a new RULES_VERSION.
# --------------------------------------------------------------------------------------
ADULT_AGE = 18  # the clinic treats adults only
URGENT_ONSET_AGE = 50  # clinic policy: onset at this age or later needs review in 24 h
SEVERE_SYSTOLIC = 180  # clinic policy: G3 same-day review at or above
SEVERE_DIASTOLIC = 120  # clinic policy: G3 same-day review at or above

ADEQUATE_TRIAL_WEEKS = 8  # clinic policy, from EHF's 2-3 months
ADEQUATE_BOTOX_TRIAL_WEEKS = 24  # two 12-week onabotulinumtoxinA cycles

CHRONIC_HEADACHE_DAYS = 15  # ICHD-3 1.3: at least
CHRONIC_MIGRAINE_DAYS = 8  # ICHD-3 1.3: at least
CHRONIC_MONTHS_OVER = 3  # ICHD-3 1.3: more than 3 months (exactly 3 does not qualify)
CHRONIC_LIFETIME_ATTACKS = 5  # ICHD-3 1.1/1.2: at least

RESISTANT_FAILED_CLASSES = 3  # EHF 2020: at least
RESISTANT_DEBILITATING_DAYS = 8  # EHF 2020: at least
RESISTANT_DEBILITATING_MONTHS = 3  # EHF 2020: at least (exactly 3 qualifies)
RESISTANT_FAILED_TRIPTANS = 2  # ROUTING.md: at least

MOH_HEADACHE_DAYS = 15  # ICHD-3 8.2: at least
MOH_MONTHS_OVER = 3  # ICHD-3 8.2: more than 3 months
SIMPLE_ANALGESIC_OVERUSE_DAYS = 15  # ICHD-3 8.2.3: at least
SPECIFIC_OVERUSE_DAYS = 10  # ICHD-3 8.2.1/8.2.2/8.2.4/8.2.5: at least
DITAN_GEPANT_OVERUSE_DAYS = 10  # clinic policy: at least
COMBINED_OVERUSE_DAYS = 10  # ICHD-3 8.2.6: at least

PHQ9_HIGH_TOTAL = 15  # PHQ-9 "moderately severe" band starts here

KETAMINE_BLOCK_SYSTOLIC = 180  # product label: resting BP above 180/100
KETAMINE_BLOCK_DIASTOLIC = 100
KETAMINE_FLAG_SYSTOLIC = 140  # recheck from here up to the block limit
KETAMINE_FLAG_DIASTOLIC = 90

BOTOX_MIN_FAILED_PREVENTIVE_DRUGS = 3  # NICE TA260: at least
BOTOX_REPEAT_WEEKS = 12  # FLAG when the last treatment was sooner

YOGA_FLAG_SYSTOLIC = 140  # no inversions at or above
YOGA_FLAG_DIASTOLIC = 90
YOGA_OLDER_AGE = 65  # FLAG at or above
# --------------------------------------------------------------------------------------

# Plausibility limits for validation; a value outside them is a data-entry error.
MAX_AGE = 130
MAX_DAYS_PER_MONTH = 31
MAX_MONTHS = MAX_AGE * 12
MAX_WEEKS = MAX_AGE * 53
MAX_LIFETIME_ATTACKS = 100_000
SYSTOLIC_RANGE = (50, 300)
DIASTOLIC_RANGE = (20, 200)

SERVICE_CODES: tuple[str, ...] = tuple(code for code, _ in codes.SERVICES)
TIERS: tuple[str, ...] = ("emergency", "urgent", "same_day")  # most urgent first

HOLD, BLOCK, NE, FLAG, REC = "HOLD", "BLOCK", "NE", "FLAG", "REC"

Facts = Mapping[str, Any]


class InvalidFacts(ValueError):
    """Facts that cannot be routed; ``errors`` maps each bad key to its problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        """Keep ``errors`` and summarise them in the message."""
        self.errors = dict(errors)
        detail = "; ".join(f"{key}: {message}" for key, message in self.errors.items())
        super().__init__(f"Invalid facts: {detail}")


class Reason(NamedTuple):
    """One rule that fired: a stable code and the text a physician reads."""

    code: str
    text: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


Finding = tuple[str, Reason]  # (NE, BLOCK or FLAG, reason)


# Validation ---------------------------------------------------------------------------

Check = Callable[[dict[str, str], str, Any], None]


def _kind(value: Any) -> str:
    """Name a value's JSON type for an error message."""
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "list"
    return names.get(type(value), type(value).__name__)


def _int(low: int, high: int, *, nullable: bool = False) -> Check:
    """Check a whole number in ``[low, high]``; a boolean is not a number."""

    def check(errors: dict[str, str], path: str, value: Any) -> None:
        if value is None and nullable:
            return
        if type(value) is not int:
            wanted = "a whole number or null" if nullable else "a whole number"
            errors[path] = f"must be {wanted}, got {_kind(value)}"
        elif not low <= value <= high:
            errors[path] = f"must be between {low} and {high}, got {value}"

    return check


def _bool(errors: dict[str, str], path: str, value: Any) -> None:
    """Check a boolean."""
    if type(value) is not bool:
        errors[path] = f"must be true or false, got {_kind(value)}"


def _text(errors: dict[str, str], path: str, value: Any) -> None:
    """Check a non-blank string."""
    if not isinstance(value, str):
        errors[path] = f"must be a string, got {_kind(value)}"
    elif not value.strip():
        errors[path] = "must not be blank"


def _code(choices: list[tuple[str, str]]) -> Check:
    """Check one code of ``choices``."""
    allowed = codes.codes(choices)

    def check(errors: dict[str, str], path: str, value: Any) -> None:
        if not isinstance(value, str):
            errors[path] = f"must be a code (string), got {_kind(value)}"
        elif value not in allowed:
            errors[path] = f"unknown code {value!r}"

    return check


def _code_list(choices: list[tuple[str, str]]) -> Check:
    """Check a list of codes of ``choices``."""
    check_code = _code(choices)

    def check(errors: dict[str, str], path: str, value: Any) -> None:
        if not isinstance(value, (list, tuple)):
            errors[path] = f"must be a list of codes, got {_kind(value)}"
            return
        for index, item in enumerate(value):
            check_code(errors, f"{path}[{index}]", item)

    return check


# Checks are built once, not on every call: validation is on the hot path of routing.
_PHQ9_ANSWER = _int(0, 3)
_DAYS = _int(0, MAX_DAYS_PER_MONTH)
_ACUTE_CLASSES = codes.codes(codes.ACUTE_CLASSES)


def _phq9(errors: dict[str, str], path: str, value: Any) -> None:
    """Check nine PHQ-9 answers of 0-3, or null when the PHQ-9 was not completed."""
    if value is None:
        return
    if not isinstance(value, (list, tuple)):
        errors[path] = f"must be a list of 9 answers or null, got {_kind(value)}"
    elif len(value) != 9:
        errors[path] = f"must have exactly 9 answers, got {len(value)}"
    else:
        for index, answer in enumerate(value):
            _PHQ9_ANSWER(errors, f"{path}[{index}]", answer)


def _acute_use(errors: dict[str, str], path: str, value: Any) -> None:
    """Check a map of acute class code to days per month."""
    if not isinstance(value, Mapping):
        errors[path] = f"must be an object of acute class to days, got {_kind(value)}"
        return
    for key, days in value.items():
        if not isinstance(key, str):
            errors[f"{path}[{key!r}]"] = "keys must be acute class codes"
        elif key not in _ACUTE_CLASSES:
            errors[f"{path}.{key}"] = f"unknown acute class {key!r}"
        else:
            _DAYS(errors, f"{path}.{key}", days)


_TREATMENT_CHECKS: dict[str, Check] = {
    "drug": _text,
    "class": _code(codes.TREATMENT_CLASSES),
    "intent": _code(codes.INTENTS),
    "outcome": _code(codes.OUTCOMES),
    "weeks": _int(0, MAX_WEEKS, nullable=True),
}


def _record(checks: Mapping[str, Check]) -> Check:
    """Check an object with exactly the keys of ``checks``."""

    def check(errors: dict[str, str], path: str, value: Any) -> None:
        if not isinstance(value, Mapping):
            errors[path or "facts"] = f"must be an object, got {_kind(value)}"
            return
        prefix = f"{path}." if path else ""
        for key in sorted(value.keys() - checks.keys(), key=repr):
            name = key if isinstance(key, str) else repr(key)
            errors[f"{prefix}{name}"] = "unknown key"
        for key, check_field in checks.items():
            if key in value:
                check_field(errors, f"{prefix}{key}", value[key])
            else:
                errors[f"{prefix}{key}"] = "required"

    return check


def _treatments(errors: dict[str, str], path: str, value: Any) -> None:
    """Check the list of treatments tried."""
    if not isinstance(value, (list, tuple)):
        errors[path] = f"must be a list of treatments, got {_kind(value)}"
        return
    for index, row in enumerate(value):
        _TREATMENT_ROW(errors, f"{path}[{index}]", row)


_TREATMENT_ROW = _record(_TREATMENT_CHECKS)
_AGE = _int(0, MAX_AGE)
_MONTHS = _int(0, MAX_MONTHS)
_WEEKS_OR_NULL = _int(0, MAX_WEEKS, nullable=True)

# ROUTING.md section 1, in its order.
_FACT_CHECKS: dict[str, Check] = {
    "age": _AGE,
    "pregnant": _bool,
    "postpartum_weeks": _WEEKS_OR_NULL,
    "breastfeeding": _bool,
    "diagnosis": _code(codes.DIAGNOSES),
    "lifetime_attacks": _int(0, MAX_LIFETIME_ATTACKS),
    "onset_age": _AGE,
    "headache_days_per_month": _DAYS,
    "migraine_days_per_month": _DAYS,
    "months_at_this_frequency": _MONTHS,
    "debilitating_days_per_month": _DAYS,
    "debilitating_months": _MONTHS,
    "new_or_changed_pattern": _bool,
    "red_flags": _code_list(codes.RED_FLAGS),
    "phq9": _phq9,
    "safety_cleared": _bool,
    "bp_systolic": _int(*SYSTOLIC_RANGE, nullable=True),
    "bp_diastolic": _int(*DIASTOLIC_RANGE, nullable=True),
    "treatments": _treatments,
    "acute_use": _acute_use,
    "acute_use_months": _MONTHS,
    "moh_plan_documented": _bool,
    "conditions": _code_list(codes.CONDITIONS),
    "allergies": _code_list(codes.ALLERGIES),
    "medications": _code_list(codes.MEDICATIONS),
    "last_botox_weeks_ago": _WEEKS_OR_NULL,
    "interests": _code_list(codes.SERVICES),
}


_FACTS = _record(_FACT_CHECKS)


def validate_facts(facts: Any) -> dict[str, str]:
    """Return every problem with ``facts`` as {key path: message}; empty when valid.

    Every key of ROUTING.md section 1 is required and no other key is allowed. Types are
    exact (a boolean is not a whole number), numbers must be in range and codes known.
    Nested keys are named by path, such as ``treatments[2].weeks`` or ``phq9[8]``.
    """
    errors: dict[str, str] = {}
    _FACTS(errors, "", facts)
    return errors


# Derived values (ROUTING.md section 2) ------------------------------------------------

_FAILED_OUTCOMES = frozenset({"intolerable", "contraindicated"})
_FAILED_TRIPTAN_OUTCOMES = frozenset({"ineffective", "intolerable", "contraindicated"})
# ICHD-3 8.2: acute classes whose use counts towards medication overuse (antiemetics
# never do).
_OVERUSE_SPECIFIC_CLASSES = ("triptan", "ergot", "opioid", "combination_analgesic")
_OVERUSE_POLICY_CLASSES = ("ditan", "gepant")
_OVERUSE_CLASSES = (
    ("simple_analgesic",) + _OVERUSE_SPECIFIC_CLASSES + _OVERUSE_POLICY_CLASSES
)


class _Analysis(NamedTuple):
    """Derived values, plus what the service rules need to explain them."""

    is_migraine: bool
    chronic_gaps: list[tuple[str, str]]
    resistant_gaps: list[tuple[str, str]]
    medication_overuse: bool
    failed_preventive_drugs: int
    failed_preventive_classes: int
    failed_triptans: int
    inadequate_trials: list[str]
    phq9_total: int | None
    phq9_item9: int | None

    def derived(self) -> dict[str, Any]:
        """Return the derived values of the decision's output."""
        return {
            "chronic_migraine": self.is_migraine and not self.chronic_gaps,
            "resistant_migraine": self.is_migraine and not self.resistant_gaps,
            "medication_overuse": self.medication_overuse,
            "failed_preventive_drugs": self.failed_preventive_drugs,
            "failed_preventive_classes": self.failed_preventive_classes,
            "failed_triptans": self.failed_triptans,
            "phq9_total": self.phq9_total,
        }


def _drug_key(treatment: Facts) -> str:
    """Identify a drug across rows regardless of case and surrounding spaces."""
    return treatment["drug"].strip().casefold()


def _adequate_weeks(treatment: Facts) -> int:
    """Return the weeks an ineffective preventive needs to count as a failed trial."""
    if treatment["class"] == "onabotulinumtoxina":
        return ADEQUATE_BOTOX_TRIAL_WEEKS
    return ADEQUATE_TRIAL_WEEKS


def _is_failed_trial(treatment: Facts) -> bool:
    """Return whether a treatment counts as a failed trial."""
    if treatment["outcome"] in _FAILED_OUTCOMES:
        return True
    weeks = treatment["weeks"]
    return (
        treatment["outcome"] == "ineffective"
        and weeks is not None
        and weeks >= _adequate_weeks(treatment)
    )


def _preventive_trials(facts: Facts) -> list[Facts]:
    """Return the preventive drug trials; non-drug treatments never count."""
    return [
        treatment
        for treatment in facts["treatments"]
        if treatment["intent"] == "preventive" and treatment["class"] != "non_drug"
    ]


def _preventive_class(treatment: Facts) -> str:
    """Return the EHF class of a preventive trial.

    A gepant taken as a preventive (rimegepant) belongs to the CGRP-pathway class, so it
    does not count as a class of its own next to atogepant or a CGRP antibody.
    """
    return "cgrp_pathway" if treatment["class"] == "gepant" else treatment["class"]


def _inadequate_trials(facts: Facts) -> list[str]:
    """Name each ineffective preventive stopped too early to count as failed.

    A drug that also has a failed trial on another row is not named: it already counts.
    """
    trials = _preventive_trials(facts)
    failed = {_drug_key(t) for t in trials if _is_failed_trial(t)}
    reasons: dict[str, str] = {}
    for trial in trials:
        key = _drug_key(trial)
        if trial["outcome"] != "ineffective" or key in failed or key in reasons:
            continue
        drug, weeks = trial["drug"].strip(), trial["weeks"]
        needed = _adequate_weeks(trial)
        if weeks is None:
            detail = f"ineffective, weeks at target dose unknown (needs {needed})"
        else:
            detail = f"ineffective after {weeks} weeks (< {needed})"
        reasons[key] = f"Inadequate trial: {drug} {detail}"
    return list(reasons.values())


def _chronic_gaps(facts: Facts) -> list[tuple[str, str]]:
    """Return each unmet frequency part of chronic migraine (ICHD-3 1.3)."""
    gaps = []
    headache_days = facts["headache_days_per_month"]
    if headache_days < CHRONIC_HEADACHE_DAYS:
        text = f"headache days per month {headache_days} < {CHRONIC_HEADACHE_DAYS}"
        gaps.append(("HEADACHE_DAYS", text))
    migraine_days = facts["migraine_days_per_month"]
    if migraine_days < CHRONIC_MIGRAINE_DAYS:
        text = f"migraine days per month {migraine_days} < {CHRONIC_MIGRAINE_DAYS}"
        gaps.append(("MIGRAINE_DAYS", text))
    months = facts["months_at_this_frequency"]
    if months <= CHRONIC_MONTHS_OVER:
        text = (
            f"months at this frequency {months}, needs more than {CHRONIC_MONTHS_OVER}"
        )
        gaps.append(("MONTHS", text))
    attacks = facts["lifetime_attacks"]
    if attacks < CHRONIC_LIFETIME_ATTACKS:
        text = f"lifetime attacks {attacks} < {CHRONIC_LIFETIME_ATTACKS}"
        gaps.append(("ATTACKS", text))
    return gaps


def _resistant_gaps(
    facts: Facts, failed_classes: int, failed_triptans: int
) -> list[tuple[str, str]]:
    """Return each unmet non-diagnostic part of resistant migraine (EHF 2020)."""
    gaps = []
    if failed_classes < RESISTANT_FAILED_CLASSES:
        text = (
            f"Failed preventive classes {failed_classes} < {RESISTANT_FAILED_CLASSES}"
        )
        gaps.append(("CLASSES", text))
    days = facts["debilitating_days_per_month"]
    if days < RESISTANT_DEBILITATING_DAYS:
        text = f"Debilitating days per month {days} < {RESISTANT_DEBILITATING_DAYS}"
        gaps.append(("DEBILITATING_DAYS", text))
    months = facts["debilitating_months"]
    if months < RESISTANT_DEBILITATING_MONTHS:
        text = f"Debilitating months {months} < {RESISTANT_DEBILITATING_MONTHS}"
        gaps.append(("DEBILITATING_MONTHS", text))
    if failed_triptans < RESISTANT_FAILED_TRIPTANS:
        text = f"Failed triptans {failed_triptans} < {RESISTANT_FAILED_TRIPTANS}"
        gaps.append(("TRIPTANS", text))
    return gaps


def _medication_overuse(facts: Facts) -> bool:
    """Return whether the ICHD-3 8.2 medication-overuse criteria are met."""
    if facts["headache_days_per_month"] < MOH_HEADACHE_DAYS:
        return False
    if facts["acute_use_months"] <= MOH_MONTHS_OVER:
        return False
    use = {cls: facts["acute_use"].get(cls, 0) for cls in _OVERUSE_CLASSES}
    if use["simple_analgesic"] >= SIMPLE_ANALGESIC_OVERUSE_DAYS:
        return True
    if any(use[cls] >= SPECIFIC_OVERUSE_DAYS for cls in _OVERUSE_SPECIFIC_CLASSES):
        return True
    if any(use[cls] >= DITAN_GEPANT_OVERUSE_DAYS for cls in _OVERUSE_POLICY_CLASSES):
        return True
    # ICHD-3 8.2.6, "medication-overuse headache attributed to multiple drug classes not
    # individually overused": total days of combined use >= 10, simple analgesics
    # included. Only days per class are recorded, so when two or more of these classes
    # are taken their sum stands for the days of combined use.
    used = [days for days in use.values() if days > 0]
    return len(used) >= 2 and sum(used) >= COMBINED_OVERUSE_DAYS


def _analyse(facts: Facts) -> _Analysis:
    """Compute the derived values of valid facts."""
    failed = [t for t in _preventive_trials(facts) if _is_failed_trial(t)]
    failed_drugs = {_drug_key(t) for t in failed if t["class"] != "onabotulinumtoxina"}
    failed_classes = len({_preventive_class(t) for t in failed})
    failed_triptans = len(
        {
            _drug_key(t)
            for t in facts["treatments"]
            if t["class"] == "triptan" and t["outcome"] in _FAILED_TRIPTAN_OUTCOMES
        }
    )
    phq9 = facts["phq9"]
    return _Analysis(
        is_migraine=facts["diagnosis"] in codes.MIGRAINE_DIAGNOSES,
        chronic_gaps=_chronic_gaps(facts),
        resistant_gaps=_resistant_gaps(facts, failed_classes, failed_triptans),
        medication_overuse=_medication_overuse(facts),
        failed_preventive_drugs=len(failed_drugs),
        failed_preventive_classes=failed_classes,
        failed_triptans=failed_triptans,
        inadequate_trials=_inadequate_trials(facts),
        phq9_total=None if phq9 is None else sum(phq9),
        phq9_item9=None if phq9 is None else phq9[8],
    )


def derive(facts: Facts) -> dict[str, Any]:
    """Return the derived values of ROUTING.md section 2.

    Raise InvalidFacts when the facts are not valid.
    """
    errors = validate_facts(facts)
    if errors:
        raise InvalidFacts(errors)
    return _analyse(facts).derived()


# Global rules (ROUTING.md section 3) --------------------------------------------------


def _bp_text(facts: Facts) -> str:
    """Format the blood pressure, with "?" for a value not measured."""
    systolic, diastolic = facts["bp_systolic"], facts["bp_diastolic"]
    return "/".join(
        "?" if value is None else str(value) for value in (systolic, diastolic)
    )


def _bp_at_least(facts: Facts, systolic: int, diastolic: int) -> bool:
    """Return whether either measured value reaches its limit."""
    measured_systolic, measured_diastolic = facts["bp_systolic"], facts["bp_diastolic"]
    return (measured_systolic is not None and measured_systolic >= systolic) or (
        measured_diastolic is not None and measured_diastolic >= diastolic
    )


def _global_rules(facts: Facts, analysis: _Analysis) -> list[tuple[str, Reason]]:
    """Return (tier, reason) for every global rule that fired, in table order."""
    fired = []
    red_flags = set(facts["red_flags"])
    for flag, _ in codes.RED_FLAGS:
        if flag in red_flags and flag in codes.EMERGENCY_RED_FLAGS:
            text = f"Advise emergency department now (red flag: {flag})"
            fired.append(("emergency", Reason(f"G1_EMERGENCY_{flag.upper()}", text)))
    urgent = "Physician review within 24 h; no routine referral"
    for flag, _ in codes.RED_FLAGS:
        if flag in red_flags and flag not in codes.EMERGENCY_RED_FLAGS:
            reason = Reason(f"G1_URGENT_{flag.upper()}", f"{urgent} (red flag: {flag})")
            fired.append(("urgent", reason))
    if facts["new_or_changed_pattern"]:
        text = f"{urgent} (new or changed headache pattern)"
        fired.append(("urgent", Reason("G1_URGENT_NEW_OR_CHANGED_PATTERN", text)))
    if facts["onset_age"] >= URGENT_ONSET_AGE:
        text = f"{urgent} (onset at age {facts['onset_age']} >= {URGENT_ONSET_AGE})"
        fired.append(("urgent", Reason("G1_URGENT_ONSET_AGE", text)))
    item9 = analysis.phq9_item9
    if item9 is not None and item9 > 0 and not facts["safety_cleared"]:
        text = f"Same-day safety review: PHQ-9 item 9 = {item9}"
        fired.append(("same_day", Reason("G2_PHQ9_ITEM9", text)))
    if _bp_at_least(facts, SEVERE_SYSTOLIC, SEVERE_DIASTOLIC):
        text = (
            f"Severe hypertension: same-day physician review (BP {_bp_text(facts)} "
            f"mmHg; systolic >= {SEVERE_SYSTOLIC} or diastolic >= {SEVERE_DIASTOLIC})"
        )
        fired.append(("same_day", Reason("G3_SEVERE_BP", text)))
    return fired


# Services (ROUTING.md section 4): each returns its findings as NE, BLOCK, FLAG --------


def _when(condition: bool, level: str, code: str, text: str) -> list[Finding]:
    """Return one finding if ``condition`` holds, else none."""
    return [(level, Reason(code, text))] if condition else []


def _listed(
    level: str, prefix: str, present: Iterable[str], rules: Mapping[str, str]
) -> list[Finding]:
    """Return a finding for each code of ``rules`` present, in ``rules`` order."""
    present = set(present)
    return [
        (level, Reason(f"{prefix}_{level}_{code.upper()}", text))
        for code, text in rules.items()
        if code in present
    ]


def _not_migraine(prefix: str, facts: Facts, analysis: _Analysis) -> list[Finding]:
    """Return the NE finding for a diagnosis that is not a migraine."""
    text = f"Not a migraine diagnosis ({facts['diagnosis']})"
    return _when(not analysis.is_migraine, NE, f"{prefix}_NE_NOT_MIGRAINE", text)


_KETAMINE_BLOCK_CONDITIONS = {
    "psychosis": "Psychosis",
    "substance_use_active": "Active substance use disorder",
    "severe_hepatic": "Severe hepatic disease",
    "raised_icp": "Raised intracranial pressure",
    "raised_iop": "Raised intraocular pressure (uncontrolled glaucoma or eye injury)",
    "cv_unstable": "Unstable cardiovascular disease",
    "hyperthyroid_untreated": "Untreated hyperthyroidism",
}
_KETAMINE_FLAG_CONDITIONS = {
    "cv_stable": "Stable cardiovascular disease: baseline ECG",
    "moderate_hepatic": "Moderate hepatic disease: liver tests before and after",
    "alcohol_misuse": "Alcohol misuse: liver tests before and after",
    "substance_use_remission": "Substance use disorder in remission",
    "bipolar": "Bipolar disorder",
    "glaucoma": "Controlled glaucoma: check intraocular pressure",
}


def _ketamine(facts: Facts, analysis: _Analysis) -> list[Finding]:
    """Apply the ketamine infusion rules."""
    systolic, diastolic = facts["bp_systolic"], facts["bp_diastolic"]
    bp = _bp_text(facts)
    raised_bp = (
        systolic is not None
        and KETAMINE_FLAG_SYSTOLIC <= systolic < KETAMINE_BLOCK_SYSTOLIC
    ) or (
        diastolic is not None
        and KETAMINE_FLAG_DIASTOLIC <= diastolic < KETAMINE_BLOCK_DIASTOLIC
    )
    phq9_total = analysis.phq9_total
    found = _not_migraine("K", facts, analysis)
    found += [
        (NE, Reason(f"K_NE_{part}", text)) for part, text in analysis.resistant_gaps
    ]
    found += _when(facts["pregnant"], BLOCK, "K_BLOCK_PREGNANT", "Pregnant")
    found += _when(
        "ketamine" in facts["allergies"],
        BLOCK,
        "K_BLOCK_ALLERGY",
        "Allergy to ketamine",
    )
    found += _listed(BLOCK, "K", facts["conditions"], _KETAMINE_BLOCK_CONDITIONS)
    found += _when(
        _bp_at_least(facts, KETAMINE_BLOCK_SYSTOLIC, KETAMINE_BLOCK_DIASTOLIC),
        BLOCK,
        "K_BLOCK_BP",
        f"Blood pressure {bp} mmHg: systolic >= {KETAMINE_BLOCK_SYSTOLIC} or "
        f"diastolic >= {KETAMINE_BLOCK_DIASTOLIC}",
    )
    found += _when(
        raised_bp,
        FLAG,
        "K_FLAG_BP_RAISED",
        f"Blood pressure {bp} mmHg: ketamine raises blood pressure; recheck",
    )
    found += _when(
        systolic is None or diastolic is None,
        FLAG,
        "K_FLAG_BP_NOT_RECORDED",
        f"Blood pressure not recorded ({bp} mmHg)",
    )
    found += _listed(FLAG, "K", facts["conditions"], _KETAMINE_FLAG_CONDITIONS)
    found += _when(
        facts["breastfeeding"], FLAG, "K_FLAG_BREASTFEEDING", "Breastfeeding"
    )
    found += _when(
        phq9_total is None, FLAG, "K_FLAG_PHQ9_MISSING", "PHQ-9 not completed"
    )
    found += _when(
        phq9_total is not None and phq9_total >= PHQ9_HIGH_TOTAL,
        FLAG,
        "K_FLAG_PHQ9_HIGH",
        f"PHQ-9 total {phq9_total} >= {PHQ9_HIGH_TOTAL}: mental-health co-management",
    )
    found += _when(
        facts["safety_cleared"],
        FLAG,
        "K_FLAG_SAFETY_CLEARED",
        "Safety clearance documented: PHQ-9 item 9 was positive; cleared",
    )
    found += _when(
        analysis.medication_overuse,
        FLAG,
        "K_FLAG_MEDICATION_OVERUSE",
        "Medication overuse (ICHD-3 8.2)",
    )
    found += [
        (FLAG, Reason("K_FLAG_INADEQUATE_TRIAL", text))
        for text in analysis.inadequate_trials
    ]
    return found


def _botox(facts: Facts, analysis: _Analysis) -> list[Finding]:
    """Apply the onabotulinumtoxinA rules.

    Whether an eligible patient goes on the waitlist is the referrals app's business.
    """
    drugs = analysis.failed_preventive_drugs
    last_weeks = facts["last_botox_weeks_ago"]
    found = _when(
        not analysis.is_migraine,
        NE,
        "B_NE_NOT_MIGRAINE",
        f"Not chronic migraine: not a migraine diagnosis ({facts['diagnosis']})",
    )
    found += [
        (NE, Reason(f"B_NE_CHRONIC_{part}", f"Not chronic migraine: {text}"))
        for part, text in analysis.chronic_gaps
    ]
    found += _when(
        drugs < BOTOX_MIN_FAILED_PREVENTIVE_DRUGS,
        NE,
        "B_NE_PREVENTIVE_DRUGS",
        f"Failed preventive drugs {drugs} < {BOTOX_MIN_FAILED_PREVENTIVE_DRUGS}",
    )
    found += _when(
        analysis.medication_overuse and not facts["moh_plan_documented"],
        NE,
        "B_NE_MOH_UNMANAGED",
        "Medication overuse not yet managed (no plan documented)",
    )
    found += _when(
        "botulinum_toxin" in facts["allergies"],
        BLOCK,
        "B_BLOCK_ALLERGY",
        "Allergy to botulinum toxin",
    )
    found += _listed(
        BLOCK,
        "B",
        facts["conditions"],
        {"skin_infection": "Skin infection at the injection sites"},
    )
    found += _when(facts["pregnant"], BLOCK, "B_BLOCK_PREGNANT", "Pregnant")
    found += _listed(
        FLAG,
        "B",
        facts["conditions"],
        {"neuromuscular": "Neuromuscular disease (myasthenia gravis, LEMS, ALS)"},
    )
    found += _when(
        facts["breastfeeding"], FLAG, "B_FLAG_BREASTFEEDING", "Breastfeeding"
    )
    found += _when(
        last_weeks is not None and last_weeks < BOTOX_REPEAT_WEEKS,
        FLAG,
        "B_FLAG_RECENT_BOTOX",
        f"Last onabotulinumtoxinA {last_weeks} weeks ago (< {BOTOX_REPEAT_WEEKS})",
    )
    found += [
        (FLAG, Reason("B_FLAG_INADEQUATE_TRIAL", text))
        for text in analysis.inadequate_trials
    ]
    return found


_ACUPUNCTURE_FLAG_CONDITIONS = {
    "pacemaker": "Pacemaker: manual acupuncture only, no electroacupuncture",
    "needle_phobia": "Needle phobia",
    "skin_infection": "Skin infection: avoid the site",
    "immunosuppressed": "Immunosuppressed",
    "heart_valve": "Heart-valve disease or artificial valve",
}


def _acupuncture(facts: Facts, analysis: _Analysis) -> list[Finding]:
    """Apply the acupuncture rules."""
    found = _not_migraine("A", facts, analysis)
    found += _listed(
        BLOCK,
        "A",
        facts["conditions"],
        {"bleeding_disorder": "Bleeding disorder (haemophilia or severe)"},
    )
    found += _listed(
        FLAG,
        "A",
        facts["medications"],
        {
            "anticoagulant": "Takes an anticoagulant: bleeding risk",
            "antiplatelet": "Takes an antiplatelet: bleeding risk",
        },
    )
    found += _when(
        facts["pregnant"],
        FLAG,
        "A_FLAG_PREGNANT",
        "Pregnant: avoid contraindicated points",
    )
    found += _listed(FLAG, "A", facts["conditions"], _ACUPUNCTURE_FLAG_CONDITIONS)
    return found


_GENTLE = "no deep or forceful pressure"
_AVOID_SITE = "avoid the site"
_MASSAGE_FLAG_CONDITIONS = {
    "bleeding_disorder": f"Bleeding disorder: {_GENTLE}",
    "low_platelets": f"Low platelets: {_GENTLE}",
    "recent_surgery": f"Surgery within 6 weeks: {_AVOID_SITE}",
    "fracture_osteoporosis": f"Fracture or osteoporosis: {_GENTLE}; {_AVOID_SITE}",
    "skin_infection": f"Skin infection: {_AVOID_SITE}",
}


def _massage(facts: Facts, analysis: _Analysis) -> list[Finding]:
    """Apply the massage rules."""
    found = _when(
        facts["diagnosis"] == "unknown",
        NE,
        "M_NE_UNKNOWN_DIAGNOSIS",
        "Diagnosis unknown",
    )
    found += _listed(
        BLOCK,
        "M",
        facts["conditions"],
        {
            "dvt": "Active or suspected deep-vein thrombosis",
            "fever_infection": "Fever or acute infection",
        },
    )
    found += _when(
        "anticoagulant" in facts["medications"],
        FLAG,
        "M_FLAG_ANTICOAGULANT",
        f"Takes an anticoagulant: {_GENTLE}",
    )
    found += _listed(FLAG, "M", facts["conditions"], _MASSAGE_FLAG_CONDITIONS)
    found += _when(facts["pregnant"], FLAG, "M_FLAG_PREGNANT", f"Pregnant: {_GENTLE}")
    found += _listed(
        FLAG, "M", facts["conditions"], {"cancer": f"Cancer: {_GENTLE}; {_AVOID_SITE}"}
    )
    return found


def _yoga(facts: Facts, analysis: _Analysis) -> list[Finding]:
    """Apply the yoga rules; only age makes yoga not eligible."""
    age = facts["age"]
    found = _when(
        _bp_at_least(facts, YOGA_FLAG_SYSTOLIC, YOGA_FLAG_DIASTOLIC),
        FLAG,
        "Y_FLAG_BP",
        f"Blood pressure {_bp_text(facts)} mmHg: no inversions",
    )
    found += _listed(
        FLAG,
        "Y",
        facts["conditions"],
        {
            "glaucoma": "Glaucoma: no inversions",
            "raised_iop": "Raised intraocular pressure: no inversions",
            "retinal_detachment": "Retinal detachment: no inversions",
        },
    )
    found += _when(
        facts["pregnant"],
        FLAG,
        "Y_FLAG_PREGNANT",
        "Pregnant: prenatal class; no inversions, no hot yoga",
    )
    found += _listed(
        FLAG,
        "Y",
        facts["conditions"],
        {
            "vertigo": "Vertigo: seated or supported practice",
            "recent_surgery": "Surgery within 6 weeks",
            "cervical_spine": "Cervical spine problem",
        },
    )
    found += _when(
        age >= YOGA_OLDER_AGE, FLAG, "Y_FLAG_AGE", f"Age {age} >= {YOGA_OLDER_AGE}"
    )
    return found


_SERVICE_RULES: dict[str, tuple[str, Callable[[Facts, _Analysis], list[Finding]]]] = {
    "ketamine": ("K", _ketamine),
    "botox": ("B", _botox),
    "acupuncture": ("A", _acupuncture),
    "massage": ("M", _massage),
    "yoga": ("Y", _yoga),
}


_PRECEDENCE = (BLOCK, NE, FLAG)  # then REC; HOLD pre-empts them all


def _outcome(levels: set[str]) -> str:
    """The winning outcome of a service's findings, by precedence."""
    return next((level for level in _PRECEDENCE if level in levels), REC)


def _service_decision(findings: list[Finding], held: bool) -> dict[str, Any]:
    """Pick the outcome by precedence HOLD > BLOCK > NE > FLAG > REC."""
    outcome = _outcome({level for level, _ in findings})
    return {
        "outcome": HOLD if held else outcome,
        "reasons": [reason.as_json() for _, reason in findings],
    }


def route(facts: Facts) -> dict[str, Any]:
    """Route one intake's facts to a decision in the shape of ROUTING.md section 5.

    Raise InvalidFacts, naming every bad key, when the facts are not valid.
    """
    errors = validate_facts(facts)
    if errors:
        raise InvalidFacts(errors)
    analysis = _analyse(facts)
    fired = _global_rules(facts, analysis)
    hold = None
    if fired:
        hold = {
            "tier": min((tier for tier, _ in fired), key=TIERS.index),
            "reasons": [reason.as_json() for _, reason in fired],
        }
    age = facts["age"]
    services = {}
    for service in SERVICE_CODES:
        prefix, rules = _SERVICE_RULES[service]
        findings = _when(
            age < ADULT_AGE,
            NE,
            f"{prefix}_NE_ADULTS_ONLY",
            f"The clinic treats adults only (age {age} < {ADULT_AGE})",
        )
        findings += rules(facts, analysis)
        services[service] = _service_decision(findings, held=hold is not None)
    return {
        "rules_version": RULES_VERSION,
        "hold": hold,
        "derived": analysis.derived(),
        "services": services,
    }


def outcome_under_hold(result: Mapping[str, Any]) -> str:
    """The outcome of one service of a decision, looking through a HOLD.

    Under a hold the service's own reasons are still listed (section 5), each coded
    ``<service prefix>_<NE|BLOCK|FLAG>_...``; they give the outcome the service has
    once the hold is cleared.
    """
    if result["outcome"] != HOLD:
        return result["outcome"]
    return _outcome({reason["code"].split("_")[1] for reason in result["reasons"]})
