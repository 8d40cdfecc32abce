"""Services, routing decisions, referrals and their events.

A routing decision stores what the engine said about one intake, with the facts it was
made on and the rules version, so it can be replayed and explained. A referral is one
service recommended for one intake; its status is a state machine whose transitions
carry the permission of the role that may take them. Every status change is a
:class:`ReferralEvent` (who, when, from, to, why).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from clinic.mail import delivery_state
from clinic.models import TimeStampedModel
from clinic.validation import ChecksInOneQuery
from intake import codes
from intake.models import Intake
from referrals import routing

DECIDE = "referrals.decide_referral"
SCHEDULE = "referrals.schedule_referral"
# Ending a treatment course completes its referral: the front desk, physicians and
# clinicians.
COMPLETE = "referrals.complete_referral"
CLEAR_HOLD = "referrals.clear_hold"
VIEW_LETTER = "referrals.view_letter"
VIEW_QUEUE = "referrals.view_review_queue"
VIEW_REFERRAL = "referrals.view_referral"


class Service(ChecksInOneQuery, models.Model):
    """A service the clinic refers patients to; one per routing service code."""

    code = models.CharField(
        "code", max_length=20, unique=True, choices=codes.SERVICES, editable=False
    )
    name = models.CharField("name", max_length=80)
    description = models.TextField("description", blank=True)
    accepts_referrals = models.BooleanField(
        "accepts referrals",
        default=True,
        help_text="Off while the service is 'coming soon': eligible patients are "
        "put on its waitlist instead.",
    )
    contact_email = models.EmailField(
        "team e-mail",
        blank=True,
        help_text="Told when one of its referrals is approved.",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__in=list(routing.SERVICE_CODES)),
                name="service_code_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def status_label(self) -> str:
        return "Accepting referrals" if self.accepts_referrals else "Coming soon"


class DecisionStatus(models.TextChoices):
    ROUTED = "routed", "Routed"
    HELD = "held", "On hold"
    FAILED = "failed", "Routing failed"


class HoldTier(models.TextChoices):
    """The tiers of ``routing.TIERS``, in its order (a test keeps the two equal)."""

    EMERGENCY = "emergency", "Emergency"
    URGENT = "urgent", "Urgent (within 24 h)"
    SAME_DAY = "same_day", "Same day"


# A hold no physician has cleared, on the intake's current decision: what
# ``open_holds()`` and the reports' hold counts filter by (``is_open_hold`` says the
# same of one decision in memory).
OPEN_HOLD = Q(
    status=DecisionStatus.HELD, cleared_at__isnull=True, superseded_at__isnull=True
)


class RoutingDecisionQuerySet(models.QuerySet):
    def current(self):
        """Decisions not superseded by a later routing of the same intake."""
        return self.filter(superseded_at__isnull=True)

    def open_holds(self):
        """Current held decisions no physician has cleared yet.

        ``RoutingDecision.is_open_hold`` says the same of one decision in memory.
        """
        return self.filter(OPEN_HOLD)

    def failed(self):
        """Current decisions whose routing failed: the intake needs routing again."""
        return self.current().filter(status=DecisionStatus.FAILED)


class RoutingDecision(ChecksInOneQuery, models.Model):
    """What the routing engine said about one intake, and on which facts."""

    Status = DecisionStatus
    HoldTier = HoldTier

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: a decision explains referrals in the patient's record; the intake it
    # was made on can never disappear from under it.
    intake = models.ForeignKey(
        Intake,
        on_delete=models.PROTECT,
        related_name="routing_decisions",
        verbose_name="intake",
    )
    status = models.CharField("status", max_length=10, choices=Status.choices)
    rules_version = models.CharField("rules version", max_length=20)
    facts = models.JSONField("facts snapshot", null=True, blank=True)
    decision = models.JSONField("engine decision", null=True, blank=True)
    hold_tier = models.CharField(
        "hold tier", max_length=10, choices=HoldTier, null=True, blank=True
    )
    error = models.TextField(
        "why routing failed",
        blank=True,
        help_text="Names the problem, never the patient's answers.",
    )
    created = models.DateTimeField("routed", auto_now_add=True, db_index=True)
    superseded_at = models.DateTimeField("superseded", null=True, blank=True)
    # PROTECT: who cleared a hold is part of the clinical record; staff accounts are
    # deactivated, never deleted.
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="hold cleared by",
    )
    cleared_at = models.DateTimeField("hold cleared", null=True, blank=True)
    cleared_note = models.TextField("what was done", blank=True)
    # SET_NULL: sent mail may be purged; the decision stays.
    hold_alert = models.ForeignKey(
        "post_office.Email",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="on-call alert",
    )

    objects = RoutingDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = "routing decision"
        permissions = [
            ("clear_hold", "Can clear a routing hold and route the intake again"),
            ("view_review_queue", "Can work the physicians' review queue"),
        ]
        indexes = [
            models.Index(
                fields=["status", "created"],
                condition=Q(superseded_at__isnull=True),
                name="decision_current_status",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["intake"],
                condition=Q(superseded_at__isnull=True),
                name="decision_one_current_per_intake",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DecisionStatus.values),
                name="decision_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(hold_tier__isnull=True)
                | Q(hold_tier__in=list(routing.TIERS)),
                name="decision_hold_tier_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=DecisionStatus.HELD, hold_tier__isnull=False)
                | (
                    ~Q(status=DecisionStatus.HELD)
                    & Q(cleared_at__isnull=True, hold_tier=None)
                ),
                name="decision_held_has_tier",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=DecisionStatus.FAILED, decision__isnull=True, hold_tier=None
                )
                & ~Q(error="")
                | (
                    ~Q(status=DecisionStatus.FAILED)
                    & Q(decision__isnull=False, error="")
                ),
                name="decision_failed_has_error_only",
            ),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True, cleared_by__isnull=True)
                | Q(cleared_at__isnull=False, cleared_by__isnull=False),
                name="decision_cleared_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Routing {str(self.pk)[:8]} ({self.get_status_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("admin:referrals_review", args=[self.intake_id])

    def get_additional_data(self) -> dict:
        """The audit trail files this decision under the patient's record number."""
        return {"patient": self.intake.patient.record_number}

    @property
    def is_open_hold(self) -> bool:
        """Whether ``RoutingDecision.objects.open_holds()`` holds this decision."""
        return (
            self.status == self.Status.HELD
            and self.cleared_at is None
            and self.superseded_at is None
        )

    @property
    def hold_alert_state(self) -> str:
        """Whether the on-call alert was "sent", is "queued", "failed" or is "none"."""
        return delivery_state(self.hold_alert)

    @property
    def hold_reasons(self) -> list[dict]:
        hold = (self.decision or {}).get("hold") or {}
        return hold.get("reasons", [])

    @property
    def hold_codes(self) -> set[str]:
        return {reason["code"] for reason in self.hold_reasons}

    @property
    def is_safety_hold(self) -> bool:
        """Whether the hold is for PHQ-9 item 9: clearing it is the safety clearance."""
        return routing.SAFETY_HOLD_CODE in self.hold_codes


