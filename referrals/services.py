"""Every write of the referrals app that matters, one transaction each.

Each service validates every row before saving it and writes the workflow
event (a :class:`ReferralEvent`), any e-mail (a queued post-office row) and the
intake's place in the review queue (:func:`queue_sync`) in the same transaction, so a
decision, its audit trail, its notifications and the queue commit or vanish together.
"""

import datetime
import logging
import re
import traceback
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from clinic.validation import validate_built
from intake.facts import intake_facts
from intake.models import Intake, TreatmentTrial
from intake.services import intake_safety_clear
from referrals import notifications, routing, selectors, tasks
from referrals.models import (
    CLEAR_HOLD,
    DECIDE,
    QueueEntry,
    Referral,
    ReferralEvent,
    RoutingDecision,
    Service,
)
from referrals.signals import referral_scheduled

logger = logging.getLogger(__name__)

# The database went away or refused for now (a restart, a killed connection): worth
# retrying, unlike an error in the data.
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)


class ReferralConflict(Exception):
    """The record changed since it was read: someone else acted first."""


def _failure_text(error: Exception) -> str:
    """Describe a routing failure without any of the patient's answers."""
    if isinstance(error, routing.InvalidFacts):
        problems = [
            f"{key}: {re.sub(r', got .*$', '', message)}"
            for key, message in error.errors.items()
        ]
        return "Invalid facts: " + "; ".join(problems)
    return f"The routing engine raised {type(error).__name__}; see the server log."


def _log_failure(intake: Intake, error: Exception) -> None:
    """Log a routing failure with its traceback but not its message (may hold data)."""
    logger.error(
        "Routing failed for intake %s: %s\n%s",
        intake.pk,
        type(error).__name__,
        "".join(traceback.format_tb(error.__traceback__)),
    )


def _event(
    *,
    referral: Referral,
    actor: AbstractBaseUser | None,
    from_status: str,
    note: str = "",
) -> ReferralEvent:
    event = ReferralEvent(
        referral=referral,
        actor=actor,
        from_status=from_status,
        to_status=referral.status,
        note=note,
    )
    validate_built(event, held=("referral", "actor"))
    event.save()
    return event


def queue_sync(*, intake_ids) -> None:
    """Put each intake in its place in the physicians' review queue, or take it out.

    Called inside the transaction of every service that writes a routing decision or a
    referral, so the queue never disagrees with the history it is derived from
    (``selectors.queue_places`` says where each intake belongs).
    """
    intake_ids = set(intake_ids)
    entries = [
        QueueEntry(intake_id=intake_id, section=section, tier_rank=rank, since=since)
        for intake_id, (section, rank, since) in selectors.queue_places(
            intake_ids=intake_ids
        ).items()
    ]
    leaving = intake_ids - {entry.intake_id for entry in entries}
    if leaving:
        QueueEntry.objects.filter(intake_id__in=leaving).delete()
    if entries:
        QueueEntry.objects.bulk_create(
            entries,
            update_conflicts=True,
            unique_fields=["intake"],
            update_fields=["section", "tier_rank", "since"],
        )


def _store_decision(
    *, intake: Intake, user: AbstractBaseUser | None
) -> RoutingDecision:
    """Route ``intake`` and store the decision and its referrals; may raise."""
    facts = intake_facts(intake)
    try:
        decision = routing.route(facts)
    except Exception as error:
        error.facts = facts
        raise
    hold = decision["hold"]
    record = RoutingDecision(
        intake=intake,
        status=RoutingDecision.Status.HELD if hold else RoutingDecision.Status.ROUTED,
        rules_version=decision["rules_version"],
        facts=facts,
        decision=decision,
        hold_tier=hold["tier"] if hold else None,
    )
    clearance = None
    if hold:
        # A physician's clearance covers the hold reasons it cleared; a re-routing
        # that finds only those (a red flag already investigated) goes ahead.
        cleared = RoutingDecision.objects.filter(
            intake=intake, cleared_at__isnull=False
        ).order_by("-cleared_at")
        covered = set().union(*(earlier.hold_codes for earlier in cleared))
        if {reason["code"] for reason in hold["reasons"]} <= covered:
            clearance = cleared[0]
            record.cleared_by_id = clearance.cleared_by_id
            record.cleared_at = clearance.cleared_at
            record.cleared_note = clearance.cleared_note
    # Constraints are left to the database on this hot path: the values come from the
    # engine, and the duplicates the unique constraint guards are skipped above.
    held = hold is not None and clearance is None
    if held:
        record.hold_alert = notifications.hold_alert(decision=record)
    validate_built(record, held=("intake", "cleared_by", "hold_alert"))
    record.save()
    earlier = list(
        Referral.objects.filter(intake=intake)
        .exclude(status=Referral.Status.CANCELLED)
        .select_related("service")
        .select_for_update(of=("self",))
    )
    _recheck_open_referrals(record=record, referrals=earlier, held=held)
    if held:
        return record

    services = Service.objects.in_bulk(field_name="code")
    taken = {referral.service.code for referral in earlier}
    for code, result in decision["services"].items():
        outcome = routing.outcome_under_hold(result)
        if outcome not in routing.REFERRAL_OUTCOMES or code in taken:
            continue
        service = services[code]
        referral = Referral(
            intake=intake,
            service=service,
            decision=record,
            recommended_outcome=outcome,
            reasons=result["reasons"],
            status=(
                Referral.Status.PENDING_REVIEW
                if service.accepts_referrals
                else Referral.Status.WAITLISTED
            ),
        )
        validate_built(referral, held=("intake", "service", "decision"))
        referral.save()
        note = f"Routed (rules {record.rules_version})"
        if not service.accepts_referrals:
            note += "; the service is not accepting referrals yet"
        _event(referral=referral, actor=user, from_status="", note=note)
    return record


