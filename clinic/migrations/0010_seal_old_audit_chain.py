"""The audit trail leaves the head-row chain for sealed batches: the old chain is
checked, then sealed as it stands into batch 1 (clinic/audit_hashing.py)."""

import datetime
import hashlib
import json

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from clinic import audit_hashing

CHUNK = 2000


def old_content_hash(entry) -> str:
    """The head-row chain's hash of an entry (migrations 0006 and 0007)."""
    content = {
        "sequence": entry.sequence,
        "previous_hash": entry.previous_hash,
        "content_type": entry.content_type_id,
        "object_pk": str(entry.object_pk),
        "object_repr": entry.object_repr,
        "action": entry.action,
        "changes": entry.changes,
        "changes_text": entry.changes_text,
        "actor": entry.actor_id,
        "timestamp": entry.timestamp.astimezone(datetime.UTC).isoformat(),
        "remote_addr": entry.remote_addr,
        "additional_data": entry.additional_data,
        "patient": entry.patient,
    }
    canonical = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal_old_chain(apps, schema_editor):
    """Check the old chain end to end, then seal its entries, in its order, as batch 1.

    Each entry gets its hash under the new formula (which covers every column); the
    batch is signed with the audit key. A broken old chain stops the migration:
    sealing it would vouch for entries already tampered with.
    """
    AuditEntry = apps.get_model("clinic", "AuditEntry")
    AuditChain = apps.get_model("clinic", "AuditChain")
    AuditBatch = apps.get_model("clinic", "AuditBatch")
    head = AuditChain.objects.filter(pk=1).first()
    previous, sequence, rehashed = audit_hashing.GENESIS_HASH, 0, []
    entries = AuditEntry.objects.order_by("sequence").iterator(chunk_size=CHUNK)
    for entry in entries:
        sequence += 1
        if (
            entry.sequence != sequence
            or entry.previous_hash != previous
            or entry.entry_hash != old_content_hash(entry)
        ):
            raise RuntimeError(
                f"The audit chain is broken at entry {sequence}: not sealing it. "
                "Run the previous release's verify_audit_chain to see where."
            )
        previous = entry.entry_hash
        rehashed.append((entry.pk, audit_hashing.entry_hash(entry)))
    if head is not None and (head.sequence, head.last_hash) != (sequence, previous):
        raise RuntimeError(
            f"The audit chain's head says {head.sequence} entries, the trail ends at "
            f"{sequence}: entries were removed. Not sealing it."
        )
    if not rehashed:
        return
    for start in range(0, len(rehashed), CHUNK):
        AuditEntry.objects.bulk_update(
            [AuditEntry(pk=pk, entry_hash=hash_) for pk, hash_ in rehashed[start : start + CHUNK]],
            ["entry_hash"],
        )
    sealed_at = timezone.now()
    batch_hash = audit_hashing.batch_hash(
        number=1,
        first_sequence=1,
        last_sequence=sequence,
        previous_hash=audit_hashing.GENESIS_HASH,
        sealed_at=sealed_at,
        entries=((n, hash_) for n, (_, hash_) in enumerate(rehashed, 1)),
    )
    AuditBatch.objects.create(
        number=1,
        first_sequence=1,
        last_sequence=sequence,
        previous_hash=audit_hashing.GENESIS_HASH,
        batch_hash=batch_hash,
        signature=audit_hashing.checkpoint_signature(
            settings.AUDIT_KEY, batch=1, last_sequence=sequence, hash=batch_hash
        ),
        sealed_at=sealed_at,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0009_outgoing_mail_for_the_manager'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditBatch',
            fields=[
                ('number', models.PositiveBigIntegerField(primary_key=True, serialize=False, verbose_name='batch')),
                ('first_sequence', models.PositiveBigIntegerField(unique=True, verbose_name='first sequence')),
                ('last_sequence', models.PositiveBigIntegerField(unique=True, verbose_name='last sequence')),
                ('previous_hash', models.CharField(max_length=64, verbose_name="previous batch's hash")),
                ('batch_hash', models.CharField(max_length=64, verbose_name='hash')),
                ('signature', models.CharField(max_length=64, verbose_name='checkpoint signature')),
                ('sealed_at', models.DateTimeField(verbose_name='sealed')),
            ],
            options={
                'verbose_name': 'audit batch',
                'verbose_name_plural': 'audit batches',
            },
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='sequence',
            field=models.PositiveBigIntegerField(editable=False, null=True, unique=True, verbose_name='sequence'),
        ),
        # Back to the head-row chain only from an empty trail (the tests do so).
        migrations.RunPython(seal_old_chain, migrations.RunPython.noop),
    ]
