"""Person authentication, sessions and transport security."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles
from clinic.checks import LETTERHEAD_SETTINGS
from clinic.middleware import LAST_SEEN
from clinic.net import client_address
from staff.services import enrolment_code_issue
from tests.factories import UserFactory
from tests.test_settings import PRODUCTION_ENV, clean_environment, settings_module

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"


def sign_in(client, username, password):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
    )


def test_five_failed_sign_ins_lock_the_account_for_fifteen_minutes(
    client, front_desk_user, settings
):
    for _ in range(4):
        assert sign_in(client, "desk", "wrong-password").status_code == 200
    response = sign_in(client, "desk", "wrong-password")
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.content.decode()
    response = sign_in(client, "desk", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_failed_sign_in_is_recorded_with_the_address_the_proxy_saw(
    client, front_desk_user, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        reverse("admin:login"),
        {"username": "desk", "password": "wrong-password", "next": "/admin/"},
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",
        REMOTE_ADDR="10.0.0.2",
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"


def test_four_failed_sign_ins_still_let_the_right_password_in(client, front_desk_user):
    for _ in range(4):
        sign_in(client, "desk", "wrong-password")
    assert sign_in(client, "desk", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(front_desk_user.pk)


def test_short_passwords_are_refused(front_desk_user):
    with pytest.raises(ValidationError):
        validate_password("Xk9#mQ2!vL4", front_desk_user)
    validate_password("Xk9#mQ2!vL4@", front_desk_user)


@pytest.fixture
def two_factor_on(settings):
    settings.REQUIRE_2FA = True


def test_physician_without_a_device_is_sent_to_set_one_up(
    client, physician_user, two_factor_on
):
    client.force_login(physician_user)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("two_factor_setup")
    assert b"authenticator app" in response.content


def test_physician_sets_up_a_device_with_its_first_code(
    client, physician_user, two_factor_on
):
    issued = enrolment_code_issue(user=physician_user, by=None)
    client.force_login(physician_user)
    client.post(reverse("two_factor_setup"), {"code": issued.code})
    device = TOTPDevice.objects.get(user=physician_user)
    wrong = client.post(reverse("two_factor_setup"), {"token": "000000"})
    assert "not right" in wrong.content.decode()
    # A wrong code throttles the next attempt; the physician waits it out.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = client.post(
        reverse("two_factor_setup"), {"token": f"{totp(device.bin_key):06d}"}
    )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_physician_with_a_device_must_enter_a_code_before_any_staff_page(
    client, physician_user, two_factor_on
):
    device = TOTPDevice.objects.create(
        user=physician_user, name="phone", confirmed=True
    )
    client.force_login(physician_user)
    assert client.get("/admin/intake/intake/").url == reverse("two_factor_verify")
    client.post(reverse("two_factor_verify"), {"token": f"{totp(device.bin_key):06d}"})
    assert client.get("/admin/intake/intake/").status_code == 200


@pytest.mark.parametrize(
    "role", [roles.PHYSICIAN, roles.CLINICIAN, roles.CLINIC_MANAGER]
)
def test_every_clinical_and_managing_role_needs_a_second_factor(
    client, role, two_factor_on
):
    client.force_login(UserFactory(role=role))
    second_factor_pages = {reverse("two_factor_setup"), reverse("two_factor_verify")}
    assert client.get("/admin/").url in second_factor_pages


def test_front_desk_does_not_need_a_second_factor(
    client, front_desk_user, two_factor_on
):
    client.force_login(front_desk_user)
    assert client.get("/admin/").status_code == 200


def test_two_factor_is_required_by_default_when_debug_is_off(monkeypatch):
    assert settings_module(monkeypatch, **PRODUCTION_ENV)["REQUIRE_2FA"] is True


def test_idle_staff_session_ends_after_the_timeout(client, front_desk_user, settings):
    client.force_login(front_desk_user)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - settings.STAFF_IDLE_TIMEOUT - 1
    session.save()
    response = client.get("/admin/intake/intake/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert "_auth_user_id" not in client.session


def test_active_staff_session_continues(client, front_desk_user, settings):
    client.force_login(front_desk_user)
    client.get("/admin/")
    session = client.session
    session[LAST_SEEN] = time.time() - settings.STAFF_IDLE_TIMEOUT + 60
    session.save()
    assert client.get("/admin/intake/intake/").status_code == 200


def test_pages_carry_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("admin:login"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


# The letterhead's settings: optional, but check --deploy warns until they are set.
LETTERHEAD_ENV = {
    "CLINIC_ADDRESS": "123 Example Street, Charlotte, NC 28202",
    "CLINIC_FAX": "(704) 555-0101",
}


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean_environment(), **PRODUCTION_ENV, **LETTERHEAD_ENV},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_while_the_letterhead_is_left_at_its_defaults(monkeypatch):
    """In this process: the clean run above shows the check passes when they are set."""
    for name in LETTERHEAD_ENV:
        monkeypatch.delenv(name, raising=False)

    warnings = [
        message.msg
        for message in run_checks(include_deployment_checks=True)
        if message.id == "clinic.W001"
    ]

    assert tuple(warning.split()[0] for warning in warnings) == LETTERHEAD_SETTINGS
    assert "(example: set CLINIC_FAX)" in warnings[1]
    assert not [m for m in run_checks() if m.id == "clinic.W001"], "deploy only"


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),
        (2, "203.0.113.9", "10.0.0.2"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(
    rf, settings, hops, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = hops
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == expected
