"""Reads of the staff-account pages: role, second factor and sign-in lock."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.models import EnrolmentCode, StaffAccount


def staff_accounts() -> QuerySet[StaffAccount]:
    """Every account but superusers (IT's, outside the clinic's roles), each with its
    role, whether a second factor is linked or an enrolment code waits, and the failed
    sign-ins that count towards a lock: one query for a whole page."""
    cool_off_start = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = (
        AccessAttempt.objects.filter(
            username=OuterRef("username"), attempt_time__gte=cool_off_start
        )
        .order_by()
        .values("username")
        .annotate(total=Sum("failures_since_start"))
        .values("total")
    )
    return StaffAccount.objects.filter(is_superuser=False).annotate(
        role=Subquery(
            Group.objects.filter(user=OuterRef("pk"))
            .order_by("name")
            .values("name")[:1]
        ),
        has_second_factor=Exists(
            TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        ),
        has_enrolment_code=Exists(EnrolmentCode.objects.filter(user=OuterRef("pk"))),
        recent_failures=Subquery(failures),
    )


def locked_usernames() -> QuerySet:
    """Usernames whose sign-in is locked now: as many failures within the cool-off
    as axes allows (``is_locked`` says the same of one account)."""
    return (
        AccessAttempt.objects.filter(
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
        )
        .order_by()
        .values("username")
        .annotate(total=Sum("failures_since_start"))
        .filter(total__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )


def is_locked(account: StaffAccount) -> bool:
    """Whether sign-in is locked (an account read through ``staff_accounts``)."""
    return (account.recent_failures or 0) >= settings.AXES_FAILURE_LIMIT
