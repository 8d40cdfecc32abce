"""The clinic manager's pages that belong to no app: the audit trail and the e-mail."""

from auditlog.admin import LogEntryAdmin
from auditlog.render import get_field_verbose_name
from django.contrib import admin, messages
from django.db.models import Q
from post_office.models import STATUS

from clinic import mail
from clinic.admin_utils import ReadOnlyAdminMixin
from clinic.models import AuditEntry, OutgoingMail

admin.site.unregister(AuditEntry)

# Record numbers of a list page's entry shown in the trail's list.
LISTED = 5


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, LogEntryAdmin):
    """Who read or changed which record, when; nobody can add, change or delete."""

    list_display = [
        "created",
        "action",
        "patients",
        "resource_url",
        "msg_short",
        "user_url",
    ]
    list_filter = ["action", "actor", "timestamp"]
    search_fields = ["=patient"]
    search_help_text = (
        "Patient record number, e.g. P-000123: entries about that patient and the "
        "list and search pages that showed them."
    )
    show_full_result_count = False

    @admin.display(description="patient")
    def patients(self, entry: AuditEntry) -> str:
        """The entry's patient, the record numbers a list page showed, or how many
        patients an export covered."""
        if entry.patient:
            return entry.patient
        data = entry.additional_data or {}
        if "patients_covered" in data:
            return f"{data['patients_covered']} patients (export)"
        shown = data.get("patients", [])
        if len(shown) > LISTED:
            return f"{', '.join(shown[:LISTED])} and {len(shown) - LISTED} more"
        return ", ".join(shown)

    @admin.display(description="changes")
    def msg_short(self, entry: AuditEntry) -> str:
        """How many fields changed, by the names the staff pages give them
        ("Accepts referrals", not "accepts_referrals")."""
        if entry.action in (AuditEntry.Action.DELETE, AuditEntry.Action.ACCESS):
            return ""
        names = [
            str(get_field_verbose_name(entry, name)) for name in entry.changes_dict
        ]
        count = len(names)
        return f"{count} change{'' if count == 1 else 's'}: {', '.join(names)}"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().upper()
        if not term:
            return queryset, False
        # A list page's entry names its patients in additional_data (clinic/audit.py).
        return queryset.filter(
            Q(patient=term) | Q(additional_data__patients__icontains=f'"{term}"')
        ), False


class MailProblemFilter(admin.SimpleListFilter):
    """E-mail that failed, or is stuck (``mail.stuck``): the home page's links."""

    title = "problem"
    parameter_name = "problem"

    def lookups(self, request, model_admin):
        return [("failed", "Failed"), ("stuck", "Stuck: not sent yet after a while")]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(status=STATUS.failed)
        if self.value() == "stuck":
            return queryset.filter(pk__in=mail.stuck().values("pk"))
        return queryset


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Queued and failed e-mail for the clinic manager: recipient masked, no body;
    "Resend" puts failed messages back in the queue."""

    list_display = [
        "created",
        "recipient",
        "subject",
        "state",
        "attempts",
        "next_attempt",
    ]
    list_filter = [MailProblemFilter, "status"]
    fields = list_display
    readonly_fields = list_display
    actions = ["resend"]
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .only(
                "created",
                "to",
                "subject",
                "status",
                "number_of_retries",
                "scheduled_time",
            )
        )

    @admin.display(description="to")
    def recipient(self, email: OutgoingMail) -> str:
        return ", ".join(mail.masked_address(address) for address in email.to)

    @admin.display(description="where it stands", ordering="status")
    def state(self, email: OutgoingMail) -> str:
        return {
            "sent": "Sent",
            "failed": "FAILED: not sent; resend it once the mail server answers",
            "queued": "Waiting to be sent",
        }[mail.delivery_state(email)]

    @admin.display(description="failed attempts")
    def attempts(self, email: OutgoingMail) -> int:
        return email.number_of_retries or 0

    @admin.display(description="next attempt")
    def next_attempt(self, email: OutgoingMail):
        if mail.delivery_state(email) != "queued":
            return "—"
        return email.scheduled_time or "now"

    @admin.action(
        description="Resend the selected failed e-mail", permissions=["resend"]
    )
    def resend(self, request, queryset):
        failed = [email for email in queryset if mail.delivery_state(email) == "failed"]
        for email in failed:
            mail.mail_resend(email=email)
        self.message_user(
            request,
            f"{len(failed)} failed e-mail queued again; {len(queryset) - len(failed)} "
            "selected were not failed and were left alone.",
            messages.SUCCESS,
        )

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("clinic.resend_outgoingmail")