OUTCOME_WORDS = {**dict(Referral.Outcome.choices), routing.HOLD: "On hold"}


def _recheck_open_referrals(
    *, record: RoutingDecision, referrals: list[Referral], held: bool
) -> None:
    """Send back to a physician the open referrals a new decision no longer supports.

    After an amendment the intake is routed again. A referral still waiting whose
    service is no longer recommended is marked for another look, with the reason; an
    approved or scheduled one whose service is now contraindicated or held goes back
    to review, flagged "amended after approval".
    """
    waiting = [referral for referral in referrals if referral.is_open]
    if not waiting:
        return
    amendment = record.intake.amendments.last()
    for referral in waiting:
        if held:
            outcome, reasons = routing.HOLD, record.hold_reasons
        else:
            result = record.decision["services"][referral.service.code]
            outcome, reasons = routing.outcome_under_hold(result), result["reasons"]
        if outcome in routing.REFERRAL_OUTCOMES:
            continue
        why = (
            f"{referral.service.name} is now: {OUTCOME_WORDS[outcome].lower()} "
            f"({'; '.join(reason['text'] for reason in reasons)})."
        )
        if amendment is not None:
            when = timezone.localtime(amendment.amended_at).strftime("%Y-%m-%d %H:%M")
            why = f"Intake amended {when} ({amendment.reason}). {why}"
        from_status = referral.status
        if from_status in Referral.APPROVED_STATUSES and outcome in (
            routing.BLOCK,
            routing.HOLD,
        ):
            referral.return_for_review()
            referral.amended_after_approval = True
        elif referral.rereview_reason == why:
            continue
        referral.rereview_reason = why
        validate_built(referral, held=("intake", "service", "decision", "decided_by"))
        referral.save()
        _event(referral=referral, actor=None, from_status=from_status, note=why)


def intake_queue_for_routing(*, intake: Intake, amended: bool) -> None:
    """Queue a submitted or amended intake for routing, in the caller's transaction.

    The intake takes its place in the queue's "Awaiting routing" section and the
    routing task is enqueued: all in the transaction that submitted or amended the
    intake, so none of it can be lost on its own. An amended intake's current
    decision, if any, is superseded (it was made on answers that changed) and its
    place is derived from its history (``queue_sync``). A first submission has no
    history: it awaits routing since it was submitted, written as such (the place
    ``selectors.queue_places`` gives it), without reading anything.
    """
    if amended:
        RoutingDecision.objects.current().filter(intake=intake).update(
            superseded_at=timezone.now()
        )
        queue_sync(intake_ids=[intake.pk])
    else:
        QueueEntry.objects.bulk_create(
            [
                QueueEntry(
                    intake=intake,
                    section=QueueEntry.Section.AWAITING,
                    tier_rank=QueueEntry.NO_TIER,
                    since=intake.submitted_at,
                )
            ],
            update_conflicts=True,
            unique_fields=["intake"],
            update_fields=["section", "tier_rank", "since"],
        )
    tasks.route_intake.enqueue(intake_id=str(intake.pk))


def intake_route(
    *, intake: Intake, user: AbstractBaseUser | None = None
) -> RoutingDecision:
    """Route a submitted intake now: store the decision, make its referrals, alert
    holds; the intake's current decision, if any, is superseded.

    A failure of the engine, or of storing its result, is rolled back to a savepoint
    and stored as a failed decision (which the review queue shows, with "Route
    again"), and logged without patient details; a failure of the database itself
    raises. Routing only reads the intake, so it can never un-submit it.
    """
    return _route(intake_id=intake.pk, user=user, waiting_only=False)


