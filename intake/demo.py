"""Fictional demo patients with varied migraine histories, for trials and demos.

Deterministic: the same seed gives the same patients, so loading twice creates nothing
twice (each demo patient is known by its ``demo.NN@example.com`` address).
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clinic import roles
from intake import codes
from intake.models import Drug, Intake, Patient, TreatmentTrial
from intake.services import intake_save, intake_submit, patient_create

DEMO_PASSWORD = "clinic-demo-2026"
DEMO_USERS = [
    ("frontdesk", "Fran", "Desk", roles.FRONT_DESK),
    ("physician", "Dr Pat", "Reyes", roles.PHYSICIAN),
    ("physician2", "Dr Sam", "Okafor", roles.PHYSICIAN),
    ("manager", "Morgan", "Lee", roles.CLINIC_MANAGER),
    ("nurse", "Jo", "Rivera", roles.CLINICIAN),
]
FIRST_NAMES = [
    "Avery",
    "Jordan",
    "Maria",
    "Keisha",
    "Daniel",
    "Priya",
    "Hannah",
    "Luis",
    "Grace",
    "Tomas",
    "Aisha",
    "Chloe",
    "Marcus",
    "Elena",
    "Nora",
    "Samuel",
    "Imani",
    "Olivia",
    "Wei",
    "Rosa",
    "Fatima",
    "Ethan",
    "Lena",
    "Caleb",
    "Sofia",
]
LAST_NAMES = [
    "Whitfield",
    "Castillo",
    "Nguyen",
    "Brooks",
    "Patel",
    "Morrison",
    "Alvarez",
    "Kim",
    "Okonkwo",
    "Fischer",
    "Duarte",
    "Hollis",
    "Baptiste",
    "Sato",
    "Lindqvist",
    "Mensah",
    "Ramirez",
    "Carter",
    "Novak",
    "Haddad",
]
PREVENTIVES = [
    "propranolol",
    "topiramate",
    "amitriptyline",
    "nortriptyline",
    "venlafaxine",
    "candesartan",
    "erenumab",
    "galcanezumab",
    "verapamil",
    "valproate",
    "metoprolol",
]
# (systolic, diastolic): mostly normal, some raised (a caution for ketamine and yoga).
BLOOD_PRESSURES = [(112, 72), (118, 76), (124, 80), (128, 82), (134, 86), (146, 92)]
SEVERE_BLOOD_PRESSURE = (186, 114)
TRIPTANS = ["sumatriptan", "rizatriptan", "zolmitriptan", "eletriptan", "naratriptan"]


def ensure_demo_users() -> list[tuple[str, str]]:
    """Create (or refresh) one demo login per role; return (username, role) pairs."""
    User = get_user_model()
    created = []
    for username, first, last, role in DEMO_USERS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "is_staff": True,
                "email": f"{username}@clinic.example",
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.is_staff = True
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        created.append((username, role))
    return created


def _treatments(rng: random.Random, failed: int) -> list[dict]:
    rows = []
    for name in rng.sample(TRIPTANS, rng.choice([1, 2, 2, 3])):
        rows.append(
            {
                "drug": name,
                "outcome": rng.choice(["ineffective", "intolerable"]),
                "weeks": None,
            }
        )
    for name in rng.sample(PREVENTIVES, failed):
        outcome = rng.choice(
            ["ineffective", "ineffective", "intolerable", "contraindicated"]
        )
        weeks = (
            rng.choice([4, 10, 12, 16, 26])
            if outcome == "ineffective"
            else rng.choice([2, 3, None])
        )
        rows.append({"drug": name, "outcome": outcome, "weeks": weeks})
    if rng.random() < 0.3:
        rows.append({"drug": "acupuncture", "outcome": "helped", "weeks": 6})
    if rng.random() < 0.3:
        rows.append({"drug": "ibuprofen", "outcome": "ongoing", "weeks": None})
    return rows


def _answers(rng: random.Random, number: int) -> dict:
    chronic = number % 3 != 0
    headache_days = rng.randint(15, 28) if chronic else rng.randint(3, 12)
    phq9 = [rng.choice([0, 0, 1, 1, 2]) for _ in range(8)]
    phq9.append(1 if number % 11 == 5 else 0)
    answers = {
        "diagnosis": rng.choice(
            ["migraine_without_aura"] * 3
            + [
                "migraine_with_aura",
                "unknown" if number % 17 == 3 else "migraine_with_aura",
            ]
        ),
        "onset_age": rng.randint(10, 35) if number % 23 != 7 else 52,
        "lifetime_attacks": rng.choice([40, 120, 300, 1000]),
        "headache_days_per_month": headache_days,
        "migraine_days_per_month": min(headache_days, rng.randint(4, 16)),
        "months_at_this_frequency": rng.randint(2, 60),
        "debilitating_days_per_month": min(headache_days, rng.randint(3, 14)),
        "debilitating_months": rng.randint(1, 24),
        "attack_length": rng.choice([c for c, _ in Intake.AttackLength.choices]),
        "worst_pain": rng.randint(6, 10),
        "features": rng.sample([code for code, _ in codes.FEATURES], 2),
        "symptoms": rng.sample(
            [
                "nausea",
                "light_sensitivity",
                "sound_sensitivity",
                "dizziness",
                "irritability",
                "aura_visual",
            ],
            3,
        ),
        "triggers": rng.sample(
            [
                "stress",
                "sleep",
                "weather",
                "chocolate",
                "cheese",
                "skipped_meals",
                "alcohol",
                "msg",
            ],
            3,
        ),
        "new_or_changed_pattern": number % 19 == 4,
        "acute_days_triptan": rng.choice([0, 4, 8, 12]),
        "acute_days_simple_analgesic": rng.choice([0, 5, 10, 16]),
        "acute_use_months": rng.randint(1, 12),
        "pregnant": number % 29 == 9,
        "breastfeeding": number % 31 == 12,
        "conditions": rng.choice(
            [
                [],
                [],
                [],
                ["cv_stable"],
                ["glaucoma"],
                ["vertigo"],
                ["needle_phobia"],
                ["bipolar"],
            ]
        ),
        "red_flags": ["thunderclap"] if number % 25 == 13 else [],
        "medications": ["antiplatelet"] if number % 9 == 2 else [],
        "midas_1": rng.randint(0, 20),
        "midas_2": rng.randint(0, 20),
        "midas_3": rng.randint(0, 20),
        "midas_4": rng.randint(0, 15),
        "midas_5": rng.randint(0, 15),
        "midas_a": rng.randint(10, 80),
        "midas_b": rng.randint(5, 10),
        "interests": rng.sample([code for code, _ in codes.SERVICES], 2),
        "heard_from": rng.choice([c for c, _ in Intake.HeardFrom.choices]),
    }
    systolic, diastolic = (
        SEVERE_BLOOD_PRESSURE if number % 37 == 21 else rng.choice(BLOOD_PRESSURES)
    )
    answers.update(bp_systolic=systolic, bp_diastolic=diastolic)
    answers.update({f"phq9_{n}": value for n, value in enumerate(phq9, start=1)})
    return answers


def load_demo_patients(count: int = 50, seed: int = 2026) -> int:
    """Create up to ``count`` demo patients, one intake each; return the new count."""
    rng = random.Random(seed)
    desk = get_user_model().objects.get(username="frontdesk")
    drugs = {drug.name: drug for drug in Drug.objects.all()}
    new = 0
    for number in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        birth = datetime.date(
            rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28)
        )
        answers = _answers(rng, number)
        rows = _treatments(rng, failed=rng.randint(0, 6))
        email = f"demo.{number:02d}@example.com"
        if Patient.objects.filter(email=email).exists():
            continue
        patient = patient_create(
            patient=Patient(
                first_name=first,
                last_name=last,
                date_of_birth=birth,
                sex=rng.choice(["female", "female", "male"]),
                email=email,
                mobile_phone=f"70455501{number:02d}",
            )
        )
        is_draft = number % 10 == 0
        intake = intake_save(
            intake=Intake(
                patient=patient,
                source=rng.choice([Intake.Source.ONLINE, Intake.Source.FRONT_DESK]),
                entered_by=desk,
                consent_signature="" if is_draft else f"{first} {last}",
                **answers,
            )
        )
        for row in rows:
            drug = drugs[row["drug"]]
            intent = drug.default_intent
            TreatmentTrial.objects.create(
                intake=intake,
                drug=drug,
                treatment_class=drug.class_for(intent),
                intent=intent,
                weeks=row["weeks"],
                outcome=row["outcome"],
            )
        if not is_draft:
            intake_submit(intake=intake)
        new += 1
    return new
