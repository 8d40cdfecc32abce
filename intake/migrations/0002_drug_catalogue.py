from django.db import migrations

from intake.catalogue import DRUGS


def load_catalogue(apps, schema_editor):
    Drug = apps.get_model("intake", "Drug")
    for name, treatment_class, intent, preventive_class in DRUGS:
        Drug.objects.get_or_create(
            name=name,
            defaults={
                "treatment_class": treatment_class,
                "default_intent": intent,
                "preventive_class": preventive_class,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
