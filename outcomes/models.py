"""Treatment courses, their sessions and adverse events, and the patients' follow-ups.

A course is one scheduled referral carried out: planned sessions, each session's
attendance (front desk) and clinical record (physician or clinician), and how the
course ended. A follow-up is what the patient says at a time point after the course
(``definitions.FOLLOW_UP_DAYS``), by their private link or on the phone to staff.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinic.models import TimeStampedModel
from clinic.validation import ChecksInOneQuery
from intake import scoring
from intake.models import blood_pressure_pair, blood_pressure_problem
from outcomes import definitions
from referrals.models import Referral

CHANGE_COURSE = "outcomes.change_treatmentcourse"
RECORD_CLINICAL = "outcomes.record_clinical"
VIEW_OUTCOMES = "outcomes.view_outcomes"

# (lowest, highest) of every bounded number recorded here: forms, model validation and
# database constraints read their limits from this one table.
RANGES = {
    "planned_sessions": (1, 30),
    "pain": (0, 10),
    "ketamine_dose_mg_kg_h": (0.01, 5),
    "ketamine_minutes": (1, 1440),
    "bp_systolic": (60, 260),
    "bp_diastolic": (30, 160),
    "days_in_4_weeks": (0, 28),
    "midas_item": (0, 90),
}


def _bounded(field_class, kind: str, verbose_name, **kwargs):
    low, high = RANGES[kind]
    return field_class(
        verbose_name,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
        **kwargs,
    )


def _range(prefix: str, name: str, kind: str, null: bool = True) -> models.Q:
    low, high = RANGES[kind]
    within = Q(**{f"{name}__gte": low, f"{name}__lte": high})
    condition = Q(**{f"{name}__isnull": True}) | within if null else within
    return models.CheckConstraint(condition=condition, name=f"{prefix}_{name}_range")


class CourseStatus(models.TextChoices):
    OPEN = "open", "Under way"
    COMPLETED = "completed", "Completed"
    DISCONTINUED = "discontinued", "Discontinued"


class TreatmentCourseQuerySet(models.QuerySet):
    def summarize_sessions(self) -> int:
        """Write each course's summary of its attended sessions, from the sessions:
        the first one's day and pain before, the last one's pain after, how many."""
        attended = TreatmentSession.objects.filter(
            course=OuterRef("pk"), attended=True
        ).order_by()
        return self.update(
            started_on=Subquery(attended.order_by("date").values("date")[:1]),
            pain_before_first=Subquery(
                attended.order_by("date").values("pain_before")[:1]
            ),
            pain_after_last=Subquery(
                attended.order_by("-date").values("pain_after")[:1]
            ),
            sessions_attended=Coalesce(
                Subquery(attended.values("course").annotate(n=Count("pk")).values("n")),
                0,
            ),
        )


class TreatmentCourse(ChecksInOneQuery, TimeStampedModel):
    """One scheduled referral carried out as a course of sessions."""

    Status = CourseStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: the course is the referral's treatment record.
    referral = models.OneToOneField(
        Referral,
        on_delete=models.PROTECT,
        related_name="treatment_course",
        verbose_name="referral",
    )
    planned_sessions = _bounded(
        models.PositiveSmallIntegerField, "planned_sessions", "planned sessions"
    )
    status = models.CharField(
        "status", max_length=12, choices=Status.choices, default=Status.OPEN
    )
    ended_on = models.DateField(
        "ended on",
        null=True,
        blank=True,
        help_text="The day of the last session attended.",
    )
    end_note = models.TextField("why it ended early", blank=True)
    # PROTECT: who opened and ended a course is part of the record; staff accounts
    # are deactivated, never deleted.
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="opened by",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ended by",
    )
    # The attended sessions as the outcomes page counts them, written by
    # ``services.session_save`` with each session (``summarize_sessions``), so that
    # the page's figures read one row per course, not its sessions.
    started_on = models.DateField(
        "first session",
        null=True,
        blank=True,
        editable=False,
        help_text="The day of the first session attended.",
    )
    sessions_attended = models.PositiveSmallIntegerField(
        "sessions attended", default=0, editable=False
    )
    pain_before_first = models.PositiveSmallIntegerField(
        "pain before the first session", null=True, blank=True, editable=False
    )
    pain_after_last = models.PositiveSmallIntegerField(
        "pain after the last session", null=True, blank=True, editable=False
    )

    objects = TreatmentCourseQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        permissions = [
            (
                "record_clinical",
                "Can record pain, doses, blood pressure and adverse events",
            ),
            ("view_outcomes", "Can view the outcomes page and its export"),
        ]
        indexes = [
            # The outcomes page's period: courses by their first session.
            models.Index(fields=["started_on"], name="course_started_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CourseStatus.values),
                name="course_status_valid",
            ),
            _range("course", "planned_sessions", "planned_sessions", null=False),
            models.CheckConstraint(
                condition=Q(status=CourseStatus.OPEN, ended_on__isnull=True)
                | (
                    ~Q(status=CourseStatus.OPEN)
                    & Q(ended_on__isnull=False, ended_by__isnull=False)
                ),
                name="course_ended_when_closed",
            ),
            models.CheckConstraint(
                condition=~Q(status=CourseStatus.DISCONTINUED) | ~Q(end_note=""),
                name="course_discontinued_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Course {str(self.pk)[:8]}"

    def get_absolute_url(self) -> str:
        return reverse("admin:outcomes_treatmentcourse_change", args=[self.pk])

    def get_additional_data(self) -> dict:
        """The audit trail files this course under the patient's record number."""
        return {"patient": self.referral.intake.patient.record_number}

    @property
    def is_ketamine(self) -> bool:
        return self.referral.service.code == "ketamine"


