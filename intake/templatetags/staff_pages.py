"""Template filters of the staff pages: who a patient is, as the pickers say it."""

from django import template

from intake import matching

register = template.Library()


@register.filter
def patient_who(patient) -> str:
    """Name, birth date and the phone's last four digits (``matching.patient_who``)."""
    return matching.patient_who(patient)