class ReferralStatus(models.TextChoices):
    WAITLISTED = "waitlisted", "Waitlisted"
    PENDING_REVIEW = "pending_review", "Pending review"
    APPROVED = "approved", "Approved"
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


# A referral under way: one at most per intake and service; front desk may cancel it.
OPEN_STATUSES = (
    ReferralStatus.WAITLISTED,
    ReferralStatus.PENDING_REVIEW,
    ReferralStatus.APPROVED,
    ReferralStatus.SCHEDULED,
)
# Approved and not yet carried out: an amendment can send it back for review.
APPROVED_STATUSES = (ReferralStatus.APPROVED, ReferralStatus.SCHEDULED)
# A referral with a physician's approval on file, and so a letter.
APPROVAL_ON_FILE_STATUSES = (*APPROVED_STATUSES, ReferralStatus.COMPLETED)
# Booked with the service: an appointment (when, with whom, where) is on file.
BOOKED_STATUSES = (ReferralStatus.SCHEDULED, ReferralStatus.COMPLETED)
# The steps the operations reports' funnel counts a referral as having reached.
REACHED_STATUSES = (
    ReferralStatus.APPROVED,
    ReferralStatus.SCHEDULED,
    ReferralStatus.COMPLETED,
    ReferralStatus.DECLINED,
)


