"""A sweep sends a message only while its claim has a good margin left
(portal/notifications.py): a slow provider makes it give back the rest of its batch
rather than send after its claim lapsed, when another worker may have taken them."""

import time

import pytest

from portal import notifications, sms
from portal.models import Notification
from portal.notifications import notification_send, notifications_send_due
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


class SlowSmsBackend(sms.LocmemSmsBackend):
    """A provider that takes 0.4 s a message."""

    def send(self, phone, message, key=None):
        time.sleep(0.4)
        super().send(phone, message, key)


@pytest.fixture
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def test_a_slow_provider_makes_the_sweep_give_back_the_rest_of_its_batch_before_its_claim_runs_out(
    settings, outbox, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_CLAIM_SECONDS = 2  # the margin is 1 s: two messages per claim
    settings.SMS_BACKEND = "tests.portal.test_notification_claims.SlowSmsBackend"
    people = [UserFactory(phone=f"1350000{n:04d}") for n in range(5)]
    with notifications.notifications_held():
        messages = [notification_send(recipient=p, text=f"message {n}") for n, p in enumerate(people)]
    Notification.objects.update(delivery=Notification.Delivery.PENDING)
    given_back = []
    real_release = notifications._release

    def release(rest):
        given_back.append(len(rest))
        real_release(rest)

    notifications._release = release
    try:
        assert notifications_send_due() == 5
    finally:
        notifications._release = real_release

    assert sorted(m.key for m in outbox) == sorted(f"notification-{m.pk}" for m in messages)
    assert given_back  # the first batch was given back part-way, and claimed again
    assert set(Notification.objects.values_list("delivery", "claimed_until", "attempts")) == {
        (Notification.Delivery.SENT, None, 1)
    }