class TreatmentSession(ChecksInOneQuery, TimeStampedModel):
    """One session of a course: attended or not, and what was measured and given."""

    # PROTECT: a session is part of the course's clinical record.
    course = models.ForeignKey(
        TreatmentCourse,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name="course",
    )
    date = models.DateField("date")
    attended = models.BooleanField("attended", default=True)
    pain_before = _bounded(
        models.PositiveSmallIntegerField,
        "pain",
        "pain before (0-10)",
        null=True,
        blank=True,
    )
    pain_after = _bounded(
        models.PositiveSmallIntegerField,
        "pain",
        "pain after (0-10)",
        null=True,
        blank=True,
    )
    ketamine_dose_mg_kg_h = _bounded(
        models.DecimalField,
        "ketamine_dose_mg_kg_h",
        "ketamine dose (mg/kg/h)",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
    )
    ketamine_minutes = _bounded(
        models.PositiveSmallIntegerField,
        "ketamine_minutes",
        "infusion duration (minutes)",
        null=True,
        blank=True,
    )
    bp_systolic_before = _bounded(
        models.PositiveSmallIntegerField,
        "bp_systolic",
        "systolic BP before",
        null=True,
        blank=True,
    )
    bp_diastolic_before = _bounded(
        models.PositiveSmallIntegerField,
        "bp_diastolic",
        "diastolic BP before",
        null=True,
        blank=True,
    )
    bp_systolic_after = _bounded(
        models.PositiveSmallIntegerField,
        "bp_systolic",
        "systolic BP after",
        null=True,
        blank=True,
    )
    bp_diastolic_after = _bounded(
        models.PositiveSmallIntegerField,
        "bp_diastolic",
        "diastolic BP after",
        null=True,
        blank=True,
    )
    stopped_early = models.BooleanField("stopped early", default=False)

    CLINICAL_FIELDS = [
        "pain_before",
        "pain_after",
        "ketamine_dose_mg_kg_h",
        "ketamine_minutes",
        "bp_systolic_before",
        "bp_diastolic_before",
        "bp_systolic_after",
        "bp_diastolic_after",
        "stopped_early",
    ]
    KETAMINE_FIELDS = ["ketamine_dose_mg_kg_h", "ketamine_minutes"]

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            _range("session", "pain_before", "pain"),
            _range("session", "pain_after", "pain"),
            _range("session", "ketamine_dose_mg_kg_h", "ketamine_dose_mg_kg_h"),
            _range("session", "ketamine_minutes", "ketamine_minutes"),
            _range("session", "bp_systolic_before", "bp_systolic"),
            _range("session", "bp_diastolic_before", "bp_diastolic"),
            _range("session", "bp_systolic_after", "bp_systolic"),
            _range("session", "bp_diastolic_after", "bp_diastolic"),
            models.UniqueConstraint(
                fields=["course", "date"], name="session_one_per_course_day"
            ),
            models.CheckConstraint(
                condition=Q(attended=True)
                | Q(
                    pain_before__isnull=True,
                    pain_after__isnull=True,
                    ketamine_dose_mg_kg_h__isnull=True,
                    ketamine_minutes__isnull=True,
                    bp_systolic_before__isnull=True,
                    bp_diastolic_before__isnull=True,
                    bp_systolic_after__isnull=True,
                    bp_diastolic_after__isnull=True,
                    stopped_early=False,
                ),
                name="session_missed_has_no_measurements",
            ),
            models.CheckConstraint(
                condition=blood_pressure_pair(
                    "bp_systolic_before", "bp_diastolic_before"
                ),
                name="session_bp_before_pair_consistent",
            ),
            models.CheckConstraint(
                condition=blood_pressure_pair(
                    "bp_systolic_after", "bp_diastolic_after"
                ),
                name="session_bp_after_pair_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk}"

    def clean(self):
        errors = {}
        for when in ("before", "after"):
            systolic = getattr(self, f"bp_systolic_{when}")
            diastolic = getattr(self, f"bp_diastolic_{when}")
            if problem := blood_pressure_problem(systolic, diastolic):
                errors[f"bp_diastolic_{when}"] = problem
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("admin:outcomes_treatmentsession_change", args=[self.pk])

    def get_additional_data(self) -> dict:
        return {"patient": self.course.referral.intake.patient.record_number}


class AdverseEventKind(models.TextChoices):
    NAUSEA = "nausea", "Nausea"
    VOMITING = "vomiting", "Vomiting"
    DISSOCIATION = "dissociation", "Dissociation or hallucinations"
    HYPERTENSION = "hypertension", "Hypertension needing treatment"
    SEDATION = "sedation", "Sedation"
    OTHER = "other", "Other"


class AdverseEventSeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class AdverseEvent(ChecksInOneQuery, models.Model):
    """Something that went wrong in a session, and how badly."""

    Kind = AdverseEventKind
    Severity = AdverseEventSeverity

    # PROTECT: an adverse event stays with the session it happened in.
    session = models.ForeignKey(
        TreatmentSession,
        on_delete=models.PROTECT,
        related_name="adverse_events",
        verbose_name="session",
    )
    kind = models.CharField("kind", max_length=12, choices=Kind.choices)
    severity = models.CharField("severity", max_length=8, choices=Severity.choices)
    note = models.CharField(
        "what happened", max_length=500, blank=True, help_text="Required for 'Other'."
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AdverseEventKind.values),
                name="adverse_event_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(severity__in=AdverseEventSeverity.values),
                name="adverse_event_severity_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind=AdverseEventKind.OTHER) | ~Q(note=""),
                name="adverse_event_other_is_described",
            ),
        ]

    def __str__(self) -> str:
        return f"Adverse event {self.pk}"

    def clean(self):
        if self.kind == AdverseEventKind.OTHER and not self.note.strip():
            raise ValidationError({"note": "Say what happened: the kind is 'Other'."})


