"""/healthz: 200 when the database and the Celery broker answer, 503 otherwise, quickly."""

import time

import pytest
from django.db import OperationalError, connections

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"


def test_healthy_against_the_real_database_and_redis(client, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_the_answer_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_unavailable_when_the_broker_is_unreachable_and_says_so_within_seconds(client, settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT

    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unreachable"}
    assert elapsed < 5


def test_unavailable_when_the_database_is_unreachable(client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable", "broker": "ok"}


def test_unavailable_when_both_are_unreachable(client, settings, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    settings.CELERY_BROKER_URL = CLOSED_PORT
    monkeypatch.setattr(connections["default"], "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable", "broker": "unreachable"}


def test_only_get_is_answered(client):
    response = client.post("/healthz")

    assert response.status_code == 405
