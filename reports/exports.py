"""CSV of the reports, streamed: rows are written as they are read, never all held.

``csv_lines`` turns rows into CSV text one line at a time, for a
``StreamingHttpResponse`` or a file.
"""

import csv
import datetime
from collections.abc import Iterable, Iterator

from intake.models import Intake
from reports.selectors import Period, Report, submitted_in


class _Line:
    """A file-like object whose ``write`` hands back what ``csv.writer`` wrote."""

    def write(self, text: str) -> str:
        return text


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def csv_lines(columns: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header, then each row, as CSV lines."""
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def report_lines(report: Report, period: Period) -> Iterator[str]:
    table = report.build(period)
    return csv_lines(table.columns, table.rows)


def report_filename(report: Report, period: Period) -> str:
    return f"{report.slug}_{period.slug}.csv"


def patients_covered(period: Period) -> int:
    """The patients whose intakes a report of ``period`` counts."""
    return (
        Intake.objects.filter(submitted_in(period))
        .order_by()
        .values("patient")
        .distinct()
        .count()
    )
