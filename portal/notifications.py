"""The notification service: every message the portal sends a person goes through here.

``notification_send`` writes the message in the transaction of what it tells: a row in
the person's inbox that is also the outbox of its text message and email. After the
commit a task is asked to send it at once; if the broker is down, the beat's sweep
(``notifications_send_due``, every minute) sends it when the broker is back. Either way
the copies go out through ``notification_deliver``, which claims the row first, so a
message is sent by one worker only, and marks each channel sent as soon as it is, so a
worker killed half-way loses nothing and repeats nothing it had finished.

Texts are written in the recipient's language: pass the text (and the link) as a
function, and it is called with that language switched on.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Heartbeat, Notification, User
from .sms import get_sms_backend

logger = logging.getLogger(__name__)

Text = str | Callable[[], str]


_held = contextvars.ContextVar("notifications_held", default=False)


@contextlib.contextmanager
def notifications_held() -> Iterator[None]:
    """Messages written meanwhile go to inboxes only: no text message or email is sent
    (loading the demo's bookings must not text every invented resident)."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


class ProviderError(Exception):
    """A text-message or email provider refused or failed: try again later."""


def _render(value: Text) -> str:
    return str(value() if callable(value) else value)


def _language_of(recipient: User | None) -> str:
    if recipient is not None and recipient.language:
        return recipient.language
    return settings.LANGUAGE_CODE


def notification_build(
    *,
    recipient: User | None,
    kind: str,
    text: Text,
    url: Text = "",
    phone: str = "",
    dedupe_key: str = "",
    now: dt.datetime | None = None,
) -> Notification:
    """The message as it will be written: its text in the recipient's language and the
    copies their choices ask for. ``phone`` alone reaches someone without an account
    (booked by staff): a text message, no inbox."""
    now = now or timezone.now()
    with translation.override(_language_of(recipient)):
        body = _render(text)[:500]
        link = _render(url)[:300]
        subject = _("Message from the community service centre")
    sms_to = email_to = ""
    if recipient is not None:
        if recipient.notify_by_sms and recipient.is_active:
            sms_to = recipient.phone
        if recipient.notify_by_email and recipient.email and recipient.is_active:
            email_to = recipient.email
    else:
        sms_to = phone
    pending = bool(sms_to or email_to) and not _held.get()
    return Notification(
        recipient=recipient,
        kind=kind,
        text=body,
        url=link,
        created_at=now,
        dedupe_key=dedupe_key,
        sms_to=sms_to,
        email_to=email_to,
        subject=subject,
        delivery=Notification.Delivery.PENDING if pending else Notification.Delivery.NONE,
        send_after=now,
    )


def notification_send(
    *,
    recipient: User | None,
    text: Text,
    url: Text = "",
    kind: str = Notification.Kind.OTHER,
    phone: str = "",
    dedupe_key: str = "",
) -> Notification | None:
    """Tell one person something. Returns the message, or None when there is nobody to
    tell or a message with the same ``dedupe_key`` was already written."""
    if recipient is None and not phone:
        return None
    message = notification_build(recipient=recipient, kind=kind, text=text, url=url, phone=phone, dedupe_key=dedupe_key)
    if dedupe_key:
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:  # written before: at most once per key
            return None
    else:
        message.save()
    if message.delivery == Notification.Delivery.PENDING:
        notification_deliver_soon(message.pk)
    return message


def notification_deliver_soon(notification_id: int) -> None:
    """After the commit, ask a worker to send the copies now. Never fails the caller: a
    broker that is down only delays the message until the beat's next sweep."""

    def enqueue():
        from .tasks import deliver_notification

        if time.monotonic() < _broker_down_until[0]:
            return  # it failed a moment ago: do not make every request wait for it again
        try:
            deliver_notification.apply_async((notification_id,), retry=False)
        except Exception as error:  # the broker is down or unreachable
            _broker_down_until[0] = time.monotonic() + BROKER_RETRY_SECONDS
            logger.warning("Message %s waits for the beat's sweep: %s", notification_id, error)

    transaction.on_commit(enqueue)


# After the broker failed to take a task, messages wait for the sweep for this long
# instead of each trying (and waiting for) the broker again.
BROKER_RETRY_SECONDS = 30
_broker_down_until = [float("-inf")]


# --- Sending --------------------------------------------------------------------------------


def _claim(ids: list[int] | None, *, now: dt.datetime, limit: int) -> list[Notification]:
    """Take up to ``limit`` due messages (or the ones named) for this worker: a claim
    that lasts ``NOTIFICATION_CLAIM_SECONDS``, so no other worker sends them meanwhile,
    and that lapses if this worker dies, so another one will."""
    lease = now + dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    due = Q(delivery=Notification.Delivery.PENDING, send_after__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    with transaction.atomic():
        rows = Notification.objects.filter(due)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        rows = rows.order_by("send_after", "pk").select_for_update(skip_locked=True)
        claimed = list(rows.values_list("pk", flat=True)[:limit])
        if claimed:
            Notification.objects.filter(pk__in=claimed).update(claimed_until=lease, attempts=F("attempts") + 1)
    return list(Notification.objects.filter(pk__in=claimed).order_by("send_after", "pk"))


def _mark(message: Notification, **fields) -> None:
    """One message's progress, committed at once (outside any transaction): what was
    sent stays marked sent even if this worker is killed the next moment."""
    columns = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in fields)
    with connection.cursor() as cursor:
        # A plain statement: the ORM's update costs more CPU than the update itself, and
        # a sweep marks a hundred thousand messages.
        cursor.execute(
            f"UPDATE {Notification._meta.db_table} SET {columns} WHERE id = %s",  # noqa: S608 (names are ours)
            [*fields.values(), message.pk],
        )


def _send_sms(message: Notification) -> None:
    try:
        get_sms_backend().send(message.sms_to, message.text, key=f"notification-{message.pk}")
    except Exception as error:
        raise ProviderError(f"SMS: {error}") from error


def _send_email(message: Notification) -> None:
    body = message.text
    if message.url and message.url not in body:  # a round-up's text carries its link already
        body += "\n\n" + settings.PORTAL_BASE_URL.rstrip("/") + message.url
    email = EmailMessage(
        subject=message.subject,
        body=body,
        to=[message.email_to],
        headers={"Message-ID": f"<notification-{message.pk}@{settings.PORTAL_MAIL_DOMAIN}>"},
    )
    try:
        email.send()
    except Exception as error:
        raise ProviderError(f"email: {error}") from error


def _deliver(message: Notification, now: dt.datetime) -> bool:
    """Send the copies not yet sent; True when all went. A failure leaves the row
    pending, due again after a back-off, until ``NOTIFICATION_MAX_ATTEMPTS``."""
    done = {}
    try:
        if message.sms_to and message.sms_sent_at is None:
            _send_sms(message)
            done["sms_sent_at"] = message.sms_sent_at = timezone.now()
            if message.email_to and message.email_sent_at is None:
                # Marked before the email is tried: a failing email must not send the text again.
                _mark(message, **done)
                done = {}
        if message.email_to and message.email_sent_at is None:
            _send_email(message)
            done["email_sent_at"] = message.email_sent_at = timezone.now()
    except ProviderError as error:
        logger.warning("Message %s not sent (attempt %s): %s", message.pk, message.attempts, error)
        if message.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            _mark(message, delivery=Notification.Delivery.FAILED, claimed_until=None, last_error=str(error)[:300])
        else:
            back_off = dt.timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS * 2 ** (message.attempts - 1))
            _mark(message, send_after=now + back_off, claimed_until=None, last_error=str(error)[:300])
        return False
    _mark(message, delivery=Notification.Delivery.SENT, claimed_until=None, **done)
    return True


