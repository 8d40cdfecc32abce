"""Patients, their intakes, the treatments they tried and the drug catalogue."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from clinic.fields import CodeListField
from clinic.models import Counter, TimeStampedModel
from clinic.validation import ChecksInOneQuery
from intake import codes, scoring
from intake.matching import fold_name, phone_reversed

# (field name, label, lowest, highest): every bounded number an intake records. Forms,
# model validation and database constraints all read their limits from here.
MONTHS_MAX = 1200
RANGES = {
    "onset_age": (0, 120),
    "lifetime_attacks": (0, 100_000),
    "headache_days_per_month": (0, 31),
    "migraine_days_per_month": (0, 31),
    "months_at_this_frequency": (0, MONTHS_MAX),
    "debilitating_days_per_month": (0, 31),
    "debilitating_months": (0, MONTHS_MAX),
    "worst_pain": (0, 10),
    "acute_use_months": (0, MONTHS_MAX),
    "postpartum_weeks": (0, 104),
    "last_botox_weeks_ago": (0, 2600),
    "hit6_total": (36, 78),
    "bp_systolic": (60, 260),
    "bp_diastolic": (30, 160),
    **{f"phq9_{n}": (0, 3) for n in range(1, 10)},
    **{f"midas_{n}": (0, 90) for n in range(1, 6)},
    "midas_a": (0, 90),
    "midas_b": (0, 10),
    **{f"acute_days_{code}": (0, 31) for code, _ in codes.ACUTE_CLASSES},
    "weight_kg": (20, 350),
}
TREATMENT_WEEKS_MAX = 520
# A treatment's dose as written on its label or said by the patient ("100 mg daily",
# "25 mg at night, then 50 mg"): short, free text.
TREATMENT_DOSE_MAX_LENGTH = 40


def bounded(field_class, name: str, verbose_name: str, **kwargs):
    """Build a nullable number field whose limits come from ``RANGES``."""
    low, high = RANGES[name]
    return field_class(
        verbose_name,
        null=True,
        blank=True,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
        **kwargs,
    )


def range_constraints(model_name: str, names) -> list[models.CheckConstraint]:
    """Database check constraints for the ``RANGES`` of ``names`` (null allowed)."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{name}__isnull": True})
            | Q(**{f"{name}__gte": RANGES[name][0], f"{name}__lte": RANGES[name][1]}),
            name=f"{model_name}_{name}_range",
        )
        for name in names
    ]


EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
RECORD_NUMBER_FORMAT = r"^P-[0-9]{6,10}$"


def validate_date_of_birth(value: datetime.date) -> None:
    """A date of birth is in the past, and not before 1900 (the database agrees)."""
    if value > timezone.localdate():
        raise ValidationError("A date of birth cannot be in the future.")
    if value < EARLIEST_BIRTH_DATE:
        raise ValidationError("Check the year: a date of birth before 1900.")


def blood_pressure_problem(systolic: int | None, diastolic: int | None) -> str | None:
    """What is wrong with a blood-pressure reading's two numbers, or None: both or
    neither, the lower below the upper (the database checks the same)."""
    if (systolic is None) != (diastolic is None):
        return "Enter both blood-pressure numbers, or neither."
    if systolic is not None and diastolic >= systolic:
        return "The lower number must be below the upper number."
    return None


def blood_pressure_pair(systolic: str, diastolic: str) -> Q:
    """The database's check of ``blood_pressure_problem`` on two fields."""
    neither = Q(**{f"{systolic}__isnull": True, f"{diastolic}__isnull": True})
    # Spelled out: a comparison with a missing number is unknown, which a check passes.
    both = Q(
        **{
            f"{systolic}__isnull": False,
            f"{diastolic}__isnull": False,
            f"{diastolic}__lt": models.F(systolic),
        }
    )
    return neither | both


