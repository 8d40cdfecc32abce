"""Preferred language becomes a choice: the free text of earlier patients as a code.

Spanish named in English or in Spanish becomes "es"; anything else "en", the
language the clinic wrote to every patient in until now.
"""

from django.db import migrations

SPANISH = {"spanish", "español", "espanol", "es"}


def to_codes(apps, schema_editor):
    Patient = apps.get_model("intake", "Patient")
    for language in Patient.objects.values_list("preferred_language", flat=True).distinct():
        code = "es" if language.strip().casefold() in SPANISH else "en"
        Patient.objects.filter(preferred_language=language).update(
            preferred_language=code
        )


def to_names(apps, schema_editor):
    Patient = apps.get_model("intake", "Patient")
    Patient.objects.filter(preferred_language="es").update(preferred_language="Spanish")
    Patient.objects.exclude(preferred_language="Spanish").update(
        preferred_language="English"
    )


class Migration(migrations.Migration):
    dependencies = [("intake", "0007_intake_amendments")]

    operations = [migrations.RunPython(to_codes, to_names)]
