"""Admin pieces both apps share."""

import datetime

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_list import ResultList, results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
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


def quick_results(cl):
    """The rows of a changelist as Django's ``items_for_result`` renders them,
    with what does not change from row to row (which field or method a column
    shows, whether it is the link) worked out once per page instead of once per
    cell. A list it does not cover (a popup, list_editable, a column other than a
    model field or a method of the admin) is rendered by Django's own code;
    tests/test_admin_rows.py compares the two."""
    links = cl.list_display_links
    if cl.formset or cl.is_popup or cl.to_field or not links:
        yield from results(cl)
        return
    columns = []
    for name in cl.list_display:
        column = _quick_column(cl, name, is_link=name in links)
        if column is None:
            yield from results(cl)
            return
        columns.append(column)
    empty = cl.model_admin.get_empty_value_display()
    for result in cl.result_list:
        yield ResultList(None, _quick_items(cl, result, columns, empty))


def _quick_column(cl, name, *, is_link: bool):
    """(name, model field or None, admin method or None, is_link), or None where
    Django's own lookup is needed."""
    if not isinstance(name, str):
        return None
    try:
        field = cl.lookup_opts.get_field(name)
    except FieldDoesNotExist:
        method = getattr(cl.model_admin, name, None)
        if name == "__str__" or not callable(method):
            return None
        return name, None, method, is_link
    if (
        field.name != name
        or field.auto_created
        or (
            field.is_relation and (not field.many_to_one or field.related_model is None)
        )
    ):
        return None
    return name, field, None, is_link


def _quick_items(cl, result, columns, empty):
    """One row's cells, as ``items_for_result`` (Django 5.2) writes them."""
    first = True
    for name, field, method, is_link in columns:
        classes = [f"field-{name}"]
        try:
            value = getattr(result, name) if field is not None else method(result)
        except ObjectDoesNotExist:
            result_repr = empty
        else:
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if field is None:
                if name == "action_checkbox":
                    classes = ["action-checkbox"]
                result_repr = display_for_value(
                    value,
                    getattr(method, "empty_value_display", empty),
                    getattr(method, "boolean", False),
                )
                if isinstance(value, (datetime.date, datetime.time)):
                    classes.append("nowrap")
            else:
                if isinstance(field.remote_field, models.ManyToOneRel):
                    result_repr = empty if value is None else value
                else:
                    result_repr = display_for_field(
                        value, field, empty, avoid_link=is_link
                    )
                if isinstance(
                    field, (models.DateField, models.TimeField, models.ForeignKey)
                ):
                    classes.append("nowrap")
        row_class = f' class="{" ".join(classes)}"'
        result_repr = conditional_escape(result_repr)
        if is_link:
            tag = "th" if first else "td"
            first = False
            url = conditional_escape(cl.url_for_result(result))
            yield mark_safe(
                f'<{tag}{row_class}><a href="{url}">{result_repr}</a></{tag}>'
            )
        else:
            yield mark_safe(f"<td{row_class}>{result_repr}</td>")


class QuickRowsMixin:
    """A changelist whose rows cost less to render (staff lists of patients'
    records, measured in ``make bench``): links built once per page
    (``QuickRowsChangeList``), each row's cells written by ``quick_results``, the
    action checkbox written directly (the same HTML Django's widget renders
    through a template for each row), and, where ``list_columns`` names them,
    only the columns the list shows read."""

    # The columns a list row reads (``QuerySet.only``), for models with many more;
    # None reads them all.
    list_columns: list[str] | None = None

    # A list with a template of its own names it; that template extends this one.
    change_list_template = "admin/quick_rows_change_list.html"

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
