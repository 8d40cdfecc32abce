"""The audit trail's seal: batches, signed checkpoints, and every way to tamper with it.

Each tampering case is played as someone with the database's owner rights would
(on PostgreSQL with the triggers switched off for the session), then
``verify_audit_chain`` must exit non-zero naming the problem. The suite runs on
SQLite and, with DATABASE_URL, on PostgreSQL.
"""

import dataclasses
import io
import threading
from contextlib import contextmanager

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clinic import audit_hashing
from clinic.audit_trail import (
    audit_checkpoint_mail,
    audit_trail_seal,
    audit_trail_seal_waiting,
    latest_checkpoint,
)
from clinic.models import AuditBatch, AuditEntry
from intake.models import Patient
from tests.conftest import rolled_back_after
from tests.factories import IntakeFactory

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"
ENTRIES = 700
BATCH = 200  # four batches: 1-200, 201-400, 401-600, 601-700
WRONG_KEY = "a-key-guessed-by-whoever-rewrote-the-trail"


@contextmanager
def behind_the_application():
    """Write as the database's owner can: on PostgreSQL, with triggers off."""
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def new_entries(count: int, start: int = 0) -> list[AuditEntry]:
    """Entries as a staff read writes them (hashed as they are inserted)."""
    content_type = ContentType.objects.get_for_model(Patient)
    now = timezone.now()
    return AuditEntry.objects.bulk_create(
        AuditEntry(
            content_type=content_type,
            object_pk=f"{n}",
            object_repr=f"P-{n:06d}",
            action=AuditEntry.Action.ACCESS,
            timestamp=now,
            remote_addr="127.0.0.1",
            additional_data={"patient": f"P-{n:06d}"},
            patient=f"P-{n:06d}",
        )
        for n in range(start, start + count)
    )


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_audit_chain", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def sealed_trail(django_db_setup, django_db_blocker):
    """700 sealed entries in four batches, made once for a test class (each test's
    writes are rolled back); their checkpoint."""
    with rolled_back_after(django_db_blocker):
        IntakeFactory()  # a few entries written by the application itself first
        new_entries(ENTRIES - AuditEntry.objects.count())
        assert len(audit_trail_seal_waiting(limit=BATCH)) == 4
        yield latest_checkpoint().as_json()


@pytest.fixture
def trail(db, sealed_trail, tmp_path):
    """The sealed trail, and a copy of its checkpoint kept outside."""
    copy = tmp_path / "checkpoint.json"
    copy.write_text(sealed_trail)
    return copy


def entry(sequence: int) -> AuditEntry:
    return AuditEntry.objects.get(sequence=sequence)


def reseal_from(number: int, *, key: str | None) -> None:
    """Recompute batch ``number`` and every later one's hash from the entries as
    they now stand; sign with ``key``, or keep the old signatures (no key)."""
    previous = AuditBatch.objects.get(number=number - 1).batch_hash
    for batch in AuditBatch.objects.filter(number__gte=number).order_by("number"):
        hashes = AuditEntry.objects.filter(
            sequence__range=(batch.first_sequence, batch.last_sequence)
        ).order_by("sequence")
        batch.previous_hash = previous
        batch.batch_hash = audit_hashing.batch_hash(
            number=batch.number,
            first_sequence=batch.first_sequence,
            last_sequence=batch.last_sequence,
            previous_hash=previous,
            sealed_at=batch.sealed_at,
            entries=hashes.values_list("sequence", "entry_hash"),
        )
        if key:
            batch.signature = audit_hashing.checkpoint_signature(
                key,
                batch=batch.number,
                last_sequence=batch.last_sequence,
                hash=batch.batch_hash,
            )
        AuditBatch.objects.filter(number=batch.number).update(
            previous_hash=batch.previous_hash,
            batch_hash=batch.batch_hash,
            signature=batch.signature,
        )
        previous = batch.batch_hash


