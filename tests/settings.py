"""Settings of the test suite: the project's own, with a fast password hasher.

PBKDF2 at Django's production cost takes about 0.3 s per password; the suite
creates hundreds of staff users, so it hashes with MD5, which nothing outside the
suite ever uses.
"""

from clinic.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Queued mail is delivered to ``django.core.mail.outbox`` when a test delivers it.
POST_OFFICE = {
    **POST_OFFICE,  # noqa: F405
    "BACKENDS": {"default": "django.core.mail.backends.locmem.EmailBackend"},
}
ON_CALL_EMAIL = "on-call@clinic.example"
