"""Regression tests for the problems the final review of the bookings change found, one
section per problem; each failed before its fix."""

import pytest

from portal.models import Notification
from tests.bookings.rule_helpers import (
    resident,
    rules_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(monkeypatch, settings):
    with rules_world(monkeypatch, settings) as clock:
        yield clock


# The inbox: "Mark all as read" with a digit that is not 0-9 ------------------------------


def test_mark_all_read_with_a_superscript_digit_is_no_server_error_and_marks_all(client):
    someone = resident("林晓", phone="13500000301")
    for text in ("一", "二"):
        Notification.objects.create(recipient=someone, text=text)
    client.force_login(someone)

    response = client.post("/en/messages/read/", {"up_to": "²"})

    assert response.status_code == 302
    assert response["Location"] == "/en/messages/"
    assert Notification.objects.filter(recipient=someone, read_at__isnull=True).count() == 0
