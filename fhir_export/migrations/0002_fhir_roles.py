from django.db import migrations

from clinic.roles import sync_roles


class Migration(migrations.Migration):
    """Give the roles the FHIR download's permission (clinic/roles.py)."""

    dependencies = [
        ("fhir_export", "0001_patient_record_export"),
        ("reports", "0002_report_roles"),
        ("intake", "0012_drug_rxnorm_ingredient"),
        ("clinic", "0011_append_only_audit_trail"),
        ("referrals", "0007_referral_appointment_and_cancel_reason"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