class FollowUpPoint(models.TextChoices):
    """The time points of ``definitions.FOLLOW_UP_DAYS``, in its order."""

    ONE_WEEK = "1w", "1 week after the course"
    ONE_MONTH = "1m", "1 month after the course"
    THREE_MONTHS = "3m", "3 months after the course"


class PGIC(models.IntegerChoices):
    """Patient Global Impression of Change (Guy 1976), 7 points."""

    VERY_MUCH_IMPROVED = 1, _("Very much improved")
    MUCH_IMPROVED = 2, _("Much improved")
    MINIMALLY_IMPROVED = 3, _("Minimally improved")
    NO_CHANGE = 4, _("No change")
    MINIMALLY_WORSE = 5, _("Minimally worse")
    MUCH_WORSE = 6, _("Much worse")
    VERY_MUCH_WORSE = 7, _("Very much worse")


class FollowUp(ChecksInOneQuery, TimeStampedModel):
    """A course's follow-up at one time point: its link and the patient's answers.

    The link's token is stored only as its SHA-256 hash; ``sent_at`` and
    ``reminded_at`` record the e-mails. Answers are null until the patient (or staff,
    from a phone call) answers; ``answered_at`` says when and ``answered_by`` who,
    when it was staff.
    """

    Point = FollowUpPoint
    PGIC = PGIC

    # PROTECT: a follow-up is part of the course's outcome record.
    course = models.ForeignKey(
        TreatmentCourse,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name="course",
    )
    point = models.CharField("time point", max_length=2, choices=Point.choices)
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField("link sent", null=True, blank=True)
    reminded_at = models.DateTimeField("reminder sent", null=True, blank=True)
    answered_at = models.DateTimeField("answered", null=True, blank=True)
    # PROTECT: who took answers on the phone is part of the record.
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="taken on the phone by",
    )
    headache_days = _bounded(
        models.PositiveSmallIntegerField,
        "days_in_4_weeks",
        "headache days, last 4 weeks",
        null=True,
        blank=True,
    )
    migraine_days = _bounded(
        models.PositiveSmallIntegerField,
        "days_in_4_weeks",
        "migraine days, last 4 weeks",
        null=True,
        blank=True,
    )
    current_pain = _bounded(
        models.PositiveSmallIntegerField,
        "pain",
        "current pain (0-10)",
        null=True,
        blank=True,
    )
    worst_pain = _bounded(
        models.PositiveSmallIntegerField,
        "pain",
        "worst pain, last 4 weeks (0-10)",
        null=True,
        blank=True,
    )
    midas_1 = _bounded(
        models.PositiveSmallIntegerField,
        "midas_item",
        scoring.MIDAS_ITEMS[0],
        null=True,
        blank=True,
    )
    midas_2 = _bounded(
        models.PositiveSmallIntegerField,
        "midas_item",
        scoring.MIDAS_ITEMS[1],
        null=True,
        blank=True,
    )
    midas_3 = _bounded(
        models.PositiveSmallIntegerField,
        "midas_item",
        scoring.MIDAS_ITEMS[2],
        null=True,
        blank=True,
    )
    midas_4 = _bounded(
        models.PositiveSmallIntegerField,
        "midas_item",
        scoring.MIDAS_ITEMS[3],
        null=True,
        blank=True,
    )
    midas_5 = _bounded(
        models.PositiveSmallIntegerField,
        "midas_item",
        scoring.MIDAS_ITEMS[4],
        null=True,
        blank=True,
    )
    pgic = models.PositiveSmallIntegerField(
        "change since the treatment (PGIC)",
        choices=PGIC,
        null=True,
        blank=True,
    )
    side_effects = models.TextField("side effects since the treatment", blank=True)
    draft_answers = models.JSONField(
        "answers kept unfinished",
        default=dict,
        blank=True,
        editable=False,
        help_text="What was on the patient's form when they chose 'Save and finish "
        "later', as posted; shown again when they come back, cleared once answered.",
    )

    ANSWER_FIELDS = [
        "headache_days",
        "migraine_days",
        "current_pain",
        "worst_pain",
        "midas_1",
        "midas_2",
        "midas_3",
        "midas_4",
        "midas_5",
        "pgic",
        "side_effects",
    ]
    REQUIRED_ANSWERS = ANSWER_FIELDS[:-1]

    class Meta:
        ordering = ["course", "point"]
        verbose_name = "follow-up"
        constraints = [
            models.UniqueConstraint(
                fields=["course", "point"], name="follow_up_one_per_point"
            ),
            models.CheckConstraint(
                condition=Q(point__in=FollowUpPoint.values),
                name="follow_up_point_valid",
            ),
            _range("follow_up", "headache_days", "days_in_4_weeks"),
            _range("follow_up", "migraine_days", "days_in_4_weeks"),
            _range("follow_up", "current_pain", "pain"),
            _range("follow_up", "worst_pain", "pain"),
            *(_range("follow_up", f"midas_{n}", "midas_item") for n in range(1, 6)),
            models.CheckConstraint(
                condition=Q(pgic__isnull=True) | Q(pgic__gte=1, pgic__lte=7),
                name="follow_up_pgic_range",
            ),
            models.CheckConstraint(
                condition=Q(migraine_days__isnull=True)
                | Q(headache_days__isnull=True)
                | Q(migraine_days__lte=models.F("headache_days")),
                name="follow_up_migraine_days_within_headache_days",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | Q(
                    headache_days__isnull=False,
                    migraine_days__isnull=False,
                    current_pain__isnull=False,
                    worst_pain__isnull=False,
                    midas_1__isnull=False,
                    midas_2__isnull=False,
                    midas_3__isnull=False,
                    midas_4__isnull=False,
                    midas_5__isnull=False,
                    pgic__isnull=False,
                ),
                name="follow_up_answered_in_full",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("admin:outcomes_followup_change", args=[self.pk])

    def get_additional_data(self) -> dict:
        return {"patient": self.course.referral.intake.patient.record_number}

    @property
    def open_until(self) -> datetime.date:
        """The last day its link opens (``definitions.FOLLOW_UP_ANSWER_DAYS`` from
        its time point)."""
        return self.course.ended_on + datetime.timedelta(
            days=self.due_days + definitions.FOLLOW_UP_ANSWER_DAYS - 1
        )

    @property
    def due_days(self) -> int:
        return definitions.FOLLOW_UP_DAYS[self.point]

    @property
    def midas_total(self) -> int | None:
        answers = [getattr(self, f"midas_{n}") for n in range(1, 6)]
        if None in answers:
            return None
        return scoring.midas(answers).total


class OutcomesReport(models.Model):
    """The outcomes page's entry in the admin index; it stores nothing (no table).

    Who may see the page is ``outcomes.view_outcomes`` (on :class:`TreatmentCourse`).
    """

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = "outcomes report"
        verbose_name_plural = "outcomes against the published figures"

    def __str__(self) -> str:
        return "Outcomes"
