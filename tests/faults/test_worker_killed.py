"""Killing a worker in the middle of a batch loses no reminder and duplicates none
(issue 5). Real ``celery -A portal worker`` processes on the test database, the test's
own redis-server as broker, 1,200 due reminders, and SIGKILL twice:

1. the first worker is killed inside the transaction of its second batch of reminders
   (held there by a booking the test keeps locked): its first batch stays sent, the
   second is rolled back whole;
2. the second worker's text-message provider hangs at its 300th message and the worker
   is killed there: the 299 sent stay marked sent, its claim on the rest lapses
   (NOTIFICATION_CLAIM_SECONDS=2);
3. a third worker sends the rest.

Every reminder ends with exactly one message, and the provider's file holds each
message's key exactly once."""

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bookings.codes import PASS_ALPHABET, PASS_LENGTH
from bookings.models import Booking, Place, Reminder
from bookings.tasks import send_due_reminders
from portal.models import Notification, User
from portal.tasks import send_due_notifications
from tests.bookings.factories import bookable_session
from tests.faults.conftest import sms_keys, wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

REMINDERS = 1200
BATCH = 500  # reminders_send_due's batch
HANG_AT = 300
CLAIM_SECONDS = 2


def pass_code(n: int) -> str:
    digits = []
    for _ in range(PASS_LENGTH):
        n, digit = divmod(n, len(PASS_ALPHABET))
        digits.append(PASS_ALPHABET[digit])
    return "".join(digits)


def due_reminders(count: int) -> list[Booking]:
    """``count`` confirmed bookings of one coming session, each with a 24-hour reminder
    due a minute ago (written in bulk: the services' path is tested elsewhere)."""
    occurrence = bookable_session()
    now = timezone.now()
    residents = User.objects.bulk_create(
        User(phone=f"136{n:08d}", name=f"居民{n}", role=User.Role.RESIDENT, language="en") for n in range(count)
    )
    bookings = Booking.objects.bulk_create(
        Booking(
            occurrence=occurrence,
            activity=occurrence.activity,
            centre=occurrence.centre,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
            resident=resident,
            person_name=resident.name,
            code=pass_code(n + 1),
            created_at=now - dt.timedelta(days=1),
            confirmed_at=now - dt.timedelta(days=1),
        )
        for n, resident in enumerate(residents)
    )
    Place.objects.bulk_create(Place(booking=booking, occurrence=occurrence) for booking in bookings)
    Reminder.objects.bulk_create(
        Reminder(booking=booking, occurrence=occurrence, hours_before=24, due_at=now - dt.timedelta(minutes=1))
        for booking in bookings
    )
    return bookings


class RowLock:
    """A booking kept locked by a transaction on a thread of its own, until released."""

    def __init__(self, booking_id: int):
        self.locked, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(booking_id,))
        self.thread.start()
        assert self.locked.wait(10)

    def _hold(self, booking_id):
        try:
            with transaction.atomic():
                Booking.objects.select_for_update().get(pk=booking_id)
                self.locked.set()
                self.release.wait(60)
        finally:
            connection.close()

    def end(self):
        self.release.set()
        self.thread.join(10)


@pytest.fixture
def row_lock():
    locks = []

    def lock(booking_id: int) -> RowLock:
        locks.append(RowLock(booking_id))
        return locks[-1]

    yield lock
    for held in locks:
        held.end()


def backends_waiting_for_a_lock() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return [pid for (pid,) in cursor.fetchall()]


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


def counts() -> tuple[int, int, int, int]:
    """(reminders sent, reminders pending, reminder messages, messages sent)."""
    return (
        Reminder.objects.filter(status="sent").count(),
        Reminder.objects.filter(status="pending").count(),
        Notification.objects.filter(kind="reminder").count(),
        Notification.objects.filter(delivery="sent").count(),
    )


def test_workers_killed_mid_batch_lose_no_reminder_and_send_none_twice(workers, sms_file, row_lock):
    bookings = due_reminders(REMINDERS)
    common = {"NOTIFICATION_CLAIM_SECONDS": CLAIM_SECONDS}
    # Started together (each takes a few seconds to start); each listens on its own queue.
    first = workers.start("first", **common)
    second = workers.start(
        "second", FAULT_SMS_BACKEND="tests.faults.backends.HangingFileSmsBackend", FAULT_HANG_AT=HANG_AT, **common
    )
    third = workers.start("third", **common)

    # 1. Killed inside a batch's transaction. The reminder of booking 700 is in the
    # second batch; the test holds that booking, so the worker waits there.
    lock = row_lock(bookings[699].pk)
    send_due_reminders.apply_async(queue="first")
    [waiting] = wait_until(backends_waiting_for_a_lock, timeout=30, message="the first worker to reach batch 2")
    assert counts() == (BATCH, REMINDERS - BATCH, BATCH, 0)
    workers.kill(first)
    lock.end()
    wait_until(lambda: not backend_alive(waiting), message="PostgreSQL to end the killed worker's session")
    assert counts() == (BATCH, REMINDERS - BATCH, BATCH, 0)  # the second batch rolled back whole

    # 2. Killed while its provider hangs at the 300th text message.
    send_due_reminders.apply_async(queue="second")
    wait_until(lambda: counts()[3] == HANG_AT - 1, timeout=30, message="the second worker to send 299 messages")
    time.sleep(0.2)  # hanging on the 300th
    assert counts() == (REMINDERS, 0, REMINDERS, HANG_AT - 1)
    workers.kill(second)
    assert sum(sms_keys(sms_file).values()) == HANG_AT - 1

    # 3. Once the dead worker's claim has lapsed, the third worker sends the rest.
    wait_until(
        lambda: not Notification.objects.filter(claimed_until__gt=timezone.now()).exists(),
        timeout=CLAIM_SECONDS + 5,
        message="the dead worker's claim to lapse",
    )
    send_due_notifications.apply_async(queue="third")
    wait_until(lambda: counts()[3] == REMINDERS, timeout=30, message="the third worker to send the rest")

    messages = Notification.objects.filter(kind="reminder")
    assert counts() == (REMINDERS, 0, REMINDERS, REMINDERS)
    assert len(set(messages.values_list("dedupe_key", flat=True))) == REMINDERS
    assert set(messages.values_list("recipient_id", flat=True)) == {b.resident_id for b in bookings}
    keys = sms_keys(sms_file)
    assert set(keys) == {f"notification-{pk}" for pk in messages.values_list("pk", flat=True)}
    assert Counter(keys.values()) == {1: REMINDERS}
    assert third.poll() is None, workers.log(third)
