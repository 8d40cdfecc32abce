from django.db import migrations

from clinic.roles import sync_roles


class Migration(migrations.Migration):
    """The Clinician role, and each role's part in treatment courses and outcomes."""

    dependencies = [
        ("outcomes", "0001_courses_sessions_follow_ups"),
        ("clinic", "0009_outgoing_mail_for_the_manager"),
        ("staff", "0001_staff_accounts_and_enrolment_codes"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
