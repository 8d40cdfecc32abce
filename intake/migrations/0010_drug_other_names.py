from django.db import migrations

from intake.catalogue import OTHER_NAMES
from intake.models import fold_name


def load_other_names(apps, schema_editor):
    Drug = apps.get_model("intake", "Drug")
    DrugName = apps.get_model("intake", "DrugName")
    drugs = Drug.objects.in_bulk(list(OTHER_NAMES), field_name="name")
    for generic, names in OTHER_NAMES.items():
        if generic not in drugs:
            continue
        for name in names:
            DrugName.objects.get_or_create(
                folded=fold_name(name),
                defaults={"drug": drugs[generic], "name": name},
            )


class Migration(migrations.Migration):
    dependencies = [("intake", "0009_drug_names_languages_unchecked_answers")]

    operations = [migrations.RunPython(load_other_names, migrations.RunPython.noop)]
