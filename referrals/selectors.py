"""Reads of the referrals app more involved than one filter."""

import datetime
import itertools
import uuid
from dataclasses import dataclass

from django.db.models import Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clinic.admin_utils import staff_name
from intake import codes, scoring
from intake.facts import intake_facts
from intake.models import Intake, IntakeAmendment, TreatmentTrial
from referrals import routing, tasks
from referrals.models import (
    QueueEntry,
    Referral,
    ReferralEvent,
    RoutingDecision,
    Service,
)


def services_coming_soon() -> set[str]:
    """The codes of the services not taking referrals yet ("coming soon"): the
    intake's services question marks them (settings.INTAKE_COMING_SOON_SERVICES)."""
    return set(
        Service.objects.filter(accepts_referrals=False).values_list("code", flat=True)
    )


def review_queue() -> QuerySet[QueueEntry]:
    """The intakes a physician has to look at, in the order they should be looked at.

    Each entry carries its intake and patient and, prefetched on the intake,
    ``queue_decisions`` (its current decision, with ``queue_hold_reasons``) and
    ``queue_referrals`` (open ones), so a page costs the same number of queries
    whatever its rows.
    """
    return (
        QueueEntry.objects.in_order()
        .select_related("intake__patient")
        # An intake has a hundred answers; a queue row shows who the patient is
        # (record number, name, birth date, phone's last four), age and sex.
        .only(
            "section",
            "tier_rank",
            "since",
            "intake__submitted_at",
            "intake__created",
            "intake__patient__record_number",
            "intake__patient__first_name",
            "intake__patient__last_name",
            "intake__patient__date_of_birth",
            "intake__patient__mobile_phone",
            "intake__patient__sex",
        )
        .prefetch_related(
            # The queue shows a hold's reasons, not the whole decision and facts.
            Prefetch(
                "intake__routing_decisions",
                queryset=RoutingDecision.objects.current()
                .defer("facts", "decision")
                .annotate(
                    queue_hold_reasons=KeyTransform(
                        "reasons", KeyTransform("hold", "decision")
                    )
                ),
                to_attr="queue_decisions",
            ),
            Prefetch(
                "intake__referrals",
                queryset=Referral.objects.open()
                .defer("reasons", "note")
                .select_related("service")
                .order_by("service_id"),
                to_attr="queue_referrals",
            ),
        )
    )


def queue_next(*, after_intake_id) -> uuid.UUID | None:
    """The intake a physician reviews after ``after_intake_id``: the next one in queue
    order, or, when that intake has left the queue or was the last, the first one
    waiting (never ``after_intake_id`` itself). None when nothing else waits."""
    others = QueueEntry.objects.in_order().exclude(intake_id=after_intake_id)
    here = QueueEntry.objects.filter(intake_id=after_intake_id).first()
    if here is not None:
        later = others.filter(
            Q(section__gt=here.section)
            | Q(section=here.section, tier_rank__gt=here.tier_rank)
            | Q(section=here.section, tier_rank=here.tier_rank, since__gt=here.since)
            | Q(
                section=here.section,
                tier_rank=here.tier_rank,
                since=here.since,
                intake_id__gt=here.intake_id,
            )
        )
        following = later.values_list("intake_id", flat=True).first()
        if following is not None:
            return following
    return others.values_list("intake_id", flat=True).first()


