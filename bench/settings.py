"""Settings for ``make bench`` and ``make loadtest`` only: never for a deploy.

The production settings plus the ``bench`` app (its baseline models, the bare view and
the data commands). Debug is off so the server runs as it would in production, but the
transport settings that assume TLS are relaxed: the benchmark talks plain HTTP on the
loopback interface.
"""

from clinic.settings import *  # noqa: F403
from clinic.settings import INSTALLED_APPS, env

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

# Plain HTTP on 127.0.0.1: no redirect to HTTPS, cookies sent without TLS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Every simulated patient comes from 127.0.0.1.
INTAKE_NEW_FORMS_PER_HOUR = 1_000_000

# Admin pages render without a collectstatic manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A server started with BENCH_OLD_AUDIT_LOCK=1 writes audit entries under the former
# chain head's row lock (bench/old_trail.py): the baseline of the submit figure.
BENCH_OLD_AUDIT_LOCK = env.bool("BENCH_OLD_AUDIT_LOCK", default=False)
