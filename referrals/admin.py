"""The referral workflow in the admin: queue, review, services, referrals, decisions."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from clinic.admin_utils import (
    QuickRowsMixin,
    ReadOnlyAdminMixin,
    staff_name,
    staff_name_display,
    today_start,
)
from intake.admin_mixins import (
    AuditedReadMixin,
    PatientSearchMixin,
    patient_identity_field,
    patient_who_column,
)
from referrals import services, views
from referrals.models import (
    VIEW_LETTER,
    VIEW_QUEUE,
    QueueEntry,
    Referral,
    RoutingDecision,
    Service,
)


@admin.register(QueueEntry)
class QueueEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The physicians' review queue and review pages, listed in the admin index."""

    def get_urls(self):
        site = self.admin_site

        def view(cls):
            return site.admin_view(cls.as_view(admin_site=site))

        return [
            path("", view(views.QueueView), name="referrals_queueentry_changelist"),
            path(
                "intake/<uuid:intake_id>/",
                view(views.ReviewView),
                name="referrals_review",
            ),
            path(
                "intake/<uuid:intake_id>/route-again/",
                view(views.RouteAgainView),
                name="referrals_route_again",
            ),
            path(
                "intake/<uuid:intake_id>/next/",
                view(views.NextInQueueView),
                name="referrals_next_in_queue",
            ),
            path(
                "intake/<uuid:intake_id>/approve-recommended/",
                view(views.ApproveRecommendedView),
                name="referrals_approve_recommended",
            ),
            path(
                "intake/<uuid:intake_id>/override/<slug:service_code>/",
                view(views.OverrideView),
                name="referrals_override",
            ),
            path(
                "decision/<uuid:decision_id>/clear-hold/",
                view(views.ClearHoldView),
                name="referrals_clear_hold",
            ),
            path(
                "referral/<uuid:referral_id>/decide/",
                view(views.ReferralDecideView),
                name="referrals_decide",
            ),
            path(
                "intake/<uuid:intake_id>/botox-letter/",
                view(views.BotoxLetterView),
                name="referrals_botox_letter",
            ),
            path(
                "intake/<uuid:intake_id>/botox-letter.pdf",
                view(views.BotoxLetterPdfView),
                name="referrals_botox_letter_pdf",
            ),
        ]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_QUEUE)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "status_label", "contact_email"]
    readonly_fields = ["code", "accepts_referrals"]
    fields = ["code", "name", "description", "accepts_referrals", "contact_email"]
    actions = ["open_services", "close_services"]

    def has_add_permission(self, request):
        return False  # one service per routing code, created by a migration

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="status")
    def status_label(self, service: Service) -> str:
        return service.status_label

    @admin.action(
        description="Open for referrals (waitlisted patients go to review)",
        permissions=["change"],
    )
    def open_services(self, request, queryset):
        """Asks first: opening moves the whole waitlist into the physicians' queue."""
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Open for referrals?",
                "opts": self.model._meta,
                "opening": [
                    (service, service.referrals.waitlisted().count())
                    for service in queryset
                ],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/referrals/service/open_confirm.html", context
            )
        for service in queryset:
            waiting = service.referrals.waitlisted().count()
            services.service_open(service=service, user=request.user)
            self.message_user(
                request,
                f"{service.name} is open: {waiting} waitlisted referral(s) moved to "
                "physician review.",
                messages.SUCCESS,
            )

    @admin.action(description="Mark as coming soon", permissions=["change"])
    def close_services(self, request, queryset):
        closed = []
        for service in queryset:
            services.service_close(service=service)
            closed.append(service.name)
        self.message_user(
            request,
            f"Marked as coming soon: {', '.join(closed)}. New eligible patients go on "
            "the waitlist.",
            messages.SUCCESS,
        )


class DecidedByMeFilter(admin.SimpleListFilter):
    """Referrals the signed-in physician decided (the home page's "decided today")."""

    title = "decided by"
    parameter_name = "decided"

    def lookups(self, request, model_admin):
        return [("me-today", "Me, today"), ("me", "Me")]

    def queryset(self, request, queryset):
        if self.value() == "me-today":
            return queryset.filter(
                decided_by=request.user, decided_at__gte=today_start()
            )
        if self.value() == "me":
            return queryset.filter(decided_by=request.user)
        return queryset


