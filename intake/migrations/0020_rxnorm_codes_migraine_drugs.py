from django.db import migrations

from intake.catalogue import RXNORM_INGREDIENTS


def code_catalogue(apps, schema_editor):
    """Give the catalogue's drugs the RxNorm ingredient codes added since 0018 (the
    triptans, ergots, ubrogepant, rimegepant, atogepant, lasmiditan, fremanezumab,
    galcanezumab, eptinezumab, topiramate, verapamil, flunarizine, cinnarizine,
    naproxen, ketorolac, prochlorperazine; intake/catalogue.py names the sources); a
    drug already coded keeps its code."""
    Drug = apps.get_model("intake", "Drug")
    for name, rxcui in RXNORM_INGREDIENTS.items():
        Drug.objects.filter(name=name, rxnorm_ingredient="").update(
            rxnorm_ingredient=rxcui
        )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0019_treatment_dose"),
    ]

    operations = [
        migrations.RunPython(code_catalogue, migrations.RunPython.noop),
    ]