def may_cancel(referral: "Referral", user) -> bool:
    """Who may cancel ``referral`` now: a physician while it awaits their review (the
    front desk cannot take a referral out of a physician's hands), otherwise the front
    desk."""
    if referral.status == ReferralStatus.PENDING_REVIEW:
        return user.has_perm(DECIDE)
    return user.has_perm(SCHEDULE)


class ReferralOutcome(models.TextChoices):
    """The engine's outcome a referral was made on (``routing.REFERRAL_OUTCOMES``, or
    ``routing.NO_REFERRAL_OUTCOMES`` by a physician's override)."""

    REC = routing.REC, "Recommended"
    FLAG = routing.FLAG, "Recommended with cautions"
    NE = routing.NE, "Not eligible"
    BLOCK = routing.BLOCK, "Contraindicated"


class ReferralQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_review(self):
        """Referrals a physician has to approve or decline, oldest first."""
        return self.filter(status=Referral.Status.PENDING_REVIEW).order_by("created")

    def approvable_together(self):
        """Referrals a physician may approve several at a time, with one note: waiting
        for review, recommended without cautions (REC; a FLAG's cautions are read and
        decided one referral at a time) and not sent back by an amendment."""
        return self.awaiting_review().filter(
            recommended_outcome=ReferralOutcome.REC, rereview_reason=""
        )

    def waitlisted(self):
        return self.filter(status=Referral.Status.WAITLISTED)

    def approved_at_some_point(self):
        """Referrals with an approval on file: approved, scheduled or completed."""
        return self.filter(status__in=APPROVAL_ON_FILE_STATUSES)


