"""factory_boy factories for the suite's records."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

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


# The baseline patient of ROUTING.md section 7 as stored answers.
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
    """A complete, unsubmitted front-desk intake (ROUTING.md's baseline answers)."""

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


def add_treatment(intake: Intake, drug: str, outcome: str, weeks: int | None = None):
    """Add a catalogue drug to an intake's treatment history."""
    catalogue = Drug.objects.get(name=drug)
    return TreatmentTrialFactory(
        intake=intake, drug=catalogue, outcome=outcome, weeks=weeks
    )
