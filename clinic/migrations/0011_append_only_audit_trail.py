"""The audit trail is append-only: no head row, and on PostgreSQL triggers refuse
UPDATE and DELETE (but an entry's one-time sequence) on entries and batches."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0010_seal_old_audit_chain'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.DeleteModel(
            name='AuditChain',
        ),
        migrations.RemoveField(
            model_name='auditentry',
            name='previous_hash',
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(condition=models.Q(('sequence__isnull', True)), fields=['id'], name='audit_waiting'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='auditentry',
            trigger=pgtrigger.compiler.Trigger(name='audit_entry_no_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='136d28a0c72404b1c4b5ea518397aa2f3e40f1a3', operation='DELETE', pgid='pgtrigger_audit_entry_no_delete_d8338', table='clinic_auditentry', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='auditentry',
            trigger=pgtrigger.compiler.Trigger(name='audit_entry_sequence_once', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."sequence" IS NOT NULL OR NEW."sequence" IS NULL)', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='399b14c2f16d6885255860ae48888dcae4ba8e7e', operation='UPDATE', pgid='pgtrigger_audit_entry_sequence_once_b907e', table='clinic_auditentry', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='auditentry',
            trigger=pgtrigger.compiler.Trigger(name='audit_entry_content_fixed', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."action" IS DISTINCT FROM (NEW."action") OR OLD."actor_id" IS DISTINCT FROM (NEW."actor_id") OR OLD."actor_email" IS DISTINCT FROM (NEW."actor_email") OR OLD."additional_data" IS DISTINCT FROM (NEW."additional_data") OR OLD."changes" IS DISTINCT FROM (NEW."changes") OR OLD."changes_text" IS DISTINCT FROM (NEW."changes_text") OR OLD."cid" IS DISTINCT FROM (NEW."cid") OR OLD."content_type_id" IS DISTINCT FROM (NEW."content_type_id") OR OLD."entry_hash" IS DISTINCT FROM (NEW."entry_hash") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."object_id" IS DISTINCT FROM (NEW."object_id") OR OLD."object_pk" IS DISTINCT FROM (NEW."object_pk") OR OLD."object_repr" IS DISTINCT FROM (NEW."object_repr") OR OLD."patient" IS DISTINCT FROM (NEW."patient") OR OLD."remote_addr" IS DISTINCT FROM (NEW."remote_addr") OR OLD."remote_port" IS DISTINCT FROM (NEW."remote_port") OR OLD."serialized_data" IS DISTINCT FROM (NEW."serialized_data") OR OLD."timestamp" IS DISTINCT FROM (NEW."timestamp"))', func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='39834ffceb29751a219c324cc393d8222c5010da', operation='UPDATE', pgid='pgtrigger_audit_entry_content_fixed_d3908', table='clinic_auditentry', when='BEFORE')),
        ),
        migrations.AddConstraint(
            model_name='auditbatch',
            constraint=models.CheckConstraint(condition=models.Q(('last_sequence__gte', models.F('first_sequence'))), name='audit_batch_not_empty'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='auditbatch',
            trigger=pgtrigger.compiler.Trigger(name='audit_batch_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='e09b4375ec40d4f442de5fd07f44c1b98f949c75', operation='UPDATE OR DELETE', pgid='pgtrigger_audit_batch_append_only_bb805', table='clinic_auditbatch', when='BEFORE')),
        ),
    ]
