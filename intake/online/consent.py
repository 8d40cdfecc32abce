"""The consent a patient signs online, in each language, and its versions.

Each language's text has its own version, recorded on the intake with the language
(``consent_version``, ``consent_language``), so the clinic can always tell which
words a patient signed. ``TEXT_SHA256`` pins each version's words: a test fails if
the English text or its Spanish translation changes without a new version here.
"""

import hashlib

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from intake.models import Language

PARAGRAPHS = [
    _(
        "I agree that the clinic may store the answers I give in this form in my "
        "medical record, and that the clinic's physicians and staff may read them "
        "to decide which of the clinic's services may help me."
    ),
    _(
        "I understand that this form is not an appointment and does not replace "
        "emergency care. If I have an emergency I will call 911."
    ),
    _(
        "I confirm that my answers are true and complete as far as I know, and that "
        "I will tell the clinic if anything changes before my visit."
    ),
    _(
        "I understand that I can ask to see my record, correct it, or withdraw this "
        "consent at any time by contacting the clinic."
    ),
]
VERSIONS = {Language.ENGLISH: "2026-01", Language.SPANISH: "2026-01"}
TEXT_SHA256 = {
    (Language.ENGLISH, "2026-01"): (
        "08a436f8495c28a77c8725ae8fb950df8077872828c94ba29a57cf6eb5d3f17c"
    ),
    (Language.SPANISH, "2026-01"): (
        "c15585f695e575afb36d25f708e445a0d946dc962ae8d41a9b76d86ba664a69a"
    ),
}


def text_in(language: str) -> list[str]:
    """The consent's paragraphs in ``language``."""
    with translation.override(language):
        return [str(paragraph) for paragraph in PARAGRAPHS]


def text_sha256(language: str) -> str:
    """The SHA-256 of the consent's words in ``language``, one paragraph a line."""
    return hashlib.sha256("\n".join(text_in(language)).encode()).hexdigest()
