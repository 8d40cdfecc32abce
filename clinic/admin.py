"""The audit trail in the admin: read-only, for the clinic manager."""

from auditlog.admin import LogEntryAdmin
from django.contrib import admin

from clinic.models import AuditEntry

admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(LogEntryAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
