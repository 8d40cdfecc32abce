from django.db import migrations

from clinic.roles import sync_roles


class Migration(migrations.Migration):
    """Physicians and clinicians end courses (completing the referral); the front
    desk keeps completing them under the new ``referrals.complete_referral``."""

    dependencies = [
        ("outcomes", "0005_course_session_summary"),
        ("referrals", "0011_complete_referral_permission"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