class Language(models.TextChoices):
    """The languages of the patient's pages and e-mails, named for staff."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"

    @classmethod
    def active(cls) -> "Language":
        """The language of the page being served (English outside a request)."""
        code = translation.get_language() or settings.LANGUAGE_CODE
        return cls(translation.get_supported_language_variant(code))


class Patient(ChecksInOneQuery, TimeStampedModel):
    """A person the clinic knows. ``__str__`` is the record number, never a name."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        INTERSEX = "intersex", _("Intersex")
        UNDISCLOSED = "undisclosed", _("Prefer not to say")

    id = models.UUIDField(
        "public id", primary_key=True, default=uuid.uuid4, editable=False
    )
    record_number = models.CharField(
        "record number", max_length=12, unique=True, editable=False
    )
    first_name = models.CharField("first name", max_length=100)
    last_name = models.CharField("last name", max_length=100)
    date_of_birth = models.DateField(
        "date of birth", db_index=True, validators=[validate_date_of_birth]
    )
    sex = models.CharField("sex", max_length=12, choices=Sex.choices)
    email = models.EmailField("e-mail", blank=True)
    mobile_phone = models.CharField(
        "mobile phone", max_length=20, blank=True, db_index=True
    )
    preferred_language = models.CharField(
        "preferred language",
        max_length=2,
        choices=Language,
        default=Language.ENGLISH,
        help_text="The language of the patient's e-mails.",
    )
    emergency_contact_name = models.CharField(
        "emergency contact name", max_length=200, blank=True
    )
    emergency_contact_phone = models.CharField(
        "emergency contact phone", max_length=20, blank=True
    )
    # Kept by save() from the fields above, for an indexed, accent-blind search
    # (intake.selectors.patient_search) that works alike on PostgreSQL and SQLite.
    first_name_folded = models.CharField(
        "first name as searched", max_length=100, editable=False, default=""
    )
    last_name_folded = models.CharField(
        "last name as searched", max_length=100, editable=False, default=""
    )
    phone_reversed = models.CharField(
        "mobile phone digits, last first",
        max_length=20,
        editable=False,
        default="",
        help_text="A search by the last digits of a phone is a prefix search here.",
    )

    SEARCH_FIELDS = ("first_name_folded", "last_name_folded", "phone_reversed")

    class Meta:
        ordering = ["record_number"]
        # varchar_pattern_ops: a "starts with" search uses the index on PostgreSQL
        # whatever the database's collation (other databases ignore it).
        indexes = [
            models.Index(
                fields=["last_name_folded"],
                name="patient_last_name_folded",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["first_name_folded"],
                name="patient_first_name_folded",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["phone_reversed"],
                name="patient_phone_reversed",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(Upper("email"), name="patient_email_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(record_number__regex=RECORD_NUMBER_FORMAT),
                name="patient_record_number_format",
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__gte=EARLIEST_BIRTH_DATE.isoformat()),
                name="patient_date_of_birth_plausible",
            ),
            models.CheckConstraint(
                condition=Q(preferred_language__in=Language.values),
                name="patient_preferred_language_valid",
            ),
        ]
        permissions = [("merge_patient", "Can merge two records of one patient")]

    def __str__(self) -> str:
        return self.record_number

    def save(self, *args, update_fields=None, **kwargs):
        self.fill_search_fields()
        if update_fields is not None:
            update_fields = {*update_fields, *self.SEARCH_FIELDS}
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:intake_patient_change", args=[self.pk])

    def fill_search_fields(self) -> None:
        """Derive the searched forms of the name and phone (also before a bulk
        insert, which does not call ``save()``)."""
        self.first_name_folded = fold_name(self.first_name)[:100]
        self.last_name_folded = fold_name(self.last_name)[:100]
        self.phone_reversed = phone_reversed(self.mobile_phone)

    def get_additional_data(self) -> dict:
        """What the audit trail files this record under: the record number."""
        return {"patient": self.record_number}

    @staticmethod
    def next_record_number() -> str:
        """Allocate the next record number, such as ``P-000123``."""
        return f"P-{Counter.next_value('patient_record_number'):06d}"

    def age_on(self, day) -> int:
        """Age in whole years on ``day``."""
        before_birthday = (day.month, day.day) < (
            self.date_of_birth.month,
            self.date_of_birth.day,
        )
        return day.year - self.date_of_birth.year - before_birthday


class DuplicateFlag(ChecksInOneQuery, models.Model):
    """A stored patient who may be the same person as a patient registered online.

    Written in the background (``intake.tasks.match_online_patient``) and shown to
    staff only, on the patient list and page; never to the public. Cleared by a
    merge, or when staff save the patient as "a different person".
    """

    # CASCADE: a flag is about two records and means nothing once either is gone
    # (a merge deletes the merged one).
    patient = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        related_name="duplicate_flags",
        verbose_name="patient",
    )
    candidate = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="possible duplicate of",
    )
    reasons = models.JSONField("why", default=list)
    found_at = models.DateTimeField("found", auto_now_add=True)

    class Meta:
        verbose_name = "possible duplicate"
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "candidate"], name="duplicate_flag_once_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(patient=models.F("candidate")),
                name="duplicate_flag_two_records",
            ),
        ]

    def __str__(self) -> str:
        return f"Possible duplicate {self.pk}"


