"""Settings come from the environment, with production secrets required."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent

# Everything production must be given; each missing one stops the process.
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k7#Qw9!zR2@xV5$mN8^pL3&tY6*bH1(cF4)jD0_sG7+aE2-uJ9",
    "DJANGO_ALLOWED_HOSTS": "intake.example.org",
    "DATABASE_URL": "postgres://clinic:secret@db.example.org:5432/clinic",
    "EMAIL_URL": "smtp+tls://clinic:secret@smtp.example.org:587",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://intake.example.org",
    "DJANGO_SITE_URL": "https://intake.example.org",
    "DJANGO_AUDIT_KEY": "a-long-random-key-kept-outside-the-database",
}


def clean_environment() -> dict:
    """This process's environment without any of the application's settings."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CLINIC_"))
        and key not in ("DATABASE_URL", "EMAIL_URL")
    }


def run(args: list[str], **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean_environment(), "DJANGO_SETTINGS_MODULE": "clinic.settings", **env},
        capture_output=True,
        text=True,
    )


def settings_module(monkeypatch, **env) -> dict:
    """``clinic/settings.py`` run afresh in this process, seeing only ``env``."""
    monkeypatch.setattr(environ.Env, "ENVIRON", {**clean_environment(), **env})
    return runpy.run_path(str(ROOT / "clinic" / "settings.py"))


def test_local_trial_needs_nothing_set():
    assert run(["-c", "import django; django.setup()"]).returncode == 0


@pytest.mark.parametrize("missing", [k for k in PRODUCTION_ENV if k != "DJANGO_DEBUG"])
def test_production_settings_name_each_missing_variable(monkeypatch, missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    with pytest.raises(ImproperlyConfigured, match=f"Set the {missing} environment"):
        settings_module(monkeypatch, **env)


def test_manage_py_check_fails_naming_a_variable_left_empty():
    """An empty value counts as missing; ``manage.py`` stops and says which."""
    result = run(["manage.py", "check"], **{**PRODUCTION_ENV, "DATABASE_URL": ""})
    assert result.returncode != 0
    assert "Set the DATABASE_URL environment variable" in result.stderr


def test_production_starts_with_every_variable_set():
    result = run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DATABASES['default']['HOST'], s.EMAIL_HOST, s.CLINIC_SITE_URL, "
            "s.CSRF_TRUSTED_ORIGINS, s.AUDIT_KEY, s.STORAGES['staticfiles'])",
        ],
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:5] == [
        "db.example.org",
        "smtp.example.org",
        "https://intake.example.org",
        "['https://intake.example.org']",
        "a-long-random-key-kept-outside-the-database",
    ]
    assert "whitenoise" in result.stdout


def test_the_site_url_comes_from_django_site_url(monkeypatch):
    settings = settings_module(monkeypatch, DJANGO_SITE_URL="https://trial.example.org")
    assert settings["CLINIC_SITE_URL"] == "https://trial.example.org"