def queue_places(*, intake_ids=None) -> dict:
    """Where each waiting intake belongs in the queue: (section, tier rank, since).

    An open hold (by tier), since the routing; else a submitted intake with no
    current decision, awaiting routing since it was submitted or last amended; else a
    failed routing, since the routing; else referrals pending review, since the
    oldest one. Of ``intake_ids`` only, or of every intake (``manage.py
    verify_review_queue``).
    """
    section = QueueEntry.Section
    pending = Referral.objects.filter(status=Referral.Status.PENDING_REVIEW)
    current = RoutingDecision.objects.current()
    waiting = (
        RoutingDecision.objects.failed() | RoutingDecision.objects.open_holds()
    ).order_by()
    unrouted = Intake.objects.filter(status=Intake.Status.SUBMITTED).exclude(
        Exists(current.filter(intake=OuterRef("pk")))
    )
    if intake_ids is not None:
        pending = pending.filter(intake_id__in=intake_ids)
        waiting = waiting.filter(intake_id__in=intake_ids)
        unrouted = unrouted.filter(pk__in=intake_ids)
    places = {
        intake_id: (section.PENDING, QueueEntry.NO_TIER, since)
        for intake_id, since in pending.order_by()
        .values_list("intake_id")
        .annotate(since=Min("created"))
    }
    for intake_id, status, tier, routed in waiting.values_list(
        "intake_id", "status", "hold_tier", "created"
    ):
        if status == RoutingDecision.Status.HELD:
            places[intake_id] = (section.HOLD, routing.TIERS.index(tier), routed)
        else:
            places[intake_id] = (section.FAILED, QueueEntry.NO_TIER, routed)
    for intake_id, since in (
        unrouted.order_by()
        .annotate(
            since=Coalesce(Max("routing_decisions__superseded_at"), "submitted_at")
        )
        .values_list("pk", "since")
    ):
        places[intake_id] = (section.AWAITING, QueueEntry.NO_TIER, since)
    return places


def intakes_awaiting_lost_routing(*, older_than: datetime.timedelta) -> list:
    """Intakes awaiting routing for longer than ``older_than`` whose routing task was
    lost (none ready or running): the sweep and ``verify_review_queue`` enqueue them
    again."""
    cutoff = timezone.now() - older_than
    waiting = set(
        QueueEntry.objects.filter(
            section=QueueEntry.Section.AWAITING, since__lt=cutoff
        ).values_list("intake_id", flat=True)
    )
    if not waiting:
        return []
    queued = {
        uuid.UUID(task.args_kwargs["kwargs"]["intake_id"])
        for task in DBTaskResult.objects.filter(
            task_path=tasks.route_intake.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ).only("args_kwargs")
    }
    return sorted(waiting - queued)


@dataclass
class ServiceRow:
    """One service on the review page: the engine's view and the referral, if any."""

    service: Service
    outcome: str  # the engine's outcome, HOLD included
    underlying: str  # the outcome looking through a hold
    reasons: list[dict]
    referral: Referral | None
    past: list[Referral]

    @property
    def on_hold(self) -> bool:
        return self.outcome == routing.HOLD

    @property
    def not_referred(self) -> bool:
        """The engine made no referral: not eligible or contraindicated."""
        return self.outcome in routing.NO_REFERRAL_OUTCOMES

    @property
    def contraindicated(self) -> bool:
        return self.outcome == routing.BLOCK

    @property
    def can_override(self) -> bool:
        return (
            self.referral is None
            and self.not_referred
            and self.service.accepts_referrals
        )


@dataclass
class IntakeReview:
    intake: Intake
    decision: RoutingDecision | None
    history: list[RoutingDecision]
    services: list[ServiceRow]
    amendments: list[IntakeAmendment]
    treatments: list[TreatmentTrial]
    treatment_groups: list[tuple[str, list[TreatmentTrial]]]
    phq9: object
    midas: object
    age: int
    facts: dict
    derived: dict

    @property
    def urgent_onset(self) -> bool:
        """The headaches began at the age the engine holds for (rule G1 urgent)."""
        onset = self.facts.get("onset_age")
        return isinstance(onset, int) and onset >= routing.URGENT_ONSET_AGE

    @property
    def acute_use(self) -> list[tuple[str, int]]:
        """(acute class, days a month) of each class the patient takes at all."""
        return [(code, days) for code, days in self.facts["acute_use"].items() if days]

    @property
    def phq9_item9_positive(self) -> bool:
        """Thoughts of self-harm reported (what rule G2's safety review acts on)."""
        return scoring.phq9_item9_positive(self.intake.phq9_9)


CLASS_LABELS = dict(codes.TREATMENT_CLASSES)
CLASS_ORDER = [code for code, _ in codes.TREATMENT_CLASSES]