class PatientMerge(ChecksInOneQuery, models.Model):
    """Two records of one person made one, written by ``patient_merge`` and kept.

    The merged record is deleted; this row keeps its number and its details as they
    were, which of them were filled in on the record kept, who merged it, when and
    why, so a wrong merge can be seen and put right
    by hand. No role may change or delete it (clinic/roles.py).
    """

    survivor_record_number = models.CharField("record kept", max_length=12)
    merged_record_number = models.CharField(
        "record merged into it", max_length=12, unique=True
    )
    merged_details = models.JSONField(
        "the merged record's details", help_text="As they were before the merge."
    )
    filled_in = models.JSONField(
        "details filled in on the record kept",
        default=list,
        blank=True,
        help_text="The merged record's contact details the record kept had none "
        "of (intake.matching.merge_fill_in).",
    )
    intakes_moved = models.PositiveIntegerField("intakes moved")
    reason = models.TextField("why the records are one person")
    # PROTECT: who merged two patients' records stays known; staff accounts are
    # deactivated, never deleted.
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="merged by",
    )
    merged_at = models.DateTimeField("merged", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = "patient merge"
        constraints = [
            models.CheckConstraint(
                condition=Q(survivor_record_number__regex=RECORD_NUMBER_FORMAT)
                & Q(merged_record_number__regex=RECORD_NUMBER_FORMAT),
                name="patient_merge_record_numbers_format",
            ),
            models.CheckConstraint(
                condition=~Q(survivor_record_number=models.F("merged_record_number")),
                name="patient_merge_two_records",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="patient_merge_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged_record_number} merged into {self.survivor_record_number}"

    def get_additional_data(self) -> dict:
        """What the audit trail files this record under: the record kept."""
        return {"patient": self.survivor_record_number}


class PatientAlias(ChecksInOneQuery, models.Model):
    """A record number a patient was known by before a merge: searching it finds
    them. Follows the patient through later merges."""

    record_number = models.CharField(
        "earlier record number", max_length=12, unique=True
    )
    # PROTECT: a patient with earlier numbers is only ever merged, which moves them.
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        related_name="aliases",
        verbose_name="patient",
    )
    # PROTECT: the alias exists because of the merge, which is kept.
    merge = models.OneToOneField(
        PatientMerge,
        on_delete=models.PROTECT,
        related_name="alias",
        verbose_name="merge",
    )

    class Meta:
        verbose_name = "earlier record number"
        constraints = [
            models.CheckConstraint(
                condition=Q(record_number__regex=RECORD_NUMBER_FORMAT),
                name="patient_alias_record_number_format",
            ),
        ]

    def __str__(self) -> str:
        return self.record_number


class Drug(ChecksInOneQuery, models.Model):
    """The treatment catalogue: every drug docs/routing.md names, with its class."""

    name = models.CharField("name", max_length=80, unique=True)
    treatment_class = models.CharField(
        "class", max_length=30, choices=codes.TREATMENT_CLASSES
    )
    default_intent = models.CharField("usual use", max_length=12, choices=codes.INTENTS)
    preventive_class = models.CharField(
        "class when used to prevent attacks",
        max_length=30,
        choices=codes.PREVENTIVE_CLASSES,
        blank=True,
        help_text="Only for a drug used both ways, such as rimegepant.",
    )
    rxnorm_ingredient = models.CharField(
        "RxNorm ingredient (RXCUI)",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^[0-9]+$", "An RXCUI is a number.")],
        help_text="The drug's RxNorm ingredient concept, sent in FHIR exports. Leave "
        "empty unless checked in RxNav (mor.nlm.nih.gov/RxNav), the RxNorm browser.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "catalogue drug"
        constraints = [
            models.CheckConstraint(
                condition=Q(rxnorm_ingredient__regex=r"^[0-9]*$"),
                name="drug_rxnorm_ingredient_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        """A name the catalogue already knows, as another drug's name or any drug's
        brand or Spanish name, would make two entries that match alike."""
        folded = fold_name(self.name)
        if not folded:
            raise ValidationError({"name": "Enter a name with letters or digits."})
        generics = [
            drug.name
            for drug in Drug.objects.exclude(pk=self.pk).only("name")
            if fold_name(drug.name) == folded
        ]
        other = DrugName.objects.filter(folded=folded).select_related("drug").first()
        if generics:
            raise ValidationError({"name": f"The catalogue already has {generics[0]}."})
        if other is not None and other.drug_id != self.pk:
            raise ValidationError(
                {"name": f"{other.name} is another name of {other.drug.name}."}
            )

    def class_for(self, intent: str) -> str:
        """The drug's class when used with ``intent``."""
        if intent == "preventive" and self.preventive_class:
            return self.preventive_class
        return self.treatment_class


class DrugName(models.Model):
    """Another name a catalogue drug goes by: a brand, or its name in Spanish.

    Patients and staff may type any of them; the intake stores the generic drug.
    """

    # CASCADE: a name means nothing without its drug (which PROTECT keeps while used).
    drug = models.ForeignKey(
        Drug, on_delete=models.CASCADE, related_name="names", verbose_name="drug"
    )
    name = models.CharField("name", max_length=80)
    folded = models.CharField(
        "name as matched",
        max_length=80,
        unique=True,
        editable=False,
        help_text="Lower case, without accents or punctuation.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "other name"

    def __str__(self) -> str:
        return self.name

    def clean(self):
        self.folded = fold_name(self.name)
        if not self.folded:
            raise ValidationError({"name": "Enter a name with letters or digits."})
        taken = DrugName.objects.filter(folded=self.folded).exclude(pk=self.pk)
        generics = [
            drug.name
            for drug in Drug.objects.exclude(pk=self.drug_id)
            if fold_name(drug.name) == self.folded
        ]
        if taken.exists() or generics:
            raise ValidationError(
                {"name": "Another catalogue drug already goes by this name."}
            )


class IntakeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class IntakeSource(models.TextChoices):
    ONLINE = "online", "Online"
    FRONT_DESK = "front_desk", "Front desk"


class Intake(TimeStampedModel):
    """One patient's story as told on one occasion: history, screen, questionnaires."""

    Status = IntakeStatus
    Source = IntakeSource

    class AttackLength(models.TextChoices):
        UNDER_4_HOURS = "under_4h", _("Less than 4 hours")
        HOURS_4_TO_24 = "4_to_24h", _("4 to 24 hours")
        DAYS_1_TO_3 = "1_to_3d", _("1 to 3 days")
        OVER_3_DAYS = "over_3d", _("More than 3 days")

    class HeardFrom(models.TextChoices):
        DOCTOR = "doctor", _("My doctor")
        SEARCH = "search", _("A web search")
        FRIEND = "friend", _("A friend or family member")
        SOCIAL = "social", _("Social media")
        OTHER = "other", _("Somewhere else")

    id = models.UUIDField(
        "public id", primary_key=True, default=uuid.uuid4, editable=False
    )
    # PROTECT: an intake is part of the patient's medical record; a patient with intakes
    # is never deleted by accident.
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        related_name="intakes",
        verbose_name="patient",
    )
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField("source", max_length=12, choices=Source.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="entered by",
    )
    submitted_at = models.DateTimeField("submitted", null=True, blank=True)

    # Migraine history
    diagnosis = models.CharField(
        "diagnosis as the patient knows it",
        max_length=30,
        choices=codes.DIAGNOSES,
        blank=True,
    )
    onset_age = bounded(
        models.PositiveSmallIntegerField, "onset_age", "age when the headaches began"
    )
    lifetime_attacks = bounded(
        models.PositiveIntegerField,
        "lifetime_attacks",
        "attacks in a lifetime, roughly",
    )
    headache_days_per_month = bounded(
        models.PositiveSmallIntegerField,
        "headache_days_per_month",
        "headache days per month",
        help_text="Days with any headache in an average month.",
    )
    migraine_days_per_month = bounded(
        models.PositiveSmallIntegerField,
        "migraine_days_per_month",
        "migraine days per month",
        help_text="Of those, days with migraine features.",
    )
    months_at_this_frequency = bounded(
        models.PositiveSmallIntegerField,
        "months_at_this_frequency",
        "months at this frequency",
    )
    debilitating_days_per_month = bounded(
        models.PositiveSmallIntegerField,
        "debilitating_days_per_month",
        "debilitating days per month",
        help_text="Days of serious impairment despite acute medication.",
    )
    debilitating_months = bounded(
        models.PositiveSmallIntegerField,
        "debilitating_months",
        "months with that many debilitating days",
    )
    attack_length = models.CharField(
        "typical attack length", max_length=10, choices=AttackLength.choices, blank=True
    )
    worst_pain = bounded(
        models.PositiveSmallIntegerField, "worst_pain", "worst pain (0-10)"
    )
    features = CodeListField("features", options=codes.FEATURES)
    symptoms = CodeListField("symptoms", options=codes.SYMPTOMS)
    triggers = CodeListField("triggers", options=codes.TRIGGERS)
    new_or_changed_pattern = models.BooleanField(
        "headaches are new or changed recently", null=True, blank=True
    )

    # Current acute medication use, days per month per class
    acute_days_simple_analgesic = bounded(
        models.PositiveSmallIntegerField,
        "acute_days_simple_analgesic",
        "days a month: simple painkillers",
    )
    acute_days_combination_analgesic = bounded(
        models.PositiveSmallIntegerField,
        "acute_days_combination_analgesic",
        "days a month: combination painkillers",
    )
    acute_days_triptan = bounded(
        models.PositiveSmallIntegerField, "acute_days_triptan", "days a month: triptans"
    )
    acute_days_ergot = bounded(
        models.PositiveSmallIntegerField, "acute_days_ergot", "days a month: ergots"
    )
    acute_days_opioid = bounded(
        models.PositiveSmallIntegerField, "acute_days_opioid", "days a month: opioids"
    )
    acute_days_ditan = bounded(
        models.PositiveSmallIntegerField, "acute_days_ditan", "days a month: ditans"
    )
    acute_days_gepant = bounded(
        models.PositiveSmallIntegerField, "acute_days_gepant", "days a month: gepants"
    )
    acute_days_antiemetic = bounded(
        models.PositiveSmallIntegerField,
        "acute_days_antiemetic",
        "days a month: anti-sickness medicines",
    )
    acute_use_months = bounded(
        models.PositiveSmallIntegerField,
        "acute_use_months",
        "months at this level of acute medication use",
    )
    moh_plan_documented = models.BooleanField(
        "plan to manage medication overuse on file", default=False
    )

    # Health screen
    pregnant = models.BooleanField("currently pregnant", null=True, blank=True)
    postpartum_weeks = bounded(
        models.PositiveSmallIntegerField,
        "postpartum_weeks",
        "weeks since giving birth",
        help_text="Leave empty if you have not given birth in the last two years.",
    )
    breastfeeding = models.BooleanField("breastfeeding", null=True, blank=True)
    conditions = CodeListField("health conditions", options=codes.CONDITIONS)
    red_flags = CodeListField("warning signs", options=codes.RED_FLAGS)
    allergies = CodeListField("allergies", options=codes.ALLERGIES)
    other_allergies = models.CharField("other allergies", max_length=500, blank=True)
    medications = CodeListField(
        "blood thinners or antiplatelet medicines", options=codes.MEDICATIONS
    )
    other_medications = models.TextField("other current medicines", blank=True)
    last_botox_weeks_ago = bounded(
        models.PositiveSmallIntegerField,
        "last_botox_weeks_ago",
        "weeks since the last Botox treatment",
        help_text="Leave empty if you have never had Botox for migraine.",
    )

    # Questionnaires
    phq9_1 = bounded(models.PositiveSmallIntegerField, "phq9_1", scoring.PHQ9_ITEMS[0])
    phq9_2 = bounded(models.PositiveSmallIntegerField, "phq9_2", scoring.PHQ9_ITEMS[1])
    phq9_3 = bounded(models.PositiveSmallIntegerField, "phq9_3", scoring.PHQ9_ITEMS[2])
    phq9_4 = bounded(models.PositiveSmallIntegerField, "phq9_4", scoring.PHQ9_ITEMS[3])
    phq9_5 = bounded(models.PositiveSmallIntegerField, "phq9_5", scoring.PHQ9_ITEMS[4])
    phq9_6 = bounded(models.PositiveSmallIntegerField, "phq9_6", scoring.PHQ9_ITEMS[5])
    phq9_7 = bounded(models.PositiveSmallIntegerField, "phq9_7", scoring.PHQ9_ITEMS[6])
    phq9_8 = bounded(models.PositiveSmallIntegerField, "phq9_8", scoring.PHQ9_ITEMS[7])
    phq9_9 = bounded(models.PositiveSmallIntegerField, "phq9_9", scoring.PHQ9_ITEMS[8])
    midas_1 = bounded(
        models.PositiveSmallIntegerField, "midas_1", scoring.MIDAS_ITEMS[0]
    )
    midas_2 = bounded(
        models.PositiveSmallIntegerField, "midas_2", scoring.MIDAS_ITEMS[1]
    )
    midas_3 = bounded(
        models.PositiveSmallIntegerField, "midas_3", scoring.MIDAS_ITEMS[2]
    )
    midas_4 = bounded(
        models.PositiveSmallIntegerField, "midas_4", scoring.MIDAS_ITEMS[3]
    )
    midas_5 = bounded(
        models.PositiveSmallIntegerField, "midas_5", scoring.MIDAS_ITEMS[4]
    )
    midas_a = bounded(models.PositiveSmallIntegerField, "midas_a", scoring.MIDAS_A)
    midas_b = bounded(models.PositiveSmallIntegerField, "midas_b", scoring.MIDAS_B)
    hit6_total = bounded(
        models.PositiveSmallIntegerField,
        "hit6_total",
        "HIT-6 total score",
        help_text="Entered by staff from the licensed questionnaire (36-78).",
    )
    safety_cleared_at = models.DateTimeField(
        "safety clearance documented", null=True, blank=True
    )
    safety_cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="safety cleared by",
    )
    safety_note = models.TextField("safety clearance note", blank=True)

    # Vitals taken at the clinic
    bp_systolic = bounded(
        models.PositiveSmallIntegerField,
        "bp_systolic",
        "systolic blood pressure (mmHg)",
    )
    bp_diastolic = bounded(
        models.PositiveSmallIntegerField,
        "bp_diastolic",
        "diastolic blood pressure (mmHg)",
    )
    weight_kg = bounded(
        models.DecimalField,
        "weight_kg",
        "weight (kg)",
        max_digits=5,
        decimal_places=1,
        help_text="Ketamine is dosed per kilogram.",
    )

    # Services and consent
    interests = CodeListField("services of interest", options=codes.SERVICES)
    heard_from = models.CharField(
        "how they heard of the clinic",
        max_length=10,
        choices=HeardFrom.choices,
        blank=True,
    )
    consent_version = models.CharField(
        "consent text version", max_length=20, blank=True
    )
    consent_language = models.CharField(
        "consent text language",
        max_length=2,
        choices=Language,
        blank=True,
        help_text="The language of the text signed online; blank for paper consent.",
    )
    consent_signature = models.CharField(
        "signature (typed full name)", max_length=200, blank=True
    )
    consent_signed_at = models.DateTimeField("consent signed", null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(
                fields=["status", "-submitted_at"], name="intake_status_submitted"
            ),
            # The operations reports: a period's submitted intakes with the columns
            # the reports join and count on, read from the index alone.
            models.Index(
                fields=["submitted_at", "source", "patient", "id"],
                condition=Q(status=IntakeStatus.SUBMITTED),
                name="intake_submitted_reports",
            ),
            # Drafts by source: the front desk's home counts its drafts to complete.
            models.Index(
                fields=["source"],
                condition=Q(status=IntakeStatus.DRAFT),
                name="intake_drafts_by_source",
            ),
        ]
        constraints = [
            *range_constraints("intake", RANGES),
            models.CheckConstraint(
                condition=Q(migraine_days_per_month__isnull=True)
                | Q(headache_days_per_month__isnull=True)
                | Q(migraine_days_per_month__lte=models.F("headache_days_per_month")),
                name="intake_migraine_days_within_headache_days",
            ),
            models.CheckConstraint(
                condition=blood_pressure_pair("bp_systolic", "bp_diastolic"),
                name="intake_bp_pair_consistent",
            ),
            models.CheckConstraint(
                condition=Q(status=IntakeStatus.DRAFT, submitted_at__isnull=True)
                | Q(status=IntakeStatus.SUBMITTED, submitted_at__isnull=False),
                name="intake_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=IntakeStatus.values),
                name="intake_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=IntakeSource.values),
                name="intake_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(consent_language__in=["", *Language.values]),
                name="intake_consent_language_valid",
            ),
        ]

    def __str__(self) -> str:
        # The patient's record number when the patient is already loaded (the admin's
        # messages and history pages); otherwise the intake's own short id, so that
        # naming an intake never costs a query. Never a name or a birth date.
        status = self.get_status_display().lower()
        if self._meta.get_field("patient").is_cached(self):
            return f"{self.patient.record_number}: intake ({status})"
        return f"Intake {str(self.pk)[:8]} ({status})"

    def get_absolute_url(self) -> str:
        return reverse("admin:intake_intake_change", args=[self.pk])

    def get_additional_data(self) -> dict:
        """What the audit trail files this record under: the patient's record number."""
        return {"patient": self.patient.record_number}

    def validate_constraints(self, exclude=None):
        """Leave the constraints to ``clean()``, the field validators and the database.

        An intake's constraints are all check constraints, each mirroring a field
        validator or ``clean()`` (tests/intake/test_constraints.py checks both sides
        and that no other kind is added), so the online steps, the admin form and the
        services validate an intake in Python instead of with a query per constraint
        (about 50); the database still refuses a bad write.
        """

    def clean(self):
        errors = {}
        if (self.status == IntakeStatus.SUBMITTED) != (self.submitted_at is not None):
            errors[NON_FIELD_ERRORS] = "A submitted intake has a submission time."
        if (
            self.migraine_days_per_month is not None
            and self.headache_days_per_month is not None
            and self.migraine_days_per_month > self.headache_days_per_month
        ):
            # The patient's online form says the same, in the patient's language:
            # translated, the two messages are one.
            errors["migraine_days_per_month"] = _(
                "Migraine days cannot be more than headache days."
            )
        if problem := blood_pressure_problem(self.bp_systolic, self.bp_diastolic):
            errors["bp_diastolic"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def intake_date(self):
        """The day the intake speaks for: its submission day, or today for a draft."""
        moment = self.submitted_at or self.created or timezone.now()
        return timezone.localdate(moment)

    @property
    def phq9_answers(self) -> list[int] | None:
        answers = [getattr(self, f"phq9_{n}") for n in range(1, 10)]
        return None if None in answers else answers

    @property
    def midas_answers(self) -> list[int] | None:
        answers = [getattr(self, f"midas_{n}") for n in range(1, 6)]
        return None if None in answers else answers

    @property
    def acute_use(self) -> dict[str, int]:
        """Days per month each acute class is taken now (unanswered counts as 0)."""
        return {
            code: getattr(self, f"acute_days_{code}") or 0
            for code, _ in codes.ACUTE_CLASSES
        }

    REQUIRED_FOR_SUBMISSION = [
        "diagnosis",
        "onset_age",
        "lifetime_attacks",
        "headache_days_per_month",
        "migraine_days_per_month",
        "months_at_this_frequency",
        "debilitating_days_per_month",
        "debilitating_months",
        "new_or_changed_pattern",
        "acute_use_months",
        "pregnant",
        "breastfeeding",
        *[f"phq9_{n}" for n in range(1, 10)],
        "consent_signature",
    ]

    def missing_for_submission(self) -> list[str]:
        """The labels of answers an intake needs before it can be submitted."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.REQUIRED_FOR_SUBMISSION
            if getattr(self, name) in (None, "")
        ]


class TreatmentTrial(ChecksInOneQuery, models.Model):
    """One treatment the patient tried, and how it went."""

    # CASCADE: the rows are part of their intake and mean nothing without it.
    intake = models.ForeignKey(
        Intake,
        on_delete=models.CASCADE,
        related_name="treatments",
        verbose_name="intake",
    )
    # PROTECT: a catalogue drug named in a patient's history cannot be deleted.
    drug = models.ForeignKey(
        Drug,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="drug from the catalogue",
    )
    drug_name = models.CharField(
        "other drug or therapy",
        max_length=120,
        blank=True,
        help_text="When it is not in the catalogue.",
    )
    treatment_class = models.CharField(
        "class", max_length=30, choices=codes.TREATMENT_CLASSES
    )
    intent = models.CharField("used", max_length=12, choices=codes.INTENTS)
    weeks = models.PositiveSmallIntegerField(
        "weeks at full dose",
        null=True,
        blank=True,
        validators=[MaxValueValidator(TREATMENT_WEEKS_MAX)],
        help_text="Leave empty if you don't know.",
    )
    dose = models.CharField(
        "dose",
        max_length=TREATMENT_DOSE_MAX_LENGTH,
        blank=True,
        help_text="Where known, as the label says it: 100 mg daily.",
    )
    outcome = models.CharField("what happened", max_length=16, choices=codes.OUTCOMES)

    class Meta:
        ordering = ["pk"]
        verbose_name = "treatment tried"
        verbose_name_plural = "treatments tried"
        indexes = [
            # The operations reports' treatments tried without benefit, by intake,
            # read from the index alone.
            models.Index(
                fields=["intake", "treatment_class", "outcome"],
                condition=Q(outcome__in=sorted(codes.WITHOUT_BENEFIT_OUTCOMES)),
                name="treatment_without_benefit",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(drug__isnull=False) | ~Q(drug_name=""),
                name="treatment_names_a_drug",
            ),
            models.CheckConstraint(
                condition=Q(weeks__isnull=True) | Q(weeks__lte=TREATMENT_WEEKS_MAX),
                name="treatment_weeks_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    treatment_class__in=sorted(codes.codes(codes.TREATMENT_CLASSES))
                ),
                name="treatment_class_valid",
            ),
            models.CheckConstraint(
                condition=Q(intent__in=sorted(codes.codes(codes.INTENTS))),
                name="treatment_intent_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=sorted(codes.codes(codes.OUTCOMES))),
                name="treatment_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment row {self.pk}"

    def get_additional_data(self) -> dict:
        """What the audit trail files this row under: the patient's record number."""
        return {"patient": self.intake.patient.record_number}

    @property
    def name(self) -> str:
        return self.drug.name if self.drug_id else self.drug_name

    @property
    def without_benefit(self) -> bool:
        """Whether it did not help: ineffective, not tolerated or not allowed."""
        return self.outcome in codes.WITHOUT_BENEFIT_OUTCOMES


class OnlineDraft(ChecksInOneQuery, TimeStampedModel):
    """The public form's working copy of one intake, and the keys that reach it.

    The patient's browser session holds this draft's id; a resume link holds a random
    token of which only the SHA-256 hash is stored here. ``client_hash`` is a salted
    hash of the address and browser that started the draft, counted to limit new
    drafts from one of them, so no address is stored in the clear.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # CASCADE: the draft is the intake's online wrapper and means nothing without it.
    intake = models.OneToOneField(
        Intake,
        on_delete=models.CASCADE,
        related_name="online_draft",
        verbose_name="intake",
    )
    start_key = models.CharField(
        "start key",
        max_length=64,
        unique=True,
        help_text="One per browser start, so a double click makes one draft.",
    )
    client_hash = models.CharField(
        "client address and browser (salted hash)", max_length=64
    )
    steps_done = models.JSONField("steps completed", default=list, blank=True)
    unchecked_answers = models.JSONField(
        "answers kept unchecked",
        default=dict,
        blank=True,
        help_text="What was on a step's page when the patient left it with 'Back' "
        "or 'Save and finish later', as posted, by step.",
    )
    resume_step = models.CharField(
        "step to resume at",
        max_length=30,
        blank=True,
        help_text="Where the patient was going when they last saved.",
    )
    resume_token_hash = models.CharField(
        "resume link (SHA-256 hash)", max_length=64, blank=True
    )
    resume_expires_at = models.DateTimeField(
        "resume link expires", null=True, blank=True
    )

    class Meta:
        verbose_name = "online draft"
        indexes = [
            models.Index(
                fields=["client_hash", "created"], name="draft_client_created"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resume_token_hash"],
                condition=~Q(resume_token_hash=""),
                name="draft_resume_token_hash_unique",
            ),
            models.CheckConstraint(
                condition=Q(resume_token_hash="", resume_expires_at__isnull=True)
                | (~Q(resume_token_hash="") & Q(resume_expires_at__isnull=False)),
                name="draft_resume_token_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"Online draft {str(self.pk)[:8]}"


class IntakeAmendment(ChecksInOneQuery, models.Model):
    """A staff change to a submitted intake: who, when, why, and what changed.

    Written by ``intake.services.intake_amend`` in the transaction of the change,
    which then has the intake routed again. ``changes`` lists each changed answer as
    ``{"field", "before", "after"}`` in words, for the physician's review page.
    """

    # PROTECT: an amendment is part of the intake's record.
    intake = models.ForeignKey(
        Intake,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name="intake",
    )
    # PROTECT: who changed a clinical record stays known; staff accounts are
    # deactivated, never deleted.
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="amended by",
    )
    amended_at = models.DateTimeField("amended", auto_now_add=True, db_index=True)
    reason = models.TextField("why it was amended")
    changes = models.JSONField("what changed", default=list)

    class Meta:
        ordering = ["amended_at", "pk"]
        verbose_name = "intake amendment"
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="intake_amendment_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Intake amendment {self.pk}"

    def get_additional_data(self) -> dict:
        """What the audit trail files this record under: the patient's record number."""
        return {"patient": self.intake.patient.record_number}
