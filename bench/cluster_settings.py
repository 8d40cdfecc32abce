"""Settings for ``make cluster`` and what runs on it: never for a deploy.

The production settings as they are (debug off, every secret and address from the
environment, hashed static files served by whitenoise), plus the ``bench`` app (the
bare baseline view and the data commands of the cluster's bench figures). Only the
transport settings that assume TLS are relaxed: HAProxy listens in plain HTTP on
127.0.0.1, where a real load balancer would end TLS.
"""

from clinic.settings import *  # noqa: F403
from clinic.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"

# Plain HTTP on 127.0.0.1: no redirect to HTTPS, cookies sent without TLS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
