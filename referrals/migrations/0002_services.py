from django.db import migrations

SERVICES = [
    (
        "ketamine",
        "Ketamine infusion",
        "Intravenous ketamine infusions for resistant migraine, under physician "
        "supervision with blood-pressure monitoring.",
        True,
        "ketamine.team@clinic.example",
    ),
    (
        "botox",
        "Botox for migraine",
        "OnabotulinumtoxinA injections for chronic migraine (PREEMPT protocol), "
        "every 12 weeks. Coming soon.",
        False,
        "botox.team@clinic.example",
    ),
    (
        "acupuncture",
        "Acupuncture",
        "Acupuncture and acupressure sessions to reduce attack frequency.",
        True,
        "acupuncture.team@clinic.example",
    ),
    (
        "massage",
        "Massage",
        "Therapeutic massage to ease stress, neck and shoulder tension.",
        True,
        "massage.team@clinic.example",
    ),
    (
        "yoga",
        "Yoga",
        "Meditative and restorative yoga classes, adapted to each patient.",
        True,
        "yoga.team@clinic.example",
    ),
]


def create_services(apps, schema_editor):
    Service = apps.get_model("referrals", "Service")
    for code, name, description, accepts, email in SERVICES:
        Service.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "accepts_referrals": accepts,
                "contact_email": email,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(create_services, migrations.RunPython.noop)]
