"""The operations reports page, its CSV files and the staff lists' CSV files, served
inside the admin.

The page shows each report of ``reports.selectors.REPORTS`` for a chosen period: a
chart drawn on the server (``reports.charts``) beside its table. The figures are
aggregates, not patient records, so viewing the page is not a read of any patient;
downloading a report's CSV is recorded as an export naming how many patients the
period covers, and so is every staff list's CSV (``reports.lists``).
"""

import copy

from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpResponseBadRequest,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone

from clinic.audit import record_export
from intake.models import Intake
from referrals.views import StaffView
from reports import charts, exports
from reports.forms import PRESET_WEEKS, ColumnsForm, period_form, weeks_to_today
from reports.lists import STAFF_LIST_BY_SLUG, STAFF_LISTS, StaffList
from reports.models import EXPORT_IDENTIFIED, VIEW_REPORTS
from reports.selectors import REPORT_BY_SLUG, REPORTS, Table


def _column(table: Table, index: int) -> list:
    return [row[index] for row in table.rows]


def _series(table: Table, *indexes: int) -> list[tuple[str, list]]:
    return [(table.columns[index], _column(table, index)) for index in indexes]


# Report slug -> its chart, drawn from its table; a report without one is a table.
CHARTS = {
    "intakes-per-week": lambda t: charts.weekly(
        "Intakes per week", _column(t, 0), _series(t, 1, 2)
    ),
    "draft-stopping-steps": lambda t: charts.bars(
        "Unsent online forms by the step they stopped at",
        [f"{number}. {title}" for number, title, _ in t.rows],
        _series(t, 2),
    ),
    "routing-outcomes": lambda t: charts.bars(
        "Routing outcomes per service",
        _column(t, 0),
        _series(t, 1, 2, 3, 4, 5),
        stacked=True,
    ),
    "deciding-reasons": lambda t: charts.bars(
        "Reasons deciding most often",
        _column(t, 0),
        _series(t, 4),
    ),
    "holds": lambda t: charts.bars(
        "Hours from submission to clearance",
        _column(t, 0),
        _series(t, 4, 5),
    ),
    "decision-time-by-service": lambda t: charts.bars(
        "Hours from submission to the physician's decision",
        _column(t, 0),
        _series(t, 2, 3),
    ),
    "decision-time-by-week": lambda t: charts.weekly(
        "Hours from submission to the physician's decision, by week",
        _column(t, 0),
        _series(t, 2, 3),
        lines=True,
    ),
    "referral-funnel": lambda t: charts.bars(
        "Referrals and how far they got",
        _column(t, 0),
        _series(t, 1, 9, 10, 11),
    ),
    "botox-waitlist": lambda t: charts.weekly(
        "Patients on the Botox waitlist",
        _column(t, 0),
        _series(t, 3),
        lines=True,
    ),
    "failed-treatment-classes": lambda t: charts.bars(
        "Patients who tried each class without benefit",
        _column(t, 0),
        _series(t, 1),
    ),
}


# Reports whose table reads better turned on its side: a column per service.
TURNED = {"referral-funnel"}


def _cells(rows) -> list[list[tuple]]:
    """Each value with whether it is a number or empty (both aligned right)."""
    return [
        [
            (
                value,
                value is None
                or isinstance(value, int | float)
                and not isinstance(value, bool),
            )
            for value in row
        ]
        for row in rows
    ]


def _turned(table: Table) -> Table:
    """The table with its rows as columns: the first column becomes the heading."""
    columns = (table.columns[0], *(row[0] for row in table.rows))
    rows = [
        (heading, *(row[index] for row in table.rows))
        for index, heading in enumerate(table.columns[1:], 1)
    ]
    return Table(columns, rows)


class ReportsView(StaffView):
    permission_required = VIEW_REPORTS

    def get(self, request):
        form = period_form(request.GET)
        period = form.period
        sections = []
        for report in REPORTS:
            table = report.build(period)
            chart = CHARTS.get(report.slug)
            shown = _turned(table) if report.slug in TURNED else table
            sections.append(
                {
                    "report": report,
                    "columns": shown.columns,
                    "rows": _cells(shown.rows),
                    "chart": chart(table) if chart else None,
                }
            )
        context = {
            **self.admin_context(request, "Operations reports"),
            "form": form,
            "period": period,
            "presets": [(weeks, weeks_to_today(weeks)) for weeks in PRESET_WEEKS],
            "sections": sections,
        }
        return render(request, "admin/reports/reports.html", context)


