"""The notification service (portal/notifications.py): one row that is both the inbox
message and the outbox of its text message and email; copies as the recipient chose, in
the recipient's language; a dedupe key sent at most once; a provider failure retried with
back-off until NOTIFICATION_MAX_ATTEMPTS, without resending a copy that already went.

Providers that fail are plug-in backends defined here (SMS_BACKEND, EMAIL_BACKEND), as a
real provider would be; the portal's own code runs unmocked on PostgreSQL."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from bookings.models import Booking
from portal import sms
from portal.models import Notification
from portal.notifications import (
    ProviderError,
    notification_build,
    notification_deliver,
    notification_send,
    notifications_send_due,
)
from portal.tasks import deliver_notification, send_due_notifications
from tests.bookings.factories import bookable_session, booking_for
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)


class FailingSmsBackend(sms.BaseSmsBackend):
    """A text-message provider that is down."""

    calls = 0

    def send(self, phone, message, key=None):
        FailingSmsBackend.calls += 1
        raise ConnectionError("provider unreachable")


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that refuses."""

    def send_messages(self, email_messages):
        raise OSError("SMTP 421 service not available")


class OneBadNumberSmsBackend(sms.LocmemSmsBackend):
    """A provider that refuses one number and sends the others."""

    def send(self, phone, message, key=None):
        if phone == "13900000666":
            raise ConnectionError("number blocked")
        super().send(phone, message, key)


FAILING_SMS = f"{__name__}.FailingSmsBackend"
FAILING_EMAIL = f"{__name__}.FailingEmailBackend"


@pytest.fixture(autouse=True)
def _counts():
    FailingSmsBackend.calls = 0


@pytest.fixture
def resident():
    return UserFactory(phone="13900000001", email="lin@example.cn", notify_by_sms=True, notify_by_email=True)


def written(recipient=None, text="Your pass code is 1234-5678.", **kwargs) -> Notification:
    """A message written as a service writes it (the commit hook that asks a worker to
    send it at once is not run: the tests send it through the sweep at a chosen time)."""
    with transaction.atomic():
        message = notification_send(recipient=recipient, text=text, **kwargs)
    message.refresh_from_db()
    return message


def outbox_of(message: Notification) -> tuple:
    message.refresh_from_db()
    return (message.delivery, message.attempts, message.sms_sent_at is not None, message.email_sent_at is not None)


# --- What is written, and to whom ------------------------------------------------------------


