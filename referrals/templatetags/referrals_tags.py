"""Small presentation helpers of the referral pages and letter."""

from django import template

from intake import codes
from intake.matching import format_phone
from referrals import routing

register = template.Library()

_LABELS = {
    **dict(codes.DIAGNOSES),
    **dict(codes.OUTCOMES),
    **dict(codes.INTENTS),
}


@register.filter
def phone(stored: str) -> str:
    """A stored phone as people write it, "(704) 555-0101", as the lists show it."""
    return format_phone(stored)


@register.filter
def code_words(value) -> str:
    """A code as words: ``bleeding_disorder`` -> ``bleeding disorder``."""
    if value is None:
        return ""
    return str(value).replace("_", " ")


@register.filter
def code_label(value) -> str:
    """The plain label of a diagnosis, outcome or intent code."""
    return _LABELS.get(value, code_words(value))


@register.filter
def reason_level(code: str) -> str:
    """A reason's level: NE, BLOCK or FLAG for a service's, HOLD for a global rule's."""
    return routing.reason_level(str(code))


@register.filter
def yes_no(value) -> str:
    if value is None:
        return "not answered"
    return "yes" if value else "no"
