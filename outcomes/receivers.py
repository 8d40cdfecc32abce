"""The outcomes app's receiver of the referrals app's one domain event."""

from outcomes import definitions
from outcomes.services import course_open


def open_course_for_scheduled_referral(sender, referral, user, **kwargs) -> None:
    """Open a scheduled referral's treatment course, inside the scheduling's
    transaction, planned with the service's ``definitions.PLANNED_SESSIONS``.

    If the course cannot be opened the scheduling fails with it: no scheduled
    referral is left without its course.
    """
    course_open(
        referral=referral,
        planned_sessions=definitions.PLANNED_SESSIONS[referral.service.code],
        user=user,
    )
