"""The load balancer's health check: 200 while the node reaches its database."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests.test_settings import PRODUCTION_ENV, settings_module

pytestmark = pytest.mark.django_db


def test_health_answers_ok_when_the_database_answers(client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_503_when_the_database_does_not(client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get(reverse("health"))

    assert response.status_code == 503


def test_health_is_not_redirected_to_https_in_production(client, settings, monkeypatch):
    """The check reaches a node in plain HTTP; TLS ends at the load balancer."""
    production = settings_module(monkeypatch, **PRODUCTION_ENV)
    settings.SECURE_SSL_REDIRECT = production["SECURE_SSL_REDIRECT"]
    settings.SECURE_REDIRECT_EXEMPT = production["SECURE_REDIRECT_EXEMPT"]

    assert client.get(reverse("health")).status_code == 200
    assert client.get("/").status_code == 301


def test_health_needs_no_session(client):
    client.get(reverse("health"))

    assert not client.cookies
