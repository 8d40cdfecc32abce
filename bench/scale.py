"""Fictional clinic history at scale: patients, intakes, treatments, routing, referrals.

Routing decisions are real: a few hundred intakes with varied answers are stored,
turned into facts by ``intake.facts.intake_facts`` and routed by the real engine inside
a rolled-back transaction; the scale rows reuse those answers, facts and decisions.
Everything is written with ``bulk_create`` in batches, one transaction per chunk.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import time
import uuid
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from bench.models import ListRow
from clinic import roles
from clinic.models import Counter
from intake import codes
from intake.facts import intake_facts
from intake.models import Drug, Intake, Patient, TreatmentTrial
from referrals import routing
from referrals.models import (
    QueueEntry,
    Referral,
    ReferralEvent,
    RoutingDecision,
    Service,
)
from referrals.routing import outcome_under_hold

Status = Referral.Status
RECORD_COUNTER = "patient_record_number"
FRONT_DESK_USER = "bench_frontdesk"
PHYSICIAN_USER = "bench_physician"
MANAGER_USER = "bench_manager"

FIRST_NAMES = [
    "Avery",
    "Blake",
    "Casey",
    "Dana",
    "Eden",
    "Finley",
    "Gray",
    "Harper",
    "Indy",
    "Jordan",
    "Kai",
    "Logan",
    "Morgan",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Rowan",
    "Sage",
    "Skyler",
    "Taylor",
    "Umber",
    "Vale",
    "Winter",
    "Ari",
    "Bea",
    "Cleo",
    "Dev",
    "Emil",
    "Faye",
    "Gus",
    "Hana",
    "Ines",
    "Jude",
    "Kit",
    "Lena",
    "Milo",
    "Nia",
    "Otis",
    "Pia",
    "Rhea",
    "Sol",
    "Tess",
    "Uma",
    "Vic",
    "Wren",
    "Yara",
    "Zane",
]
_ONSETS = [
    "Al",
    "Bar",
    "Cor",
    "Dal",
    "Ev",
    "Fen",
    "Gar",
    "Hol",
    "Ivy",
    "Jor",
    "Kel",
    "Lor",
    "Mar",
    "Nor",
    "Ost",
    "Pem",
    "Rad",
    "Sel",
]
_MIDDLES = ["a", "e", "i", "o", "u", "ar", "en", "il", "on"]
_ENDS = [
    "bright",
    "ford",
    "wick",
    "ton",
    "ley",
    "more",
    "dale",
    "field",
    "wood",
    "stone",
    "croft",
    "ham",
]
# About 2,000 invented surnames, so a search by last name finds a few dozen to a few
# hundred patients at 100,000 intakes.
LAST_NAMES = sorted({f"{a}{m}{e}" for a in _ONSETS for m in _MIDDLES for e in _ENDS})


@dataclass
class Variant:
    """One routed intake whose answers, rows, facts and decision are reused."""

    answers: dict
    treatments: list[dict]
    age: int
    facts: dict
    decision: dict


def bench_user(username: str, role: str):
    """A staff account of ``role`` the benchmark acts as (no usable password)."""
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"is_staff": True, "email": f"{username}@clinic.example"},
    )
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


def bench_users() -> tuple:
    """The front-desk and physician accounts the benchmark acts as."""
    return (
        bench_user(FRONT_DESK_USER, roles.FRONT_DESK),
        bench_user(PHYSICIAN_USER, roles.PHYSICIAN),
    )


def _weighted(rng: random.Random, options: list[tuple[object, float]]):
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _some(rng: random.Random, choices, chance: float, most: int = 3) -> list[str]:
    picked = [code for code, _ in choices if rng.random() < chance]
    return picked[:most]


def random_answers(
    rng: random.Random, drugs: list[Drug], rows: int | None = None
) -> tuple[dict, list, int]:
    """Plausible answers of one complete intake, its treatment rows and the age."""
    age = rng.choice([16, 17]) if rng.random() < 0.02 else rng.randint(19, 78)
    headache = rng.randint(3, 30)
    migraine = rng.randint(min(2, headache), headache)
    debilitating = rng.randint(0, headache)
    phq9 = [
        _weighted(rng, [(0, 0.5), (1, 0.3), (2, 0.15), (3, 0.05)]) for _ in range(9)
    ]
    if rng.random() < 0.94:
        phq9[8] = 0
    systolic = rng.randint(100, 195)
    diastolic = rng.randint(60, min(125, systolic - 15))
    answers = {
        "diagnosis": _weighted(
            rng,
            [
                ("migraine_without_aura", 0.6),
                ("migraine_with_aura", 0.25),
                ("other_primary_headache", 0.1),
                ("unknown", 0.05),
            ],
        ),
        "onset_age": rng.randint(6, min(age, 55)),
        "lifetime_attacks": rng.choice([3, 20, 80, 200, 500, 1500]),
        "headache_days_per_month": headache,
        "migraine_days_per_month": migraine,
        "months_at_this_frequency": rng.randint(1, 120),
        "debilitating_days_per_month": debilitating,
        "debilitating_months": rng.randint(0, 60),
        "attack_length": rng.choice([c for c, _ in Intake.AttackLength.choices]),
        "worst_pain": rng.randint(4, 10),
        "features": _some(rng, codes.FEATURES, 0.5),
        "symptoms": _some(rng, codes.SYMPTOMS, 0.4, most=5),
        "triggers": _some(rng, codes.TRIGGERS, 0.25, most=5),
        "new_or_changed_pattern": rng.random() < 0.05,
        "acute_use_months": rng.randint(0, 24),
        "pregnant": rng.random() < 0.02,
        "breastfeeding": rng.random() < 0.02,
        "conditions": _some(rng, codes.CONDITIONS, 0.02),
        "red_flags": _some(rng, codes.RED_FLAGS, 0.002, most=1),
        "allergies": _some(rng, codes.ALLERGIES, 0.03),
        "medications": _some(rng, codes.MEDICATIONS, 0.03),
        "last_botox_weeks_ago": rng.choice([None, None, None, 8, 30]),
        "bp_systolic": systolic,
        "bp_diastolic": diastolic,
        "weight_kg": rng.randint(48, 120),
        "interests": _some(rng, codes.SERVICES, 0.5, most=5),
        "heard_from": rng.choice([c for c, _ in Intake.HeardFrom.choices]),
        "consent_version": "2026-01",
        **{f"phq9_{n}": phq9[n - 1] for n in range(1, 10)},
        **{f"midas_{n}": rng.randint(0, 20) for n in range(1, 6)},
        "midas_a": rng.randint(0, 60),
        "midas_b": rng.randint(3, 10),
    }
    for code, _ in codes.ACUTE_CLASSES:
        if rng.random() < 0.25:
            answers[f"acute_days_{code}"] = rng.randint(1, 16)
    treatments = []
    for drug in rng.sample(drugs, rows or rng.randint(3, 7)):
        intent = drug.default_intent
        treatments.append(
            {
                "drug": drug,
                "treatment_class": drug.class_for(intent),
                "intent": intent,
                "weeks": rng.choice([None, 2, 6, 8, 12, 16, 30]),
                "outcome": _weighted(
                    rng,
                    [
                        ("ineffective", 0.45),
                        ("intolerable", 0.25),
                        ("contraindicated", 0.05),
                        ("helped", 0.15),
                        ("ongoing", 0.1),
                    ],
                ),
            }
        )
    return answers, treatments, age


class _Rollback(Exception):
    pass


def routed_variants(count: int, seed: int) -> list[Variant]:
    """Route ``count`` varied intakes with the real code, keeping nothing stored."""
    rng = random.Random(seed)
    drugs = list(Drug.objects.all())
    made = [random_answers(rng, drugs) for _ in range(count)]
    today = timezone.localdate()
    now = timezone.now()
    variants = []
    with contextlib.suppress(_Rollback), transaction.atomic():
        patients = Patient.objects.bulk_create(
            Patient(
                record_number=f"P-{9_000_000_000 + n}",
                first_name="Variant",
                last_name="Variant",
                date_of_birth=datetime.date(today.year - age - 1, 12, 31),
                sex="female",
            )
            for n, (_, _, age) in enumerate(made)
        )
        intakes = Intake.objects.bulk_create(
            Intake(
                patient=patient,
                source=Intake.Source.ONLINE,
                status=Intake.Status.SUBMITTED,
                submitted_at=now,
                consent_signature="Variant Variant",
                **answers,
            )
            for patient, (answers, _, _) in zip(patients, made, strict=True)
        )
        TreatmentTrial.objects.bulk_create(
            TreatmentTrial(intake=intake, **row)
            for intake, (_, rows, _) in zip(intakes, made, strict=True)
            for row in rows
        )
        stored = Intake.objects.select_related("patient").prefetch_related(
            "treatments__drug"
        )
        by_id = stored.in_bulk([intake.pk for intake in intakes])
        for intake, (answers, rows, _) in zip(intakes, made, strict=True):
            facts = intake_facts(by_id[intake.pk])
            variants.append(
                Variant(answers, rows, facts["age"], facts, routing.route(facts))
            )
        raise _Rollback
    return variants


@contextlib.contextmanager
def explicit_timestamps(*fields):
    """Let bulk inserts carry their own creation times (history spread over years)."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, now, now_add in saved:
            field.auto_now, field.auto_now_add = now, now_add


