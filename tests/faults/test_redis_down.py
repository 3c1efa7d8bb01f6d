"""A booking succeeds while Redis is down, and what it should send goes out once Redis
is back (issue 5). The test's own redis-server is the broker (and, through the page,
the cache); it is really killed (SIGKILL) or frozen (SIGSTOP), tasks are really sent to
it, not run eagerly."""

import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from bookings.models import Booking
from portal.models import Notification
from portal.tasks import deliver_notification, send_due_notifications
from tests.bookings.factories import bookable_session, booking_for
from tests.faults.conftest import sms_keys
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

# Generous for a loaded 2-core CI machine: the point is "no long hang". A booking takes
# about 50 ms; the first message sent while the broker refuses connections waits
# CELERY_BROKER_CONNECTION_TIMEOUT besides (kombu retries the connection that long).
QUICK = 1.5
CONNECTING = django_settings.CELERY_BROKER_CONNECTION_TIMEOUT


def outbox_state(message: Notification) -> tuple:
    message.refresh_from_db()
    return (message.delivery, message.attempts, message.sms_sent_at is not None)


def booking_with_its_message(resident, django_capture_on_commit_callbacks):
    """A booking through the service, the commit hooks run (a task is sent after it)."""
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_for(resident, bookable_session())
    return booking, time.monotonic() - started


def test_a_booking_succeeds_while_the_broker_is_down_and_its_text_goes_once_it_is_back(
    broker, sms_file, django_capture_on_commit_callbacks
):
    resident = UserFactory(phone="13900000031")
    broker.kill()

    booking, seconds = booking_with_its_message(resident, django_capture_on_commit_callbacks)

    assert booking.status == Booking.Status.CONFIRMED
    assert seconds < CONNECTING + QUICK
    message = resident.notifications.get()
    assert outbox_state(message) == ("pending", 0, False)  # in the outbox, not lost
    assert sms_keys(sms_file) == {}

    broker.start()
    # The beat's sweep, the next minute, finds it and sends it, once.
    assert send_due_notifications.apply().get() == 1
    assert send_due_notifications.apply().get() == 0
    assert outbox_state(message) == ("sent", 1, True)
    assert sms_keys(sms_file) == {f"notification-{message.pk}": 1}


def test_the_sweep_sends_what_waited_for_the_broker_once(broker, sms_file, django_capture_on_commit_callbacks):
    resident = UserFactory(phone="13900000032")
    broker.kill()
    booking, _seconds = booking_with_its_message(resident, django_capture_on_commit_callbacks)
    message = resident.notifications.get()

    broker.start()
    # Tasks can be sent again: a second copy of the "send now" task reaches the broker ...
    deliver_notification.apply_async((message.pk,))
    assert broker.client().llen("default") == 1
    # ... while the beat's sweep sends what waited.
    assert send_due_notifications.apply().get() == 1
    # The queued task then finds the message sent and sends nothing more.
    assert deliver_notification.apply((message.pk,)).get() is False
    assert send_due_notifications.apply().get() == 0

    assert outbox_state(message) == ("sent", 1, True)
    assert sms_keys(sms_file) == {f"notification-{message.pk}": 1}
    assert booking.status == Booking.Status.CONFIRMED


def test_with_the_broker_up_the_text_is_handed_to_a_worker(broker, sms_file, django_capture_on_commit_callbacks):
    resident = UserFactory(phone="13900000033")

    booking_with_its_message(resident, django_capture_on_commit_callbacks)

    message = resident.notifications.get()
    assert broker.client().llen("default") == 1  # the task waits for a worker
    assert outbox_state(message) == ("pending", 0, False)


def test_the_booking_page_works_while_redis_is_down(
    client, broker, sms_file, settings, django_capture_on_commit_callbacks
):
    """Redis is the cache as well here: pages and logins go on without it."""
    settings.CACHES = {
        "default": django_settings.CACHES["default"] | {"LOCATION": broker.url(1), "KEY_PREFIX": "faults"}
    }
    resident = UserFactory(phone="13900000034")
    occurrence = bookable_session()
    client.force_login(resident)
    broker.kill()

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/en/activities/{occurrence.pk}/")
        response = client.post(f"/en/bookings/book/{occurrence.pk}/", {"people": ["self"], "request_key": "k-1"})
    seconds = time.monotonic() - started

    booking = Booking.objects.get()
    assert (page.status_code, response.status_code) == (200, 302)
    assert response["Location"] == f"/en/bookings/{booking.code}/"
    assert seconds < CONNECTING + 2 * QUICK
    message = resident.notifications.get()
    assert outbox_state(message) == ("pending", 0, False)

    broker.start()
    assert send_due_notifications.apply().get() == 1
    assert sms_keys(sms_file) == {f"notification-{message.pk}": 1}
    cache.clear()


def _broker_read_timeout() -> float | None:
    options = getattr(django_settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    return options.get("socket_timeout")


def test_a_booking_succeeds_while_the_broker_is_frozen(broker, sms_file, django_capture_on_commit_callbacks):
    # Bounded by the broker's socket timeout (CELERY_BROKER_TRANSPORT_OPTIONS); without
    # it a frozen Redis held the request for over 90 s.
    assert _broker_read_timeout()
    resident = UserFactory(phone="13900000035")
    booking_with_its_message(UserFactory(phone="13900000036"), django_capture_on_commit_callbacks)  # connected
    broker.freeze()
    try:
        booking, seconds = booking_with_its_message(resident, django_capture_on_commit_callbacks)
    finally:
        broker.thaw()

    assert booking.status == Booking.Status.CONFIRMED
    assert seconds < _broker_read_timeout() + QUICK  # the broker's socket timeout, then on
    assert outbox_state(resident.notifications.get()) == ("pending", 0, False)