def intake_route_waiting(*, intake_id) -> RoutingDecision | None:
    """Route an intake that awaits routing (the routing task); idempotent.

    An intake that has a current decision (the task ran before, or a physician
    routed it) is left alone and None is returned, so a task run twice makes one
    decision and no duplicate referrals.
    """
    return _route(intake_id=intake_id, user=None, waiting_only=True)


def _route(
    *, intake_id, user: AbstractBaseUser | None, waiting_only: bool
) -> RoutingDecision | None:
    with transaction.atomic():
        intake = (
            Intake.objects.select_for_update(of=("self",))
            .select_related("patient")
            .prefetch_related(
                Prefetch(
                    "treatments",
                    queryset=TreatmentTrial.objects.select_related("drug"),
                )
            )
            .get(pk=intake_id)
        )
        if intake.status != Intake.Status.SUBMITTED:
            raise ValidationError("Only a submitted intake can be routed.")
        current = RoutingDecision.objects.current().filter(intake=intake)
        if waiting_only and current.exists():
            return None
        current.update(superseded_at=timezone.now())
        try:
            with transaction.atomic():
                record = _store_decision(intake=intake, user=user)
        except TRANSIENT_DATABASE_ERRORS:
            raise
        except Exception as error:
            _log_failure(intake, error)
            record = _store_failure(
                intake=intake,
                error=_failure_text(error),
                facts=getattr(error, "facts", None),
            )
        queue_sync(intake_ids=[intake.pk])
        return record


def _store_failure(
    *, intake: Intake, error: str, facts: dict | None = None
) -> RoutingDecision:
    record = RoutingDecision(
        intake=intake,
        status=RoutingDecision.Status.FAILED,
        rules_version=routing.RULES_VERSION,
        facts=facts,
        error=error,
    )
    record.full_clean()
    record.save()
    return record


def intake_routing_failed(*, intake_id, error: Exception) -> RoutingDecision | None:
    """Record that routing could not be stored after every retry (the database kept
    refusing): the intake moves to "Routing failed", for a physician's "Route again".

    Nothing is recorded if the intake was routed meanwhile.
    """
    with transaction.atomic():
        intake = Intake.objects.select_for_update(of=("self",)).get(pk=intake_id)
        if RoutingDecision.objects.current().filter(intake=intake).exists():
            return None
        record = _store_failure(
            intake=intake,
            error=(
                "The routing could not be stored after repeated attempts "
                f"({type(error).__name__}); route again."
            ),
        )
        queue_sync(intake_ids=[intake.pk])
        return record


def intakes_route_again_later(*, intake_ids) -> int:
    """Enqueue the routing task of intakes awaiting routing (a lost task's repair)."""
    with transaction.atomic():
        for intake_id in intake_ids:
            tasks.route_intake.enqueue(intake_id=str(intake_id))
    return len(intake_ids)


def intake_route_again(*, intake: Intake, user: AbstractBaseUser) -> RoutingDecision:
    """Re-run routing for an intake whose routing failed (staff's "Route again")."""
    if not user.has_perm(CLEAR_HOLD):
        raise PermissionDenied
    with transaction.atomic():
        current = (
            RoutingDecision.objects.current()
            .select_for_update()
            .filter(intake=intake)
            .first()
        )
        if current is not None and current.status != RoutingDecision.Status.FAILED:
            raise ReferralConflict("This intake was already routed again.")
        return intake_route(intake=intake, user=user)


def decision_clear_hold(
    *, decision: RoutingDecision, user: AbstractBaseUser, note: str
) -> RoutingDecision:
    """Record what a physician did about a hold, then route the intake again.

    For a PHQ-9 item 9 hold this is the safety clearance: it is recorded on the intake
    too, so the facts say ``safety_cleared`` from now on. Returns the new decision.
    """
    if not user.has_perm(CLEAR_HOLD):
        raise PermissionDenied
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Record what was done before clearing a hold."})
    with transaction.atomic():
        decision = RoutingDecision.objects.select_for_update().get(pk=decision.pk)
        if not decision.is_open_hold:
            if decision.cleared_by is None:
                raise ReferralConflict(
                    "This hold was already routed again by someone else."
                )
            who = decision.cleared_by
            who = who.get_full_name() or who.get_username()
            when = timezone.localtime(decision.cleared_at).strftime("%Y-%m-%d %H:%M")
            raise ReferralConflict(
                f"This hold was already cleared by {who}, {when}: "
                f"“{decision.cleared_note}”"
            )
        now = timezone.now()
        decision.cleared_by = user
        decision.cleared_at = now
        decision.cleared_note = note
        decision.full_clean()
        decision.save(update_fields=["cleared_by", "cleared_at", "cleared_note"])
        if decision.is_safety_hold:
            intake_safety_clear(intake=decision.intake, user=user, note=note, when=now)
        return intake_route(intake=decision.intake, user=user)


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("intake__patient", "service", "decided_by")
        .get(pk=referral.pk)
    )


