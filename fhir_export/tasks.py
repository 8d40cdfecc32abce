"""The FHIR export's background task: thin, it calls the service doing the work."""

from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from fhir_export import services


@task(queue_name=settings.EXPORTS_QUEUE)
def write_nightly_export() -> str:
    """Write the FHIR export to ``CLINIC_EXPORT_DIR/fhir/<day>/`` (nightly)."""
    folder = services.fhir_nightly_export_write(
        directory=Path(settings.CLINIC_EXPORT_DIR), day=timezone.localdate()
    )
    return str(folder)
