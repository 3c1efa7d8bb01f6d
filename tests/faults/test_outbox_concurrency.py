"""The outbox under concurrent workers: sweeps on several threads at once, each with its
own PostgreSQL connection, over the same due messages, send every message exactly once
(counted by key in the file the provider writes). The control, a sweep without claims,
sends some twice under the same race; and a provider slower than the claim lasts does
not let a second worker send what the first is still sending."""

import threading
import time
from collections import Counter

import pytest
from django.db import connection

from portal.models import Notification
from portal.notifications import notification_build, notifications_send_due
from portal.sms import get_sms_backend
from tests.concurrency import run_together
from tests.faults.conftest import sms_keys

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

MESSAGES = 2000
SWEEPERS = 6


def due_messages(count: int) -> list[int]:
    """``count`` due text messages to guests (no account), written as the services write them."""
    rows = [
        notification_build(recipient=None, kind=Notification.Kind.OTHER, text=f"Message {n}", phone=f"137{n:08d}")
        for n in range(count)
    ]
    return [message.pk for message in Notification.objects.bulk_create(rows)]


def expected_keys(ids) -> set[str]:
    return {f"notification-{pk}" for pk in ids}


def test_sweeps_on_many_threads_send_each_of_2000_messages_exactly_once(sms_file):
    ids = due_messages(MESSAGES)

    started = time.monotonic()
    sent = run_together([lambda: notifications_send_due(batch=100) for _ in range(SWEEPERS)])
    seconds = time.monotonic() - started

    assert not [result for result in sent if isinstance(result, Exception)], sent
    assert sum(sent) == MESSAGES
    keys = sms_keys(sms_file)
    assert set(keys) == expected_keys(ids)
    assert set(keys.values()) == {1}
    # Each message was claimed once: no sweep took one another held.
    assert Counter(Notification.objects.values_list("delivery", "attempts", "claimed_until")) == {
        ("sent", 1, None): MESSAGES
    }
    print(f"\n{MESSAGES} messages, {SWEEPERS} sweeps at once: {seconds:.2f} s, per sweep {sorted(sent)}")


def naive_send_due(batch: int, everyone_has_read: threading.Barrier) -> int:
    """The control: read the pending messages, send, mark sent; no claim."""
    sent = 0
    first = True
    while True:
        messages = list(Notification.objects.filter(delivery="pending").order_by("pk")[:batch])
        if not messages:
            return sent
        if first:  # every sweep has read its first batch before any sends
            everyone_has_read.wait(timeout=30)
            first = False
        for message in messages:
            get_sms_backend().send(message.sms_to, message.text, key=f"notification-{message.pk}")
            Notification.objects.filter(pk=message.pk).update(delivery="sent")
            sent += 1


def test_control_without_claims_the_same_race_sends_messages_twice(sms_file):
    ids = due_messages(200)
    everyone_has_read = threading.Barrier(SWEEPERS)

    sent = run_together([lambda: naive_send_due(50, everyone_has_read) for _ in range(SWEEPERS)])

    keys = sms_keys(sms_file)
    assert set(keys) == expected_keys(ids)
    assert sum(sent) > 200
    assert max(keys.values()) > 1  # the race is real: the claims are what stop it


def test_the_same_race_with_claims_sends_once(sms_file):
    """The control's race, with the real sweep: every sweep starts at once on the same
    first batch."""
    ids = due_messages(200)

    sent = run_together([lambda: notifications_send_due(batch=50) for _ in range(SWEEPERS)])

    assert sum(sent) == 200
    assert sms_keys(sms_file) == Counter(dict.fromkeys(expected_keys(ids), 1))


def test_a_provider_slower_than_the_claim_does_not_let_a_second_sweep_send_twice(sms_file, settings):
    """The first sweep claims 20 messages for 2 s but sends one every 0.15 s (3 s in all);
    a second sweep starts once that claim has lapsed."""
    settings.NOTIFICATION_CLAIM_SECONDS = 2
    settings.SMS_BACKEND = "tests.faults.backends.SlowFileSmsBackend"
    ids = due_messages(20)

    def later():
        time.sleep(2.2)
        return notifications_send_due(batch=20)

    sent = run_together([lambda: notifications_send_due(batch=20), later])

    assert sum(sent) == 20
    assert sms_keys(sms_file) == Counter(dict.fromkeys(expected_keys(ids), 1))
    assert set(Notification.objects.values_list("delivery", "claimed_until")) == {("sent", None)}
