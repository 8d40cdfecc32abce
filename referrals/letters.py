"""Letters for insurers and services: the referral letter and the Botox
prior-authorisation letter, each rendered as a printable page or as a PDF.

Both print the clinic's letterhead (``CLINIC_*`` settings), the ICD-10-CM code derived
from the facts (``referrals.icd10``), every treatment tried with its duration and
outcome, the current medicines and allergies as the intake records them, and the
signing physician's name, credentials and NPI (``staff.StaffProfile``). They never
print the engine's reason codes, only its words.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from intake import codes, scoring
from intake.models import Intake, TreatmentTrial
from referrals import routing
from referrals.icd10 import Icd10Code, migraine_code
from referrals.models import Referral, RoutingDecision
from referrals.selectors import treatment_groups
from staff.models import StaffProfile

REFERRAL_TEMPLATE = "referrals/referral_letter.html"
BOTOX_TEMPLATE = "referrals/botox_prior_authorisation.html"

# What a treatment's outcome reads as in a letter (the intake's labels are the
# patient's words: "Did not work").
OUTCOME_WORDS = {
    "ineffective": "Ineffective",
    "intolerable": "Not tolerated (side effects)",
    "contraindicated": "Contraindicated",
    "helped": "Helped",
    "ongoing": "Current: still taking it",
}
# The diagnosis codes the engine's reasons name ("Not a migraine diagnosis
# (other_primary_headache)"), as a letter words them.
DIAGNOSIS_WORDS = {
    "migraine_without_aura": "migraine without aura",
    "migraine_with_aura": "migraine with aura",
    "other_primary_headache": "another primary headache",
    "unknown": "diagnosis not known",
}
CLASS_LABELS = dict(codes.TREATMENT_CLASSES)
PREVENTIVE_CLASS_CODES = {code for code, _ in codes.PREVENTIVE_CLASSES}
ALLERGY_LABELS = dict(codes.ALLERGIES)
MEDICATION_LABELS = dict(codes.MEDICATIONS)
ACUTE_CLASS_LABELS = dict(codes.ACUTE_CLASSES)

# The treatment a Botox prior-authorisation letter requests. Source: BOTOX
# (onabotulinumtoxinA) prescribing information, chronic migraine: 155 units
# intramuscularly as 0.1 mL (5 units) injections at 31 sites across 7 head and neck
# muscles, every 12 weeks. Billing codes: HCPCS Level II J0585 (injection,
# onabotulinumtoxinA, 1 unit, CMS) and CPT 64615 (chemodenervation for chronic
# migraine, AMA).
BOTOX_REQUEST = (
    "OnabotulinumtoxinA (Botox) 155 units intramuscularly, 0.1 mL (5 units) at each "
    "of 31 sites across 7 head and neck muscles, every 12 weeks (prescribing "
    "information, chronic migraine)"
)
BOTOX_BILLING_CODES = "HCPCS J0585 (onabotulinumtoxinA, per unit); CPT 64615"


def reason_words(reason: dict) -> str:
    """An engine reason's text with any diagnosis code it names in words."""
    text = reason["text"]
    for code, words in DIAGNOSIS_WORDS.items():
        text = text.replace(f"({code})", f"({words})")
    return text


@dataclass(frozen=True)
class Signer:
    """Who signs a letter, as its signature block prints them."""

    name: str
    credentials: str
    npi: str


def signer(user: AbstractBaseUser) -> Signer:
    profile = StaffProfile.objects.filter(user=user).first()
    return Signer(
        name=user.get_full_name() or user.get_username(),
        credentials=profile.credentials if profile else "",
        npi=profile.npi if profile else "",
    )


@dataclass(frozen=True)
class TreatmentLine:
    name: str
    class_label: str
    intent: str  # "preventive" or "acute"
    dose: str
    duration: str
    outcome: str
    without_benefit: bool


def treatment_line(row: TreatmentTrial) -> TreatmentLine:
    return TreatmentLine(
        name=row.name,
        class_label=CLASS_LABELS[row.treatment_class],
        intent=row.intent,
        dose=row.dose or "not recorded",
        duration=(
            f"{row.weeks} week{'s' if row.weeks != 1 else ''} at full dose"
            if row.weeks is not None
            else "not recorded"
        ),
        outcome=OUTCOME_WORDS[row.outcome],
        without_benefit=row.without_benefit,
    )


def current_medicines(intake: Intake) -> dict:
    """The medicines the intake records the patient taking now, in words.

    The intake asks about blood thinners and antiplatelets by name, the days a month
    each kind of acute medicine is taken, preventives still being taken (a treatment
    row "still taking it"), and anything else in the patient's words.
    """
    acute = [
        f"{ACUTE_CLASS_LABELS[code]}: {days} day{'s' if days != 1 else ''} a month"
        for code, days in intake.acute_use.items()
        if days
    ]
    return {
        "named": [MEDICATION_LABELS[code] for code in intake.medications],
        "acute": acute,
        "ongoing": [
            row.name for row in intake.treatments.all() if row.outcome == "ongoing"
        ],
        "other": intake.other_medications.strip(),
    }


def allergies(intake: Intake) -> dict:
    """The allergies the intake asks about (ketamine, botulinum toxin) and any other
    the patient wrote."""
    return {
        "asked": [label for _, label in codes.ALLERGIES],
        "named": [ALLERGY_LABELS[code] for code in intake.allergies],
        "other": intake.other_allergies.strip(),
    }


