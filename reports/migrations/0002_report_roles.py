from django.db import migrations

from clinic.roles import sync_roles


class Migration(migrations.Migration):
    """Give the roles the reports' permissions (clinic/roles.py)."""

    dependencies = [
        ("reports", "0001_operations_report_and_list_export"),
        ("clinic", "0009_outgoing_mail_for_the_manager"),
        ("intake", "0010_drug_other_names"),
        ("referrals", "0006_referral_rereview_flags"),
        ("staff", "0001_staff_accounts_and_enrolment_codes"),
        ("outcomes", "0002_clinician_role_and_course_permissions"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
