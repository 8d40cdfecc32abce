"""Migrating from the head-row chain (clinic 0006-0009) to sealed batches."""

import io
from importlib import import_module

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from clinic.models import AuditBatch, AuditEntry
from intake.models import Patient

OLD = ("clinic", "0009_outgoing_mail_for_the_manager")
NEW = ("clinic", "0011_append_only_audit_trail")
old_content_hash = import_module(
    "clinic.migrations.0010_seal_old_audit_chain"
).old_content_hash


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def migrate_to_the_latest() -> None:
    """Every app's latest migration: going back to ``OLD`` also unapplied those of
    other apps that depend on ``NEW`` (the FHIR roles), which later tests need."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def write_old_chain(apps, count: int) -> list[str]:
    """``count`` entries chained as the head-row design chained them."""
    Entry = apps.get_model("clinic", "AuditEntry")
    Chain = apps.get_model("clinic", "AuditChain")
    content_type = ContentType.objects.get_for_model(Patient).pk
    previous, hashes = "0" * 64, []
    for sequence in range(1, count + 1):
        entry = Entry.objects.create(
            content_type_id=content_type,
            object_pk=str(sequence),
            object_repr=f"P-{sequence:06d}",
            action=3,
            timestamp=timezone.now(),
            sequence=sequence,
            previous_hash=previous,
            patient=f"P-{sequence:06d}",
        )
        entry.entry_hash = old_content_hash(entry)
        Entry.objects.filter(pk=entry.pk).update(entry_hash=entry.entry_hash)
        previous = entry.entry_hash
        hashes.append(previous)
    Chain.objects.update_or_create(
        pk=1, defaults={"sequence": count, "last_hash": previous}
    )
    return hashes


@pytest.mark.django_db(transaction=True)
def test_the_old_chain_is_checked_then_sealed_in_its_order_as_batch_one():
    try:
        apps = migrate(OLD)
        write_old_chain(apps, 3)
        # A chain cut at its newest entry, with the head left as it was: refused.
        apps.get_model("clinic", "AuditEntry").objects.filter(sequence=3).delete()
        with pytest.raises(RuntimeError, match="entries were removed"):
            migrate(NEW)
        apps = migrate(OLD)
        apps.get_model("clinic", "AuditEntry").objects.all().delete()
        write_old_chain(apps, 3)
        migrate(NEW)
        assert list(
            AuditEntry.objects.order_by("sequence").values_list("object_pk", flat=True)
        ) == ["1", "2", "3"]
        assert AuditBatch.objects.get().last_sequence == 3
        out = io.StringIO()
        call_command("verify_audit_chain", stdout=out)
        assert "3 entries verified in 1 batches; 0 waiting" in out.getvalue()
    finally:
        migrate_to_the_latest()