def _timestamp_fields():
    return [
        model._meta.get_field(name)
        for model, names in (
            (Patient, ["created", "modified"]),
            (Intake, ["created", "modified"]),
            (RoutingDecision, ["created"]),
            (Referral, ["created", "modified"]),
            (ReferralEvent, ["at"]),
        )
        for name in names
    ]


# What became of a referral routed long ago: (final status, chance).
PAST_OUTCOMES = [
    (Status.COMPLETED, 0.7),
    (Status.DECLINED, 0.12),
    (Status.CANCELLED, 0.08),
    (Status.SCHEDULED, 0.05),
    (Status.APPROVED, 0.05),
]
# The statuses a referral went through after pending review, to reach each one.
PATHS = {
    Status.PENDING_REVIEW: [],
    Status.APPROVED: [Status.APPROVED],
    Status.SCHEDULED: [Status.APPROVED, Status.SCHEDULED],
    Status.COMPLETED: [Status.APPROVED, Status.SCHEDULED, Status.COMPLETED],
    Status.DECLINED: [Status.DECLINED],
    Status.CANCELLED: [Status.APPROVED, Status.CANCELLED],
}
# A physician's decision, which the referral records (who and when).
DECIDED = (Status.APPROVED, Status.DECLINED)


def build(
    *,
    intakes: int,
    seed: int = 2026,
    chunk: int = 2000,
    variants: int = 300,
    recent_share: float = 0.01,
    draft_share: float = 0.03,
    resume: bool = False,
    log=print,
) -> dict:
    """Create ``intakes`` intakes with their history; return counts and seconds.

    With ``resume``, a build that was interrupted carries on after the chunks it
    committed (each chunk is one transaction), with the record numbers it reserved.
    """
    with disable_auditlog():
        return _build(
            intakes=intakes,
            seed=seed,
            chunk=chunk,
            variants=variants,
            recent_share=recent_share,
            draft_share=draft_share,
            resume=resume,
            log=log,
        )


