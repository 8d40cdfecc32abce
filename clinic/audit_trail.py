"""Sealing and verifying the audit trail; its signed checkpoints.

Audited writes insert their entries without waiting for one another
(:class:`~clinic.models.AuditEntry`). The sequencer, :func:`audit_trail_seal`, run by
the worker every few seconds (``settings.PERIODIC_TASKS``, "audit-seal") and by
``manage.py seal_audit_trail``, gives the waiting entries their order and seals them
in a batch chained to the one before, the way a Certificate Transparency log's
sequencer integrates queued entries and signs a tree head. Only the sequencer takes
its lock; writers never do.

:func:`audit_trail_verify` recomputes every entry and batch and checks the latest
checkpoint's signature, and, given a checkpoint kept outside the database (e-mailed
to the clinic managers daily), that the trail still holds that batch unchanged.
"""

import logging
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from post_office import mail

from clinic import roles
from clinic.audit_hashing import (
    GENESIS_HASH,
    Checkpoint,
    batch_hash,
    checkpoint_signature,
    entry_hash,
)
from clinic.mail import render_text
from clinic.models import AuditBatch, AuditEntry

logger = logging.getLogger(__name__)

# Entries sealed in one batch at most; a longer wait is sealed in several.
SEAL_BATCH_LIMIT = 5000
# PostgreSQL advisory lock taken only by the sequencer (an arbitrary fixed number).
SEQUENCER_LOCK = 0x6175646974  # "audit"
VERIFY_CHUNK = 2000
NUMBER_CHUNK = 1000


class AuditTrailBroken(Exception):
    """The trail does not match its batches, its checkpoint or a checkpoint copy."""


