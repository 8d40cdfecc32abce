"""Roles created by migrations, and the demo data: loaded once, varied, routable."""

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.roles import ROLE_PERMISSIONS
from intake.demo import DEMO_PASSWORD
from intake.facts import intake_facts
from intake.models import Intake, Patient
from tests.conftest import rolled_back_after
from tests.intake.test_facts import section_1_problems

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_each_role_has_exactly_its_permissions(role):
    group = Group.objects.get(name=role)
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()
    }
    assert granted == ROLE_PERMISSIONS[role]


@pytest.fixture
def debugging(settings):
    """load_demo runs only while debugging; the test runner turns debug off."""
    settings.DEBUG = True


def test_demo_data_refuses_to_load_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only for a local trial"):
        call_command("load_demo", patients=1, stdout=io.StringIO())
    assert not Patient.objects.exists()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the module's tests; what ``load_demo`` said."""
    with rolled_back_after(django_db_blocker), override_settings(DEBUG=True):
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()


def test_demo_data_loads_once_with_a_login_per_role(demo, debugging):
    assert "Demo patients: 50 created." in demo
    counts = Patient.objects.count(), Intake.objects.count()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert (Patient.objects.count(), Intake.objects.count()) == counts == (50, 50)
    assert "Demo patients: 0 created." in out.getvalue()
    for role in ROLE_PERMISSIONS:
        assert Group.objects.get(name=role).user_set.exists()


def test_demo_prints_enrolment_codes_that_link_an_authenticator_app(debugging, client):
    out = io.StringIO()
    call_command("load_demo", patients=1, stdout=out)
    codes = out.getvalue().split("enrolment codes")[1]
    code = next(ln for ln in codes.splitlines() if "  physician " in ln).split()[-1]
    physician = User.objects.get(username="physician")
    assert physician.check_password(DEMO_PASSWORD)
    client.force_login(physician)
    response = client.post(reverse("two_factor_setup"), {"code": code})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user__username="physician").exists()


def test_demo_data_has_varied_histories(demo):
    intakes = Intake.objects.all()
    assert intakes.filter(status=Intake.Status.DRAFT).exists()
    assert intakes.filter(headache_days_per_month__gte=15).exists()
    assert intakes.filter(headache_days_per_month__lt=15).exists()
    assert intakes.exclude(red_flags=[]).exists()
    assert intakes.filter(phq9_9__gt=0).exists()
    failed = [
        row.treatments.exclude(outcome__in=["helped", "ongoing"]).count()
        for row in intakes
    ]
    assert min(failed) <= 2
    assert max(failed) >= 6


def test_every_demo_intake_has_facts_that_match_section_1(demo):
    submitted = Intake.objects.filter(status=Intake.Status.SUBMITTED).select_related(
        "patient"
    )
    assert submitted.count() >= 40
    for intake in submitted.prefetch_related("treatments__drug"):
        assert section_1_problems(intake_facts(intake)) == [], intake.pk
