"""The staff's home page: each role's day at a glance, every number a link to the
list it counts. Served at the admin's index (``clinic/urls.py``)."""

import datetime
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from clinic.admin_utils import today_start
from clinic.audit import record_list_access
from home import selectors
from intake.models import Intake
from outcomes.models import RECORD_CLINICAL, TreatmentCourse
from referrals.models import (
    DECIDE,
    VIEW_QUEUE,
    QueueEntry,
    Referral,
    RoutingDecision,
)

FRONT_DESK = "intake.add_intake"
MANAGER = "clinic.view_outgoingmail"
MANAGE_STAFF = "staff.manage_staff"


def link(name: str, **query) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def todays_intakes_link() -> str:
    """Intakes submitted today: the intake list's own "Today" date filter."""
    start = today_start()
    return link(
        "admin:intake_intake_changelist",
        submitted_at__gte=str(start),
        submitted_at__lt=str(start + datetime.timedelta(days=1)),
    )


def routing_words(intake: Intake) -> str:
    """What routing did with one of today's intakes, for the front desk."""
    status = intake.decision_status
    if status is None:
        return "Routing…"
    if status == RoutingDecision.Status.HELD:
        tier = RoutingDecision.HoldTier(intake.decision_tier).label.lower()
        return f"On hold, {tier}: the physicians are told"
    if status == RoutingDecision.Status.FAILED:
        return "Routing failed: a physician routes it again"
    count = intake.referral_count or 0
    return f"Routed: {count} referral{'s' if count != 1 else ''}"


@method_decorator(never_cache, name="dispatch")
class HomeView(View):
    """The admin's index for signed-in staff: the tiles of each role the user has
    (every page they may open stays in the navigation sidebar)."""

    admin_site: AdminSite = None

    def get(self, request):
        user = request.user
        context = {
            **self.admin_site.each_context(request),
            "title": "Today",
        }
        if user.has_perm(FRONT_DESK):
            context["desk"] = self.front_desk(request)
        if user.has_perm(DECIDE):
            context["physician"] = self.physician(request)
        if user.has_perm(RECORD_CLINICAL):
            context["treatment"] = self.treatment(request)
        if user.has_perm(MANAGER):
            context["manager"] = self.manager(request)
        return render(request, "admin/home.html", context)

    def treatment(self, request) -> dict:
        day = selectors.treatment_day()
        record_list_access(
            model=Intake,
            record_numbers=[
                referral.intake.patient.record_number for referral in day.appointments
            ],
            page="home: today's appointments",
        )
        return {
            "day": day,
            "courses_link": link(
                "admin:outcomes_treatmentcourse_changelist",
                status__exact=TreatmentCourse.Status.OPEN,
            ),
            "sessions_link": link(
                "admin:outcomes_treatmentsession_changelist",
                date=timezone.localdate().isoformat(),
            ),
        }

    def front_desk(self, request) -> dict:
        day = selectors.front_desk_day()
        record_list_access(
            model=Intake,
            record_numbers=[intake.patient.record_number for intake in day.intakes],
            page="home: today's intakes",
        )
        return {
            "day": day,
            "rows": [
                {"intake": intake, "outcome": routing_words(intake)}
                for intake in day.intakes
            ],
            # Reload every few seconds while routing runs, to show what it did.
            "routing": any(intake.decision_status is None for intake in day.intakes),
            "today_link": todays_intakes_link(),
            "drafts_link": link(
                "admin:intake_intake_changelist",
                status__exact=Intake.Status.DRAFT,
                source__exact=Intake.Source.FRONT_DESK,
            ),
            "duplicates_link": link(
                "admin:intake_patient_changelist", duplicates="flagged"
            ),
            "schedule_link": link(
                "admin:referrals_referral_changelist",
                status__exact=Referral.Status.APPROVED,
            ),
        }

    def physician(self, request) -> dict:
        day = selectors.physician_day(user=request.user)
        if day.oldest is not None:
            record_list_access(
                model=Intake,
                record_numbers=[day.oldest.intake.patient.record_number],
                page="home: the oldest waiting",
            )
        return {
            "day": day,
            "sections": [
                {
                    "label": QueueEntry.Section(section).label,
                    "count": count,
                    "link": queue_link(section),
                }
                for section, count in day.sections.items()
            ],
            "decided": [
                (Referral.Status(status).label, count)
                for status, count in sorted(day.decided.items())
            ],
            "decided_link": link(
                "admin:referrals_referral_changelist", decided="me-today"
            ),
        }

    def manager(self, request) -> dict:
        day = selectors.manager_day()
        can = request.user.has_perm
        return {
            "day": day,
            "failures_link": (
                queue_link(QueueEntry.Section.FAILED) if can(VIEW_QUEUE) else None
            ),
            "mail_failed_link": link(
                "admin:clinic_outgoingmail_changelist", problem="failed"
            ),
            "mail_stuck_link": link(
                "admin:clinic_outgoingmail_changelist", problem="stuck"
            ),
            "locked_link": (
                link("admin:staff_staffaccount_changelist", sign_in="locked")
                if can(MANAGE_STAFF)
                else None
            ),
            "waitlists": [
                {
                    "service": row["service__name"],
                    "count": row["total"],
                    "link": link(
                        "admin:referrals_referral_changelist",
                        status__exact=Referral.Status.WAITLISTED,
                        service__id__exact=row["service_id"],
                    ),
                }
                for row in day.waitlists
            ],
        }


def queue_link(section: int) -> str:
    return link("admin:referrals_queueentry_changelist", section=int(section))
