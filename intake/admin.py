"""Front-desk work in the Django admin: patients, intakes, treatment rows, catalogue."""

from collections import defaultdict

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import display_for_field, flatten_fieldsets
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst, get_text_list

from clinic.admin_utils import QuickRowsChangeList, QuickRowsMixin, staff_name_display
from clinic.audit import record_access
from clinic.fields import CodeListField
from intake import advice, scoring
from intake.admin_mixins import (
    AuditedReadMixin,
    PatientSearchMixin,
    patient_identity_field,
)
from intake.forms import (
    DrugNameForm,
    IntakeAmendmentForm,
    IntakeDraftForm,
    PatientForm,
    PatientMergeForm,
    TreatmentTrialForm,
    TreatmentTrialFormSet,
)
from intake.matching import format_phone, patient_identity, phone_last_four
from intake.models import (
    Drug,
    DrugName,
    DuplicateFlag,
    Intake,
    Patient,
    PatientMerge,
    TreatmentTrial,
    fold_name,
)
from intake.services import (
    intake_amend,
    intake_save,
    intake_submit,
    patient_create,
    patient_merge,
    patient_update,
)


class IntakeRowInline(admin.TabularInline):
    """The patient's intakes, read-only, each a link to its page."""

    model = Intake
    fields = ["status", "source", "submitted_at", "created"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PossibleDuplicateFilter(admin.SimpleListFilter):
    title = "possible duplicates"
    parameter_name = "duplicates"

    def lookups(self, request, model_admin):
        return [("flagged", "Flagged as a possible duplicate")]

    def queryset(self, request, queryset):
        if self.value() == "flagged":
            return queryset.filter(pk__in=DuplicateFlag.objects.values("patient_id"))
        return queryset


class PatientChangeList(QuickRowsChangeList):
    """The patient list: each row's possible-duplicate flags read for the whole
    page in one query (a prefetch built a query set for every row)."""

    def get_results(self, request):
        super().get_results(request)
        patients = list(self.result_list)  # the page, read once; the template reuses it
        flags = defaultdict(list)
        for flag in DuplicateFlag.objects.filter(patient__in=patients).select_related(
            "candidate"
        ):
            flags[flag.patient_id].append(flag)
        for patient in patients:
            patient.listed_flags = flags[patient.pk]


@admin.register(Patient)
class PatientAdmin(
    QuickRowsMixin, AuditedReadMixin, PatientSearchMixin, admin.ModelAdmin
):
    form = PatientForm
    list_display = [
        "record_number",
        "last_name",
        "first_name",
        "born",
        "phone",
        "possible_duplicates",
    ]
    list_filter = [PossibleDuplicateFilter]
    change_list_template = "admin/intake/patient/change_list.html"
    search_fields = ["record_number"]
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = [
        "record_number",
        "earlier_numbers",
        "possible_duplicates",
        "id",
        "created",
    ]
    actions = ["merge_records"]
    fieldsets = [
        (None, {"fields": ["record_number", "earlier_numbers"]}),
        ("Patient", {"fields": ["first_name", "last_name", "date_of_birth", "sex"]}),
        ("Contact", {"fields": ["email", "mobile_phone", "preferred_language"]}),
        (
            "Emergency contact",
            {"fields": ["emergency_contact_name", "emergency_contact_phone"]},
        ),
        ("Duplicate check", {"fields": ["possible_duplicates", "not_a_duplicate"]}),
    ]
    inlines = [IntakeRowInline]

    class Media:
        css = {"all": ["clinic/admin/intake.css"]}

    @admin.display(description="mobile phone", ordering="mobile_phone")
    def phone(self, patient: Patient) -> str:
        return format_phone(patient.mobile_phone)

    def get_changelist(self, request, **kwargs):
        return PatientChangeList

    @admin.display(description="born", ordering="date_of_birth")
    def born(self, patient: Patient) -> str:
        return f"{patient.date_of_birth:%Y-%m-%d}"

    @admin.display(description="possible duplicate of")
    def possible_duplicates(self, patient: Patient) -> str:
        """Found in the background for online patients; staff only."""
        flags = getattr(patient, "listed_flags", None)
        if flags is None:
            flags = patient.duplicate_flags.select_related("candidate")
        return format_html_join(
            ", ",
            '<a href="{}" title="{}">{}</a>',
            (
                (
                    flag.candidate.get_absolute_url(),
                    ", ".join(flag.reasons),
                    flag.candidate.record_number,
                )
                for flag in flags
            ),
        )

    @admin.display(description="earlier record numbers")
    def earlier_numbers(self, patient: Patient) -> str:
        numbers = sorted(alias.record_number for alias in patient.aliases.all())
        return ", ".join(numbers) or "None: never merged"

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("intake.merge_patient")

    @admin.action(
        description="Merge the two selected records of one patient",
        permissions=["merge"],
    )
    def merge_records(self, request: HttpRequest, queryset):
        """Show the two records side by side; merge once staff confirm."""
        patients = list(
            queryset.annotate(intake_count=Count("intakes")).order_by("record_number")
        )
        if len(patients) != 2:
            self.message_user(
                request, "Select exactly two records to merge.", messages.WARNING
            )
            return None
        data = request.POST if "confirm_merge" in request.POST else None
        form = PatientMergeForm(data, patients=patients)
        if form.is_valid():
            survivor, merged = form.survivor_and_merged()
            try:
                merge = patient_merge(
                    survivor=survivor,
                    merged=merged,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    f"{merge.merged_record_number} merged into "
                    f"{merge.survivor_record_number}: {merge.intakes_moved} "
                    f"intake(s) moved{filled_in_words(merge)}. Searching "
                    f"{merge.merged_record_number} finds this record.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(survivor.get_absolute_url())
        self.record_list_read(patients, "patient merge confirmation")
        rows = [
            {
                "patient": patient,
                "phone": format_phone(patient.mobile_phone),
                "intakes": patient.intake_count,
            }
            for patient in patients
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Merge two records of one patient",
            "rows": rows,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/intake/patient/merge.html", context)

    def autocomplete_label(self, patient: Patient) -> str:
        """The intake's patient picker shows who each record is."""
        return patient_identity(patient)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        adminform = getattr(response, "context_data", {}).get("adminform")
        duplicates = getattr(adminform and adminform.form, "duplicates", [])
        self.record_list_read(
            [patient for patient, _ in duplicates],
            "possible duplicates, before saving a patient",
        )
        return response

    def save_model(self, request, obj, form, change):
        if change:
            patient_update(
                patient=obj, not_a_duplicate=form.cleaned_data["not_a_duplicate"]
            )
        else:
            patient_create(patient=obj)


def filled_in_words(merge: PatientMerge) -> str:
    """ ", its e-mail and mobile phone filled in": what the record kept took."""
    if not merge.filled_in:
        return ""
    names = [Patient._meta.get_field(name).verbose_name for name in merge.filled_in]
    return f", its {get_text_list(names, 'and')} filled in"


@admin.register(PatientMerge)
class PatientMergeAdmin(admin.ModelAdmin):
    """Every merge of two patient records, read-only: none is changed or deleted."""

    list_display = [
        "merged_at",
        "merged_record_number",
        "survivor_record_number",
        "intakes_moved",
        "merged_by",
    ]
    search_fields = ["merged_record_number", "survivor_record_number"]
    readonly_fields = [
        "merged_at",
        "merged_record_number",
        "survivor_record_number",
        "intakes_moved",
        "merged_by",
        "reason",
        "merged_details",
        "filled_in",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            record_access(response.context_data["original"])
        return response


class TreatmentTrialInline(admin.TabularInline):
    """Treatment rows: one empty row to start, "Add another" for more."""

    model = TreatmentTrial
    form = TreatmentTrialForm
    formset = TreatmentTrialFormSet
    autocomplete_fields = ["drug"]
    extra = 1


def intake_title(intake: Intake) -> str:
    """An intake's heading on its page: whose, from where, where it stands."""
    when = timezone.localdate(intake.submitted_at or intake.created)
    status = "submitted" if intake.submitted_at else "draft started"
    return (
        f"{intake.patient.record_number}: {intake.get_source_display().lower()} "
        f"intake, {status} {when:%Y-%m-%d}"
    )


NOT_ANSWERED = "not answered"


def answer_text(field, value) -> str:
    """One answer in words, for staff who read an intake without changing it: a
    list's labels, yes or no, a choice's label; "not answered" for an unknown."""
    if isinstance(field, CodeListField):
        labels = dict(field.options)
        return "; ".join(str(labels.get(code, code)) for code in value) or "none"
    if value is None or value == "":
        return NOT_ANSWERED
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    return display_for_field(value, field, NOT_ANSWERED)


def answer_display(field):
    """A read-only admin field showing ``field``'s answer in words (``answer_text``)."""

    @admin.display(description=capfirst(field.verbose_name))
    def show(intake: Intake) -> str:
        return answer_text(field, getattr(intake, field.attname))

    show.__name__ = field.name  # the row's CSS class stays field-<name>
    return show


def readable(fields, displays: dict):
    """A fieldset's field names, each swapped for its display in ``displays`` where
    it has one (an answer for its words, say)."""
    return [
        readable(name, displays)
        if isinstance(name, (list, tuple))
        else displays.get(name, name)
        for name in fields
    ]


PHQ9_FIELDS = [f"phq9_{n}" for n in range(1, 10)]
MIDAS_FIELDS = [f"midas_{n}" for n in range(1, 6)] + ["midas_a", "midas_b"]


@admin.register(Intake)
class IntakeAdmin(
    QuickRowsMixin, AuditedReadMixin, PatientSearchMixin, admin.ModelAdmin
):
    """The intake in the paper form's order, treatments inline, scores read-only."""

    patient_prefix = "patient__"
    list_display = [
        "record_number",
        "patient_name",
        "date_of_birth",
        "phone",
        "status",
        "source",
        "submitted",
    ]
    list_filter = ["status", "source", "submitted_at"]
    change_list_template = "admin/intake/intake/change_list.html"
    list_select_related = ["patient"]
    # An intake has about a hundred answer columns; a row shows these.
    list_columns = [
        "status",
        "source",
        "submitted_at",
        "patient__record_number",
        "patient__first_name",
        "patient__last_name",
        "patient__date_of_birth",
        "patient__mobile_phone",
    ]
    search_fields = ["patient__record_number"]
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = ["patient"]
    inlines = [TreatmentTrialInline]
    readonly_fields = [
        "status",
        "submitted_at",
        "entered_by_name",
        "phq9_score",
        "midas_score",
        "hit6_score",
        "safety_cleared_at",
        "safety_cleared_by_name",
        "safety_note",
        "consent_version",
        "consent_signed_at",
    ]
    fieldsets = [
        (
            "Intake",
            {
                "fields": [
                    "patient",
                    "source",
                    "status",
                    "submitted_at",
                    "entered_by_name",
                ]
            },
        ),
        (
            "Migraine history",
            {
                "fields": [
                    "diagnosis",
                    ("onset_age", "lifetime_attacks"),
                    ("headache_days_per_month", "migraine_days_per_month"),
                    "months_at_this_frequency",
                    ("debilitating_days_per_month", "debilitating_months"),
                    ("attack_length", "worst_pain"),
                    "features",
                    "symptoms",
                    "triggers",
                    "new_or_changed_pattern",
                ]
            },
        ),
        (
            "Acute medication: days a month now",
            {
                "fields": [
                    ("acute_days_simple_analgesic", "acute_days_combination_analgesic"),
                    ("acute_days_triptan", "acute_days_ergot"),
                    ("acute_days_opioid", "acute_days_ditan"),
                    ("acute_days_gepant", "acute_days_antiemetic"),
                    "acute_use_months",
                    "moh_plan_documented",
                ]
            },
        ),
        (
            "Health screen",
            {
                "fields": [
                    ("pregnant", "postpartum_weeks", "breastfeeding"),
                    "red_flags",
                    "conditions",
                    "allergies",
                    "other_allergies",
                    "medications",
                    "other_medications",
                    "last_botox_weeks_ago",
                ]
            },
        ),
        ("PHQ-9", {"fields": [*PHQ9_FIELDS, "phq9_score"]}),
        (
            "Safety clearance",
            {"fields": ["safety_cleared_at", "safety_cleared_by_name", "safety_note"]},
        ),
        ("MIDAS", {"fields": [*MIDAS_FIELDS, "midas_score"]}),
        ("HIT-6", {"fields": ["hit6_total", "hit6_score"]}),
        ("Vitals", {"fields": [("bp_systolic", "bp_diastolic"), "weight_kg"]}),
        (
            "Services and consent",
            {
                "fields": [
                    "interests",
                    "heard_from",
                    "consent_signature",
                    "consent_version",
                    "consent_signed_at",
                ]
            },
        ),
    ]

    class Media:
        css = {"all": ["clinic/admin/intake.css"]}
        # After Django's jQuery (jquery.init.js), whose Select2 events it hears.
        js = ["admin/js/jquery.init.js", "clinic/admin/treatments.js"]

    entered_by_name = staff_name_display("entered_by", "entered by")
    # A saved intake's patient, shown as the picker shows them.
    patient_shown = patient_identity_field("patient__")
    safety_cleared_by_name = staff_name_display(
        "safety_cleared_by", "safety cleared by"
    )

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        # The patient's answers (every section but the first), shown in words when
        # the intake is only read.
        self.answer_displays = {
            name: answer_display(model._meta.get_field(name))
            for _, options in self.fieldsets[1:]
            for name in flatten_fieldsets([(None, options)])
            if name not in self.readonly_fields
        }

    @admin.display(description="record number", ordering="patient__record_number")
    def record_number(self, intake: Intake) -> str:
        return intake.patient.record_number

    @admin.display(description="patient", ordering="patient__last_name")
    def patient_name(self, intake: Intake) -> str:
        return f"{intake.patient.last_name}, {intake.patient.first_name}"

    @admin.display(description="born", ordering="patient__date_of_birth")
    def date_of_birth(self, intake: Intake) -> str:
        return f"{intake.patient.date_of_birth:%Y-%m-%d}"

    @admin.display(description="submitted", ordering="submitted_at")
    def submitted(self, intake: Intake) -> str:
        if intake.submitted_at is None:
            return "-"
        return f"{timezone.localtime(intake.submitted_at):%Y-%m-%d %H:%M}"

    @admin.display(description="phone")
    def phone(self, intake: Intake) -> str:
        return phone_last_four(intake.patient.mobile_phone)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "patient":
            # The chosen patient shows as the picker's results do, not as a bare
            # record number.
            field.label_from_instance = patient_identity
        return field

    @admin.display(description="PHQ-9 score")
    def phq9_score(self, intake: Intake) -> str:
        answers = intake.phq9_answers
        if answers is None:
            return "Not complete"
        score = scoring.phq9(answers)
        item9 = scoring.phq9_item9(answers)
        text = f"{score.total} / 27, {score.band}"
        if scoring.phq9_item9_positive(item9):
            return format_html("{} — <strong>item 9 = {}</strong>", text, item9)
        return text

    @admin.display(description="MIDAS score")
    def midas_score(self, intake: Intake) -> str:
        answers = intake.midas_answers
        if answers is None:
            return "Not complete"
        score = scoring.midas(answers)
        return f"{score.total}, {score.band}"

    @admin.display(description="HIT-6 impact")
    def hit6_score(self, intake: Intake) -> str:
        if intake.hit6_total is None:
            return "Not entered"
        return scoring.hit6(intake.hit6_total).band

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if obj is not None:
            context["subtitle"] = intake_title(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None:
            readonly += ["patient_shown", "source"]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.status == Intake.Status.SUBMITTED:
            kwargs["form"] = IntakeAmendmentForm
            return super().get_form(request, obj, change, **kwargs)
        kwargs["form"] = IntakeDraftForm
        form = super().get_form(request, obj, change, **kwargs)
        form.submitting = "_submit" in request.POST
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            # The patient is chosen once, when the intake is added; then shown.
            swap = {"patient": "patient_shown"}
            fieldsets = [
                (name, {**options, "fields": readable(options["fields"], swap)})
                for name, options in fieldsets
            ]
        if obj is not None and not self.has_change_permission(request, obj):
            # Read only (physicians, the manager): every answer in words.
            shown = self.answer_displays
            return [
                (name, {**options, "fields": readable(options["fields"], shown)})
                for name, options in fieldsets
            ]
        if obj is not None and obj.status == Intake.Status.SUBMITTED:
            amending = (
                "Amend this submitted intake",
                {
                    "fields": ["amendment_reason"],
                    "description": "A change to a submitted intake is recorded as an "
                    "amendment, with your reason, and the intake is routed again.",
                },
            )
            fieldsets.insert(0, amending)
        return fieldsets

    def get_changeform_initial_data(self, request):
        return {
            "source": Intake.Source.FRONT_DESK,
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        if change and obj.status == Intake.Status.SUBMITTED:
            return  # saved with its treatment rows by intake_amend (save_related)
        if not change:
            obj.entered_by = request.user
        intake_save(intake=obj)

    def save_related(self, request, form, formsets, change):
        intake = form.instance
        if not (change and intake.status == Intake.Status.SUBMITTED):
            return super().save_related(request, form, formsets, change)
        saved, removed = [], []
        for formset in formsets:
            saved += formset.save(commit=False)
            removed += formset.deleted_objects
        request.intake_amendment = intake_amend(
            intake=intake,
            user=request.user,
            reason=form.cleaned_data["amendment_reason"],
            treatments=saved,
            removed_treatments=removed,
        )

    def _alert_urgent_advice(self, request: HttpRequest, intake: Intake) -> None:
        """Put the advice the answers call for in front of the front desk."""
        for item in advice.urgent_advice_for(intake):
            staff = advice.STAFF_ADVICE[item.urgency]
            self.message_user(
                request,
                format_html("<strong>{}</strong> {}", staff.title, staff.text),
                messages.ERROR,
                extra_tags="clinical-alert",
            )

    def _submit(self, request: HttpRequest, obj: Intake):
        """Submit the draft just saved; say so once (Django's "changed successfully"
        would name it a draft)."""
        try:
            intake_submit(intake=obj, user=request.user)
        except ValidationError as error:
            self.message_user(
                request,
                f"Saved as a draft, not submitted: {' '.join(error.messages)}",
                messages.ERROR,
            )
            return HttpResponseRedirect(obj.get_absolute_url())
        self.message_user(
            request,
            format_html(
                "Intake for {} submitted. Routing… it runs in the background; what it "
                'did shows on <a href="{}">your home page</a> within seconds.',
                obj.patient,
                reverse("admin:index"),
            ),
            messages.SUCCESS,
        )
        self._alert_urgent_advice(request, obj)
        return self.response_post_save_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if "_submit" in request.POST:
            return self._submit(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if obj.status == Intake.Status.SUBMITTED and "_submit" not in request.POST:
            amendment = getattr(request, "intake_amendment", None)
            if amendment is None:
                self.message_user(
                    request, "Nothing was changed, so nothing was amended."
                )
                return HttpResponseRedirect(obj.get_absolute_url())
            self.message_user(
                request,
                f"Intake for {obj.patient} amended ({len(amendment.changes)} "
                "change(s)): it is being routed again.",
                messages.SUCCESS,
            )
            self._alert_urgent_advice(request, obj)
            return HttpResponseRedirect(obj.get_absolute_url())
        if "_submit" in request.POST:
            return self._submit(request, obj)
        return super().response_change(request, obj)


class DrugNameInline(admin.TabularInline):
    model = DrugName
    form = DrugNameForm
    fields = ["name"]
    extra = 1


@admin.register(Drug)
class DrugAdmin(admin.ModelAdmin):
    """The catalogue, found by any name a drug goes by: the staff drug picker too."""

    list_display = [
        "name",
        "other_names",
        "treatment_class",
        "default_intent",
        "rxnorm_ingredient",
    ]
    list_filter = ["treatment_class", "default_intent"]
    search_fields = ["name"]
    search_help_text = (
        "Generic, brand or Spanish name (Aimovig, sumatriptán); case and accents "
        "do not matter."
    )
    inlines = [DrugNameInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("names")

    @admin.display(description="other names")
    def other_names(self, drug: Drug) -> str:
        return ", ".join(other.name for other in drug.names.all())

    def autocomplete_label(self, drug: Drug) -> str:
        """The generic name, then the brands it goes by: "erenumab (Aimovig)"."""
        others = ", ".join(other.name for other in drug.names.all())
        return f"{drug.name} ({others})" if others else drug.name

    def autocomplete_extra(self, drug: Drug) -> dict:
        """What the treatment row fills in when the drug is chosen
        (clinic/static/clinic/admin/treatments.js)."""
        return {
            "treatment_class": drug.class_for(drug.default_intent),
            "intent": drug.default_intent,
        }

    def get_search_results(self, request, queryset, search_term):
        """Match the generic name, or any other name without case or accents.

        The treatment rows' drug autocomplete searches here, so staff can pick a
        drug by its brand and the row stores the generic drug.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        folded = fold_name(term)
        matches = queryset.filter(
            Q(name__icontains=term)
            | Q(name__icontains=folded)
            | Q(names__folded__contains=folded)
        )
        return matches.distinct(), True
