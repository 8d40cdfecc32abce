"""factory_boy factories for the suite's records."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clinic.models import Counter
from intake.models import Drug, Intake, Patient, TreatmentTrial
from intake.services import patient_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@clinic.example")
    is_staff = True
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.add(Group.objects.get(name=extracted))


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Sequence(lambda n: f"Avery{n}")
    last_name = factory.Sequence(lambda n: f"Whitfield{n}")
    date_of_birth = datetime.date(1987, 4, 12)
    sex = Patient.Sex.FEMALE
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    mobile_phone = "7045550100"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return patient_create(patient=model_class(*args, **kwargs))


# The baseline patient of docs/routing.md section 7 as stored answers.
COMPLETE_ANSWERS = {
    "diagnosis": "migraine_without_aura",
    "onset_age": 16,
    "lifetime_attacks": 200,
    "headache_days_per_month": 18,
    "migraine_days_per_month": 10,
    "months_at_this_frequency": 7,
    "debilitating_days_per_month": 11,
    "debilitating_months": 7,
    "new_or_changed_pattern": False,
    "acute_use_months": 2,
    "pregnant": False,
    "breastfeeding": False,
    "bp_systolic": 122,
    "bp_diastolic": 78,
    **{f"phq9_{n}": 0 for n in range(1, 10)},
    "phq9_1": 1,
    "phq9_2": 1,
    "consent_signature": "Avery Whitfield",
}


class IntakeFactory(factory.django.DjangoModelFactory):
    """A complete, unsubmitted front-desk intake: docs/routing.md's baseline patient."""

    class Meta:
        model = Intake

    patient = factory.SubFactory(PatientFactory)
    source = Intake.Source.FRONT_DESK

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return super()._create(model_class, *args, **{**COMPLETE_ANSWERS, **kwargs})


class TreatmentTrialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentTrial

    intake = factory.SubFactory(IntakeFactory)
    drug = factory.LazyFunction(lambda: Drug.objects.get(name="propranolol"))
    treatment_class = factory.LazyAttribute(lambda row: row.drug.treatment_class)
    intent = factory.LazyAttribute(lambda row: row.drug.default_intent)
    weeks = 16
    outcome = "ineffective"


def intake_batch(size: int, **answers) -> list[Intake]:
    """``size`` complete intakes, each of its own patient, in two INSERTs.

    For tests that need many rows, not the way one is written: no service, no audit
    entry. Record numbers are allocated as ``patient_create`` does, in one block.
    """
    last = Counter.next_value("patient_record_number")
    Counter.objects.filter(name="patient_record_number").update(value=last + size)
    patients = [
        PatientFactory.build(record_number=f"P-{number:06d}")
        for number in range(last + 1, last + size + 1)
    ]
    for patient in patients:
        patient.fill_search_fields()
    Patient.objects.bulk_create(patients)
    return Intake.objects.bulk_create(
        Intake(
            patient=patient,
            source=Intake.Source.FRONT_DESK,
            **{**COMPLETE_ANSWERS, **answers},
        )
        for patient in patients
    )


def add_treatment(intake: Intake, drug: str, outcome: str, weeks: int | None = None):
    """Add a catalogue drug to an intake's treatment history."""
    catalogue = Drug.objects.get(name=drug)
    return TreatmentTrialFactory(
        intake=intake, drug=catalogue, outcome=outcome, weeks=weeks
    )


# A patient's answers to every step of the online intake, as a browser posts them.
ONLINE_STEP_ANSWERS = {
    "about-you": {
        "first_name": "Rosa",
        "last_name": "Delgado-Park",
        "date_of_birth": "04/12/1987",
        "sex": "female",
        "email": "rosa@example.com",
        "mobile_phone": "(704) 555-0134",
        "preferred_language": "es",
        "emergency_contact_name": "Luis Delgado",
        "emergency_contact_phone": "704 555 0199",
    },
    "headaches": {
        "diagnosis": "migraine_with_aura",
        "onset_age": "16",
        "lifetime_attacks": "2000",
        "headache_days_per_month": "20",
        "migraine_days_per_month": "14",
        "months_at_this_frequency": "9",
        "debilitating_days_per_month": "10",
        "debilitating_months": "6",
        "attack_length": "1_to_3d",
        "worst_pain": "9",
        "features": ["one_sided", "pulsing"],
        "new_or_changed_pattern": "False",
    },
    "symptoms": {
        "symptoms": ["nausea", "light_sensitivity", "aura_visual"],
        "triggers": ["stress", "sleep", "chocolate", "msg"],
    },
    "treatments": {
        "treatments-TOTAL_FORMS": "3",
        "treatments-INITIAL_FORMS": "0",
        "treatments-MIN_NUM_FORMS": "0",
        "treatments-MAX_NUM_FORMS": "40",
        "treatments-0-name": "Propranolol",
        "treatments-0-weeks": "16",
        "treatments-0-outcome": "ineffective",
        "treatments-1-name": "topiramate",
        "treatments-1-intent": "preventive",
        "treatments-1-weeks": "3",
        "treatments-1-outcome": "intolerable",
        "treatments-2-name": "Feverfew tea",
        "treatments-2-treatment_class": "other_preventive",
        "treatments-2-intent": "preventive",
        "treatments-2-outcome": "helped",
    },
    "medicines": {
        "other_medications": "Sertraline 50 mg",
        "acute_days_simple_analgesic": "8",
        "acute_days_triptan": "6",
        "acute_use_months": "4",
    },
    "health": {
        "pregnant": "False",
        "breastfeeding": "False",
        "postpartum_weeks": "",
        "mental_health": ["none"],
        "heart_blood": ["none"],
        "organs": ["none"],
        "eyes_nerves": ["vertigo"],
        "recent": ["none"],
    },
    "warning-signs": {
        "headache_signs": ["none"],
        "general_signs": ["cancer_history"],
        "allergies": ["ketamine"],
        "other_allergies": "Penicillin: rash",
        "medications": ["antiplatelet"],
        "last_botox_weeks_ago": "30",
        "needles": ["needle_phobia"],
    },
    "mood": {f"phq9_{n}": "1" for n in range(1, 10)} | {"phq9_9": "0"},
    "daily-life": {
        "midas_1": "4",
        "midas_2": "6",
        "midas_3": "5",
        "midas_4": "7",
        "midas_5": "3",
        "midas_a": "40",
        "midas_b": "8",
    },
    "services": {
        "interests": ["ketamine", "acupuncture", "yoga"],
        "heard_from": "doctor",
    },
    "consent": {"consent_signature": "rosa  delgado park", "agree": "on"},
}
ONLINE_STEP_SLUGS = list(ONLINE_STEP_ANSWERS)