class Referral(ChecksInOneQuery, ConcurrentTransitionMixin, TimeStampedModel):
    """One service recommended for one intake, and where it stands.

    Transitions are methods that change ``status`` only; the services in
    ``referrals.services`` lock the row, call them, save, and write the event in one
    transaction. ``ConcurrentTransitionMixin`` makes the save fail if the status
    changed in the database since the row was read, so a stale copy can never
    overwrite a decision, even where row locks are not available (SQLite).
    """

    Status = ReferralStatus
    Outcome = ReferralOutcome
    OPEN_STATUSES = OPEN_STATUSES
    APPROVED_STATUSES = APPROVED_STATUSES

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: a referral is part of the patient's record and of the service's.
    intake = models.ForeignKey(
        Intake,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name="intake",
    )
    # PROTECT: a service with referrals is closed ("coming soon"), never deleted.
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="referrals"
    )
    # PROTECT: the decision is the evidence the referral was made on.
    decision = models.ForeignKey(
        RoutingDecision,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name="routing decision",
    )
    recommended_outcome = models.CharField(
        "engine's outcome", max_length=5, choices=Outcome.choices
    )
    reasons = models.JSONField("engine's reasons", default=list, blank=True)
    status = FSMField(
        "status",
        max_length=20,
        choices=Status.choices,
        default=Status.PENDING_REVIEW,
        db_index=True,
    )
    override = models.BooleanField(
        "physician overrode the engine",
        default=False,
        help_text="Referred although the engine found the patient not eligible or "
        "the service contraindicated, or declined although it recommended it.",
    )
    # PROTECT: who decided is part of the clinical record; staff accounts are
    # deactivated, never deleted.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="decided by",
    )
    decided_at = models.DateTimeField("decided", null=True, blank=True)
    note = models.TextField("physician's note", blank=True)
    rereview_reason = models.TextField(
        "needs another look because",
        blank=True,
        help_text="Set when an amendment changed what the engine says about this "
        "service; cleared by the physician's next decision.",
    )
    amended_after_approval = models.BooleanField(
        "amended after approval",
        default=False,
        help_text="An amendment sent this approved referral back to the physician.",
    )
    appointment_at = models.DateTimeField("appointment", null=True, blank=True)
    appointment_provider = models.CharField(
        "provider",
        max_length=120,
        blank=True,
        help_text="Who sees the patient, e.g. the clinician's name.",
    )
    appointment_location = models.CharField(
        "location",
        max_length=200,
        blank=True,
        help_text="Where, e.g. the room or the practice's address.",
    )
    cancel_reason = models.TextField("why it was cancelled", blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["created"]
        permissions = [
            ("decide_referral", "Can approve, decline or override referrals"),
            ("schedule_referral", "Can schedule and cancel referrals"),
            ("complete_referral", "Can mark a referral completed"),
            ("view_letter", "Can view referral letters"),
        ]
        indexes = [
            models.Index(fields=["status", "created"], name="referral_status_created"),
            # The operations reports: the referrals written since a period began,
            # with the columns they count, read from the index alone (a referral's
            # row is wide: its reasons, notes and appointment).
            models.Index(
                fields=["created", "intake", "service", "status", "decided_at", "id"],
                name="referral_reports",
            ),
            # A physician's decisions of the day (their home page).
            models.Index(
                fields=["decided_by", "decided_at"], name="referral_decided_by_at"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "service"],
                condition=Q(status__in=OPEN_STATUSES),
                name="referral_one_open_per_intake_service",
            ),
            models.CheckConstraint(
                condition=Q(recommended_outcome__in=ReferralOutcome.values),
                name="referral_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values),
                name="referral_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(recommended_outcome__in=routing.REFERRAL_OUTCOMES)
                | Q(override=True),
                name="referral_ne_or_block_only_by_override",
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True, decided_by__isnull=True)
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="referral_decided_by_someone",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | ~Q(note=""),
                name="referral_decline_has_note",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=BOOKED_STATUSES)
                | (
                    Q(appointment_at__isnull=False)
                    & ~Q(appointment_provider="")
                    & ~Q(appointment_location="")
                ),
                name="referral_booked_has_appointment",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.CANCELLED) | ~Q(cancel_reason=""),
                name="referral_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {str(self.pk)[:8]}"

    def get_absolute_url(self) -> str:
        return reverse("admin:referrals_referral_change", args=[self.pk])

    def get_additional_data(self) -> dict:
        """The audit trail files this referral under the patient's record number."""
        return {"patient": self.intake.patient.record_number}

    # Transitions: state changes only; services save and record events. A transition
    # with a "button" is offered on the referral's admin page to whoever may take it.

    @transition(field=status, source=Status.WAITLISTED, target=Status.PENDING_REVIEW)
    def open_for_review(self) -> None:
        """The service opened: the waitlisted patient now needs a decision."""

    @transition(
        field=status,
        source=list(APPROVED_STATUSES),
        target=Status.PENDING_REVIEW,
    )
    def return_for_review(self) -> None:
        """An amendment made the service unsafe or held: a physician decides again."""

    @transition(
        field=status,
        source=Status.PENDING_REVIEW,
        target=Status.APPROVED,
        permission=DECIDE,
    )
    def approve(self) -> None:
        """A physician approves the referral."""

    @transition(
        field=status,
        source=Status.PENDING_REVIEW,
        target=Status.DECLINED,
        permission=DECIDE,
    )
    def decline(self) -> None:
        """A physician declines the referral."""

    @transition(
        field=status,
        source=Status.APPROVED,
        target=Status.SCHEDULED,
        permission=SCHEDULE,
        custom={"button": "Mark scheduled"},
    )
    def schedule(self) -> None:
        """Front desk booked the patient with the service."""

    @transition(
        field=status,
        source=Status.SCHEDULED,
        target=Status.COMPLETED,
        permission=COMPLETE,
        custom={"button": "Mark completed"},
    )
    def complete(self) -> None:
        """The patient received the service."""

    @transition(
        field=status,
        source=list(OPEN_STATUSES),
        target=Status.CANCELLED,
        permission=may_cancel,
        custom={"button": "Cancel referral"},
    )
    def cancel(self) -> None:
        """An open referral is cancelled (the patient withdrew, moved...); see
        :func:`may_cancel` for who may."""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_letter(self) -> bool:
        return self.status in APPROVAL_ON_FILE_STATUSES

    @property
    def declining_overrides(self) -> bool:
        """Declining this referral overrides the engine: it recommended it (REC)."""
        return self.recommended_outcome == ReferralOutcome.REC

    @property
    def findings(self) -> list[dict]:
        """The engine's reasons for not referring (NE, BLOCK): what an override
        overrode."""
        return [
            reason
            for reason in self.reasons
            if routing.reason_level(reason["code"]) in routing.NO_REFERRAL_OUTCOMES
        ]

    @property
    def cautions(self) -> list[dict]:
        """The engine's other reasons: what the service notes either way."""
        return [reason for reason in self.reasons if reason not in self.findings]


