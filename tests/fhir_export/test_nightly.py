"""The nightly job: the clinic's FHIR export in CLINIC_EXPORT_DIR/fhir/, whole."""

import datetime

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string

from clinic.models import AuditEntry
from clinic.worker import enqueue_due_periodic_tasks, run_ready_tasks
from fhir_export import export, mapping, services
from fhir_export.tasks import write_nightly_export
from intake.services import intake_submit
from tests.factories import IntakeFactory, PatientFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 30)


def exports():
    return AuditEntry.objects.filter(object_repr__startswith="export:")


def test_the_export_is_written_into_a_folder_of_the_day(tmp_path):
    intake_submit(intake=IntakeFactory())
    PatientFactory()

    folder = services.fhir_nightly_export_write(directory=tmp_path, day=DAY)

    assert folder == tmp_path / "fhir" / "2026-11-30"
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        f"{kind}.ndjson" for kind in export.RESOURCE_TYPES
    )
    assert len((folder / "Patient.ndjson").read_text().splitlines()) == 2
    assert [path.name for path in folder.parent.iterdir()] == ["2026-11-30"]
    entry = exports().latest("pk")
    assert entry.actor is None  # the worker, not a person
    assert entry.additional_data == {
        "export": "nightly FHIR export, 2026-11-30",
        "patients_covered": 2,
    }


def test_an_export_already_written_for_the_day_is_not_written_again(tmp_path):
    services.fhir_nightly_export_write(directory=tmp_path, day=DAY)
    before = exports().count()
    services.fhir_nightly_export_write(directory=tmp_path, day=DAY)
    assert exports().count() == before


def test_a_failing_export_leaves_no_half_folder(tmp_path, monkeypatch):
    PatientFactory()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(mapping, "patient", broken)
    with pytest.raises(RuntimeError):
        services.fhir_nightly_export_write(directory=tmp_path, day=DAY)
    assert list((tmp_path / "fhir").iterdir()) == []


def test_only_the_last_three_nights_are_kept(tmp_path):
    unrelated = tmp_path / "fhir" / "README.txt"
    unrelated.parent.mkdir()
    unrelated.write_text("Left alone.")
    for offset in range(5):
        services.fhir_nightly_export_write(
            directory=tmp_path, day=DAY + datetime.timedelta(days=offset)
        )
    assert sorted(path.name for path in (tmp_path / "fhir").iterdir()) == [
        "2026-12-02",
        "2026-12-03",
        "2026-12-04",
        "README.txt",
    ]


def test_the_worker_runs_the_export_nightly_into_the_export_folder(tmp_path, settings):
    settings.CLINIC_EXPORT_DIR = tmp_path
    entry = ("fhir-nightly-export", "fhir_export.tasks.write_nightly_export", 86400)
    assert entry in settings.PERIODIC_TASKS
    assert import_string(entry[1]) is write_nightly_export

    assert "fhir-nightly-export" in enqueue_due_periodic_tasks()
    run_ready_tasks()

    folder = tmp_path / "fhir" / timezone.localdate().isoformat()
    assert (folder / "Questionnaire.ndjson").exists()
    assert "fhir-nightly-export" not in enqueue_due_periodic_tasks()
