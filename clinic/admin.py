"""The audit trail in the admin: read-only, for the clinic manager."""

from auditlog.admin import LogEntryAdmin
from django.contrib import admin

from clinic.admin_utils import ReadOnlyAdminMixin
from clinic.models import AuditEntry

admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, LogEntryAdmin):
    """Who read or changed which record, when; nobody can add, change or delete."""

    list_display = [
        "created",
        "action",
        "patient",
        "resource_url",
        "msg_short",
        "user_url",
    ]
    list_filter = ["action", "actor", "timestamp"]
    search_fields = ["=patient"]
    search_help_text = "Patient record number, e.g. P-000123."
    show_full_result_count = False
