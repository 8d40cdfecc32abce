"""Admin pieces both apps share."""

import datetime

from django.utils import timezone


def today_start() -> datetime.datetime:
    """Midnight at the clinic (settings.TIME_ZONE), where the admin's "Today" date
    filter starts."""
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


class ReadOnlyAdminMixin:
    """Records shown in the admin that nobody adds, changes or deletes there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
