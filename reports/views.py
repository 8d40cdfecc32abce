"""The operations reports page and its CSV files, served inside the admin.

The page shows each report of ``reports.selectors.REPORTS`` for a chosen period: a
chart drawn on the server (``reports.charts``) beside its table. The figures are
aggregates, not patient records, so viewing the page is not a read of any patient;
downloading a report's CSV is recorded as an export naming how many patients the
period covers.
"""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render

from clinic.audit import record_export
from intake.models import Intake
from referrals.views import StaffView
from reports import charts, exports
from reports.forms import PRESET_WEEKS, period_form, weeks_to_today
from reports.models import VIEW_REPORTS
from reports.selectors import REPORT_BY_SLUG, REPORTS, Table


def _short(label: str) -> str:
    """A treatment class's name without its examples in brackets."""
    return label.split(" (")[0]


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
        _series(t, 3),
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
        [_short(label) for label in _column(t, 0)],
        _series(t, 1),
    ),
}


def _cells(table: Table) -> list[list[tuple]]:
    """Each value with whether it is a number (aligned right)."""
    return [
        [
            (value, isinstance(value, int | float) and not isinstance(value, bool))
            for value in row
        ]
        for row in table.rows
    ]


class ReportsView(StaffView):
    permission_required = VIEW_REPORTS

    def get(self, request):
        form = period_form(request.GET)
        period = form.period
        sections = []
        for report in REPORTS:
            table = report.build(period)
            chart = CHARTS.get(report.slug)
            sections.append(
                {
                    "report": report,
                    "columns": table.columns,
                    "rows": _cells(table),
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
