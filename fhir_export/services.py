"""The FHIR exports that leave files: each recorded in the audit trail first."""

import datetime
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from clinic.audit import record_export
from fhir_export.export import write_ndjson
from intake.models import Patient

NIGHTLY_FOLDER = "fhir"
# Nightly exports kept: tonight's and the two before it, for an EHR that missed a
# night. Each is the whole clinic's records, so older ones are deleted.
NIGHTLY_KEPT = 3
NIGHTLY_MODE = 0o750  # the owner writes; the EHR's pickup account (group) reads
DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def fhir_export_write(*, directory: Path, what: str) -> Counter:
    """Write the whole clinic as FHIR NDJSON into ``directory``; return the counts.

    Recorded in the audit trail before a file is written, naming how many patients
    the export covers.
    """
    record_export(model=Patient, what=what, patients=Patient.objects.count())
    return write_ndjson(directory)


def fhir_nightly_export_write(*, directory: Path, day: datetime.date) -> Path:
    """Write ``day``'s export to ``directory/fhir/<day>/``; return that folder.

    The files are written to a hidden folder beside it and renamed into place at
    once, so the EHR never picks up half an export; an export already there for
    ``day`` is left as it is, so running twice writes it once. Exports older than
    the last ``NIGHTLY_KEPT`` are deleted.
    """
    target = directory / NIGHTLY_FOLDER / day.isoformat()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{day.isoformat()}-", dir=target.parent))
    try:
        fhir_export_write(directory=staging, what=f"nightly FHIR export, {day}")
        staging.chmod(NIGHTLY_MODE)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    days = sorted(
        path for path in target.parent.iterdir() if DAY_FOLDER.match(path.name)
    )
    for old in days[:-NIGHTLY_KEPT]:
        shutil.rmtree(old)
    return target