def _build(
    *, intakes, seed, chunk, variants, recent_share, draft_share, resume, log
) -> dict:
    started = time.perf_counter()
    rng = random.Random(seed)
    frontdesk, physician = bench_users()
    pool = routed_variants(variants, seed)
    services = Service.objects.in_bulk(field_name="code")
    log(f"  {len(pool)} routing variants from the real engine")

    built = Intake.objects.count() if resume else 0
    if built % chunk:
        raise ValueError(f"{built:,} intakes are not whole chunks of {chunk:,}")
    with transaction.atomic():
        counter, _ = Counter.objects.select_for_update().get_or_create(
            name=RECORD_COUNTER
        )
        if built:
            # The interrupted build reserved its record numbers when it began.
            first_number = counter.value - intakes + 1
        else:
            first_number = counter.value + 1
            counter.value += intakes
            counter.save(update_fields=["value"])
    if built:
        log(f"  carrying on after {built:,} intakes built before")

    now = timezone.now()
    span = datetime.timedelta(days=5 * 365)
    counts = dict.fromkeys(
        [
            "patients",
            "intakes",
            "treatments",
            "decisions",
            "referrals",
            "events",
            "queue",
        ],
        0,
    )
    recent_from = intakes * (1 - recent_share)
    with explicit_timestamps(*_timestamp_fields()):
        for start in range(built, intakes, chunk):
            rows = {key: [] for key in counts}
            for i in range(start, min(start + chunk, intakes)):
                _one(
                    i=i,
                    number=first_number + i,
                    when=now - span + span * (i / intakes),
                    recent=i >= recent_from,
                    draft=rng.random() < draft_share,
                    variant=pool[rng.randrange(len(pool))],
                    rng=rng,
                    services=services,
                    frontdesk=frontdesk,
                    physician=physician,
                    rows=rows,
                )
            with transaction.atomic():
                Patient.objects.bulk_create(rows["patients"], batch_size=1000)
                Intake.objects.bulk_create(rows["intakes"], batch_size=500)
                TreatmentTrial.objects.bulk_create(rows["treatments"], batch_size=2000)
                RoutingDecision.objects.bulk_create(rows["decisions"], batch_size=500)
                Referral.objects.bulk_create(rows["referrals"], batch_size=1000)
                ReferralEvent.objects.bulk_create(rows["events"], batch_size=2000)
                QueueEntry.objects.bulk_create(rows["queue"], batch_size=1000)
            for key, made in rows.items():
                counts[key] += len(made)
            done = min(start + chunk, intakes)
            if done % (chunk * 10) == 0 or done == intakes:
                log(f"  {done:>9,} intakes  {time.perf_counter() - started:6.1f} s")

    _list_rows(intakes, rng)
    counts["list_rows"] = intakes
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def _one(
    *,
    i,
    number,
    when,
    recent,
    draft,
    variant,
    rng,
    services,
    frontdesk,
    physician,
    rows,
):
    """Append the rows of intake ``i`` to ``rows``."""
    first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
    last = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
    submitted = when + datetime.timedelta(minutes=rng.randint(10, 90))
    day = timezone.localdate(submitted)
    born = datetime.date(day.year - variant.age, 1, 1) + datetime.timedelta(
        days=rng.randint(0, day.timetuple().tm_yday - 1)
    )
    patient = Patient(
        id=uuid.uuid4(),
        record_number=f"P-{number:06d}",
        first_name=first,
        last_name=last,
        date_of_birth=born,
        sex=rng.choice(["female", "female", "male", "intersex", "undisclosed"]),
        email=f"{first.lower()}.{number}@example.com",
        mobile_phone=f"704555{number % 10000:04d}",
        created=when,
        modified=when,
    )
    patient.fill_search_fields()
    rows["patients"].append(patient)
    online = rng.random() < 0.6
    intake = Intake(
        id=uuid.uuid4(),
        patient=patient,
        source=Intake.Source.ONLINE if online else Intake.Source.FRONT_DESK,
        entered_by=None if online else frontdesk,
        created=when,
        modified=submitted,
        consent_signature=f"{first} {last}",
        **variant.answers,
    )
    rows["intakes"].append(intake)
    rows["treatments"] += [
        TreatmentTrial(intake=intake, **row) for row in variant.treatments
    ]
    if draft:
        return
    intake.status = Intake.Status.SUBMITTED
    intake.submitted_at = submitted
    intake.consent_signed_at = submitted
    hold = variant.decision["hold"]
    decision = RoutingDecision(
        id=uuid.uuid4(),
        intake=intake,
        status=RoutingDecision.Status.HELD if hold else RoutingDecision.Status.ROUTED,
        rules_version=variant.decision["rules_version"],
        facts=variant.facts,
        decision=variant.decision,
        hold_tier=hold["tier"] if hold else None,
        created=submitted,
    )
    rows["decisions"].append(decision)
    if hold:
        if recent:  # an open hold: in the physicians' queue, no referrals yet
            rows["queue"].append(
                QueueEntry(
                    intake=intake,
                    section=QueueEntry.Section.HOLD,
                    tier_rank=routing.TIERS.index(hold["tier"]),
                    since=submitted,
                )
            )
            return
        decision.cleared_by = physician
        decision.cleared_at = submitted + datetime.timedelta(hours=6)
        decision.cleared_note = "Seen in clinic; safe to proceed."
    made = []
    for code, result in variant.decision["services"].items():
        outcome = outcome_under_hold(result)
        if outcome not in routing.REFERRAL_OUTCOMES:
            continue
        service = services[code]
        if service.accepts_referrals:
            first_status = Status.PENDING_REVIEW
            final = Status.PENDING_REVIEW if recent else _pick(rng, PAST_OUTCOMES)
            path = PATHS[final]
        else:
            first_status = Status.WAITLISTED
            waiting = recent or rng.random() < 0.2
            final = Status.WAITLISTED if waiting else Status.CANCELLED
            path = [] if waiting else [Status.CANCELLED]
        referral = Referral(
            id=uuid.uuid4(),
            intake=intake,
            service=service,
            decision=decision,
            recommended_outcome=outcome,
            reasons=result["reasons"],
            status=final,
            created=submitted,
            modified=submitted,
        )
        if path and path[0] in DECIDED:
            referral.decided_by = physician
            referral.decided_at = submitted + datetime.timedelta(days=2)
        if final == Status.DECLINED:
            referral.note = "Not the right service for now; discussed with the patient."
        if final == Status.CANCELLED:
            referral.cancel_reason = "The patient withdrew."
        rows["referrals"].append(referral)
        made.append(referral)
        note = f"Routed (rules {decision.rules_version})"
        rows["events"].append(
            ReferralEvent(
                referral=referral,
                from_status="",
                to_status=first_status,
                note=note,
                at=submitted,
            )
        )
        previous, at = first_status, submitted
        for status in path:
            at += datetime.timedelta(days=rng.randint(1, 20))
            actor = physician if status in DECIDED else frontdesk
            rows["events"].append(
                ReferralEvent(
                    referral=referral,
                    actor=actor,
                    from_status=previous,
                    to_status=status,
                    note=referral.note if status == Status.DECLINED else "",
                    at=at,
                )
            )
            if status == Status.SCHEDULED:
                referral.appointment_at = at + datetime.timedelta(days=1)
                referral.appointment_provider = "Dr. Bench"
                referral.appointment_location = "Room 1"
            previous = status
        referral.modified = at
    if any(referral.status == Status.PENDING_REVIEW for referral in made):
        rows["queue"].append(
            QueueEntry(
                intake=intake,
                section=QueueEntry.Section.PENDING,
                tier_rank=QueueEntry.NO_TIER,
                since=submitted,
            )
        )


def _pick(rng: random.Random, options):
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _list_rows(count: int, rng: random.Random, batch: int = 5000) -> None:
    """The baseline's one table, as many rows as intakes."""
    for start in range(0, count, batch):
        with transaction.atomic():
            ListRow.objects.bulk_create(
                [
                    ListRow(
                        first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                        last_name=LAST_NAMES[n % len(LAST_NAMES)],
                        email=f"row{n}@example.com",
                        phone=f"704555{n % 10000:04d}",
                        born=datetime.date(1950 + n % 50, 1 + n % 12, 1 + n % 28),
                        visits=n % 40,
                        score=n % 100,
                        kind="a" if n % 2 else "b",
                        note="",
                        agreed=bool(n % 3),
                    )
                    for n in range(start, min(start + batch, count))
                ],
                batch_size=1000,
            )