def rewrite_entry(sequence: int, **changes) -> None:
    """Change an entry and give it the hash its new content has."""
    target = entry(sequence)
    for name, value in changes.items():
        setattr(target, name, value)
    AuditEntry.objects.filter(pk=target.pk).update(
        **changes, entry_hash=audit_hashing.entry_hash(target)
    )


def change_an_entry():
    AuditEntry.objects.filter(sequence=350).update(object_repr="P-999999")


def change_an_entry_and_its_hash():
    rewrite_entry(350, object_repr="P-999999")


def change_who_did_it():
    rewrite_entry(350, actor_email="someone.else@clinic.example")


def insert_an_entry_in_the_middle():
    for sequence in range(ENTRIES, 299, -1):  # make room at 300, newest first
        AuditEntry.objects.filter(sequence=sequence).update(sequence=sequence + 1)
    forged = new_entries(1, start=9000)[0]
    AuditEntry.objects.filter(pk=forged.pk).update(sequence=300)


def append_a_sealed_looking_entry():
    forged = new_entries(1, start=9000)[0]
    AuditEntry.objects.filter(pk=forged.pk).update(sequence=ENTRIES + 1)


def swap_two_entries():
    first, second = entry(250).pk, entry(251).pk
    AuditEntry.objects.filter(pk=first).update(sequence=None)
    AuditEntry.objects.filter(pk=second).update(sequence=250)
    AuditEntry.objects.filter(pk=first).update(sequence=251)


def delete_an_entry_in_the_middle():
    AuditEntry.objects.filter(sequence=350)._raw_delete(connection.alias)


def delete_the_newest_entry():
    AuditEntry.objects.filter(sequence=ENTRIES)._raw_delete(connection.alias)


def delete_the_newest_500():
    newest = AuditEntry.objects.filter(sequence__gt=ENTRIES - 500)
    newest._raw_delete(connection.alias)


def delete_every_entry():
    AuditEntry.objects.all()._raw_delete(connection.alias)


def unseal_the_newest_entry():
    AuditEntry.objects.filter(sequence=ENTRIES).update(sequence=None)


def rehash_everything_without_the_key():
    rewrite_entry(350, object_repr="P-999999")
    reseal_from(2, key=None)


def rehash_and_sign_with_another_key():
    rewrite_entry(350, object_repr="P-999999")
    reseal_from(2, key=WRONG_KEY)


def rewrite_the_newest_batch_row():
    # The old design's "head row": say the trail ends 50 entries earlier.
    AuditBatch.objects.filter(number=4).update(last_sequence=ENTRIES - 50)


def delete_a_batch_in_the_middle():
    AuditBatch.objects.filter(number=2)._raw_delete(connection.alias)


def cut_back_the_newest_batch():
    AuditEntry.objects.filter(sequence__gt=3 * BATCH)._raw_delete(connection.alias)
    AuditBatch.objects.filter(number=4)._raw_delete(connection.alias)


def delete_every_entry_and_batch():
    AuditEntry.objects.all()._raw_delete(connection.alias)
    AuditBatch.objects.all()._raw_delete(connection.alias)


def replace_the_trail_with_a_new_one():
    delete_every_entry_and_batch()
    new_entries(10)
    audit_trail_seal_waiting(limit=3)


# (tampering, what verify_audit_chain says, whether it needs the checkpoint copy)
TAMPERING = [
    (change_an_entry, "entry 350 .* does not match its hash", False),
    (change_an_entry_and_its_hash, "Batch 2 does not match its entries", False),
    (change_who_did_it, "Batch 2 does not match its entries", False),
    (insert_an_entry_in_the_middle, "Batch 2 does not match its entries", False),
    (append_a_sealed_looking_entry, "Entry 701 .* has a sequence but no batch", False),
    (swap_two_entries, "Batch 2 does not match its entries", False),
    (delete_an_entry_in_the_middle, "Batch 2: entry 350 is missing", False),
    (delete_the_newest_entry, "Batch 4: entry 700 is missing", False),
    (delete_the_newest_500, "Batch 2: entry 201 is missing", False),
    (delete_every_entry, "Batch 1: entry 1 is missing", False),
    (unseal_the_newest_entry, "Batch 4: entry 700 is missing", False),
    (rehash_everything_without_the_key, "re-hashed without the audit key", False),
    (rehash_and_sign_with_another_key, "re-hashed without the audit key", False),
    (rewrite_the_newest_batch_row, "Batch 4 does not match its entries", False),
    (delete_a_batch_in_the_middle, "Batch 2 is missing", False),
    (cut_back_the_newest_batch, "trail ends at batch 3: sealed entries were", True),
    (delete_every_entry_and_batch, "trail has no batch: sealed entries were", True),
    (replace_the_trail_with_a_new_one, "Batch 4 differs from the checkpoint", True),
]