class ReportCSVView(StaffView):
    """One report's rows for the chosen period, as a CSV file."""

    permission_required = VIEW_REPORTS

    def get(self, request, slug: str):
        report = REPORT_BY_SLUG.get(slug)
        if report is None:
            raise Http404
        period = period_form(request.GET).period
        record_export(
            model=Intake,
            what=f"{report.title}, {period.start} to {period.end}",
            patients=exports.patients_covered(period),
        )
        response = StreamingHttpResponse(
            exports.report_lines(report, period), content_type="text/csv"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{exports.report_filename(report, period)}"'
        )
        return response


# The admin list page's query string, carried to its export: filters and search.
FILTERS = "filters"
PAGE_PARAMETER = "p"  # which page of the list: every page is exported


def listed_rows(request, admin_site, staff_list: StaffList, filters: str) -> QuerySet:
    """The rows the staff list's admin page selects with ``filters`` (its query
    string), every page of them, as that page's own filters and search select them.

    Raises ``IncorrectLookupParameters`` for filters the page does not have.
    """
    listing = copy.copy(request)
    listing.GET = QueryDict(filters, mutable=True)
    listing.GET.pop(PAGE_PARAMETER, None)
    model_admin = admin_site.get_model_admin(staff_list.model)
    changelist = model_admin.get_changelist_instance(listing)
    return changelist.get_queryset(listing)


class ListExportView(StaffView):
    """The staff lists the user may view, each with its columns to choose; from an
    admin list page (``?list=<slug>&filters=<its query string>``), that list alone,
    as filtered and searched there."""

    def has_permission(self):
        return any(
            self.request.user.has_perm(staff_list.permission)
            for staff_list in STAFF_LISTS
        )

    def get(self, request):
        lists = [
            staff_list
            for staff_list in STAFF_LISTS
            if request.user.has_perm(staff_list.permission)
        ]
        chosen = STAFF_LIST_BY_SLUG.get(request.GET.get("list", ""))
        filters = request.GET.get(FILTERS, "")
        if chosen in lists:
            lists = [chosen]
        else:
            chosen, filters = None, ""
        exports_ = [
            {
                "list": staff_list,
                "form": ColumnsForm(
                    prefix=staff_list.slug,
                    choices=staff_list.columns_for(request.user),
                ),
            }
            for staff_list in lists
        ]
        context = {
            **self.admin_context(request, "Export staff lists"),
            "exports": exports_,
            "chosen": chosen,
            "filters": filters,
            "identified": request.user.has_perm(EXPORT_IDENTIFIED),
        }
        return render(request, "admin/reports/list_exports.html", context)


class ListCSVView(StaffView):
    """One staff list, the chosen columns, every row, as a streamed CSV file."""

    def has_permission(self):
        staff_list = STAFF_LIST_BY_SLUG.get(self.kwargs["slug"])
        return staff_list is not None and self.request.user.has_perm(
            staff_list.permission
        )

    def get(self, request, slug: str):
        staff_list = STAFF_LIST_BY_SLUG[slug]
        form = ColumnsForm(
            request.GET, prefix=slug, choices=staff_list.columns_for(request.user)
        )
        if not form.is_valid():
            return HttpResponseBadRequest(
                "Choose at least one column, among those your role may export."
            )
        columns = form.cleaned_data["columns"]
        filters = request.GET.get(FILTERS, "")
        listed = None
        if filters:
            try:
                listed = listed_rows(request, self.admin_site, staff_list, filters)
            except IncorrectLookupParameters:
                return HttpResponseBadRequest("The list's filters are not valid.")
        queryset = staff_list.queryset(listed)
        # What was searched for is never recorded, only that the list was filtered.
        which = " as filtered" if filters else ""
        record_export(
            model=staff_list.model,
            what=f"{staff_list.title} list{which} ({', '.join(columns)})",
            patients=staff_list.patients(queryset),
        )
        response = StreamingHttpResponse(
            staff_list.lines(queryset, columns), content_type="text/csv"
        )
        filename = f"{slug}_{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
