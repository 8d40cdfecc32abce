"""Fixtures shared by the whole suite."""

import pytest

from clinic import roles
from tests.factories import UserFactory


@pytest.fixture
def front_desk_user(db):
    return UserFactory(username="desk", role=roles.FRONT_DESK)


@pytest.fixture
def physician_user(db):
    return UserFactory(username="doctor", role=roles.PHYSICIAN)


@pytest.fixture
def manager_user(db):
    return UserFactory(username="boss", role=roles.CLINIC_MANAGER)


@pytest.fixture
def desk_client(client, front_desk_user):
    client.force_login(front_desk_user)
    return client


@pytest.fixture
def online_patient_client(client):
    """A browser session that has answered every step of the online intake."""
    from tests.factories import ONLINE_STEP_ANSWERS

    for slug, answers in ONLINE_STEP_ANSWERS.items():
        response = client.post(f"/intake/{slug}/", {**answers, "action": "next"})
        assert response.status_code == 302, (slug, response.content.decode())
    return client


@pytest.fixture
def client_class():
    """Make fresh browsers (test clients), each with its own session."""
    from django.test import Client

    return Client