def test_an_untouched_trail_verifies_and_reports_what_waits():
    IntakeFactory()
    written = AuditEntry.objects.count()
    assert f"0 entries verified in 0 batches; {written} waiting" in verify()
    call_command("seal_audit_trail", stdout=io.StringIO())
    IntakeFactory()
    waiting = AuditEntry.objects.count() - written
    assert f"{written} entries verified in 1 batches; {waiting} waiting" in verify()


def test_sealing_numbers_the_waiting_entries_in_order_across_batches():
    first = new_entries(3)
    assert [e.sequence for e in first] == [None] * 3
    assert audit_trail_seal(limit=2).last_sequence == 2
    second = new_entries(2)
    batches = audit_trail_seal_waiting(limit=2)
    assert [(b.number, b.first_sequence, b.last_sequence) for b in batches] == [
        (2, 3, 4),
        (3, 5, 5),
    ]
    in_order = AuditEntry.objects.order_by("sequence").values_list("pk", flat=True)
    assert list(in_order) == [e.pk for e in first + second]
    assert batches[0].previous_hash == AuditBatch.objects.get(number=1).batch_hash
    assert audit_trail_seal() is None


def test_sealing_what_waits_ends_though_entries_keep_coming(monkeypatch):
    from clinic import audit_trail

    seal = audit_trail.audit_trail_seal

    def seal_while_staff_write(**kwargs):
        batch = seal(**kwargs)
        new_entries(1)
        return batch

    monkeypatch.setattr(audit_trail, "audit_trail_seal", seal_while_staff_write)
    new_entries(3)
    batches = audit_trail.audit_trail_seal_waiting(limit=2)
    assert [(b.first_sequence, b.last_sequence) for b in batches] == [
        (1, 2),
        (3, 4),
        (5, 5),
    ]
    assert AuditEntry.objects.filter(sequence__isnull=True).count() == 1


def test_the_worker_seals_every_few_seconds(run_tasks):
    from clinic.worker import enqueue_due_periodic_tasks

    written = [entry.pk for entry in new_entries(3)]
    assert "audit-seal" in enqueue_due_periodic_tasks()
    run_tasks()  # other periodic tasks may write entries after the seal: not those
    sealed = AuditEntry.objects.filter(pk__in=written).order_by("pk")
    first, *_ = sequences = list(sealed.values_list("sequence", flat=True))
    assert first is not None
    assert sequences == [first, first + 1, first + 2]


def test_the_printed_checkpoint_is_a_copy_verify_accepts(tmp_path):
    with pytest.raises(CommandError, match="No batch has been sealed yet"):
        verify("--checkpoint")
    new_entries(5)
    audit_trail_seal()
    printed = verify("--checkpoint")
    checkpoint = audit_hashing.Checkpoint.from_json(printed)
    assert (checkpoint.batch, checkpoint.last_sequence) == (1, 5)
    copy = tmp_path / "copy.json"
    copy.write_text(printed)
    assert "matching the copy of batch 1" in verify("--against", str(copy))


