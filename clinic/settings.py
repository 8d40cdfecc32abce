"""Settings for the clinic's intake and referral system.

Every difference between a local trial and a deploy comes from the environment (see
``.env.example``). With nothing set this is a local trial: SQLite in the project folder,
debug on, e-mail printed to the console. With debug off, production secrets have no
default and the process refuses to start without them.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)


def _required_in_production(name: str, default):
    """Return an environment value, with ``default`` allowed only while debugging.

    An empty value counts as missing: ``DATABASE_URL=`` must not fall back to SQLite.
    """
    if env.str(name, default="").strip():
        return env(name) if not isinstance(default, list) else env.list(name)
    if DEBUG:
        return default
    raise ImproperlyConfigured(
        f"Set the {name} environment variable: it is required when DJANGO_DEBUG is off."
    )


SECRET_KEY = _required_in_production(
    "DJANGO_SECRET_KEY", "django-insecure-local-trial-only-never-in-production"
)
ALLOWED_HOSTS = _required_in_production(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = _required_in_production("DJANGO_CSRF_TRUSTED_ORIGINS", [])

CLINIC_NAME = env("CLINIC_NAME", default="Elev8 MD Wellness Center")
# Given wherever a patient is told to call, as a tel: link. The default is a demo one.
CLINIC_PHONE = env("CLINIC_PHONE", default="(704) 555-0100")
# Printed on letters' letterhead with the phone and fax. The clinic's page names only
# its area, so the default address is that area; the fax default is an example,
# marked as one on every letter until CLINIC_FAX is set.
CLINIC_ADDRESS = env("CLINIC_ADDRESS", default="Charlotte, North Carolina")
CLINIC_FAX = env("CLINIC_FAX", default="(704) 555-0199 (example: set CLINIC_FAX)")

INSTALLED_APPS = [
    "clinic.admin_site.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "post_office",
    "django_tasks",
    "django_tasks_db",
    "clinic",
    "intake",
    "referrals",
    "staff",
    "outcomes",
    "reports",
    "fhir_export",
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files in production, from STATIC_ROOT (`manage.py collectstatic`).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "intake.middleware.PatientLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "clinic.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
            ],
        },
    },
    # Plain text: e-mail subjects and bodies (clinic.mail.render_text). Text is not
    # HTML, so nothing is escaped: "D'Angelo & Co" is written as it is.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "NAME": "text",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

WSGI_APPLICATION = "clinic.wsgi.application"

DATABASES = {
    "default": env.db_url_config(
        _required_in_production("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once when two requests write together;
    # take the write lock when a transaction starts, so two writers queue rather than
    # one failing with "database is locked" when it upgrades its read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, transaction_mode="IMMEDIATE"
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    # A kept connection that the database closed (a restart, a failover) is found and
    # replaced before a request uses it, instead of failing that request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Short OLTP queries: PostgreSQL's JIT compiled the review queue's query for 2.6 s
    # of its 2.8 s at 100,000 intakes (bench/ README section).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_VALIDATION = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{PASSWORD_VALIDATION}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{PASSWORD_VALIDATION}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": f"{PASSWORD_VALIDATION}.CommonPasswordValidator"},
    {"NAME": f"{PASSWORD_VALIDATION}.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The patient's pages and e-mails, each named in itself; staff pages stay in English.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# With debug off, static files carry a content hash in their names and are served
# compressed and cached for a year by whitenoise; while debugging, from the apps.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Decided here, not by debug at start-up (the test runner turns debug off): while
# debugging, static files are found in the apps, and STATIC_ROOT need not exist.
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_CONFIG = env.email_url_config(
    _required_in_production("EMAIL_URL", "consolemail://")
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="clinic@localhost")

# Mail is queued in the database (django-post-office's ``Email`` rows, written in the
# transaction of the change that causes it) and delivered by the task worker
# (``clinic.mail.deliver_due``, every few seconds): no request waits on SMTP, and a
# message that cannot be sent is retried with back-off for MAIL_RETRY_DAYS before it
# is listed as failed. Each attempt claims its message first, so two workers never
# send the same one.
EMAIL_BACKEND = "post_office.EmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=20)
POST_OFFICE = {
    "BACKENDS": {"default": EMAIL_CONFIG["EMAIL_BACKEND"]},
    # Any priority but "now" queues ("queued" is not one of post-office's names).
    "DEFAULT_PRIORITY": "medium",
}
MAIL_RETRY_DAYS = env.int("MAIL_RETRY_DAYS", default=7)

# Background work: django-tasks with its database backend, so enqueuing a task is a
# row written in the caller's transaction. `manage.py run_worker` runs the tasks and
# the periodic ones below: (name, task, every so many seconds).
# The nightly exports (the whole clinic's FHIR export takes half an hour at a million
# intakes) have a queue of their own, which each worker runs in a loop of its own
# (clinic/worker.py): routing, e-mail and the audit trail's sealing never wait
# behind them.
EXPORTS_QUEUE = "exports"
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", EXPORTS_QUEUE],
    }
}
PERIODIC_TASKS = [
    ("mail-delivery", "clinic.tasks.deliver_mail", 2),
    ("routing-sweep", "referrals.tasks.route_waiting_intakes", 30),
    ("task-results-prune", "clinic.tasks.prune_task_results", 3600),
    ("audit-seal", "clinic.tasks.seal_audit_trail", 3),
    ("audit-checkpoint-mail", "clinic.tasks.mail_audit_checkpoint", 86400),
    ("weekly-csv-pack", "reports.tasks.write_weekly_pack", 86400),
    ("fhir-nightly-export", "fhir_export.tasks.write_nightly_export", 86400),
    ("follow-up-links", "outcomes.tasks.send_due_follow_ups", 3600),
]
# Where the nightly jobs leave files for the clinic's analyst and its EHR to pick up
# (the weekly CSV pack under weekly/, the FHIR export under fhir/<day>/). Local
# default: var/exports in the project.
CLINIC_EXPORT_DIR = env.path("CLINIC_EXPORT_DIR", default=BASE_DIR / "var" / "exports")
# Who is alerted at once when an intake is put on hold.
ON_CALL_EMAIL = env("ON_CALL_EMAIL", default="on-call@clinic.example")
# Where links in e-mails point (staff pages, resume and password links).
CLINIC_SITE_URL = _required_in_production("DJANGO_SITE_URL", "http://127.0.0.1:8000")
# The FHIR export's base: its resources' full URLs, and the clinic's own code systems
# and record-number identifier system beneath it. Set it to the address the clinic's
# EHR knows it by; it never changes once records have been sent.
CLINIC_FHIR_BASE_URI = env("CLINIC_FHIR_BASE_URI", default=f"{CLINIC_SITE_URL}/fhir")

# The public intake: new forms one browser at one address may start in an hour (a
# waiting room's phones share the clinic's address; each counts on its own), and how
# long a "finish later" link stays valid.
INTAKE_NEW_FORMS_PER_HOUR = env.int("INTAKE_NEW_FORMS_PER_HOUR", default=100)
INTAKE_RESUME_LINK_DAYS = 30
# The service codes not taking referrals yet, which the intake's services question
# marks "coming soon". Intake does not know the referrals app; the project wires in
# its answer (the services the manager has marked "coming soon" in the admin).
INTAKE_COMING_SOON_SERVICES = "referrals.selectors.services_coming_soon"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGIN_URL = "admin:login"

LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
# Request lines are logged without query strings (staff searches) or link tokens
# (clinic/logs.py); gunicorn's access log is redacted the same way (gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "clinic.logs.RedactRequestLine"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers print unfiltered: its records go to the root's.
        "django": {"handlers": [], "level": LOG_LEVEL},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

# Protecting patient data: audit controls, person authentication, transmission security
# (HIPAA Security Rule 45 CFR 164.312) and Django's deployment checklist.
INSTALLED_APPS += [
    "auditlog",
    # On PostgreSQL, triggers refuse UPDATE and DELETE on the audit trail.
    "pgtrigger",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE += [
    "clinic.middleware.StaffIdleTimeoutMiddleware",
    "clinic.middleware.RequireTwoFactorMiddleware",
    "clinic.middleware.AuditMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into its answer.
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "clinic.auth.OneQueryModelBackend",
]

AUDITLOG_LOGENTRY_MODEL = "clinic.AuditEntry"
# django-auditlog's migrations only create its own entry table, which the swap above
# replaces; left in, that orphan table's foreign keys would block flushing the users.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_MASK_CALLABLE = "clinic.audit.mask"
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Signs the audit trail's checkpoints (clinic/audit_hashing.py). Never stored in the
# database, so whoever can rewrite the database cannot sign a rewritten trail.
AUDIT_KEY = _required_in_production(
    "DJANGO_AUDIT_KEY", "local-trial-audit-key-never-in-production"
)

# Login throttling: five failures lock the account for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Two-factor authentication (TOTP) for physicians and clinic managers.
REQUIRE_2FA = env.bool("DJANGO_REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = CLINIC_NAME

# Staff sessions end after this many seconds without a request.
STAFF_IDLE_TIMEOUT = env.int("DJANGO_STAFF_IDLE_MINUTES", default=15) * 60

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    # Behind the load balancer, which terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # The load balancer's health check reaches the node in plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Proxies in front of the application that append to X-Forwarded-For (the load
# balancer: 1). Zero trusts no forwarded address.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
# Failed sign-ins are recorded against the same client address as everything else.
AXES_CLIENT_IP_CALLABLE = "clinic.net.client_address"

# Lockouts are per account, not per address: the clinic's staff share one address
# behind its router, and locking that would lock out the whole front desk.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
