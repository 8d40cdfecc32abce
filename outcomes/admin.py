"""Treatment courses, sessions and follow-ups in the staff admin.

Every write goes through ``outcomes.services``; every page of patients' records is
read-audited (``AuditedReadMixin``). A course opens when its referral is scheduled
(the add form is for referrals scheduled before that); the front desk records
attendance and sees nothing clinical; the front desk, physicians and clinicians
change the planned sessions and end courses; the clinical fields and adverse events
are shown and editable only with ``outcomes.record_clinical`` (physicians,
clinicians).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from clinic.admin_utils import ReadOnlyAdminMixin
from intake import codes
from intake.admin_mixins import AuditedReadMixin, PatientSearchMixin
from intake.matching import patient_identity
from outcomes import views
from outcomes.models import (
    RECORD_CLINICAL,
    VIEW_OUTCOMES,
    AdverseEvent,
    FollowUp,
    OutcomesReport,
    TreatmentCourse,
    TreatmentSession,
)
from outcomes.services import (
    course_complete,
    course_discontinue,
    course_open,
    course_plan,
    follow_up_answer,
    session_save,
)
from referrals.models import Referral

COMPLETE, DISCONTINUE = "complete", "discontinue"
ALLERGY_LABELS = dict(codes.ALLERGIES)


class CoursePatientMixin:
    """Who a course's or a session's patient is (two identifiers at least, to check
    before treating), and for clinical staff what to know before treating them."""

    @staticmethod
    def _course(obj) -> TreatmentCourse:
        return obj if isinstance(obj, TreatmentCourse) else obj.course

    @admin.display(description="patient")
    def patient(self, obj) -> str:
        return patient_identity(self._course(obj).referral.intake.patient)

    @admin.display(description="before treating")
    def before_treating(self, obj) -> str:
        """Weight, allergies, the engine's cautions and the physician's note."""
        referral = self._course(obj).referral
        intake = referral.intake
        allergies = [str(ALLERGY_LABELS[code]) for code in intake.allergies]
        if intake.other_allergies:
            allergies.append(intake.other_allergies)
        cautions = [reason["text"] for reason in referral.cautions]
        lines = [
            (
                "Weight",
                f"{intake.weight_kg} kg" if intake.weight_kg else "not recorded",
            ),
            ("Allergies", "; ".join(allergies) or "none recorded"),
            *[("Caution", caution) for caution in cautions or ["none"]],
            ("Physician's note", referral.note or "none"),
        ]
        return format_html(
            '<ul class="before-treating">{}</ul>',
            format_html_join("", "<li><strong>{}:</strong> {}</li>", lines),
        )


class CourseForm(forms.ModelForm):
    """Open a course; on an open course, end it (completed or discontinued)."""

    end = forms.ChoiceField(
        label="End the course",
        required=False,
        choices=[
            ("", "No, still under way"),
            (COMPLETE, "Completed: the patient finished the course"),
            (DISCONTINUE, "Discontinued: it stopped early (say why)"),
        ],
        help_text="Ending the course completes the referral and schedules the "
        "patient's follow-ups.",
    )

    class Meta:
        model = TreatmentCourse
        fields = ["referral", "planned_sessions", "end_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "referral" in self.fields:
            self.fields["referral"].queryset = (
                Referral.objects.filter(
                    status=Referral.Status.SCHEDULED, treatment_course__isnull=True
                )
                .select_related("intake__patient", "service")
                .order_by("created")
            )
            self.fields["referral"].label_from_instance = lambda referral: (
                f"{referral.intake.patient.record_number}: {referral.service}"
            )
            self.fields["referral"].help_text = "Scheduled referrals without a course."

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("end") == DISCONTINUE
            and not cleaned.get("end_note", "").strip()
        ):
            self.add_error("end_note", "Say why the course stopped.")
        adding = self.instance._state.adding
        appointment = not adding and self.instance.referral.appointment_at
        if cleaned.get("end") and appointment and timezone.now() < appointment:
            when = timezone.localtime(appointment).strftime("%Y-%m-%d %H:%M")
            self.add_error("end", f"The appointment is on {when}: not come yet.")
        if cleaned.get("end") and not (
            self.instance.pk and self.instance.sessions.filter(attended=True).exists()
        ):
            self.add_error(
                "end", "No session was attended: cancel the referral instead."
            )
        return cleaned


class SessionInline(admin.TabularInline):
    model = TreatmentSession
    fields = ["date", "attended", "pain_before", "pain_after", "stopped_early"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    view_on_site = False
    can_delete = False

    def get_fields(self, request, obj=None):
        if request.user.has_perm(RECORD_CLINICAL):
            return self.fields
        return ["date", "attended"]  # the front desk's part

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TreatmentCourse)
class TreatmentCourseAdmin(
    CoursePatientMixin, AuditedReadMixin, PatientSearchMixin, admin.ModelAdmin
):
    form = CourseForm
    patient_prefix = "referral__intake__patient__"
    list_display = [
        "record_number",
        "service",
        "status",
        "attended",
        "planned_sessions",
        "ended_on",
    ]
    list_filter = ["status", "referral__service"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [SessionInline]
    view_on_site = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("referral__intake__patient", "referral__service")
            .annotate(
                attended_count=Count("sessions", filter=Q(sessions__attended=True))
            )
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["referral", "planned_sessions"]
        fields = ["patient", "service", "status", "planned_sessions"]
        if request.user.has_perm(RECORD_CLINICAL):
            fields.insert(1, "before_treating")
        if obj.status == TreatmentCourse.Status.OPEN and self.has_change_permission(
            request, obj
        ):
            return [*fields, "add_session", "end", "end_note"]
        return [*fields, "add_session", "ended_on", "end_note", "ended_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["patient", "before_treating", "service", "status", "add_session"]
        readonly += ["ended_on", "ended_by"]
        if obj.status != TreatmentCourse.Status.OPEN:
            readonly += ["planned_sessions", "end_note"]
        return readonly

    @admin.display(
        description="record number", ordering="referral__intake__patient__record_number"
    )
    def record_number(self, course: TreatmentCourse) -> str:
        return course.referral.intake.patient.record_number

    @admin.display(description="service", ordering="referral__service")
    def service(self, course: TreatmentCourse) -> str:
        return course.referral.service.name

    @admin.display(description="attended")
    def attended(self, course: TreatmentCourse) -> int:
        return course.attended_count

    @admin.display(description="sessions")
    def add_session(self, course: TreatmentCourse) -> str:
        if course.status != TreatmentCourse.Status.OPEN:
            return "Closed: the course has ended."
        return format_html(
            '<a class="button" href="{}?course={}">Record a session</a>',
            reverse("admin:outcomes_treatmentsession_add"),
            course.pk,
        )

    def save_model(self, request, obj, form, change):
        if not change:
            form.instance = course_open(
                referral=obj.referral,
                planned_sessions=obj.planned_sessions,
                user=request.user,
            )
            return
        if "planned_sessions" in form.changed_data:
            course_plan(
                course=obj, planned_sessions=obj.planned_sessions, user=request.user
            )
        end = form.cleaned_data.get("end")
        if end == COMPLETE:
            course_complete(course=obj, user=request.user)
        elif end == DISCONTINUE:
            course_discontinue(
                course=obj, user=request.user, reason=form.cleaned_data["end_note"]
            )

    def has_delete_permission(self, request, obj=None):
        return False


class AdverseEventFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)
        ]
        if kept and not self.instance.attended:
            raise ValidationError("A missed session has no adverse events.")


class AdverseEventInline(admin.TabularInline):
    model = AdverseEvent
    formset = AdverseEventFormSet
    fields = ["kind", "severity", "note"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(RECORD_CLINICAL)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(RECORD_CLINICAL)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(RECORD_CLINICAL)


class CourseRowAdminMixin:
    """What the sessions' and the follow-ups' lists share: each row belongs to a
    course, and shows its patient's record number and the course's service."""

    patient_prefix = "course__referral__intake__patient__"
    list_per_page = 50
    show_full_result_count = False
    view_on_site = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "course__referral__intake__patient", "course__referral__service"
            )
        )

    @admin.display(description="record number")
    def record_number(self, row) -> str:
        return row.course.referral.intake.patient.record_number

    @admin.display(description="service")
    def service(self, row) -> str:
        return row.course.referral.service.name


class SessionForm(forms.ModelForm):
    class Meta:
        model = TreatmentSession
        fields = ["course", "date", "attended", *TreatmentSession.CLINICAL_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "course" in self.fields:
            self.fields["course"].queryset = TreatmentCourse.objects.filter(
                status=TreatmentCourse.Status.OPEN
            ).select_related("referral__intake__patient", "referral__service")
            self.fields["course"].label_from_instance = lambda course: (
                f"{patient_identity(course.referral.intake.patient)}: "
                f"{course.referral.service}"
            )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(
                "This date is in the future: record a session once it has happened."
            )
        return date

    def clean(self):
        cleaned = super().clean()
        course = cleaned.get("course") or self.instance.course
        if course is None:
            return cleaned
        if course.status != TreatmentCourse.Status.OPEN:
            raise ValidationError("This course has ended; its sessions are closed.")
        if not course.is_ketamine:
            for name in TreatmentSession.KETAMINE_FIELDS:
                if cleaned.get(name) is not None:
                    self.add_error(
                        name, "Only a ketamine infusion has a dose and duration."
                    )
        if cleaned.get("attended") is False:
            for name in TreatmentSession.CLINICAL_FIELDS:
                if cleaned.get(name) not in (None, False):
                    self.add_error(name, "A missed session has no measurements.")
        return cleaned


@admin.register(TreatmentSession)
class TreatmentSessionAdmin(
    CoursePatientMixin,
    CourseRowAdminMixin,
    AuditedReadMixin,
    PatientSearchMixin,
    admin.ModelAdmin,
):
    form = SessionForm
    list_display = ["record_number", "service", "date", "attended", "pain_before"]
    list_filter = ["attended", "course__referral__service"]
    inlines = [AdverseEventInline]

    def get_fields(self, request, obj=None):
        clinical = request.user.has_perm(RECORD_CLINICAL)
        fields = ["date", "attended"]  # the front desk's part
        if clinical:
            fields += TreatmentSession.CLINICAL_FIELDS
            if obj is not None and not obj.course.is_ketamine:
                fields = [
                    f for f in fields if f not in TreatmentSession.KETAMINE_FIELDS
                ]
        if obj is None:
            return ["course", *fields]
        return [
            "patient",
            *(["before_treating"] if clinical else []),
            "treatment_course",
            *fields,
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.course.status != TreatmentCourse.Status.OPEN:
            return self.get_fields(request, obj)
        return ["patient", "before_treating", "treatment_course"]

    @admin.display(description="course")
    def treatment_course(self, session: TreatmentSession) -> str:
        return format_html(
            '<a href="{}">{} course</a>',
            session.course.get_absolute_url(),
            session.course.referral.service.name,
        )

    def get_changeform_initial_data(self, request):
        return {"attended": True, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        """Saved with its adverse events by ``session_save`` (save_related)."""

    def save_related(self, request, form, formsets, change):
        saved, removed = [], []
        for formset in formsets:
            saved += formset.save(commit=False)
            removed += formset.deleted_objects
        session_save(
            session=form.instance,
            user=request.user,
            adverse_events=saved,
            removed_adverse_events=removed,
        )

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_to_course(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._back_to_course(request, obj) or super().response_change(
            request, obj
        )

    def _back_to_course(self, request, obj):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return None
        self.message_user(request, f"The session of {obj.date:%Y-%m-%d} saved.")
        return HttpResponseRedirect(obj.course.get_absolute_url())

    def has_delete_permission(self, request, obj=None):
        return False


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = FollowUp.ANSWER_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FollowUp.REQUIRED_ANSWERS:
            if name in self.fields:
                self.fields[name].required = True


@admin.register(FollowUp)
class FollowUpAdmin(
    CourseRowAdminMixin, AuditedReadMixin, PatientSearchMixin, admin.ModelAdmin
):
    """Follow-ups; staff enter answers a patient gave on the phone."""

    form = FollowUpForm
    list_display = ["record_number", "service", "point", "sent_at", "answered_at"]
    list_filter = ["point", "course__referral__service"]

    def get_fields(self, request, obj=None):
        return [
            "record_number",
            "point",
            "sent_at",
            "reminded_at",
            "answered_at",
            "answered_by",
            *FollowUp.ANSWER_FIELDS,
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "record_number",
            "point",
            "sent_at",
            "reminded_at",
            "answered_at",
            "answered_by",
        ]
        if obj is not None and obj.answered_at is not None:
            readonly += FollowUp.ANSWER_FIELDS
        return readonly

    def save_model(self, request, obj, form, change):
        follow_up_answer(
            follow_up=obj,
            answers={name: form.cleaned_data[name] for name in FollowUp.ANSWER_FIELDS},
            user=request.user,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutcomesReport)
class OutcomesReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outcomes page and its CSV export (manager and physicians)."""

    def get_urls(self):
        site = self.admin_site

        def view(cls):
            return site.admin_view(cls.as_view(admin_site=site))

        return [
            path(
                "", view(views.OutcomesView), name="outcomes_outcomesreport_changelist"
            ),
            path("rows.csv", view(views.OutcomesCSVView), name="outcomes_rows_csv"),
        ]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_OUTCOMES)

    def has_module_permission(self, request):
        return self.has_view_permission(request)
