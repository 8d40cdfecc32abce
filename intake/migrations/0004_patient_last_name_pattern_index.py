from django.db import migrations

INDEX = "patient_last_name_upper_pattern"


def create_index(apps, schema_editor):
    # PostgreSQL only: under a non-C collation, LIKE 'X%' on UPPER(last_name) can use an
    # index only with the text_pattern_ops operator class. SQLite's index already serves.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} "
            "ON intake_patient (UPPER(last_name) text_pattern_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    """Let a last-name search ("starts with") use an index on PostgreSQL."""

    dependencies = [("intake", "0003_online_draft")]

    operations = [migrations.RunPython(create_index, drop_index)]
