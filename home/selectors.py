"""What each role's home page counts and lists: a fixed number of queries each,
however many intakes, referrals, e-mails and sign-in attempts there are."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone
from post_office.models import STATUS, Email

from clinic import mail
from clinic.admin_utils import today_start
from intake.models import DuplicateFlag, Intake
from outcomes.models import TreatmentCourse, TreatmentSession
from referrals.models import QueueEntry, Referral, RoutingDecision
from staff import selectors as staff_selectors

TODAY_SHOWN = 20  # today's intakes listed on the front desk's home; the rest linked


def todays_intakes() -> QuerySet[Intake]:
    """Intakes submitted today, newest first, each with its routing outcome so far:
    ``decision_status`` and ``decision_tier`` of its current decision (None while it
    is being routed) and ``referral_count``."""
    current = RoutingDecision.objects.current().filter(intake=OuterRef("pk"))
    referrals = (
        Referral.objects.filter(intake=OuterRef("pk"))
        .order_by()
        .values("intake")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        Intake.objects.filter(
            status=Intake.Status.SUBMITTED, submitted_at__gte=today_start()
        )
        .select_related("patient")
        .only(
            "submitted_at",
            "source",
            "patient__record_number",
            "patient__first_name",
            "patient__last_name",
            "patient__date_of_birth",
            "patient__mobile_phone",
        )
        .annotate(
            decision_status=Subquery(current.values("status")[:1]),
            decision_tier=Subquery(current.values("hold_tier")[:1]),
            referral_count=Subquery(referrals),
        )
        .order_by("-submitted_at")
    )


@dataclass
class FrontDeskDay:
    intakes: list[Intake]
    intakes_today: int
    drafts: int
    to_schedule: int
    possible_duplicates: int


def front_desk_day() -> FrontDeskDay:
    """Today's intakes and their routing, drafts to finish, referrals to book,
    patients flagged as possible duplicates (of an earlier record)."""
    today = todays_intakes()
    return FrontDeskDay(
        intakes=list(today[:TODAY_SHOWN]),
        intakes_today=today.count(),
        drafts=Intake.objects.filter(
            status=Intake.Status.DRAFT, source=Intake.Source.FRONT_DESK
        ).count(),
        to_schedule=Referral.objects.filter(status=Referral.Status.APPROVED).count(),
        possible_duplicates=DuplicateFlag.objects.values("patient_id")
        .distinct()
        .count(),
    )


def queue_counts() -> dict[int, int]:
    """Intakes waiting in each section of the review queue (every section listed)."""
    counts = dict(
        QueueEntry.objects.order_by()
        .values_list("section")
        .annotate(total=Count("pk"))
        .values_list("section", "total")
    )
    return {section: counts.get(section, 0) for section in QueueEntry.Section.values}


@dataclass
class PhysicianDay:
    sections: dict[int, int]
    oldest: QueueEntry | None
    decided: dict[str, int] = field(default_factory=dict)

    @property
    def decided_total(self) -> int:
        return sum(self.decided.values())


def physician_day(*, user) -> PhysicianDay:
    """The queue by section, the intake waiting longest, what ``user`` decided today
    (by the referrals' status now)."""
    oldest = (
        QueueEntry.objects.order_by("since", "intake_id")
        .select_related("intake__patient")
        .only(
            "section",
            "since",
            "intake__patient__record_number",
            "intake__patient__first_name",
            "intake__patient__last_name",
            "intake__patient__date_of_birth",
            "intake__patient__mobile_phone",
        )
        .first()
    )
    decided = dict(
        Referral.objects.filter(decided_by=user, decided_at__gte=today_start())
        .order_by()
        .values_list("status")
        .annotate(total=Count("pk"))
        .values_list("status", "total")
    )
    return PhysicianDay(sections=queue_counts(), oldest=oldest, decided=decided)


@dataclass
class ManagerDay:
    routing_failures: int
    mail_failed: int
    mail_stuck: int
    locked_accounts: int
    waitlists: list[dict]


def manager_day() -> ManagerDay:
    """Routing failures, e-mail failed or stuck, locked accounts, waitlists."""
    waitlists = list(
        Referral.objects.waitlisted()
        .order_by("service__name")
        .values("service_id", "service__name")
        .annotate(total=Count("pk"))
    )
    return ManagerDay(
        routing_failures=QueueEntry.objects.filter(
            section=QueueEntry.Section.FAILED
        ).count(),
        mail_failed=Email.objects.filter(status=STATUS.failed).count(),
        mail_stuck=mail.stuck().count(),
        locked_accounts=staff_selectors.locked_usernames().count(),
        waitlists=waitlists,
    )


@dataclass
class TreatmentDay:
    courses_open: int
    sessions_today: int
    appointments: list[Referral]


def treatment_day() -> TreatmentDay:
    """Courses under way, sessions recorded today, and today's booked appointments
    whose course is open (each with its patient, service and course)."""
    start = today_start()
    appointments = (
        Referral.objects.filter(
            status=Referral.Status.SCHEDULED,
            appointment_at__gte=start,
            appointment_at__lt=start + datetime.timedelta(days=1),
            treatment_course__status=TreatmentCourse.Status.OPEN,
        )
        .select_related("intake__patient", "service", "treatment_course")
        .order_by("appointment_at")
    )
    return TreatmentDay(
        courses_open=TreatmentCourse.objects.filter(
            status=TreatmentCourse.Status.OPEN
        ).count(),
        sessions_today=TreatmentSession.objects.filter(
            date=timezone.localdate()
        ).count(),
        appointments=list(appointments[:TODAY_SHOWN]),
    )
