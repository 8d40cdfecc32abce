"""The nightly job: last week's CSV pack in CLINIC_EXPORT_DIR, written once, whole."""

import csv
import datetime

import pytest
from django.utils.module_loading import import_string

from clinic.models import AuditEntry
from clinic.worker import enqueue_due_periodic_tasks
from intake.models import Intake
from reports import selectors, services
from reports.forms import last_full_week
from reports.tasks import write_weekly_pack
from tests.reports.world import at, submitted_intake

pytestmark = pytest.mark.django_db

WEEK = selectors.Period(datetime.date(2026, 11, 2), datetime.date(2026, 11, 8))


def test_last_full_week_is_monday_to_sunday_before_this_week():
    tuesday = datetime.date(2026, 11, 10)
    assert last_full_week(tuesday) == WEEK
    assert last_full_week(datetime.date(2026, 11, 9)) == WEEK  # on the Monday after


def test_the_pack_holds_every_reports_csv_of_the_week(tmp_path):
    submitted_intake(at(3), Intake.Source.ONLINE)
    submitted_intake(at(4))
    submitted_intake(at(10))  # the next week

    pack = services.weekly_pack_write(period=WEEK, directory=tmp_path)

    assert pack == tmp_path / "weekly" / "2026-11-02_2026-11-08"
    assert sorted(path.name for path in pack.iterdir()) == sorted(
        f"{report.slug}_2026-11-02_2026-11-08.csv" for report in selectors.REPORTS
    )
    with (pack / "intakes-per-week_2026-11-02_2026-11-08.csv").open() as file:
        assert list(csv.reader(file)) == [
            ["week", "online", "front desk", "total"],
            ["2026-11-02", "1", "1", "2"],
        ]
    assert not [path for path in pack.parent.iterdir() if path.name.startswith(".")]
    entry = AuditEntry.objects.latest("pk")
    assert entry.actor is None  # the worker, not a person
    assert entry.additional_data == {
        "export": "weekly CSV pack, 2026-11-02 to 2026-11-08",
        "patients_covered": 2,
    }


def test_a_pack_already_written_is_not_written_again(tmp_path):
    services.weekly_pack_write(period=WEEK, directory=tmp_path)
    exports = AuditEntry.objects.filter(object_repr__startswith="export:").count()

    services.weekly_pack_write(period=WEEK, directory=tmp_path)

    assert (
        AuditEntry.objects.filter(object_repr__startswith="export:").count() == exports
    )


def test_a_failing_report_leaves_no_half_pack(tmp_path, monkeypatch):
    def broken(period):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(
        selectors,
        "REPORTS",
        (*selectors.REPORTS[:3], selectors.Report("broken", "Broken", broken)),
    )
    monkeypatch.setattr(services, "REPORTS", selectors.REPORTS)

    with pytest.raises(RuntimeError):
        services.weekly_pack_write(period=WEEK, directory=tmp_path)

    assert list((tmp_path / "weekly").iterdir()) == []


def test_the_worker_runs_the_pack_nightly_into_the_export_folder(tmp_path, settings):
    settings.CLINIC_EXPORT_DIR = tmp_path
    assert ("weekly-csv-pack", "reports.tasks.write_weekly_pack", 86400) in (
        settings.PERIODIC_TASKS
    )
    assert import_string("reports.tasks.write_weekly_pack") is write_weekly_pack

    written = write_weekly_pack.call()

    assert written == str(tmp_path / "weekly" / last_full_week().slug)
    assert "weekly-csv-pack" in enqueue_due_periodic_tasks()
