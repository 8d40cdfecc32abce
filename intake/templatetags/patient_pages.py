"""Template tags of the patient's pages: the clinic's name, its phone number as a link.

They read the settings, not the request's context, so the server-error page (rendered
without a request) says them too.
"""

import re

from django import template
from django.conf import settings
from django.utils.html import format_html

register = template.Library()


def tel_uri(phone: str) -> str:
    """A ``tel:`` address for a phone number as written: +1 and ten digits in the US."""
    digits = re.sub(r"[^\d+]", "", phone)
    if re.fullmatch(r"\d{10}", digits):
        digits = f"+1{digits}"
    return f"tel:{digits}"


@register.simple_tag
def clinic_phone_link() -> str:
    """The clinic's phone number (``CLINIC_PHONE``), as a link that dials it."""
    phone = settings.CLINIC_PHONE
    return format_html('<a class="phone-link" href="{}">{}</a>', tel_uri(phone), phone)


@register.simple_tag
def clinic_name() -> str:
    """The clinic's name (``CLINIC_NAME``)."""
    return settings.CLINIC_NAME
