"""The former audit trail's lock, put back for a same-run baseline (bench only).

Until clinic migration 0011 every audit entry was written under the chain head's row
lock, held to the end of the writing transaction: ``SELECT ... FOR UPDATE`` of the
head, the entry's INSERT, then an UPDATE of the head, so every audited write in the
clinic queued on one row. :func:`connect` makes this process's audit entries do
those statements again around their INSERT, on :class:`bench.models.OldAuditHead`.
``BENCH_OLD_AUDIT_LOCK=1`` connects it in a bench server (bench/apps.py).
"""

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save

from bench.models import OldAuditHead
from clinic.models import AuditEntry


def _lock_head(sender, instance, **kwargs):
    if instance._state.adding:
        # The old save() was atomic itself: an entry written outside a transaction
        # held the lock for its own statements only.
        with transaction.atomic():
            OldAuditHead.objects.select_for_update().get_or_create(pk=1)


def _advance_head(sender, instance, created, **kwargs):
    if created:
        OldAuditHead.objects.filter(pk=1).update(
            sequence=F("sequence") + 1, last_hash=instance.entry_hash
        )


def connect() -> None:
    pre_save.connect(_lock_head, sender=AuditEntry, dispatch_uid="bench-old-lock")
    post_save.connect(_advance_head, sender=AuditEntry, dispatch_uid="bench-old-head")


def disconnect() -> None:
    pre_save.disconnect(sender=AuditEntry, dispatch_uid="bench-old-lock")
    post_save.disconnect(sender=AuditEntry, dispatch_uid="bench-old-head")
