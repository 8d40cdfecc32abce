"""The services question marks the services not taking referrals yet "coming soon",
as the manager sets them in the admin, in the patient's language."""

import pytest
from django.utils import translation

from intake.online.forms import ServicesForm
from referrals.models import Service
from referrals.services import service_close, service_open

pytestmark = pytest.mark.django_db


def labels() -> dict[str, str]:
    return dict(ServicesForm().fields["interests"].choices)


def test_botox_is_coming_soon_as_the_clinic_opens():
    assert labels()["botox"] == "Botox for migraine (coming soon)"
    assert labels()["acupuncture"] == "Acupuncture"


def test_opening_and_closing_a_service_changes_its_label():
    service_open(service=Service.objects.get(code="botox"), user=None)
    service_close(service=Service.objects.get(code="acupuncture"))
    assert labels()["botox"] == "Botox for migraine"
    assert labels()["acupuncture"] == "Acupuncture (coming soon)"


def test_coming_soon_in_spanish():
    with translation.override("es"):
        assert labels()["botox"] == "Botox para la migraña (próximamente)"


def test_the_step_page_shows_it(online_patient_client):
    service_open(service=Service.objects.get(code="botox"), user=None)
    page = online_patient_client.get("/intake/services/").content.decode()
    assert "Botox for migraine" in page
    assert "(coming soon)" not in page