def test_the_managers_get_the_checkpoint_daily(manager_user, front_desk_user, tmp_path):
    from post_office.models import Email

    from clinic.worker import enqueue_due_periodic_tasks

    assert audit_checkpoint_mail() == 0  # nothing sealed yet: nothing to send
    new_entries(5)
    audit_trail_seal()
    assert "audit-checkpoint-mail" in enqueue_due_periodic_tasks()
    assert audit_checkpoint_mail() == 1
    email = Email.objects.get()
    assert email.to == [manager_user.email]
    assert "batch 1" in email.subject
    body = email.message.split("-" * 78)[1]
    copy = tmp_path / "mailed.json"
    copy.write_text(body)
    assert "matching the copy of batch 1" in verify("--against", str(copy))


@pytest.mark.skipif(not POSTGRES, reason="SQLite has one write lock for the file")
def test_entries_are_written_without_waiting_for_an_open_transaction(
    transactional_db,
):
    """A writer whose transaction is still open holds up neither another writer
    nor the sequencer (the old design queued every audited write on one row)."""
    inserted, release, results = threading.Event(), threading.Event(), {}

    def slow_writer():
        with transaction.atomic():
            results["slow"] = new_entries(1)[0].pk
            inserted.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        assert inserted.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            quick = new_entries(1)[0].pk
        batch = audit_trail_seal()
    finally:
        release.set()
        thread.join()
    assert AuditEntry.objects.get(pk=quick).sequence == batch.last_sequence == 1
    assert audit_trail_seal() is not None
    assert AuditEntry.objects.filter(sequence__isnull=True).count() == 0
    assert "2 entries verified" in verify()


@pytest.mark.skipif(not POSTGRES, reason="the triggers exist on PostgreSQL only")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE clinic_auditentry SET object_repr = 'x' WHERE sequence = 1",
        "UPDATE clinic_auditentry SET sequence = 99 WHERE sequence = 1",
        "UPDATE clinic_auditentry SET sequence = NULL WHERE sequence = 1",
        "UPDATE clinic_auditentry SET object_repr = 'x' WHERE sequence IS NULL",
        "DELETE FROM clinic_auditentry WHERE sequence = 1",
        "DELETE FROM clinic_auditentry WHERE sequence IS NULL",
        "UPDATE clinic_auditbatch SET batch_hash = 'x'",
        "DELETE FROM clinic_auditbatch",
    ],
)
def test_postgresql_refuses_updates_and_deletes(statement):
    new_entries(2)
    audit_trail_seal()
    new_entries(1)  # one waiting entry: only its sequence may be set, once
    refused = pytest.raises(DatabaseError, match="pgtrigger: Cannot")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.count() == 3
    assert "2 entries verified" in verify()


class TestASealedTrail:
    """Tests tampering with the same sealed trail, made once for them."""

    @pytest.mark.parametrize(
        ("tamper", "found", "needs_copy"),
        TAMPERING,
        ids=[tamper.__name__ for tamper, _, _ in TAMPERING],
    )
    def test_tampering_is_detected(self, trail, tamper, found, needs_copy):
        assert "700 entries verified in 4 batches" in verify("--against", str(trail))
        with behind_the_application():
            tamper()
        with pytest.raises(CommandError, match=f"Audit trail broken: .*{found}"):
            verify("--against", str(trail))
        if not needs_copy:
            with pytest.raises(CommandError, match=found):
                verify()

    @pytest.mark.parametrize(
        "tamper", [cut_back_the_newest_batch, delete_every_entry_and_batch]
    )
    def test_without_a_copy_a_cut_back_trail_still_verifies(self, trail, tamper):
        # What the checkpoint copies outside the database are for.
        with behind_the_application():
            tamper()
        assert "Audit trail intact" in verify()

    def test_a_copy_not_signed_with_the_key_is_refused(self, trail):
        forged = dataclasses.replace(
            audit_hashing.Checkpoint.from_json(trail.read_text()), batch=3
        )
        trail.write_text(forged.as_json())
        with pytest.raises(CommandError, match="not made with this audit key"):
            verify("--against", str(trail))

    def test_a_different_key_on_the_server_fails_the_check(self, trail, settings):
        settings.AUDIT_KEY = WRONG_KEY
        with pytest.raises(CommandError, match="re-hashed without the audit key"):
            verify()