def treatment_groups(
    treatments: list[TreatmentTrial],
) -> list[tuple[str, list[TreatmentTrial]]]:
    """Treatments grouped by class: preventive classes, then acute, then non-drug."""
    ordered = sorted(
        treatments, key=lambda row: (CLASS_ORDER.index(row.treatment_class), row.pk)
    )
    return [
        (CLASS_LABELS[cls], list(rows))
        for cls, rows in itertools.groupby(ordered, key=lambda r: r.treatment_class)
    ]


def intake_review(*, intake_id) -> IntakeReview:
    """Everything the review page shows about one intake, in a handful of queries."""
    intake = (
        Intake.objects.select_related("patient", "safety_cleared_by")
        .prefetch_related(
            Prefetch(
                "treatments",
                queryset=TreatmentTrial.objects.select_related("drug"),
            ),
            Prefetch(
                "amendments",
                queryset=IntakeAmendment.objects.select_related("amended_by"),
            ),
        )
        .get(pk=intake_id)
    )
    history = list(
        RoutingDecision.objects.filter(intake=intake)
        .select_related("cleared_by", "hold_alert")
        .order_by("-created")
    )
    decision = next((d for d in history if d.superseded_at is None), None)
    referrals = list(
        Referral.objects.filter(intake=intake)
        .select_related("service", "decided_by")
        .order_by("created")
    )
    rows = []
    engine = (decision.decision or {}).get("services", {}) if decision else {}
    for service in Service.objects.all():
        result = engine.get(service.code, {"outcome": "", "reasons": []})
        mine = [r for r in referrals if r.service_id == service.pk]
        open_ones = [r for r in mine if r.is_open]
        shown = open_ones[-1] if open_ones else (mine[-1] if mine else None)
        rows.append(
            ServiceRow(
                service=service,
                outcome=result["outcome"],
                underlying=(
                    routing.outcome_under_hold(result) if result["outcome"] else ""
                ),
                reasons=result["reasons"],
                referral=shown,
                past=[r for r in mine if r is not shown],
            )
        )
    treatments = list(intake.treatments.all())
    phq9 = scoring.phq9(intake.phq9_answers) if intake.phq9_answers else None
    midas = scoring.midas(intake.midas_answers) if intake.midas_answers else None
    return IntakeReview(
        intake=intake,
        decision=decision,
        history=history,
        services=rows,
        amendments=list(intake.amendments.all()),
        treatments=treatments,
        treatment_groups=treatment_groups(treatments),
        phq9=phq9,
        midas=midas,
        age=intake.patient.age_on(intake.intake_date),
        facts=(decision.facts if decision and decision.facts else intake_facts(intake)),
        derived=((decision.decision or {}).get("derived", {}) if decision else {}),
    )


def referral_for_letter(*, referral_id) -> Referral:
    """An approved referral with everything its letter prints."""
    return (
        Referral.objects.approved_at_some_point()
        .select_related("intake__patient", "service", "decided_by", "decision")
        .prefetch_related(
            Prefetch(
                "intake__treatments",
                queryset=TreatmentTrial.objects.select_related("drug"),
            )
        )
        .get(pk=referral_id)
    )


def intake_for_letter(*, intake_id) -> tuple[Intake, RoutingDecision | None]:
    """An intake with everything a letter prints, and its current routing decision."""
    intake = (
        Intake.objects.select_related("patient")
        .prefetch_related(
            Prefetch(
                "treatments",
                queryset=TreatmentTrial.objects.select_related("drug"),
            )
        )
        .get(pk=intake_id)
    )
    decision = RoutingDecision.objects.current().filter(intake=intake).first()
    return intake, decision


def referral_already_text(referral: Referral, lead: str = "This referral is ") -> str:
    """Where the referral stands now and who put it there, when: the race's winner
    (a physician's decision, or a scheduling, completion or cancellation since)."""
    fresh = Referral.objects.get(pk=referral.pk)
    text = f"{lead}already {fresh.get_status_display().lower()}"
    last = (
        ReferralEvent.objects.filter(referral=fresh, to_status=fresh.status)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    if last is not None and last.actor is not None:
        when = timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M")
        text += f" (by {staff_name(last.actor)}, {when})"
    return text + ". Nothing was changed."
