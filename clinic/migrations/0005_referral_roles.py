from django.db import migrations

from clinic.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_audit_roles"),
        ("referrals", "0002_services"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
