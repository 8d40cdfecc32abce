"""Audit trail helpers: masking sensitive values and recording staff reads."""

from auditlog.signals import accessed
from django.db.models import Model

MASKED = "(hidden)"


def mask(value: str) -> str:
    """Hide a sensitive value completely: the trail says only that it changed."""
    return MASKED


def record_access(instance: Model) -> None:
    """Record that the signed-in staff member (from the request context) read it."""
    accessed.send(sender=instance.__class__, instance=instance)
