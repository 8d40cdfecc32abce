"""Turn a stored intake into the routing facts of docs/routing.md section 1."""

from intake import codes
from intake.models import Intake


def intake_facts(intake: Intake) -> dict:
    """Return the facts record of ``intake``, every key of docs/routing.md section 1.

    An unanswered question of a draft comes out as ``None``; the routing engine's
    validation then names it, so a draft's facts can be inspected at any time.
    """
    treatments = [
        {
            "drug": trial.name.strip().lower(),
            "class": trial.treatment_class,
            "intent": trial.intent,
            "outcome": trial.outcome,
            "weeks": trial.weeks,
        }
        for trial in intake.treatments.all()
    ]
    return {
        "age": intake.patient.age_on(intake.intake_date),
        "pregnant": intake.pregnant,
        "postpartum_weeks": intake.postpartum_weeks,
        "breastfeeding": intake.breastfeeding,
        "diagnosis": intake.diagnosis or None,
        "lifetime_attacks": intake.lifetime_attacks,
        "onset_age": intake.onset_age,
        "headache_days_per_month": intake.headache_days_per_month,
        "migraine_days_per_month": intake.migraine_days_per_month,
        "months_at_this_frequency": intake.months_at_this_frequency,
        "debilitating_days_per_month": intake.debilitating_days_per_month,
        "debilitating_months": intake.debilitating_months,
        "new_or_changed_pattern": intake.new_or_changed_pattern,
        "red_flags": list(intake.red_flags),
        "phq9": intake.phq9_answers,
        "safety_cleared": intake.safety_cleared_at is not None,
        "bp_systolic": intake.bp_systolic,
        "bp_diastolic": intake.bp_diastolic,
        "treatments": treatments,
        "acute_use": intake.acute_use,
        "acute_use_months": intake.acute_use_months,
        "moh_plan_documented": intake.moh_plan_documented,
        "conditions": list(intake.conditions),
        "allergies": list(intake.allergies),
        "medications": list(intake.medications),
        "last_botox_weeks_ago": intake.last_botox_weeks_ago,
        "interests": [code for code, _ in codes.SERVICES if code in intake.interests],
    }
