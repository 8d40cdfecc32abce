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
