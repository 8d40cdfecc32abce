"""The reports app's background task: thin, it calls the service doing the work."""

from pathlib import Path

from django.conf import settings
from django_tasks import task

from reports import services
from reports.forms import last_full_week


@task(queue_name=settings.EXPORTS_QUEUE)
def write_weekly_pack() -> str:
    """Write last week's CSV pack to ``CLINIC_EXPORT_DIR`` (periodic: nightly)."""
    pack = services.weekly_pack_write(
        period=last_full_week(), directory=Path(settings.CLINIC_EXPORT_DIR)
    )
    return str(pack)
