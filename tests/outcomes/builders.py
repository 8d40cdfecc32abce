"""Treatment courses for the outcomes tests: scheduled referrals, sessions, ends."""

import datetime

from django.utils import timezone

from clinic import roles
from outcomes import services
from outcomes.models import TreatmentCourse, TreatmentSession
from referrals.models import Referral
from referrals.services import referral_approve, referral_schedule
from tests.factories import UserFactory
from tests.referrals.builders import submitted_example1


def staff(role: str) -> object:
    return UserFactory(username=f"builder-{role.lower().replace(' ', '-')}", role=role)


def schedule(referral: Referral, desk) -> Referral:
    """Book the referral for now, so that its course can end at once."""
    return referral_schedule(
        referral=referral,
        user=desk,
        appointment_at=timezone.now(),
        provider="Dr Okafor",
        location="Infusion suite",
    )


def scheduled_referral(service: str = "ketamine", **answers) -> Referral:
    """Worked example 1's referral to ``service``, approved and scheduled."""
    intake = submitted_example1(**answers)
    referral = intake.referrals.get(service__code=service)
    referral_approve(referral=referral, user=staff(roles.PHYSICIAN), note="")
    return schedule(referral, staff(roles.FRONT_DESK))


def open_course(service: str = "ketamine", planned: int | None = None, **answers):
    """The course scheduling opened, re-planned to ``planned`` sessions if given."""
    course = scheduled_referral(service, **answers).treatment_course
    if planned is None:
        return course
    return services.course_plan(
        course=course, planned_sessions=planned, user=staff(roles.FRONT_DESK)
    )


def record_sessions(course: TreatmentCourse, pains, start: datetime.date) -> None:
    """One attended session a day from ``start``, with (before, after) pains."""
    doctor = staff(roles.PHYSICIAN)
    for day, (before, after) in enumerate(pains):
        services.session_save(
            session=TreatmentSession(
                course=course,
                date=start + datetime.timedelta(days=day),
                pain_before=before,
                pain_after=after,
            ),
            user=doctor,
        )


FOLLOW_UP = {
    "headache_days": 6,
    "migraine_days": 3,
    "current_pain": 5,
    "worst_pain": 7,
    **{f"midas_{n}": 1 for n in range(1, 6)},
    "pgic": 2,
}


def ended_course(
    pains, *, days_ago: int, discontinue: bool = False, service="ketamine"
):
    """A course whose last session was ``days_ago`` days ago."""
    course = open_course(service)
    start = timezone.localdate() - datetime.timedelta(days=days_ago + len(pains) - 1)
    record_sessions(course, pains, start)
    desk = UserFactory(role=roles.FRONT_DESK)
    if discontinue:
        return services.course_discontinue(course=course, user=desk, reason="Moved")
    return services.course_complete(course=course, user=desk)
