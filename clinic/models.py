"""What both apps share: a time-stamped model, counters, and the audit trail."""

import datetime
import hashlib
import json

from auditlog.models import AbstractLogEntry
from django.db import models, transaction
from django.db.models import F
from post_office.models import Email


class TimeStampedModel(models.Model):
    """Adds creation and modification times."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Counter(models.Model):
    """A named, gap-free counter shared by all application processes.

    ``next_value`` updates the row before reading it, so the database's row lock (or
    SQLite's write lock) serialises concurrent callers: two processes never get the same
    number.
    """

    name = models.CharField(max_length=40, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def next_value(cls, name: str) -> int:
        with transaction.atomic():
            if not cls.objects.filter(name=name).update(value=F("value") + 1):
                cls.objects.get_or_create(name=name)
                cls.objects.filter(name=name).update(value=F("value") + 1)
            return cls.objects.get(name=name).value


GENESIS_HASH = "0" * 64


class AuditChain(models.Model):
    """The head of the audit trail's hash chain: one row, its last entry and hash."""

    sequence = models.PositiveBigIntegerField("last sequence", default=0)
    last_hash = models.CharField("last hash", max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="audit_chain_one_row")
        ]

    def __str__(self) -> str:
        return f"Audit chain at {self.sequence}"


class AuditEntryImmutable(Exception):
    """An audit entry was about to be changed or deleted: the trail is append-only."""


class ChainHashField(models.CharField):
    """An audit entry's hash, computed from the entry as its row is inserted.

    Django calls ``Field.pre_save`` while building the INSERT, after the ``pre_save``
    signal in which django-auditlog fills in the actor and address for the request, so
    the hash covers them and is written with the row itself.
    """

    def pre_save(self, model_instance, add):
        value = model_instance.content_hash()
        setattr(model_instance, self.attname, value)
        return value


class AuditEntry(AbstractLogEntry):
    """One entry of the audit trail (django-auditlog's log entry, made tamper-evident).

    Entries form a hash chain: each carries a SHA-256 over its own content and the
    previous entry's hash, so changing, removing or reordering any entry breaks every
    hash after it (``manage.py verify_audit_chain`` finds the first break). ``patient``
    holds the record number of the patient the entry concerns, for filtering.
    """

    GENESIS = GENESIS_HASH

    sequence = models.PositiveBigIntegerField("sequence", unique=True, editable=False)
    previous_hash = models.CharField("previous hash", max_length=64, editable=False)
    entry_hash = ChainHashField("entry hash", max_length=64, editable=False)
    patient = models.CharField(
        "patient record number", max_length=12, blank=True, db_index=True
    )

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [
            models.Index(fields=["actor", "-timestamp"], name="audit_actor_time")
        ]

    def content_hash(self) -> str:
        """SHA-256 over the entry's content and the previous entry's hash."""
        content = {
            "sequence": self.sequence,
            "previous_hash": self.previous_hash,
            "content_type": self.content_type_id,
            "object_pk": str(self.object_pk),
            "object_repr": self.object_repr,
            "action": self.action,
            "changes": self.changes,
            "changes_text": self.changes_text,
            "actor": self.actor_id,
            "timestamp": self.timestamp.astimezone(datetime.UTC).isoformat(),
            "remote_addr": self.remote_addr,
            "additional_data": self.additional_data,
            "patient": self.patient,
        }
        canonical = json.dumps(content, sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def save(self, *args, **kwargs):
        # Chaining lives here, not in a service: django-auditlog creates entries itself,
        # and every entry must be chained whatever path wrote it. No savepoint: an
        # entry that cannot be written fails the change it records.
        if not self._state.adding:
            raise AuditEntryImmutable("Audit entries cannot be changed.")
        with transaction.atomic(savepoint=False):
            # The head's row lock is held to the end of the transaction, so the next
            # entry waits until this one is stored and reads its hash from the head.
            head, _ = AuditChain.objects.select_for_update().get_or_create(pk=1)
            self.sequence = head.sequence + 1
            self.previous_hash = head.last_hash
            self.patient = (self.additional_data or {}).get("patient", "")
            super().save(*args, **kwargs)  # entry_hash is computed as it inserts
            AuditChain.objects.filter(pk=1).update(
                sequence=self.sequence, last_hash=self.entry_hash
            )

    def delete(self, *args, **kwargs):
        raise AuditEntryImmutable("Audit entries cannot be deleted.")


class PeriodicTask(models.Model):
    """When a periodic task (``settings.PERIODIC_TASKS``) is next due.

    Every worker checks the schedule; the one whose conditional update moves
    ``next_run_at`` on enqueues the run, so several workers on several nodes enqueue
    each run once.
    """

    name = models.CharField("name", max_length=60, primary_key=True)
    next_run_at = models.DateTimeField("next run")

    class Meta:
        verbose_name = "periodic task"

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A task worker's sign of life, written every few seconds while it runs.

    A task still marked running by a worker that has stopped beating (killed, or its
    node lost) is put back in the queue by the others: tasks are idempotent, so a
    task that did finish before its worker died does its work once.
    """

    worker_id = models.CharField("worker", max_length=64, primary_key=True)
    host = models.CharField("host", max_length=255)
    started_at = models.DateTimeField("started")
    last_seen = models.DateTimeField("last seen", db_index=True)

    class Meta:
        verbose_name = "task worker"

    def __str__(self) -> str:
        return self.worker_id


class OutgoingMail(Email):
    """Queued, sent and failed e-mail as the clinic manager sees it: who (masked),
    what about, and where it stands; never its body."""

    class Meta:
        proxy = True
        verbose_name = "e-mail"
        verbose_name_plural = "e-mail: queued, sent and failed"
        default_permissions = ("view",)
        permissions = [("resend_outgoingmail", "Can resend e-mail that failed")]

    def __str__(self) -> str:
        return f"E-mail {self.pk}"