def _transition(
    *,
    referral: Referral,
    user: AbstractBaseUser,
    name: str,
    note: str = "",
    changes: dict | None = None,
    check: Callable[[Referral], None] | None = None,
) -> Referral:
    """Take transition ``name`` on a freshly locked copy; save; record the event.

    ``changes`` are fields set with the transition (an appointment, a reason);
    ``check`` validates the locked copy before anything changes and may raise
    ``ValidationError``.
    """
    with transaction.atomic():
        referral = _locked(referral)
        method = getattr(referral, name)
        if not can_proceed(method):
            raise ReferralConflict(selectors.referral_already_text(referral))
        if not has_transition_perm(method, user):
            raise PermissionDenied
        if check is not None:
            check(referral)
        from_status = referral.status
        method()
        for field, value in (changes or {}).items():
            setattr(referral, field, value)
        if name in ("approve", "decline"):
            referral.decided_by = user
            referral.decided_at = timezone.now()
            referral.note = note
            referral.rereview_reason = ""
            referral.amended_after_approval = False
        if name == "decline" and referral.declining_overrides:
            referral.override = True  # declined despite the engine's REC
        referral.full_clean()
        try:
            referral.save()
        except ConcurrentTransition as error:
            raise ReferralConflict(selectors.referral_already_text(referral)) from error
        _event(referral=referral, actor=user, from_status=from_status, note=note)
        queue_sync(intake_ids=[referral.intake_id])
        return referral


def _not_approvable_text(referral: Referral) -> str:
    fresh = Referral.objects.get(pk=referral.pk)
    if fresh.status != Referral.Status.PENDING_REVIEW:
        text = selectors.referral_already_text(
            referral, lead=f"{referral.service.name} is "
        )
        return text.replace("Nothing was changed.", "Nothing was approved.")
    return (
        f"{referral.service.name} now needs a decision of its own (the engine's "
        "view of it changed). Nothing was approved."
    )


def referral_approve(
    *, referral: Referral, user: AbstractBaseUser, note: str = ""
) -> Referral:
    """A physician approves a referral; the patient and the service are told."""
    with transaction.atomic():
        referral = _transition(
            referral=referral, user=user, name="approve", note=note.strip()
        )
        notifications.referral_approved(referral=referral)
        return referral


def intake_referrals_approve(
    *, intake: Intake, referrals: list[Referral], user: AbstractBaseUser, note: str = ""
) -> list[Referral]:
    """A physician approves, with one note, the recommended referrals of one intake
    they saw waiting (``ReferralQuerySet.approvable_together``); each gets its event
    and its e-mail.

    All or none, in one transaction: if another physician decided any of them
    meanwhile, or one is no longer recommended without cautions, nothing is
    approved and :class:`ReferralConflict` says who decided what.
    """
    note = note.strip()
    if not referrals:
        raise ValidationError("No referral was chosen to approve.")
    with transaction.atomic():
        approvable = set(
            Referral.objects.filter(intake=intake)
            .approvable_together()
            .values_list("pk", flat=True)
        )
        approved = []
        for referral in sorted(referrals, key=lambda r: r.service_id):
            if referral.intake_id != intake.pk:
                raise ValidationError("A referral of another intake was chosen.")
            if referral.pk not in approvable:
                raise ReferralConflict(_not_approvable_text(referral))
            approved.append(referral_approve(referral=referral, user=user, note=note))
        return approved


