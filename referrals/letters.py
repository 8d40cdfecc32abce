"""The referral letter: one template, rendered as a printable page or as a PDF."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from intake import scoring
from referrals.models import Referral
from referrals.selectors import treatment_groups

TEMPLATE = "referrals/referral_letter.html"


def letter_context(referral: Referral) -> dict:
    intake = referral.intake
    patient = intake.patient
    treatments = list(intake.treatments.all())
    derived = (referral.decision.decision or {}).get("derived", {})
    return {
        "referral": referral,
        "intake": intake,
        "patient": patient,
        "age": patient.age_on(intake.intake_date),
        "derived": derived,
        "phq9": scoring.phq9(intake.phq9_answers) if intake.phq9_answers else None,
        "midas": scoring.midas(intake.midas_answers) if intake.midas_answers else None,
        "hit6": scoring.hit6(intake.hit6_total) if intake.hit6_total else None,
        "groups": treatment_groups(treatments),
        "without_benefit_count": sum(row.without_benefit for row in treatments),
        "today": timezone.localdate(),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_address": settings.CLINIC_ADDRESS,
        "physician": referral.decided_by,
    }


def letter_html(referral: Referral, *, for_pdf: bool = False) -> str:
    context = {**letter_context(referral), "for_pdf": for_pdf}
    if for_pdf:
        # WeasyPrint gets the style sheet inline; browsers load it (the CSP allows
        # only same-origin style sheets, no inline styles).
        path = finders.find("referrals/letter.css")
        context["letter_css"] = mark_safe(Path(path).read_text(encoding="utf-8"))
    return render_to_string(TEMPLATE, context)


def letter_pdf(referral: Referral) -> bytes:
    """Render the letter with WeasyPrint (imported here: it loads Pango on import)."""
    import weasyprint

    html = letter_html(referral, for_pdf=True)
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
