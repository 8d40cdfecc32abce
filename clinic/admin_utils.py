"""Admin pieces both apps share."""

import datetime

from django.contrib import admin
from django.utils import timezone


def staff_name(user) -> str:
    """A staff member as colleagues know them: the full name, else the login."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def staff_name_display(field: str, description: str):
    """An admin column or read-only field naming the staff member in ``field``."""

    @admin.display(description=description, ordering=field)
    def show(model_admin, obj) -> str:
        return staff_name(getattr(obj, field))

    return show


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
