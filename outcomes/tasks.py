"""The outcomes app's background task: thin, it calls a service."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from outcomes import services


def follow_up_url(token: str) -> str:
    return settings.CLINIC_SITE_URL.rstrip("/") + reverse(
        "outcomes:follow_up_link", args=[token]
    )


@task()
def send_due_follow_ups() -> int:
    """E-mail the follow-up links and reminders that are due (periodic: hourly)."""
    return services.follow_ups_send_due(
        today=timezone.localdate(), build_url=follow_up_url
    )
