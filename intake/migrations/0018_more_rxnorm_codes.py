"""Code the drugs given RxNorm codes after 0012 (atenolol, bisoprolol, candesartan,
lisinopril; intake/catalogue.py names the source) in clinics migrated before: 0012's
function again, which codes every catalogue drug still uncoded and keeps any code."""

from importlib import import_module

from django.db import migrations

code_catalogue = import_module(
    "intake.migrations.0012_drug_rxnorm_ingredient"
).code_catalogue


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0017_reports_indexes"),
    ]

    operations = [
        migrations.RunPython(code_catalogue, migrations.RunPython.noop),
    ]