@admin.register(Referral)
class ReferralAdmin(
    QuickRowsMixin,
    ReadOnlyAdminMixin,
    AuditedReadMixin,
    PatientSearchMixin,
    admin.ModelAdmin,
):
    patient_prefix = "intake__patient__"
    change_form_template = "admin/referrals/referral/change_form.html"
    change_list_template = "admin/referrals/referral/change_list.html"
    list_display = [
        "record_number",
        "patient",
        "service",
        "status",
        "recommended_outcome",
        "overridden",
        "decided_by_name",
        "appointment_at",
        "created",
    ]
    list_filter = [
        "status",
        "service",
        "recommended_outcome",
        "override",
        DecidedByMeFilter,
    ]
    list_select_related = ["intake__patient", "service", "decided_by"]
    search_fields = ["intake__patient__record_number"]
    show_full_result_count = False
    list_per_page = 50
    date_hierarchy = None
    fields = [
        "patient_shown",
        "review_link",
        "service",
        "status",
        "recommended_outcome",
        "reasons_list",
        "override",
        "decided_by_name",
        "decided_at",
        "note",
        "appointment_at",
        "appointment_provider",
        "appointment_location",
        "cancel_reason",
        "created",
    ]
    readonly_fields = fields
    decided_by_name = staff_name_display("decided_by", "decided by")
    patient = patient_who_column("intake__patient__")
    patient_shown = patient_identity_field("intake__patient__")
    view_on_site = False

    @admin.display(description="override", boolean=True, ordering="override")
    def overridden(self, referral: Referral) -> bool:
        """The override flag under a heading as narrow as its icon."""
        return referral.override

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not request.user.has_perm(VIEW_QUEUE):
            fields.remove("review_link")  # front desk does not work the queue
        return fields

    def get_urls(self):
        site = self.admin_site

        def view(cls):
            return site.admin_view(cls.as_view(admin_site=site))

        return [
            path(
                "<uuid:referral_id>/letter/",
                view(views.LetterView),
                name="referrals_referral_letter",
            ),
            path(
                "<uuid:referral_id>/letter.pdf",
                view(views.LetterPdfView),
                name="referrals_referral_letter_pdf",
            ),
            path(
                "<uuid:referral_id>/transition/<slug:name>/",
                view(views.ReferralTransitionView),
                name="referrals_referral_transition",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("intake__patient", "service", "decided_by")
        )

    @admin.display(
        description="record number", ordering="intake__patient__record_number"
    )
    def record_number(self, referral: Referral) -> str:
        return referral.intake.patient.record_number

    @admin.display(description="review page")
    def review_link(self, referral: Referral) -> str:
        return format_html(
            '<a href="{}">Open the intake\'s review page</a>',
            reverse("admin:referrals_review", args=[referral.intake_id]),
        )

    @admin.display(description="engine's reasons")
    def reasons_list(self, referral: Referral) -> str:
        if not referral.reasons:
            return "None: recommended without cautions"
        return format_html(
            "<ul>{}</ul>",
            format_html(
                "".join(
                    format_html("<li><code>{}</code> {}</li>", r["code"], r["text"])
                    for r in referral.reasons
                )
            ),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        referral = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if referral is not None:
            offered = [
                transition
                for transition in referral.get_available_user_status_transitions(
                    request.user
                )
                if "button" in transition.custom
            ]
            # The way forward first, cancelling last.
            offered.sort(key=lambda t: t.target == Referral.Status.CANCELLED)
            extra_context["transitions"] = [
                (transition.name, transition.custom["button"]) for transition in offered
            ]
            extra_context["can_letter"] = referral.has_letter and request.user.has_perm(
                VIEW_LETTER
            )
            extra_context["events"] = [
                (event, staff_name(event.actor))
                for event in referral.events.select_related("actor")
            ]
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(
    QuickRowsMixin,
    ReadOnlyAdminMixin,
    AuditedReadMixin,
    PatientSearchMixin,
    admin.ModelAdmin,
):
    patient_prefix = "intake__patient__"
    list_display = [
        "short_id",
        "record_number",
        "patient",
        "status",
        "hold_tier",
        "rules_version",
        "created",
        "superseded_at",
        "cleared_by_name",
    ]
    list_filter = ["status", "hold_tier", "rules_version"]
    list_select_related = ["intake__patient", "cleared_by"]
    search_fields = ["intake__patient__record_number"]
    show_full_result_count = False
    list_per_page = 50
    fields = [
        "patient_shown",
        "review_link",
        "status",
        "hold_tier",
        "rules_version",
        "created",
        "superseded_at",
        "error",
        "cleared_by_name",
        "cleared_at",
        "cleared_note",
        "decision",
        "facts",
    ]
    readonly_fields = fields
    view_on_site = False
    cleared_by_name = staff_name_display("cleared_by", "hold cleared by")
    patient = patient_who_column("intake__patient__")
    patient_shown = patient_identity_field("intake__patient__")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("intake__patient")

    @admin.display(description="decision")
    def short_id(self, decision: RoutingDecision) -> str:
        return str(decision)

    @admin.display(
        description="record number", ordering="intake__patient__record_number"
    )
    def record_number(self, decision: RoutingDecision) -> str:
        return decision.intake.patient.record_number

    @admin.display(description="review page")
    def review_link(self, decision: RoutingDecision) -> str:
        return format_html(
            '<a href="{}">Open the intake\'s review page</a>',
            reverse("admin:referrals_review", args=[decision.intake_id]),
        )
