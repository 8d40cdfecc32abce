"""The referral routing engine: one intake's facts in, a recommendation per service out.

This module implements the rules of docs/routing.md (version 2026.1) as a pure
function of a facts record: no Django, no database, no clock. Every reason that fired
is returned with a stable code and a text a physician reads, so a stored decision can
be replayed and explained. The engine recommends; a physician decides.

Public API: ``validate_facts`` (the facts' checks, in ``referrals.facts_schema``),
``derive``, ``route``, ``outcome_under_hold``, ``reason_level``, ``InvalidFacts``,
``RULES_VERSION``, ``SERVICE_CODES``, ``TIERS``, ``SAFETY_HOLD_CODE``, the outcomes
and the thresholds below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from intake import codes, scoring
from referrals.facts_schema import validate_facts

RULES_VERSION = "2026.1"

# --------------------------------------------------------------------------------------
# Thresholds. The medical director changes these here, never in the logic below.
# "Clinic policy" marks the clinic's own choices; the others come from the criteria
# docs/routing.md cites. Any change here needs a new RULES_VERSION.
# --------------------------------------------------------------------------------------
ADULT_AGE = 18  # the clinic treats adults only
# Clinic policy: onset at this age or later needs review in 24 h. It lives with the
# intake's codes, because the patient is told so when they send the intake.
URGENT_ONSET_AGE = codes.URGENT_ONSET_AGE
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
RESISTANT_FAILED_TRIPTANS = 2  # docs/routing.md: at least

MOH_HEADACHE_DAYS = 15  # ICHD-3 8.2: at least
MOH_MONTHS_OVER = 3  # ICHD-3 8.2: more than 3 months
SIMPLE_ANALGESIC_OVERUSE_DAYS = 15  # ICHD-3 8.2.3: at least
SPECIFIC_OVERUSE_DAYS = 10  # ICHD-3 8.2.1/8.2.2/8.2.4/8.2.5: at least
DITAN_GEPANT_OVERUSE_DAYS = 10  # clinic policy: at least
COMBINED_OVERUSE_DAYS = 10  # ICHD-3 8.2.6: at least

PHQ9_HIGH_TOTAL = scoring.PHQ9_MODERATELY_SEVERE  # where that PHQ-9 band starts

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

SERVICE_CODES: tuple[str, ...] = tuple(code for code, _ in codes.SERVICES)
TIERS: tuple[str, ...] = ("emergency", "urgent", "same_day")  # most urgent first

HOLD, BLOCK, NE, FLAG, REC = "HOLD", "BLOCK", "NE", "FLAG", "REC"
REFERRAL_OUTCOMES = (REC, FLAG)  # a referral is made, for a physician to review
NO_REFERRAL_OUTCOMES = (NE, BLOCK)  # none, unless a physician overrides the engine

# G2: PHQ-9 item 9 answered above 0. Clearing this hold is the safety clearance.
SAFETY_HOLD_CODE = "G2_PHQ9_ITEM9"

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


# Derived values (docs/routing.md section 2) -------------------------------------------

_FAILED_OUTCOMES = frozenset({"intolerable", "contraindicated"})
_FAILED_TRIPTAN_OUTCOMES = codes.WITHOUT_BENEFIT_OUTCOMES
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


def _inadequate_trials(trials: list[Facts], failed: list[Facts]) -> list[str]:
    """Name each ineffective preventive of ``trials`` stopped too early to count.

    A drug that also has a failed trial on another row is not named: it already counts.
    """
    failed_drugs = {_drug_key(t) for t in failed}
    reasons: dict[str, str] = {}
    for trial in trials:
        if trial["outcome"] != "ineffective":
            continue
        key = _drug_key(trial)
        if key in failed_drugs or key in reasons:
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
    trials = _preventive_trials(facts)
    failed = [t for t in trials if _is_failed_trial(t)]
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
        inadequate_trials=_inadequate_trials(trials, failed),
        phq9_total=None if phq9 is None else sum(phq9),
        phq9_item9=None if phq9 is None else phq9[8],
    )


def derive(facts: Facts) -> dict[str, Any]:
    """Return the derived values of docs/routing.md section 2.

    Raise InvalidFacts when the facts are not valid.
    """
    errors = validate_facts(facts)
    if errors:
        raise InvalidFacts(errors)
    return _analyse(facts).derived()


# Global rules (docs/routing.md section 3) ---------------------------------------------


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


# The red flags of each G1 tier, in table order.
_EMERGENCY_RED_FLAGS = tuple(
    flag for flag, _ in codes.RED_FLAGS if flag in codes.EMERGENCY_RED_FLAGS
)
_URGENT_RED_FLAGS = tuple(
    flag for flag, _ in codes.RED_FLAGS if flag not in codes.EMERGENCY_RED_FLAGS
)


def _global_rules(facts: Facts, analysis: _Analysis) -> list[tuple[str, Reason]]:
    """Return (tier, reason) for every global rule that fired, in table order."""
    fired = []
    red_flags = facts["red_flags"]
    for flag in _EMERGENCY_RED_FLAGS:
        if flag in red_flags:
            words = flag.replace("_", " ")  # "neuro deficit", not "neuro_deficit"
            text = f"Advise emergency department now (red flag: {words})"
            fired.append(("emergency", Reason(f"G1_EMERGENCY_{flag.upper()}", text)))
    urgent = "Physician review within 24 h; no routine referral"
    for flag in _URGENT_RED_FLAGS:
        if flag in red_flags:
            words = flag.replace("_", " ")
            reason = Reason(
                f"G1_URGENT_{flag.upper()}", f"{urgent} (red flag: {words})"
            )
            fired.append(("urgent", reason))
    if facts["new_or_changed_pattern"]:
        text = f"{urgent} (new or changed headache pattern)"
        fired.append(("urgent", Reason("G1_URGENT_NEW_OR_CHANGED_PATTERN", text)))
    if facts["onset_age"] >= URGENT_ONSET_AGE:
        text = f"{urgent} (onset at age {facts['onset_age']} >= {URGENT_ONSET_AGE})"
        fired.append(("urgent", Reason("G1_URGENT_ONSET_AGE", text)))
    item9 = analysis.phq9_item9
    if scoring.phq9_item9_positive(item9) and not facts["safety_cleared"]:
        text = f"Same-day safety review: PHQ-9 item 9 = {item9}"
        fired.append(("same_day", Reason(SAFETY_HOLD_CODE, text)))
    if _bp_at_least(facts, SEVERE_SYSTOLIC, SEVERE_DIASTOLIC):
        text = (
            f"Severe hypertension: same-day physician review (BP {_bp_text(facts)} "
            f"mmHg; systolic >= {SEVERE_SYSTOLIC} or diastolic >= {SEVERE_DIASTOLIC})"
        )
        fired.append(("same_day", Reason("G3_SEVERE_BP", text)))
    return fired


# Services (docs/routing.md section 4): each returns its findings as NE, BLOCK, FLAG ---
#
# A rule's text is formatted only when the rule fires.

CodeFindings = tuple[tuple[str, Finding], ...]


def _code_findings(level: str, prefix: str, rules: Mapping[str, str]) -> CodeFindings:
    """Build, once, the finding of each code of ``rules``, in ``rules`` order."""
    return tuple(
        (code, (level, Reason(f"{prefix}_{level}_{code.upper()}", text)))
        for code, text in rules.items()
    )


def _present(rules: CodeFindings, present: list[str]) -> list[Finding]:
    """Return the finding of each code of ``rules`` present, in ``rules`` order."""
    if not present:  # the usual case, and much cheaper than the comprehension
        return []
    return [finding for code, finding in rules if code in present]


def _not_migraine(prefix: str, facts: Facts) -> Finding:
    """Return the NE finding for a diagnosis that is not a migraine."""
    text = f"Not a migraine diagnosis ({facts['diagnosis']})"
    return (NE, Reason(f"{prefix}_NE_NOT_MIGRAINE", text))


_KETAMINE_BLOCK_CONDITIONS = _code_findings(
    BLOCK,
    "K",
    {
        "psychosis": "Psychosis",
        "substance_use_active": "Active substance use disorder",
        "severe_hepatic": "Severe hepatic disease",
        "raised_icp": "Raised intracranial pressure",
        "raised_iop": (
            "Raised intraocular pressure (uncontrolled glaucoma or eye injury)"
        ),
        "cv_unstable": "Unstable cardiovascular disease",
        "hyperthyroid_untreated": "Untreated hyperthyroidism",
    },
)
_KETAMINE_FLAG_CONDITIONS = _code_findings(
    FLAG,
    "K",
    {
        "cv_stable": "Stable cardiovascular disease: baseline ECG",
        "moderate_hepatic": "Moderate hepatic disease: liver tests before and after",
        "alcohol_misuse": "Alcohol misuse: liver tests before and after",
        "substance_use_remission": "Substance use disorder in remission",
        "bipolar": "Bipolar disorder",
        "glaucoma": "Controlled glaucoma: check intraocular pressure",
    },
)


def _ketamine(facts: Facts, analysis: _Analysis) -> list[Finding]:
    """Apply the ketamine infusion rules."""
    systolic, diastolic = facts["bp_systolic"], facts["bp_diastolic"]
    raised_bp = (
        systolic is not None
        and KETAMINE_FLAG_SYSTOLIC <= systolic < KETAMINE_BLOCK_SYSTOLIC
    ) or (
        diastolic is not None
        and KETAMINE_FLAG_DIASTOLIC <= diastolic < KETAMINE_BLOCK_DIASTOLIC
    )
    phq9_total = analysis.phq9_total
    found: list[Finding] = []
    if not analysis.is_migraine:
        found.append(_not_migraine("K", facts))
    found += [
        (NE, Reason(f"K_NE_{part}", text)) for part, text in analysis.resistant_gaps
    ]
    if facts["pregnant"]:
        found.append((BLOCK, Reason("K_BLOCK_PREGNANT", "Pregnant")))
    if "ketamine" in facts["allergies"]:
        found.append((BLOCK, Reason("K_BLOCK_ALLERGY", "Allergy to ketamine")))
    found += _present(_KETAMINE_BLOCK_CONDITIONS, facts["conditions"])
    if _bp_at_least(facts, KETAMINE_BLOCK_SYSTOLIC, KETAMINE_BLOCK_DIASTOLIC):
        text = (
            f"Blood pressure {_bp_text(facts)} mmHg: systolic >= "
            f"{KETAMINE_BLOCK_SYSTOLIC} or diastolic >= {KETAMINE_BLOCK_DIASTOLIC}"
        )
        found.append((BLOCK, Reason("K_BLOCK_BP", text)))
    if raised_bp:
        text = (
            f"Blood pressure {_bp_text(facts)} mmHg: "
            "ketamine raises blood pressure; recheck"
        )
        found.append((FLAG, Reason("K_FLAG_BP_RAISED", text)))
    if systolic is None or diastolic is None:
        text = f"Blood pressure not recorded ({_bp_text(facts)} mmHg)"
        found.append((FLAG, Reason("K_FLAG_BP_NOT_RECORDED", text)))
    found += _present(_KETAMINE_FLAG_CONDITIONS, facts["conditions"])
    if facts["breastfeeding"]:
        found.append((FLAG, Reason("K_FLAG_BREASTFEEDING", "Breastfeeding")))
    if phq9_total is None:
        found.append((FLAG, Reason("K_FLAG_PHQ9_MISSING", "PHQ-9 not completed")))
    elif phq9_total >= PHQ9_HIGH_TOTAL:
        text = (
            f"PHQ-9 total {phq9_total} >= {PHQ9_HIGH_TOTAL}: "
            "mental-health co-management"
        )
        found.append((FLAG, Reason("K_FLAG_PHQ9_HIGH", text)))
    if facts["safety_cleared"]:
        text = "Safety clearance documented: PHQ-9 item 9 was positive; cleared"
        found.append((FLAG, Reason("K_FLAG_SAFETY_CLEARED", text)))
    if analysis.medication_overuse:
        text = "Medication overuse (ICHD-3 8.2)"
        found.append((FLAG, Reason("K_FLAG_MEDICATION_OVERUSE", text)))
    found += [
        (FLAG, Reason("K_FLAG_INADEQUATE_TRIAL", text))
        for text in analysis.inadequate_trials
    ]
    return found


_BOTOX_BLOCK_CONDITIONS = _code_findings(
    BLOCK, "B", {"skin_infection": "Skin infection at the injection sites"}
)
_BOTOX_FLAG_CONDITIONS = _code_findings(
    FLAG,
    "B",
    {"neuromuscular": "Neuromuscular disease (myasthenia gravis, LEMS, ALS)"},
)


def _botox(facts: Facts, analysis: _Analysis) -> list[Finding]:
    """Apply the onabotulinumtoxinA rules.

    Whether an eligible patient goes on the waitlist is the referrals app's business.
    """
    drugs = analysis.failed_preventive_drugs
    last_weeks = facts["last_botox_weeks_ago"]
    found: list[Finding] = []
    if not analysis.is_migraine:
        text = f"Not chronic migraine: not a migraine diagnosis ({facts['diagnosis']})"
        found.append((NE, Reason("B_NE_NOT_MIGRAINE", text)))
    found += [
        (NE, Reason(f"B_NE_CHRONIC_{part}", f"Not chronic migraine: {text}"))
        for part, text in analysis.chronic_gaps
    ]
    if drugs < BOTOX_MIN_FAILED_PREVENTIVE_DRUGS:
        text = f"Failed preventive drugs {drugs} < {BOTOX_MIN_FAILED_PREVENTIVE_DRUGS}"
        found.append((NE, Reason("B_NE_PREVENTIVE_DRUGS", text)))
    if analysis.medication_overuse and not facts["moh_plan_documented"]:
        text = "Medication overuse not yet managed (no plan documented)"
        found.append((NE, Reason("B_NE_MOH_UNMANAGED", text)))
    if "botulinum_toxin" in facts["allergies"]:
        found.append((BLOCK, Reason("B_BLOCK_ALLERGY", "Allergy to botulinum toxin")))
    found += _present(_BOTOX_BLOCK_CONDITIONS, facts["conditions"])
    if facts["pregnant"]:
        found.append((BLOCK, Reason("B_BLOCK_PREGNANT", "Pregnant")))
    found += _present(_BOTOX_FLAG_CONDITIONS, facts["conditions"])
    if facts["breastfeeding"]:
        found.append((FLAG, Reason("B_FLAG_BREASTFEEDING", "Breastfeeding")))
    if last_weeks is not None and last_weeks < BOTOX_REPEAT_WEEKS:
        text = (
            f"Last onabotulinumtoxinA {last_weeks} weeks ago (< {BOTOX_REPEAT_WEEKS})"
        )
        found.append((FLAG, Reason("B_FLAG_RECENT_BOTOX", text)))
    found += [
        (FLAG, Reason("B_FLAG_INADEQUATE_TRIAL", text))
        for text in analysis.inadequate_trials
    ]
    return found


_ACUPUNCTURE_BLOCK_CONDITIONS = _code_findings(
    BLOCK, "A", {"bleeding_disorder": "Bleeding disorder (haemophilia or severe)"}
)
_ACUPUNCTURE_FLAG_MEDICATIONS = _code_findings(
    FLAG,
    "A",
    {
        "anticoagulant": "Takes an anticoagulant: bleeding risk",
        "antiplatelet": "Takes an antiplatelet: bleeding risk",
    },
)
_ACUPUNCTURE_FLAG_CONDITIONS = _code_findings(
    FLAG,
    "A",
    {
        "pacemaker": "Pacemaker: manual acupuncture only, no electroacupuncture",
        "needle_phobia": "Needle phobia",
        "skin_infection": "Skin infection: avoid the site",
        "immunosuppressed": "Immunosuppressed",
        "heart_valve": "Heart-valve disease or artificial valve",
    },
)


def _acupuncture(facts: Facts, analysis: _Analysis) -> list[Finding]:
    """Apply the acupuncture rules."""
    found: list[Finding] = []
    if not analysis.is_migraine:
        found.append(_not_migraine("A", facts))
    found += _present(_ACUPUNCTURE_BLOCK_CONDITIONS, facts["conditions"])
    found += _present(_ACUPUNCTURE_FLAG_MEDICATIONS, facts["medications"])
    if facts["pregnant"]:
        text = "Pregnant: avoid contraindicated points"
        found.append((FLAG, Reason("A_FLAG_PREGNANT", text)))
    found += _present(_ACUPUNCTURE_FLAG_CONDITIONS, facts["conditions"])
    return found


_GENTLE = "no deep or forceful pressure"
_AVOID_SITE = "avoid the site"
_MASSAGE_BLOCK_CONDITIONS = _code_findings(
    BLOCK,
    "M",
    {
        "dvt": "Active or suspected deep-vein thrombosis",
        "fever_infection": "Fever or acute infection",
    },
)
_MASSAGE_FLAG_CONDITIONS = _code_findings(
    FLAG,
    "M",
    {
        "bleeding_disorder": f"Bleeding disorder: {_GENTLE}",
        "low_platelets": f"Low platelets: {_GENTLE}",
        "recent_surgery": f"Surgery within 6 weeks: {_AVOID_SITE}",
        "fracture_osteoporosis": f"Fracture or osteoporosis: {_GENTLE}; {_AVOID_SITE}",
        "skin_infection": f"Skin infection: {_AVOID_SITE}",
    },
)
_MASSAGE_FLAG_CANCER = _code_findings(
    FLAG, "M", {"cancer": f"Cancer: {_GENTLE}; {_AVOID_SITE}"}
)


def _massage(facts: Facts, analysis: _Analysis) -> list[Finding]:
    """Apply the massage rules."""
    found: list[Finding] = []
    if facts["diagnosis"] == "unknown":
        found.append((NE, Reason("M_NE_UNKNOWN_DIAGNOSIS", "Diagnosis unknown")))
    found += _present(_MASSAGE_BLOCK_CONDITIONS, facts["conditions"])
    if "anticoagulant" in facts["medications"]:
        text = f"Takes an anticoagulant: {_GENTLE}"
        found.append((FLAG, Reason("M_FLAG_ANTICOAGULANT", text)))
    found += _present(_MASSAGE_FLAG_CONDITIONS, facts["conditions"])
    if facts["pregnant"]:
        found.append((FLAG, Reason("M_FLAG_PREGNANT", f"Pregnant: {_GENTLE}")))
    found += _present(_MASSAGE_FLAG_CANCER, facts["conditions"])
    return found


_YOGA_FLAG_EYE_CONDITIONS = _code_findings(
    FLAG,
    "Y",
    {
        "glaucoma": "Glaucoma: no inversions",
        "raised_iop": "Raised intraocular pressure: no inversions",
        "retinal_detachment": "Retinal detachment: no inversions",
    },
)
_YOGA_FLAG_OTHER_CONDITIONS = _code_findings(
    FLAG,
    "Y",
    {
        "vertigo": "Vertigo: seated or supported practice",
        "recent_surgery": "Surgery within 6 weeks",
        "cervical_spine": "Cervical spine problem",
    },
)


def _yoga(facts: Facts, analysis: _Analysis) -> list[Finding]:
    """Apply the yoga rules; only age makes yoga not eligible."""
    age = facts["age"]
    found: list[Finding] = []
    if _bp_at_least(facts, YOGA_FLAG_SYSTOLIC, YOGA_FLAG_DIASTOLIC):
        text = f"Blood pressure {_bp_text(facts)} mmHg: no inversions"
        found.append((FLAG, Reason("Y_FLAG_BP", text)))
    found += _present(_YOGA_FLAG_EYE_CONDITIONS, facts["conditions"])
    if facts["pregnant"]:
        text = "Pregnant: prenatal class; no inversions, no hot yoga"
        found.append((FLAG, Reason("Y_FLAG_PREGNANT", text)))
    found += _present(_YOGA_FLAG_OTHER_CONDITIONS, facts["conditions"])
    if age >= YOGA_OLDER_AGE:
        found.append((FLAG, Reason("Y_FLAG_AGE", f"Age {age} >= {YOGA_OLDER_AGE}")))
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
    for level in _PRECEDENCE:
        if level in levels:
            return level
    return REC


def _service_decision(findings: list[Finding], held: bool) -> dict[str, Any]:
    """Pick the outcome by precedence HOLD > BLOCK > NE > FLAG > REC."""
    return {
        "outcome": HOLD if held else _outcome({level for level, _ in findings}),
        "reasons": [reason.as_json() for _, reason in findings],
    }


def route(facts: Facts) -> dict[str, Any]:
    """Route one intake's facts to a decision in the shape of docs/routing.md section 5.

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
        findings: list[Finding] = []
        if age < ADULT_AGE:
            text = f"The clinic treats adults only (age {age} < {ADULT_AGE})"
            findings.append((NE, Reason(f"{prefix}_NE_ADULTS_ONLY", text)))
        findings += rules(facts, analysis)
        services[service] = _service_decision(findings, held=hold is not None)
    return {
        "rules_version": RULES_VERSION,
        "hold": hold,
        "derived": analysis.derived(),
        "services": services,
    }


def reason_level(code: str) -> str:
    """The level of a reason: NE, BLOCK or FLAG for a service's, HOLD for a global one.

    A service's reason codes are ``<service prefix>_<NE|BLOCK|FLAG>_...``; a global
    rule's are ``G<n>_...``.
    """
    parts = code.split("_")
    level = parts[1] if len(parts) > 1 else ""
    return level if level in _PRECEDENCE else HOLD


def outcome_under_hold(result: Mapping[str, Any]) -> str:
    """The outcome of one service of a decision, looking through a HOLD.

    Under a hold the service's own reasons are still listed (section 4); they give the
    outcome the service has once the hold is cleared.
    """
    if result["outcome"] != HOLD:
        return result["outcome"]
    return _outcome({reason_level(reason["code"]) for reason in result["reasons"]})
