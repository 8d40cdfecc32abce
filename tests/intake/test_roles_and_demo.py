"""Roles created by migrations, and demo data that loads once."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from clinic.roles import ROLE_PERMISSIONS
from intake.models import Intake, Patient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_each_role_has_exactly_its_permissions(role):
    group = Group.objects.get(name=role)
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()
    }
    assert granted == ROLE_PERMISSIONS[role]


def test_demo_data_loads_once_with_a_login_per_role():
    out = io.StringIO()
    call_command("load_demo", patients=12, stdout=out)
    counts = Patient.objects.count(), Intake.objects.count()
    call_command("load_demo", patients=12, stdout=out)
    assert (Patient.objects.count(), Intake.objects.count()) == counts == (12, 12)
    assert "Demo patients: 0 created." in out.getvalue()
    for role in ROLE_PERMISSIONS:
        assert Group.objects.get(name=role).user_set.exists()


def test_demo_data_has_varied_histories():
    call_command("load_demo", stdout=io.StringIO())
    intakes = Intake.objects.all()
    assert intakes.drafts().exists()
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
