"""What both apps share: a time-stamped model, counters, and the audit trail."""

import pgtrigger
from auditlog.models import AbstractLogEntry
from django.db import connections, models, router
from post_office.models import Email

from clinic import audit_hashing
from clinic.validation import ChecksInOneQuery


class TimeStampedModel(models.Model):
    """Adds creation and modification times."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Counter(models.Model):
    """A named, gap-free counter shared by all application processes.

    ``next_value`` creates or increments the row and reads it back in one statement,
    so the database's row lock (or SQLite's write lock) serialises concurrent
    callers: two processes never get the same number.
    """

    name = models.CharField(max_length=40, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def next_value(cls, name: str) -> int:
        # SQL, because the ORM has no upsert that increments and returns the new
        # value: one statement (PostgreSQL, SQLite 3.35+) instead of an update, a
        # read and, on a counter's first use, a get_or_create.
        connection = connections[router.db_for_write(cls)]
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (name, value) VALUES (%s, 1) "
                f"ON CONFLICT (name) DO UPDATE SET value = {table}.value + 1 "
                "RETURNING value",
                [name],
            )
            return cursor.fetchone()[0]


class AuditEntryImmutable(Exception):
    """An audit entry was about to be changed or deleted: the trail is append-only."""


class ChainHashField(models.CharField):
    """An audit entry's hash, computed from the entry as its row is inserted.

    Django calls ``Field.pre_save`` while building the INSERT, after the ``pre_save``
    signal in which django-auditlog fills in the actor and address for the request, so
    the hash covers them and is written with the row itself.
    """

    def pre_save(self, model_instance, add):
        value = audit_hashing.entry_hash(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class AuditEntry(AbstractLogEntry):
    """One entry of the audit trail (django-auditlog's log entry, made tamper-evident).

    An entry is inserted with its own hash and no sequence, taking no lock but its
    own row's: audited writes never wait for one another. The sequencer
    (``clinic.audit_trail.audit_trail_seal``, run by the worker every few seconds)
    later gives waiting entries their sequence numbers and seals them in an
    :class:`AuditBatch`. On PostgreSQL, triggers refuse every DELETE and every UPDATE
    but that one-time assignment of a sequence to an entry that has none.
    ``patient`` holds the record number of the patient the entry concerns, for
    filtering.
    """

    sequence = models.PositiveBigIntegerField(
        "sequence", unique=True, null=True, editable=False
    )
    entry_hash = ChainHashField("entry hash", max_length=64, editable=False)
    patient = models.CharField(
        "patient record number", max_length=12, blank=True, db_index=True
    )

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [
            models.Index(fields=["actor", "-timestamp"], name="audit_actor_time"),
            # The sequencer's scan for waiting entries.
            models.Index(
                fields=["id"],
                condition=models.Q(sequence__isnull=True),
                name="audit_waiting",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="audit_entry_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="audit_entry_sequence_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__sequence__isnull=False)
                | pgtrigger.Q(new__sequence__isnull=True),
            ),
            pgtrigger.Protect(
                name="audit_entry_content_fixed",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(exclude=["sequence"]),
            ),
        ]

    def save(self, *args, **kwargs):
        # Here, not in a service: django-auditlog creates entries itself, and every
        # entry must be hashed and kept unchanged whatever path wrote it.
        if not self._state.adding:
            raise AuditEntryImmutable("Audit entries cannot be changed.")
        self.patient = (self.additional_data or {}).get("patient", "")
        super().save(*args, **kwargs)  # entry_hash is computed as it inserts

    def delete(self, *args, **kwargs):
        raise AuditEntryImmutable("Audit entries cannot be deleted.")


class AuditBatch(ChecksInOneQuery, models.Model):
    """Audit entries sealed together by the sequencer, chained to the batch before.

    ``batch_hash`` covers the batch's entries (sequence and hash, in order) and the
    previous batch's hash; ``signature`` is the HMAC of its checkpoint (number, last
    sequence, hash) under ``settings.AUDIT_KEY`` (clinic/audit_hashing.py). On
    PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    number = models.PositiveBigIntegerField("batch", primary_key=True)
    first_sequence = models.PositiveBigIntegerField("first sequence", unique=True)
    last_sequence = models.PositiveBigIntegerField("last sequence", unique=True)
    previous_hash = models.CharField("previous batch's hash", max_length=64)
    batch_hash = models.CharField("hash", max_length=64)
    signature = models.CharField("checkpoint signature", max_length=64)
    sealed_at = models.DateTimeField("sealed")

    class Meta:
        verbose_name = "audit batch"
        verbose_name_plural = "audit batches"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_sequence__gte=models.F("first_sequence")),
                name="audit_batch_not_empty",
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="audit_batch_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"Audit batch {self.number}"

    def checkpoint(self) -> audit_hashing.Checkpoint:
        return audit_hashing.Checkpoint(
            batch=self.number,
            last_sequence=self.last_sequence,
            hash=self.batch_hash,
            signature=self.signature,
        )


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