class ReferralEvent(models.Model):
    """One change of a referral's status: append-only."""

    # PROTECT: the events are the referral's audit trail.
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="events"
    )
    # PROTECT: who acted stays known; None means the system (routing, service open).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="who",
    )
    at = models.DateTimeField("when", auto_now_add=True, db_index=True)
    from_status = models.CharField(
        "from", max_length=20, choices=Referral.Status.choices, blank=True
    )
    to_status = models.CharField("to", max_length=20, choices=Referral.Status.choices)
    note = models.TextField("note", blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "referral event"
        indexes = [
            # The operations reports' waitlist: joining and leaving it, by time.
            models.Index(
                fields=["at"],
                condition=Q(to_status=ReferralStatus.WAITLISTED)
                | Q(from_status=ReferralStatus.WAITLISTED),
                name="referral_event_waitlist_at",
            ),
            # The operations reports' funnel: the steps referrals reached, by time,
            # read from the index alone (the events' rows are scattered by time).
            models.Index(
                fields=["at", "to_status", "referral"],
                condition=Q(to_status__in=REACHED_STATUSES),
                name="referral_event_reached_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral event {self.pk}"

    def save(self, *args, **kwargs):
        # Append-only: the audit trail is never rewritten.
        if not self._state.adding:
            raise ValueError("Referral events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Referral events are append-only.")


class QueueSection(models.IntegerChoices):
    """The review queue's sections, in the order a physician works them."""

    HOLD = 0, "On hold"
    AWAITING = 1, "Awaiting routing"
    FAILED = 2, "Routing failed"
    PENDING = 3, "Intakes with referrals pending review"


QUEUE_NO_TIER = 9  # the tier rank of every section but holds


class QueueEntryQuerySet(models.QuerySet):
    def in_order(self):
        """Holds first (most urgent tier first), then intakes awaiting routing, then
        failed routings, then pending referrals; oldest first within each."""
        return self.order_by("section", "tier_rank", "since", "intake_id")

    def holds(self):
        return self.filter(section=QueueSection.HOLD)


class QueueEntry(ChecksInOneQuery, models.Model):
    """One intake waiting for a physician, and its place in the review queue.

    Derived from the intake's current routing decision and its referrals (a submitted
    intake with no current decision awaits routing), and kept by
    ``referrals.services.queue_sync`` in the transaction of every service that writes
    either, so the queue page reads one small table in index order instead of deriving
    the queue from the clinic's whole history.
    """

    Section = QueueSection
    NO_TIER = QUEUE_NO_TIER

    # CASCADE: the entry is derived from the intake and means nothing without it.
    intake = models.OneToOneField(
        Intake,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="queue_entry",
        verbose_name="intake",
    )
    section = models.PositiveSmallIntegerField("section", choices=Section.choices)
    tier_rank = models.PositiveSmallIntegerField(
        "hold tier rank", help_text="0 emergency, 1 urgent, 2 same day; 9 not on hold."
    )
    since = models.DateTimeField(
        "waiting since",
        help_text="When the intake was submitted or amended (awaiting routing), routed "
        "(holds, failures) or its oldest pending referral was made.",
    )

    objects = QueueEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "review queue entry"
        verbose_name_plural = "physicians' review queue"
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["section", "tier_rank", "since", "intake"], name="queue_order"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    section=QueueSection.HOLD,
                    tier_rank__in=range(len(routing.TIERS)),
                )
                | Q(
                    section__in=[
                        QueueSection.AWAITING,
                        QueueSection.FAILED,
                        QueueSection.PENDING,
                    ],
                    tier_rank=QUEUE_NO_TIER,
                ),
                name="queue_entry_section_and_tier",
            ),
        ]

    def __str__(self) -> str:
        return f"Queue entry ({self.get_section_display().lower()})"