def referral_decline(
    *, referral: Referral, user: AbstractBaseUser, note: str
) -> Referral:
    """A physician declines a referral, saying why; declining a REC is an override."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say why the referral is declined."})
    return _transition(referral=referral, user=user, name="decline", note=note)


def referral_override(
    *, intake: Intake, service: Service, user: AbstractBaseUser, note: str
) -> Referral:
    """Refer despite the engine's NE or BLOCK: an approved referral, marked override."""
    if not user.has_perm(DECIDE):
        raise PermissionDenied
    note = note.strip()
    if not note:
        raise ValidationError({"note": "An override needs a note saying why."})
    with transaction.atomic():
        decision = (
            RoutingDecision.objects.current()
            .select_for_update()
            .filter(intake=intake)
            .first()
        )
        if decision is None or decision.status == RoutingDecision.Status.FAILED:
            raise ReferralConflict("This intake has no routing decision to override.")
        if decision.is_open_hold:
            raise ReferralConflict("Clear the hold before overriding a service.")
        result = decision.decision["services"][service.code]
        outcome = routing.outcome_under_hold(result)
        if outcome not in routing.NO_REFERRAL_OUTCOMES:
            raise ReferralConflict(
                f"{service.name} is recommended: approve its referral instead."
            )
        if not service.accepts_referrals:
            raise ReferralConflict(f"{service.name} is not accepting referrals yet.")
        referral = Referral(
            intake=intake,
            service=service,
            decision=decision,
            recommended_outcome=outcome,
            reasons=result["reasons"],
            status=Referral.Status.APPROVED,
            override=True,
            decided_by=user,
            decided_at=timezone.now(),
            note=note,
        )
        try:
            referral.full_clean()
            with transaction.atomic():
                referral.save()
        except (ValidationError, IntegrityError) as error:
            raise ReferralConflict(
                f"{service.name} already has an open referral for this intake."
            ) from error
        _event(referral=referral, actor=user, from_status="", note=note)
        queue_sync(intake_ids=[intake.pk])
        notifications.referral_approved(referral=referral)
        return referral


def referral_schedule(
    *,
    referral: Referral,
    user: AbstractBaseUser,
    appointment_at: datetime.datetime,
    provider: str,
    location: str,
    note: str = "",
) -> Referral:
    """Front desk booked the patient with the service: when, with whom, where.

    Sends ``referral_scheduled`` inside the transaction (its treatment course opens).
    """
    provider, location = provider.strip(), location.strip()
    errors = {}
    if timezone.localdate(appointment_at) < timezone.localdate():
        errors["appointment_at"] = "The appointment cannot be on a day that has passed."
    if not provider:
        errors["appointment_provider"] = "Name who will see the patient."
    if not location:
        errors["appointment_location"] = "Say where the appointment is."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = _transition(
            referral=referral,
            user=user,
            name="schedule",
            note=note.strip(),
            changes={
                "appointment_at": appointment_at,
                "appointment_provider": provider,
                "appointment_location": location,
            },
        )
        # The outcomes app opens the treatment course in this transaction.
        referral_scheduled.send(sender=Referral, referral=referral, user=user)
        return referral


def referral_complete(
    *, referral: Referral, user: AbstractBaseUser, note: str = ""
) -> Referral:
    """The patient received the service: only on or after the appointment."""

    def appointment_has_come(locked: Referral) -> None:
        if timezone.now() < locked.appointment_at:
            when = timezone.localtime(locked.appointment_at).strftime("%Y-%m-%d %H:%M")
            raise ValidationError(
                f"The appointment is on {when}: a referral is completed only on or "
                "after its appointment."
            )

    return _transition(
        referral=referral,
        user=user,
        name="complete",
        note=note.strip(),
        check=appointment_has_come,
    )


def referral_cancel(
    *, referral: Referral, user: AbstractBaseUser, reason: str
) -> Referral:
    """Cancel an open referral, saying why.

    The front desk cancels waitlisted, approved and scheduled referrals; one pending
    review is a physician's to cancel (``models.may_cancel``).
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"cancel_reason": "Say why the referral is cancelled."})
    return _transition(
        referral=referral,
        user=user,
        name="cancel",
        note=reason,
        changes={"cancel_reason": reason},
    )


def service_open(*, service: Service, user: AbstractBaseUser | None) -> Service:
    """Open a "coming soon" service: its waitlisted referrals go to physician review."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        service.accepts_referrals = True
        service.full_clean()
        service.save(update_fields=["accepts_referrals"])
        waiting = Referral.objects.waitlisted().filter(service=service)
        opened = set()
        for referral in waiting.select_for_update().order_by("created"):
            opened.add(referral.intake_id)
            referral.open_for_review()
            referral.save()
            _event(
                referral=referral,
                actor=user,
                from_status=Referral.Status.WAITLISTED,
                note=f"{service.name} opened for referrals",
            )
        queue_sync(intake_ids=opened)
        return service


def service_close(*, service: Service) -> Service:
    """Mark a service "coming soon": new eligible patients go on its waitlist."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        service.accepts_referrals = False
        service.full_clean()
        service.save(update_fields=["accepts_referrals"])
        return service