def _without_waiting_for_disk():
    """Marks of what was sent need not wait for the disk: only a crash of PostgreSQL
    itself could lose the last few, and then a message would be sent twice, never lost."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
        return True
    return False


def _restore_waiting_for_disk(changed: bool) -> None:
    if changed:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO DEFAULT")


def notification_deliver(*, notification_id: int, now: dt.datetime | None = None) -> bool:
    """Send one message's copies, if it is due and no other worker holds it. Raises
    ProviderError when a provider failed, so the task can retry with back-off."""
    now = now or timezone.now()
    claimed = _claim([notification_id], now=now, limit=1)
    if not claimed:
        return False
    if not _deliver(claimed[0], now):
        message = Notification.objects.get(pk=notification_id)
        if message.delivery == Notification.Delivery.PENDING:
            raise ProviderError(message.last_error)
        return False
    return True


def _release(messages: list[Notification]) -> None:
    """Give back claimed messages this worker will not send now."""
    Notification.objects.filter(pk__in=[m.pk for m in messages], delivery=Notification.Delivery.PENDING).update(
        claimed_until=None, attempts=F("attempts") - 1
    )


def notifications_send_due(*, now: dt.datetime | None = None, batch: int = 500, time_limit: float | None = None) -> int:
    """Send every due message, a claimed batch at a time, until none is left (or the time
    limit, in seconds, is reached). Returns how many went.

    A message is sent only while this worker's claim on it has a good margin left: with
    a slow provider, the rest of a batch is given back and claimed again, rather than
    sent after the claim lapsed, when another worker may have taken it too."""
    started = time.monotonic()
    claim_seconds = settings.NOTIFICATION_CLAIM_SECONDS
    margin = min(60.0, claim_seconds / 2)
    sent = 0
    changed = _without_waiting_for_disk()
    try:
        while True:
            moment = now or timezone.now()
            send_before = time.monotonic() + claim_seconds - margin
            claimed = _claim(None, now=moment, limit=batch)
            if not claimed:
                break
            for index, message in enumerate(claimed):
                if time.monotonic() > send_before:
                    _release(claimed[index:])
                    break
                sent += _deliver(message, moment)
            if time_limit is not None and time.monotonic() - started > time_limit:
                break
    finally:
        _restore_waiting_for_disk(changed)
    return sent


# --- Reading and marking -------------------------------------------------------------------


def notifications_mark_read(*, recipient: User, ids: list[int] | None = None) -> int:
    """Mark the recipient's messages read: the ones named, or all."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def notification_preferences_save(
    *, user: User, language: str, notify_by_sms: bool, notify_by_email: bool, email: str, wants_monthly_roundup: bool
) -> User:
    """The person's choice of channels and language. The inbox is always on."""
    user.language = language
    user.notify_by_sms = notify_by_sms
    user.notify_by_email = notify_by_email and bool(email)
    user.email = email
    user.wants_monthly_roundup = wants_monthly_roundup
    user.save(update_fields=["language", "notify_by_sms", "notify_by_email", "email", "wants_monthly_roundup"])
    return user


# --- The beat's heartbeat ------------------------------------------------------------------

BEAT = "beat"


def heartbeat_record(*, name: str = BEAT, now: dt.datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now or timezone.now()})


def beat_is_stale(*, now: dt.datetime | None = None) -> bool:
    """True when the beat scheduler has not shown itself for longer than
    ``BEAT_STALE_AFTER``: reminders and offers' expiry are not running."""
    now = now or timezone.now()
    beat_at = Heartbeat.objects.filter(name=BEAT).values_list("beat_at", flat=True).first()
    return beat_at is None or now - beat_at > settings.BEAT_STALE_AFTER
