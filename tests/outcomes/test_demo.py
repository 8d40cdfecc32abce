"""The demo courses: loaded once, ended, followed up; never with DEBUG off."""

import io

import pytest
from django.core.management import CommandError, call_command

from intake.demo import ensure_demo_users
from outcomes.demo import load_demo_outcomes
from outcomes.models import TreatmentCourse
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_demo_courses_load_once_and_end_with_their_referrals_completed():
    ensure_demo_users()
    plan = [("ketamine", 3, 5), ("yoga", 2, 8)]
    assert load_demo_outcomes(plan=plan) == 5
    assert load_demo_outcomes(plan=plan) == 0
    courses = TreatmentCourse.objects.all()
    assert courses.count() == 5
    assert set(courses.values_list("referral__service__code", flat=True)) == {
        "ketamine",
        "yoga",
    }
    assert not courses.filter(status=TreatmentCourse.Status.OPEN).exists()
    assert set(
        Referral.objects.filter(treatment_course__isnull=False).values_list(
            "status", flat=True
        )
    ) == {Referral.Status.COMPLETED}
    assert courses.filter(follow_ups__answered_at__isnull=False).exists()
    assert not courses.filter(
        referral__service__code="yoga", sessions__ketamine_dose_mg_kg_h__isnull=False
    ).exists()


def test_demo_courses_refuse_to_load_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only for a local trial"):
        call_command("load_demo_outcomes", stdout=io.StringIO())
