"""Fixtures of the referral workflow's tests."""

import pytest

from clinic import roles
from tests.factories import UserFactory


@pytest.fixture
def physician2_user(db):
    return UserFactory(
        username="doctor2", first_name="Sam", last_name="Okafor", role=roles.PHYSICIAN
    )
