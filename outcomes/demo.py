"""Fictional treatment courses for trials and demos: about 40 across services, with
dropout, unanswered follow-ups and a few adverse events, so the outcomes page has
something to show after ``make run``.

Deterministic: the same seed gives the same courses; each demo patient is known by its
``demo.course.NN@example.com`` address, so loading twice creates nothing twice. The
patients are routed as worked example 1 of docs/routing.md (every service
recommended); each gets one course. Sessions are dated in the past (the referral is
booked for today, the day its course is recorded).
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.worker import run_ready_tasks
from intake.demo import FIRST_NAMES, LAST_NAMES
from intake.models import Drug, Intake, Patient, TreatmentTrial
from intake.services import intake_save, intake_submit, patient_create
from outcomes import definitions, services
from outcomes.models import AdverseEvent, TreatmentSession
from referrals.models import Referral
from referrals.services import referral_approve, referral_schedule

# (service, courses, planned sessions): Botox is "coming soon" in the demo.
PLAN = [("ketamine", 22, 5), ("acupuncture", 7, 6), ("massage", 5, 4), ("yoga", 6, 8)]
# Worked example 1's treatment history: (drug, outcome, weeks).
HISTORY = [
    ("propranolol", "ineffective", 16),
    ("topiramate", "intolerable", None),
    ("nortriptyline", "ineffective", 10),
    ("sumatriptan", "ineffective", None),
    ("rizatriptan", "ineffective", None),
]
ADVERSE = [
    (AdverseEvent.Kind.DISSOCIATION, AdverseEvent.Severity.MILD),
    (AdverseEvent.Kind.NAUSEA, AdverseEvent.Severity.MILD),
    (AdverseEvent.Kind.HYPERTENSION, AdverseEvent.Severity.MODERATE),
    (AdverseEvent.Kind.SEDATION, AdverseEvent.Severity.MILD),
    (AdverseEvent.Kind.VOMITING, AdverseEvent.Severity.MODERATE),
]


def _patient_and_referral(rng, number: int, service: str, desk, doctor):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    patient = patient_create(
        patient=Patient(
            first_name=first,
            last_name=last,
            date_of_birth=datetime.date(
                rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28)
            ),
            sex=rng.choice(["female", "female", "male"]),
            email=f"demo.course.{number:02d}@example.com",
            mobile_phone=f"70455502{number:02d}",
            preferred_language=rng.choice(["en", "en", "es"]),
        )
    )
    headache_days = rng.randint(15, 28)
    intake = intake_save(
        intake=Intake(
            patient=patient,
            source=Intake.Source.FRONT_DESK,
            entered_by=desk,
            consent_signature=f"{first} {last}",
            diagnosis="migraine_without_aura",
            onset_age=rng.randint(12, 30),
            lifetime_attacks=500,
            headache_days_per_month=headache_days,
            migraine_days_per_month=min(headache_days, rng.randint(8, 14)),
            months_at_this_frequency=rng.randint(7, 40),
            debilitating_days_per_month=min(headache_days, rng.randint(8, 14)),
            debilitating_months=rng.randint(7, 24),
            new_or_changed_pattern=False,
            acute_use_months=2,
            pregnant=False,
            breastfeeding=False,
            bp_systolic=rng.randint(110, 132),
            bp_diastolic=rng.randint(68, 84),
            **{f"phq9_{n}": rng.choice([0, 0, 1]) for n in range(1, 9)},
            phq9_9=0,
            **{f"midas_{n}": rng.randint(3, 20) for n in range(1, 6)},
        )
    )
    drugs = {
        drug.name: drug
        for drug in Drug.objects.filter(
            name__in=dict.fromkeys(name for name, _, _ in HISTORY)
        )
    }
    for name, outcome, weeks in HISTORY:
        drug = drugs[name]
        TreatmentTrial.objects.create(
            intake=intake,
            drug=drug,
            treatment_class=drug.treatment_class,
            intent=drug.default_intent,
            weeks=weeks,
            outcome=outcome,
        )
    intake_submit(intake=intake)
    run_ready_tasks()
    referral = Referral.objects.get(intake=intake, service__code=service)
    referral_approve(referral=referral, user=doctor, note="")
    return referral_schedule(
        referral=referral,
        user=desk,
        appointment_at=timezone.now(),
        provider="Dr Pat Reyes",
        location="Infusion suite" if service == "ketamine" else "Wellness room",
    )


def _course(rng, referral, planned: int, desk, nurse, today) -> None:
    service = referral.service.code
    course = services.course_plan(
        course=referral.treatment_course, planned_sessions=planned, user=desk
    )
    ended_days_ago = rng.randint(5, 150)
    dropout = rng.random() < 0.15
    attended = rng.randint(1, planned - 1) if dropout else planned
    start = today - datetime.timedelta(days=ended_days_ago + planned - 1)
    responder = rng.random() < (0.75 if service == "ketamine" else 0.55)
    before = rng.randint(6, 9)
    pain = before
    ketamine = service == "ketamine"
    for day in range(attended):
        if responder:
            after = max(0, before - 2 - rng.randint(0, 3))
        else:
            after = before - rng.randint(0, 1)
        events = []
        if ketamine and rng.random() < 0.12:
            kind, severity = rng.choice(ADVERSE)
            events.append(AdverseEvent(kind=kind, severity=severity))
        services.session_save(
            session=TreatmentSession(
                course=course,
                date=start + datetime.timedelta(days=day),
                pain_before=pain,
                pain_after=after,
                ketamine_dose_mg_kg_h=(
                    Decimal(rng.choice(["0.50", "0.60", "0.75", "0.80"]))
                    if ketamine
                    else None
                ),
                ketamine_minutes=rng.choice([240, 300, 360]) if ketamine else None,
                bp_systolic_before=rng.randint(112, 134),
                bp_diastolic_before=rng.randint(70, 84),
                bp_systolic_after=rng.randint(118, 148),
                bp_diastolic_after=rng.randint(72, 90),
            ),
            user=nurse,
            adverse_events=events,
        )
        pain = min(10, after + 1)
    if dropout:
        course = services.course_discontinue(
            course=course, user=desk, reason="Patient stopped coming"
        )
    else:
        course = services.course_complete(course=course, user=desk)
    baseline = referral.intake.headache_days_per_month
    final_after = after
    kept = responder and rng.random() < 0.6  # the response lasted
    for follow_up in course.follow_ups.all():
        due = definitions.FOLLOW_UP_DAYS[follow_up.point]
        if ended_days_ago < due or rng.random() < 0.3:
            continue  # not due yet, or never answered
        pain_now = final_after + (rng.randint(0, 1) if kept else rng.randint(2, 4))
        days = rng.randint(3, baseline // 2) if kept else rng.randint(baseline // 2, 28)
        services.follow_up_answer(
            follow_up=follow_up,
            answers={
                "headache_days": days,
                "migraine_days": min(days, rng.randint(1, 10)),
                "current_pain": min(10, pain_now),
                "worst_pain": min(10, pain_now + rng.randint(1, 3)),
                **{f"midas_{n}": rng.randint(0, 12) for n in range(1, 6)},
                "pgic": rng.choice([1, 2, 3]) if kept else rng.choice([3, 4, 5]),
            },
        )


def load_demo_outcomes(seed: int = 2026, plan=PLAN) -> int:
    """Create the demo courses of ``plan`` not yet there; return how many."""
    users = get_user_model().objects
    desk = users.get(username="frontdesk")
    doctor = users.get(username="physician")
    nurse = users.get(username="nurse")
    today = timezone.localdate()
    created, number = 0, 0
    for service, courses, planned in plan:
        for _ in range(courses):
            number += 1
            course_rng = random.Random(f"{seed}-{number}")
            if Patient.objects.filter(
                email=f"demo.course.{number:02d}@example.com"
            ).exists():
                continue
            referral = _patient_and_referral(course_rng, number, service, desk, doctor)
            _course(course_rng, referral, planned, desk, nurse, today)
            created += 1
    return created