def _take_sequencer_lock() -> None:
    """Serialise sequencers until the transaction ends.

    On PostgreSQL an advisory lock that no writer takes; SQLite's transactions take
    the database's write lock when they begin (settings: ``IMMEDIATE``).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCER_LOCK])


def _number(sequences: list[tuple[int, int]]) -> None:
    """Give each waiting entry (id, sequence) its sequence, a thousand a statement.

    The pairs go in as VALUES (PostgreSQL, and SQLite since 3.33): Django's
    ``bulk_update`` builds a CASE expression per entry in Python, which was three
    quarters of a seal's time.
    """
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    for start in range(0, len(sequences), NUMBER_CHUNK):
        chunk = sequences[start : start + NUMBER_CHUNK]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET sequence = numbered.column2 "
                f"FROM (VALUES {values}) AS numbered "
                f"WHERE {table}.id = numbered.column1 AND {table}.sequence IS NULL",
                [number for pair in chunk for number in pair],
            )
            if cursor.rowcount != len(chunk):
                raise DatabaseError("An entry to seal was sealed meanwhile.")


def audit_trail_seal(*, limit: int = SEAL_BATCH_LIMIT) -> AuditBatch | None:
    """Seal up to ``limit`` waiting entries in a new batch; None if none waits.

    Entries are taken in the order of their ids (their insertion order); one whose
    transaction commits after a seal waits for the next.
    """
    with transaction.atomic():
        _take_sequencer_lock()
        waiting = list(
            AuditEntry.objects.filter(sequence__isnull=True)
            .order_by("pk")
            .values_list("pk", "entry_hash")[:limit]
        )
        if not waiting:
            return None
        last = AuditBatch.objects.order_by("-number").first()
        first = last.last_sequence + 1 if last else 1
        _number([(pk, first + offset) for offset, (pk, _) in enumerate(waiting)])
        batch = AuditBatch(
            number=last.number + 1 if last else 1,
            first_sequence=first,
            last_sequence=first + len(waiting) - 1,
            previous_hash=last.batch_hash if last else GENESIS_HASH,
            sealed_at=timezone.now(),
        )
        batch.batch_hash = batch_hash(
            number=batch.number,
            first_sequence=batch.first_sequence,
            last_sequence=batch.last_sequence,
            previous_hash=batch.previous_hash,
            sealed_at=batch.sealed_at,
            entries=(
                (first + offset, hash_) for offset, (_, hash_) in enumerate(waiting)
            ),
        )
        batch.signature = checkpoint_signature(
            settings.AUDIT_KEY,
            batch=batch.number,
            last_sequence=batch.last_sequence,
            hash=batch.batch_hash,
        )
        batch.save(force_insert=True)
    return batch


def audit_trail_seal_waiting(*, limit: int = SEAL_BATCH_LIMIT) -> list[AuditBatch]:
    """Seal every entry waiting now, in as many batches as ``limit`` needs.

    It stops at the first batch with room to spare: entries written meanwhile wait
    for the next run, so a busy clinic cannot keep the sequencer (and the worker
    running it) from finishing.
    """
    batches = []
    while batch := audit_trail_seal(limit=limit):
        batches.append(batch)
        if batch.last_sequence - batch.first_sequence + 1 < limit:
            break
    return batches


def latest_checkpoint() -> Checkpoint | None:
    """The checkpoint of the newest batch, or None before the first seal."""
    last = AuditBatch.objects.order_by("-number").first()
    return last.checkpoint() if last else None


@dataclass(frozen=True)
class Verified:
    entries: int
    batches: int
    waiting: int
    checkpoint: Checkpoint | None


def audit_trail_verify(*, against: Checkpoint | None = None) -> Verified:
    """Check every sealed entry, every batch and the latest checkpoint's signature.

    ``against`` is a checkpoint copy kept outside the database: the trail must still
    hold that batch, unchanged. Raises :class:`AuditTrailBroken` naming the first
    problem found.

    Entries and batches are read from one snapshot (on PostgreSQL a repeatable-read
    transaction; SQLite's transaction holds the file's write lock), so a batch
    sealed while they are read is not taken for a batch whose entries are missing.
    """
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        sealed = AuditEntry.objects.filter(sequence__isnull=False).order_by("sequence")
        chained = AuditBatch.objects.order_by("number")
        # Closed before the transaction ends, a problem raised or not: PostgreSQL's
        # server-side cursors do not outlive their transaction.
        with (
            closing(sealed.iterator(chunk_size=VERIFY_CHUNK)) as entries,
            closing(chained.iterator(chunk_size=VERIFY_CHUNK)) as batches,
        ):
            return _verify(against, entries, batches)


def _verify(
    against: Checkpoint | None,
    entries: Iterator[AuditEntry],
    batches: Iterator[AuditBatch],
) -> Verified:
    key = settings.AUDIT_KEY
    if against is not None and not against.is_signed_with(key):
        raise AuditTrailBroken(
            "The checkpoint copy's signature does not match: it was not made with "
            "this audit key."
        )
    pending = next(entries, None)
    previous_hash, next_sequence, checked, last, copied = GENESIS_HASH, 1, 0, None, None
    for number, batch in enumerate(batches, 1):
        where = f"Batch {batch.number}"
        if batch.number != number:
            raise AuditTrailBroken(f"Batch {number} is missing.")
        if batch.first_sequence != next_sequence:
            raise AuditTrailBroken(
                f"{where} starts at entry {batch.first_sequence}, not {next_sequence}."
            )
        if batch.previous_hash != previous_hash:
            raise AuditTrailBroken(
                f"{where}: its link to the previous batch does not match."
            )
        hashes = []
        for sequence in range(batch.first_sequence, batch.last_sequence + 1):
            if pending is None or pending.sequence != sequence:
                raise AuditTrailBroken(f"{where}: entry {sequence} is missing.")
            if pending.entry_hash != entry_hash(pending):
                raise AuditTrailBroken(
                    f"{where}: entry {sequence} (id {pending.pk}) does not match its "
                    "hash: its content was changed."
                )
            hashes.append((sequence, pending.entry_hash))
            pending = next(entries, None)
        expected = batch_hash(
            number=batch.number,
            first_sequence=batch.first_sequence,
            last_sequence=batch.last_sequence,
            previous_hash=batch.previous_hash,
            sealed_at=batch.sealed_at,
            entries=hashes,
        )
        if batch.batch_hash != expected:
            raise AuditTrailBroken(
                f"{where} does not match its entries: an entry was changed, added "
                "or moved, or the batch was rewritten."
            )
        if against is not None and batch.number == against.batch:
            copied = batch
        previous_hash, next_sequence, last = (
            batch.batch_hash,
            batch.last_sequence + 1,
            batch,
        )
        checked += len(hashes)
    if pending is not None:
        raise AuditTrailBroken(
            f"Entry {pending.sequence} (id {pending.pk}) has a sequence but no batch "
            "seals it."
        )
    if last is not None and not last.checkpoint().is_signed_with(key):
        raise AuditTrailBroken(
            f"Batch {last.number}'s checkpoint signature does not match: the trail "
            "was re-hashed without the audit key."
        )
    if against is not None and (last is None or last.number < against.batch):
        raise AuditTrailBroken(
            f"The checkpoint copy names batch {against.batch}, but the trail "
            f"{f'ends at batch {last.number}' if last else 'has no batch'}: sealed "
            "entries were deleted."
        )
    if against is not None and copied.checkpoint() != against:
        raise AuditTrailBroken(
            f"Batch {copied.number} differs from the checkpoint copy: the trail up to "
            "it was rewritten."
        )
    return Verified(
        entries=checked,
        batches=last.number if last else 0,
        waiting=AuditEntry.objects.filter(sequence__isnull=True).count(),
        checkpoint=last.checkpoint() if last else None,
    )


def audit_checkpoint_mail() -> int:
    """Queue the latest checkpoint to every active clinic manager; return how many.

    A copy outside the database: ``verify_audit_chain --against`` with it detects
    the trail being cut back or replaced, which the database alone cannot show.
    """
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        return 0
    managers = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.CLINIC_MANAGER)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not managers:
        logger.warning(
            "No active clinic manager with an e-mail address: the audit "
            "checkpoint was not sent."
        )
        return 0
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "checkpoint": checkpoint,
        "checkpoint_json": checkpoint.as_json(),
    }
    with transaction.atomic():
        for address in managers:
            mail.send(
                recipients=[address],
                subject=render_text(
                    "clinic/email/audit_checkpoint_subject.txt", context
                ).strip(),
                message=render_text("clinic/email/audit_checkpoint.txt", context),
            )
    return len(managers)
