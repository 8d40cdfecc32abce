from django.db import migrations

from clinic.roles import sync_roles


class Migration(migrations.Migration):
    """The clinic manager adds and edits a catalogue drug's other names."""

    dependencies = [
        ("clinic", "0011_append_only_audit_trail"),
        ("intake", "0022_rxnorm_help_for_staff"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