def diagnosis_code(decision: RoutingDecision) -> Icd10Code | None:
    facts, derived = decision.facts or {}, (decision.decision or {}).get("derived", {})
    return migraine_code(
        diagnosis=facts.get("diagnosis"),
        chronic=bool(derived.get("chronic_migraine")),
        intractable=bool(derived.get("resistant_migraine")),
    )


def _patient_context(intake: Intake, decision: RoutingDecision) -> dict:
    """What both letters print about the patient, their history and treatments."""
    treatments = list(intake.treatments.all())
    return {
        "intake": intake,
        "patient": intake.patient,
        "age": intake.patient.age_on(intake.intake_date),
        "decision": decision,
        "derived": (decision.decision or {}).get("derived", {}),
        "icd": diagnosis_code(decision),
        "phq9": scoring.phq9(intake.phq9_answers) if intake.phq9_answers else None,
        "midas": scoring.midas(intake.midas_answers) if intake.midas_answers else None,
        "hit6": scoring.hit6(intake.hit6_total) if intake.hit6_total else None,
        "groups": [
            {
                "label": label,
                "preventive": rows[0].treatment_class in PREVENTIVE_CLASS_CODES,
                "lines": [treatment_line(row) for row in rows],
            }
            for label, rows in treatment_groups(treatments)
        ],
        "without_benefit_count": sum(row.without_benefit for row in treatments),
        "medicines": current_medicines(intake),
        "allergies": allergies(intake),
        "today": timezone.localdate(),
        "clinic": {
            "name": settings.CLINIC_NAME,
            "address": settings.CLINIC_ADDRESS,
            "phone": settings.CLINIC_PHONE,
            "fax": settings.CLINIC_FAX,
        },
    }


def referral_letter_context(referral: Referral) -> dict:
    return {
        **_patient_context(referral.intake, referral.decision),
        "referral": referral,
        "findings": [reason_words(reason) for reason in referral.findings],
        "cautions": [reason_words(reason) for reason in referral.cautions],
        # What the rules found, for a referral made by the physician's override.
        "rules_found": (
            "contraindicated"
            if referral.recommended_outcome == routing.BLOCK
            else "not indicated"
        ),
        "signer": signer(referral.decided_by),
    }


def chronic_migraine_criteria(facts: dict) -> list[tuple[str, str, str]]:
    """Each ICHD-3 1.3 criterion as (criterion, the patient's value, the threshold),
    with the engine's thresholds (``referrals.routing``)."""
    return [
        (
            "Headache days a month",
            str(facts["headache_days_per_month"]),
            f"at least {routing.CHRONIC_HEADACHE_DAYS}",
        ),
        (
            "Of those, days with migraine features",
            str(facts["migraine_days_per_month"]),
            f"at least {routing.CHRONIC_MIGRAINE_DAYS}",
        ),
        (
            "Months at this frequency",
            str(facts["months_at_this_frequency"]),
            f"more than {routing.CHRONIC_MONTHS_OVER}",
        ),
        (
            "Migraine attacks in a lifetime",
            f"about {facts['lifetime_attacks']}",
            f"at least {routing.CHRONIC_LIFETIME_ATTACKS}",
        ),
    ]


def botox_letter_allowed(decision: RoutingDecision | None) -> bool:
    """Whether the intake's current decision recommends Botox (REC or FLAG), with no
    hold open: its prior-authorisation letter can be written."""
    if decision is None or decision.status == RoutingDecision.Status.FAILED:
        return False
    if decision.is_open_hold:
        return False
    result = decision.decision["services"][codes.BOTOX]
    return routing.outcome_under_hold(result) in routing.REFERRAL_OUTCOMES


def botox_letter_context(
    intake: Intake, decision: RoutingDecision, user: AbstractBaseUser
) -> dict:
    context = _patient_context(intake, decision)
    result = decision.decision["services"][codes.BOTOX]
    return {
        **context,
        "criteria": chronic_migraine_criteria(decision.facts),
        "preventive_groups": [g for g in context["groups"] if g["preventive"]],
        "other_groups": [g for g in context["groups"] if not g["preventive"]],
        "trial_weeks": routing.ADEQUATE_BOTOX_TRIAL_WEEKS,
        "min_failed_drugs": routing.BOTOX_MIN_FAILED_PREVENTIVE_DRUGS,
        "cautions": [reason_words(reason) for reason in result["reasons"]],
        "request": BOTOX_REQUEST,
        "billing_codes": BOTOX_BILLING_CODES,
        "last_botox_weeks_ago": decision.facts.get("last_botox_weeks_ago"),
        "signer": signer(user),
    }


def render_letter(template: str, context: dict, *, for_pdf: bool = False) -> str:
    context = {**context, "for_pdf": for_pdf}
    if for_pdf:
        # WeasyPrint gets the style sheet inline; browsers load it (the CSP allows
        # only same-origin style sheets, no inline styles).
        path = finders.find("referrals/letter.css")
        context["letter_css"] = mark_safe(Path(path).read_text(encoding="utf-8"))
    return render_to_string(template, context)


def pdf(html: str) -> bytes:
    """Render a letter with WeasyPrint (imported here: it loads Pango on import)."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def letter_html(
    referral: Referral, *, for_pdf: bool = False, back: tuple[str, str] | None = None
) -> str:
    """The referral letter; on screen, ``back`` is (address, words) of the page the
    reader came from."""
    context = {**referral_letter_context(referral), "back": back}
    return render_letter(REFERRAL_TEMPLATE, context, for_pdf=for_pdf)


def letter_pdf(referral: Referral) -> bytes:
    return pdf(letter_html(referral, for_pdf=True))
