"""Deploy checks of the clinic's own settings (``manage.py check --deploy``)."""

import os

from django.conf import settings
from django.core.checks import Warning, register

# Printed on every letter to insurers; their defaults are the clinic page's area and
# an example fax, not the clinic's real ones.
LETTERHEAD_SETTINGS = ("CLINIC_ADDRESS", "CLINIC_FAX")


@register(deploy=True)
def letterhead_is_set(app_configs, **kwargs) -> list[Warning]:
    """Warn while a letterhead setting is left at its default."""
    return [
        Warning(
            f"{name} is not set: letters to insurers print its default, "
            f"{getattr(settings, name)!r}.",
            hint=f"Set {name} in the environment (see .env.example).",
            id="clinic.W001",
        )
        for name in LETTERHEAD_SETTINGS
        if not os.environ.get(name, "").strip()
    ]
