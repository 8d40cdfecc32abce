from django.db import migrations

from clinic.roles import sync_roles


class Migration(migrations.Migration):
    """Give the clinic manager the audit trail and two-factor device management."""

    dependencies = [
        ("clinic", "0003_audit_trail"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