def test_message_is_in_the_inbox_and_goes_by_text_and_email_as_chosen(
    resident, sms_outbox, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = notification_send(
            recipient=resident, text="Booked: Calligraphy on Wed.", url="/bookings/7/", kind=Notification.Kind.BOOKING
        )

    message.refresh_from_db()
    assert list(resident.notifications.values_list("text", "url", "kind", "read_at")) == [
        ("Booked: Calligraphy on Wed.", "/bookings/7/", "booking", None)
    ]
    assert (message.sms_to, message.email_to, message.delivery, message.attempts) == (
        "13900000001",
        "lin@example.cn",
        Notification.Delivery.SENT,
        1,
    )
    assert message.sms_sent_at is not None and message.email_sent_at is not None
    assert [(m.phone, m.message, m.key) for m in sms_outbox] == [
        ("13900000001", "Booked: Calligraphy on Wed.", f"notification-{message.pk}")
    ]
    [email] = mailoutbox
    assert (email.to, email.subject, email.body) == (
        ["lin@example.cn"],
        "Message from the community service centre",
        "Booked: Calligraphy on Wed.\n\nhttp://127.0.0.1:8000/bookings/7/",
    )
    assert email.extra_headers["Message-ID"] == f"<notification-{message.pk}@localhost>"


def test_text_messages_only_when_emails_are_not_chosen(sms_outbox, mailoutbox, django_capture_on_commit_callbacks):
    resident = UserFactory(phone="13900000002", email="wang@example.cn", notify_by_sms=True, notify_by_email=False)

    with django_capture_on_commit_callbacks(execute=True):
        message = notification_send(recipient=resident, text="hello")

    assert (message.sms_to, message.email_to) == ("13900000002", "")
    assert [m.phone for m in sms_outbox] == ["13900000002"]
    assert mailoutbox == []


def test_emails_only_when_text_messages_are_turned_off(sms_outbox, mailoutbox, django_capture_on_commit_callbacks):
    resident = UserFactory(phone="13900000003", email="zhao@example.cn", notify_by_sms=False, notify_by_email=True)

    with django_capture_on_commit_callbacks(execute=True):
        message = notification_send(recipient=resident, text="hello")

    assert (message.sms_to, message.email_to) == ("", "zhao@example.cn")
    assert sms_outbox == []
    assert [email.to for email in mailoutbox] == [["zhao@example.cn"]]


def test_inbox_only_when_both_channels_are_off(sms_outbox, mailoutbox, django_capture_on_commit_callbacks):
    resident = UserFactory(phone="13900000004", notify_by_sms=False, notify_by_email=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = notification_send(recipient=resident, text="hello")

    message.refresh_from_db()
    assert (message.delivery, message.sms_to, message.email_to, message.attempts) == ("none", "", "", 0)
    assert callbacks == []
    assert list(resident.notifications.values_list("text", flat=True)) == ["hello"]
    assert sms_outbox == []
    assert mailoutbox == []


def test_a_closed_account_gets_the_inbox_message_but_no_copies(sms_outbox, mailoutbox):
    closed = UserFactory(phone="13900000005", email="x@example.cn", notify_by_email=True, is_active=False)

    message = written(closed)

    assert (message.delivery, message.sms_to, message.email_to) == ("none", "", "")
    assert notifications_send_due() == 0
    assert sms_outbox == []


def test_guest_without_an_account_gets_a_text_message_only(sms_outbox, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = notification_send(recipient=None, phone="13900000009", text="Booked for 王阿姨.")

    message.refresh_from_db()
    assert (message.recipient_id, message.sms_to, message.email_to, message.delivery) == (
        None,
        "13900000009",
        "",
        "sent",
    )
    assert [(m.phone, m.message) for m in sms_outbox] == [("13900000009", "Booked for 王阿姨.")]
    assert mailoutbox == []


def test_nobody_to_tell_writes_nothing():
    assert notification_send(recipient=None, phone="", text="hello") is None
    assert Notification.objects.count() == 0


def test_a_long_text_is_cut_to_the_inbox_field():
    message = written(UserFactory(), text="长" * 600)

    assert message.text == "长" * 500


# --- The recipient's language ----------------------------------------------------------------


def test_text_is_written_in_the_recipients_language_not_the_requests(sms_outbox, mailoutbox):
    chinese = UserFactory(language="zh-hans", email="a@example.cn", notify_by_email=True)
    english = UserFactory(language="en")
    text = lambda: gettext("This booking is no longer active.")  # noqa: E731

    with translation.override("en"):
        to_chinese = written(chinese, text=text)
    with translation.override("zh-hans"):
        to_english = written(english, text=text)

    assert (to_chinese.text, to_chinese.subject) == ("这个预约已经失效了。", gettext_in("zh-hans", SUBJECT))
    assert (to_english.text, to_english.subject) == ("This booking is no longer active.", SUBJECT)
    assert translation.get_language() == "en"  # the request's language is left as it was


SUBJECT = "Message from the community service centre"


def gettext_in(language, msgid):
    with translation.override(language):
        return gettext(msgid)


def test_booking_confirmation_reaches_a_chinese_resident_in_chinese_from_an_english_page(
    sms_outbox, django_capture_on_commit_callbacks
):
    occurrence = bookable_session(title="Calligraphy")
    chinese = UserFactory(phone="13900000011", name="林晓梅", language="zh-hans")
    english = UserFactory(phone="13900000012", name="Lin", language="en")

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        for_chinese = booking_for(chinese, occurrence)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        for_english = booking_for(english, occurrence)

    with translation.override("zh-hans"):
        in_chinese = (
            f"预约成功：已为林晓梅预约{when_text(occurrence)}的“Calligraphy”。凭证码：{for_chinese.code_display}。"
        )
    with translation.override("en"):
        in_english = f"Booked: “Calligraphy” on {when_text(occurrence)} for Lin. Pass code {for_english.code_display}."
    assert list(chinese.notifications.values_list("text", flat=True)) == [in_chinese]
    assert list(english.notifications.values_list("text", flat=True)) == [in_english]
    assert [(m.phone, m.message) for m in sms_outbox] == [("13900000011", in_chinese), ("13900000012", in_english)]


def when_text(occurrence):
    from portal.templatetags.portal_tags import when

    return when(occurrence.starts_at)


def test_link_is_resolved_in_the_recipients_language():
    chinese = UserFactory(language="zh-hans")
    seen = []

    def url():
        seen.append(translation.get_language())
        return "/bookings/"

    written(chinese, url=url)

    assert seen == ["zh-hans"]


# --- At most once per key ----------------------------------------------------------------------


def test_a_dedupe_key_is_written_once_and_the_callers_transaction_goes_on(
    resident, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = notification_send(recipient=resident, text="Reminder", dedupe_key="reminder-1")
        second = notification_send(recipient=resident, text="Reminder again", dedupe_key="reminder-1")
        other = notification_send(recipient=resident, text="Round-up", dedupe_key="roundup-2026-12")

    assert first is not None and other is not None
    assert second is None
    assert list(Notification.objects.order_by("pk").values_list("text", "dedupe_key")) == [
        ("Reminder", "reminder-1"),
        ("Round-up", "roundup-2026-12"),
    ]
    assert [m.message for m in sms_outbox] == ["Reminder", "Round-up"]


def test_messages_without_a_key_are_never_merged(resident):
    written(resident, text="one")
    written(resident, text="two")

    assert Notification.objects.filter(dedupe_key="").count() == 2


# --- Sending: the worker, the sweep, running twice --------------------------------------------


def test_delivering_twice_sends_once(resident, sms_outbox, mailoutbox):
    message = written(resident)

    assert notification_deliver(notification_id=message.pk) is True
    assert notification_deliver(notification_id=message.pk) is False
    assert deliver_notification.delay(message.pk).get() is False
    assert notifications_send_due() == 0

    assert outbox_of(message) == ("sent", 1, True, True)
    assert len(sms_outbox) == 1
    assert len(mailoutbox) == 1


def test_the_sweep_sends_what_the_worker_never_got(resident, sms_outbox):
    # Written, but the task asking a worker to send it was lost (broker down).
    messages = [written(resident, text=f"message {n}") for n in range(3)]

    assert send_due_notifications.delay().get() == 3

    assert [m.message for m in sms_outbox] == ["message 0", "message 1", "message 2"]
    assert {outbox_of(m) for m in messages} == {("sent", 1, True, True)}


def test_a_message_held_by_a_live_claim_is_left_to_its_worker(resident, sms_outbox, settings):
    message = written(resident)
    now = timezone.now()
    Notification.objects.filter(pk=message.pk).update(claimed_until=now + dt.timedelta(seconds=30))

    assert notifications_send_due(now=now) == 0
    assert notification_deliver(notification_id=message.pk, now=now) is False
    assert sms_outbox == []
    # The worker died: its claim lapses and the next sweep sends the message.
    assert notifications_send_due(now=now + dt.timedelta(seconds=31)) == 1
    assert len(sms_outbox) == 1


def test_a_message_not_yet_due_waits(resident, sms_outbox):
    message = written(resident)
    later = timezone.now() + dt.timedelta(minutes=5)
    Notification.objects.filter(pk=message.pk).update(send_after=later)

    assert notifications_send_due(now=later - dt.timedelta(seconds=1)) == 0
    assert notifications_send_due(now=later) == 1


# --- Provider failures: back-off, then failed ---------------------------------------------------


def test_a_provider_failure_is_retried_with_back_off_then_marked_failed(resident, settings, sms_outbox):
    settings.SMS_BACKEND = FAILING_SMS
    settings.NOTIFICATION_RETRY_SECONDS = 60
    settings.NOTIFICATION_MAX_ATTEMPTS = 5
    resident.notify_by_email = False
    resident.save()
    message = written(resident)
    Notification.objects.filter(pk=message.pk).update(send_after=T0)

    moment, gaps = T0, []
    for _attempt in range(4):
        assert notifications_send_due(now=moment) == 0
        message.refresh_from_db()
        gaps.append((message.attempts, (message.send_after - moment).total_seconds(), message.delivery))
        # Not before its time ...
        assert notifications_send_due(now=message.send_after - dt.timedelta(seconds=1)) == 0
        moment = message.send_after
    assert gaps == [(1, 60, "pending"), (2, 120, "pending"), (3, 240, "pending"), (4, 480, "pending")]

    assert notifications_send_due(now=moment) == 0

    message.refresh_from_db()
    assert (message.delivery, message.attempts, message.claimed_until, message.sms_sent_at) == ("failed", 5, None, None)
    assert message.last_error == "SMS: provider unreachable"
    assert FailingSmsBackend.calls == 5
    # A failed message is not tried again.
    assert notifications_send_due(now=moment + dt.timedelta(days=1)) == 0
    assert FailingSmsBackend.calls == 5
    assert sms_outbox == []


def test_the_provider_back_sends_the_waiting_message_once(resident, settings, sms_outbox):
    settings.SMS_BACKEND = FAILING_SMS
    settings.NOTIFICATION_RETRY_SECONDS = 60
    message = written(resident)
    Notification.objects.filter(pk=message.pk).update(send_after=T0)
    notifications_send_due(now=T0)

    settings.SMS_BACKEND = "portal.sms.LocmemSmsBackend"
    assert notifications_send_due(now=T0 + dt.timedelta(seconds=60)) == 1
    assert notifications_send_due(now=T0 + dt.timedelta(hours=1)) == 0

    assert outbox_of(message) == ("sent", 2, True, True)
    assert len(sms_outbox) == 1
    assert message.last_error == "SMS: provider unreachable"  # kept for the record


def test_an_email_failure_after_the_text_went_does_not_resend_the_text(resident, settings, sms_outbox, mailoutbox):
    settings.EMAIL_BACKEND = FAILING_EMAIL
    settings.NOTIFICATION_RETRY_SECONDS = 60
    message = written(resident)
    Notification.objects.filter(pk=message.pk).update(send_after=T0)

    assert notifications_send_due(now=T0) == 0
    assert outbox_of(message) == ("pending", 1, True, False)
    assert message.last_error == "email: SMTP 421 service not available"
    assert len(sms_outbox) == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_send_due(now=T0 + dt.timedelta(seconds=60)) == 1

    assert outbox_of(message) == ("sent", 2, True, True)
    assert len(sms_outbox) == 1
    assert [email.to for email in mailoutbox] == [["lin@example.cn"]]


def test_a_provider_failure_in_the_task_leaves_the_message_to_the_sweep(resident, settings, sms_outbox):
    settings.SMS_BACKEND = FAILING_SMS
    settings.NOTIFICATION_RETRY_SECONDS = 60
    message = written(resident)

    with pytest.raises(ProviderError, match="SMS: provider unreachable"):
        notification_deliver(notification_id=message.pk)
    # The task's own retry (eager here, at once) finds it not due yet and leaves it alone.
    result = deliver_notification.apply(args=(message.pk,))

    assert result.get() is False
    assert outbox_of(message) == ("pending", 1, False, False)
    assert FailingSmsBackend.calls == 1


def test_one_failing_message_does_not_hold_up_the_others(settings, sms_outbox):
    settings.NOTIFICATION_RETRY_SECONDS = 60
    settings.SMS_BACKEND = f"{__name__}.OneBadNumberSmsBackend"
    bad = written(UserFactory(phone="13900000666"))
    good = [written(UserFactory(phone=f"1390000070{n}")) for n in range(3)]

    assert notifications_send_due() == 3

    assert [m.phone for m in sms_outbox] == ["13900000700", "13900000701", "13900000702"]
    assert outbox_of(bad)[:2] == ("pending", 1)
    assert {outbox_of(m)[0] for m in good} == {"sent"}


# --- What is built -----------------------------------------------------------------------------


def test_build_fixes_the_addresses_when_written(resident):
    message = notification_build(recipient=resident, kind=Notification.Kind.REMINDER, text="hi", now=T0)
    resident.phone, resident.email = "13900000099", "new@example.cn"

    assert (message.sms_to, message.email_to, message.created_at, message.send_after, message.pk) == (
        "13900000001",
        "lin@example.cn",
        T0,
        T0,
        None,
    )


def test_the_email_link_is_the_portals_own_address(resident, settings, mailoutbox):
    settings.PORTAL_BASE_URL = "https://dqfw.example.gov.cn/"
    message = written(resident, text="Moved.", url="/bookings/3/")

    notifications_send_due()

    assert mailoutbox[0].body == "Moved.\n\nhttps://dqfw.example.gov.cn/bookings/3/"
    assert outbox_of(message)[0] == "sent"


def test_booking_waits_for_no_provider(settings, sms_outbox, django_capture_on_commit_callbacks):
    """A provider that is down does not refuse the booking: it is written, the text waits."""
    settings.SMS_BACKEND = FAILING_SMS
    resident = UserFactory(phone="13900000021")

    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_for(resident, bookable_session())

    assert booking.status == Booking.Status.CONFIRMED
    message = resident.notifications.get()
    assert outbox_of(message) == ("pending", 1, False, False)
