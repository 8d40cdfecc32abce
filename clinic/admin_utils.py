"""Admin pieces both apps share."""

import datetime

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext


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


# Stands for a row's primary key in a change link built once per page.
ROW_PK = "__row_pk__"
# Django's own label of a row's action checkbox, translated by Django's catalogue.
ACTION_CHECKBOX_LABEL = "Select this object for an action - {}"


class QuickRowsChangeList(ChangeList):
    """The stock changelist, each row's link built once per page.

    Django reverses each row's change URL and, on a searched or filtered list,
    resolves it again to add the preserved filters: per row, a third of a
    50-row search page's rendering (profiled on the patient search). Here the
    link, filters and all, is built once with a stand-in key, and each row's key
    is put in its place: the same links.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(ROW_PK,),
            current_app=self.model_admin.admin_site.name,
        )
        self.row_url = add_preserved_filters(
            {"preserved_filters": self.preserved_filters, "opts": self.opts}, url
        )
        # Already in row_url: the stock row rendering would add them again.
        self.preserved_filters = ""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if self.model_admin.list_columns:
            queryset = queryset.only(*self.model_admin.list_columns)
        return queryset

    def url_for_result(self, result) -> str:
        return self.row_url.replace(
            ROW_PK, str(quote(getattr(result, self.pk_attname))), 1
        )


class QuickRowsMixin:
    """A changelist whose rows cost less to render (staff lists of patients'
    records, measured in ``make bench``): links built once per page
    (``QuickRowsChangeList``), the action checkbox written directly (the same
    HTML Django's widget renders through a template for each row), and, where
    ``list_columns`` names them, only the columns the list shows read."""

    # The columns a list row reads (``QuerySet.only``), for models with many more;
    # None reads them all.
    list_columns: list[str] | None = None

    def get_changelist(self, request, **kwargs):
        return QuickRowsChangeList

    def action_checkbox(self, obj) -> str:
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            gettext(ACTION_CHECKBOX_LABEL).format(obj),
        )
