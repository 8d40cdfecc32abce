"""Settings come from the environment, with production secrets required."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "clinic.settings", **env},
        capture_output=True,
        text=True,
    )


def test_local_trial_needs_nothing_set():
    assert load_settings().returncode == 0


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY"),
        (
            {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 50},
            "DJANGO_ALLOWED_HOSTS",
        ),
    ],
)
def test_production_refuses_to_start_without_its_secrets(env, missing):
    result = load_settings(**env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_starts_with_its_secrets():
    result = load_settings(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="intake.example.org",
    )
    assert result.returncode == 0, result.stderr
