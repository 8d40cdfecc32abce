"""Template filters of the staff pages: who a patient is, as the pickers say it."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from intake import matching

register = template.Library()


@register.filter
def patient_who(patient) -> str:
    """Name, birth date and the phone's last four digits (``matching.patient_who``),
    each part kept on one line (the admin's ``nowrap``): a narrow column wraps
    between them, never inside "phone …0102"."""
    # Each part escaped here.
    return mark_safe(
        " · ".join(
            f'<span class="nowrap">{escape(part)}</span>'
            for part in matching.patient_who_parts(patient)
        )
    )
