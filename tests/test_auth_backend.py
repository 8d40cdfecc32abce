"""A user's permissions in one query, and exactly the stock backend's answer."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.auth import OneQueryModelBackend

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no permission caches


def test_own_and_group_permissions_in_one_query(front_desk_user):
    extra = Permission.objects.get(codename="view_logentry")
    front_desk_user.user_permissions.add(extra)
    user = fresh(front_desk_user)

    with CaptureQueriesContext(connection) as queries:
        found = OneQueryModelBackend().get_all_permissions(user)
        assert user.has_perm("admin.view_logentry")
        assert user.has_perm("intake.add_intake")
    assert len(queries) == 1
    assert found == ModelBackend().get_all_permissions(fresh(front_desk_user))
    assert "admin.view_logentry" in found


@pytest.mark.parametrize("role", ["front_desk_user", "physician_user", "manager_user"])
def test_every_role_gets_what_the_stock_backend_gives(role, request):
    user = request.getfixturevalue(role)
    ours = OneQueryModelBackend().get_all_permissions(fresh(user))
    assert ours == ModelBackend().get_all_permissions(fresh(user))
    assert ours  # each role has some


def test_inactive_users_have_none_and_superusers_have_all(front_desk_user):
    front_desk_user.is_active = False
    assert OneQueryModelBackend().get_all_permissions(front_desk_user) == set()
    boss = User.objects.create_superuser("boss", "boss@example.com", "x" * 20)
    assert len(OneQueryModelBackend().get_all_permissions(boss)) == (
        Permission.objects.count()
    )
