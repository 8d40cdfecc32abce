"""Fixtures of the referral workflow's tests."""

import pytest

from clinic import roles
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def mail_delivered_to_locmem(settings):
    """Queued mail is delivered to ``django.core.mail.outbox`` when a test sends it."""
    settings.POST_OFFICE = {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "django.core.mail.backends.locmem.EmailBackend"},
        "RETRY_INTERVAL": settings.POST_OFFICE["RETRY_INTERVAL"],
    }
    settings.ON_CALL_EMAIL = "on-call@clinic.example"


@pytest.fixture
def physician2_user(db):
    return UserFactory(
        username="doctor2", first_name="Sam", last_name="Okafor", role=roles.PHYSICIAN
    )


@pytest.fixture
def physician_client(client, physician_user):
    client.force_login(physician_user)
    return client


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client
