"""Writes of the reports app: the weekly CSV pack in the clinic's export folder."""

import shutil
import tempfile
from pathlib import Path

from clinic.audit import record_export
from intake.models import Intake
from reports.exports import patients_covered, report_filename, report_lines
from reports.selectors import REPORTS, Period

PACK_FOLDER = "weekly"
PACK_MODE = 0o750  # the owner writes; the analyst's pickup account (group) reads


def weekly_pack_write(*, period: Period, directory: Path) -> Path:
    """Write every report's CSV for ``period`` to ``directory/weekly/<start>_<end>/``.

    The files are written to a hidden folder beside the pack's and renamed into place
    at once, so whoever picks the pack up never finds half of it; a pack already
    there is left as it is, so running twice writes it once. The export is recorded
    in the audit trail, naming how many patients the period covers.
    """
    target = directory / PACK_FOLDER / period.slug
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{period.slug}-", dir=target.parent))
    try:
        for report in REPORTS:
            path = staging / report_filename(report, period)
            with path.open("w", newline="", encoding="utf-8") as file:
                file.writelines(report_lines(report, period))
        staging.chmod(PACK_MODE)
        record_export(
            model=Intake,
            what=f"weekly CSV pack, {period.start} to {period.end}",
            patients=patients_covered(period),
        )
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
