"""A small clinic with known figures for the report tests.

The period is the two weeks from Monday 2026-11-02 to Sunday 2026-11-15 (the clinic's
time zone, America/New_York). Rows are written directly, not through the services, so
every time and status is exactly what each test expects.
"""

import datetime
import itertools
from zoneinfo import ZoneInfo

from intake.models import Intake, OnlineDraft
from referrals import routing
from referrals.models import (
    BOOKED_STATUSES,
    DecisionStatus,
    Referral,
    ReferralEvent,
    RoutingDecision,
    Service,
)
from reports.selectors import Period
from tests.factories import IntakeFactory

ZONE = ZoneInfo("America/New_York")
PERIOD = Period(datetime.date(2026, 11, 2), datetime.date(2026, 11, 15))
WEEK_1 = datetime.date(2026, 11, 2)
WEEK_2 = datetime.date(2026, 11, 9)
_keys = itertools.count()


def at(day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A moment of November 2026, clinic time."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=ZONE)


def later(moment: datetime.datetime, hours: float) -> datetime.datetime:
    return moment + datetime.timedelta(hours=hours)


def submitted_intake(when, source=Intake.Source.FRONT_DESK) -> Intake:
    intake = IntakeFactory(source=source)
    Intake.objects.filter(pk=intake.pk).update(
        status=Intake.Status.SUBMITTED, submitted_at=when
    )
    intake.refresh_from_db()
    return intake


def online_draft(intake: Intake, *, created, steps: list[str]) -> OnlineDraft:
    draft = OnlineDraft.objects.create(
        intake=intake,
        start_key=f"key-{next(_keys)}",
        client_hash="0" * 64,
        steps_done=steps,
    )
    OnlineDraft.objects.filter(pk=draft.pk).update(created=created)
    return draft


def engine_decision(outcomes: dict[str, tuple[str, list[str]]], hold=None) -> dict:
    """A decision in the engine's shape: service -> (outcome, reason codes)."""
    services = {
        service: {"outcome": routing.REC, "reasons": []}
        for service in routing.SERVICE_CODES
    }
    for service, (outcome, reasons) in outcomes.items():
        services[service] = {
            "outcome": outcome,
            "reasons": [{"code": code, "text": code} for code in reasons],
        }
    if hold is not None:
        tier, reasons = hold
        hold = {
            "tier": tier,
            "reasons": [{"code": code, "text": code} for code in reasons],
        }
        for result in services.values():
            result["outcome"] = routing.HOLD
    return {"rules_version": routing.RULES_VERSION, "hold": hold, "services": services}


def routed(intake: Intake, outcomes=None, **fields) -> RoutingDecision:
    return RoutingDecision.objects.create(
        intake=intake,
        status=DecisionStatus.ROUTED,
        rules_version=routing.RULES_VERSION,
        decision=engine_decision(outcomes or {}),
        **fields,
    )


def held(
    intake: Intake, tier: str, reasons: list[str], outcomes=None, **fields
) -> RoutingDecision:
    return RoutingDecision.objects.create(
        intake=intake,
        status=DecisionStatus.HELD,
        hold_tier=tier,
        rules_version=routing.RULES_VERSION,
        decision=engine_decision(outcomes or {}, hold=(tier, reasons)),
        **fields,
    )


def referral(
    intake: Intake,
    service: str,
    moves: list[tuple[str, datetime.datetime]],
    *,
    decided_by=None,
    decided_after: float | None = None,
) -> Referral:
    """A referral of ``intake``'s current decision, with an event for each of
    ``moves`` (status, when): it stands at the last. ``decided_after``: hours from
    the submission to the physician's decision, if one was made."""
    decision = intake.routing_decisions.first() or routed(intake)
    status = moves[-1][0]
    made = Referral.objects.create(
        intake=intake,
        service=Service.objects.get(code=service),
        decision=decision,
        recommended_outcome=routing.REC,
        status=status,
        note="Declined." if status == Referral.Status.DECLINED else "",
        cancel_reason="Moved away." if status == Referral.Status.CANCELLED else "",
        **(
            {
                "appointment_at": moves[-1][1],
                "appointment_provider": "Dr Okafor",
                "appointment_location": "Room 2",
            }
            if status in BOOKED_STATUSES
            else {}
        ),
        decided_by=decided_by if decided_after is not None else None,
        decided_at=(
            None if decided_after is None else later(intake.submitted_at, decided_after)
        ),
    )
    previous = ""
    for to_status, when in moves:
        event = ReferralEvent.objects.create(
            referral=made, from_status=previous, to_status=to_status
        )
        ReferralEvent.objects.filter(pk=event.pk).update(at=when)
        previous = to_status
    return made
