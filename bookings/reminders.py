"""Reminders before booked sessions and appointments.

They are rows (``Reminder``) written in the transaction that books or confirms, one per
session and lead time of the centre (24 and 2 hours before by default), and only those
still ahead: a booking made an hour before the session gets no 24-hour reminder. The
beat's sweep (``reminders_send_due``, every minute) claims the due ones under row locks
with SKIP LOCKED, so two workers never take the same one, turns each into a message
in the recipient's inbox and outbox (``portal.notifications``) and marks it sent in the
same transaction: a worker killed half-way leaves its batch to the next sweep, whole.
A reminder whose booking was cancelled, whose session was cancelled or has begun, or
whose appointment is no longer confirmed, is skipped.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activities.models import Occurrence
from centres.models import parse_reminder_hours
from portal.models import Notification
from portal.notifications import notification_build, notifications_send_due
from portal.templatetags.portal_tags import hhmm, when

from .codes import PASS_ALPHABET, PASS_LENGTH
from .models import Appointment, Booking, Place, Reminder


def _future(starts_at: dt.datetime, hours: list[int], now: dt.datetime) -> list[tuple[int, dt.datetime]]:
    return [(h, starts_at - dt.timedelta(hours=h)) for h in hours if starts_at - dt.timedelta(hours=h) > now]


def reminders_plan(*, booking: Booking, now: dt.datetime, sessions: Iterable[Occurrence] | None = None) -> int:
    """Write the reminders of a confirmed booking: for each of its sessions still ahead,
    one per lead time that is still to come. Safe to call twice."""
    hours = parse_reminder_hours(booking.centre.reminder_hours)
    if sessions is None:
        sessions = Occurrence.objects.filter(places__booking=booking, places__is_held=True, starts_at__gt=now)
    rows = [
        Reminder(booking=booking, occurrence=session, hours_before=h, due_at=due_at)
        for session in sessions
        for h, due_at in _future(session.starts_at, hours, now)
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def reminders_plan_appointment(*, appointment: Appointment, now: dt.datetime | None = None) -> int:
    """Write (or move) the reminders of a confirmed appointment."""
    now = now or timezone.now()
    hours = parse_reminder_hours(appointment.centre.reminder_hours)
    planned = _future(appointment.starts_at, hours, now)
    for h, due_at in planned:
        Reminder.objects.update_or_create(
            appointment=appointment,
            hours_before=h,
            defaults={"due_at": due_at, "status": Reminder.Status.PENDING, "handled_at": None},
        )
    Reminder.objects.filter(appointment=appointment, status=Reminder.Status.PENDING).exclude(
        hours_before__in=[h for h, _due in planned]
    ).update(status=Reminder.Status.SKIPPED, handled_at=now)
    return len(planned)


def reminders_follow_sessions(*, occurrence_ids: list[int], now: dt.datetime | None = None) -> None:
    """Sessions moved: their reminders move with them. One still ahead at the new time
    is due then, even if it went (or was skipped) for the old time; one whose new time
    has passed is dropped (the holders were told of the move); a lead time that had
    passed before the move but is ahead now gets its reminder."""
    now = now or timezone.now()
    sessions = Occurrence.objects.filter(pk__in=occurrence_ids).select_related("centre")
    for occurrence in sessions.only("pk", "starts_at", "status", "centre__reminder_hours"):
        reminders = Reminder.objects.filter(occurrence=occurrence)
        for h in set(reminders.values_list("hours_before", flat=True)):
            due_at = occurrence.starts_at - dt.timedelta(hours=h)
            # Only reminders whose time changes are written. This also runs for sessions
            # cancelled (their time unchanged) after their bookings were locked; writing
            # their reminders too would take the reminders' locks after the bookings',
            # the other order from the sweep's, and the two would deadlock.
            moved = reminders.filter(hours_before=h).exclude(due_at=due_at)
            if due_at > now:
                # The message's key carries the due time, so the new one is not taken
                # for the one already sent.
                moved.update(due_at=due_at, status=Reminder.Status.PENDING, handled_at=None)
            else:
                moved.filter(status=Reminder.Status.PENDING).update(status=Reminder.Status.SKIPPED, handled_at=now)
        if occurrence.status == Occurrence.Status.SCHEDULED:
            holders = Place.objects.filter(
                occurrence=occurrence, is_held=True, booking__status=Booking.Status.CONFIRMED
            ).values_list("booking_id", flat=True)
            hours = parse_reminder_hours(occurrence.centre.reminder_hours)
            Reminder.objects.bulk_create(
                [
                    Reminder(booking_id=booking_id, occurrence=occurrence, hours_before=h, due_at=due_at)
                    for booking_id in holders
                    for h, due_at in _future(occurrence.starts_at, hours, now)
                ],
                ignore_conflicts=True,
            )


def reminders_drop_appointment(*, appointment: Appointment, now: dt.datetime | None = None) -> None:
    """The appointment is no longer confirmed (cancelled, declined, another time
    proposed): its reminders still to send are dropped. Called with the appointment
    locked; a sweep holding one of them is waited for, so it is either sent before the
    change commits or dropped, never sent after."""
    Reminder.objects.filter(appointment=appointment, status=Reminder.Status.PENDING).update(
        status=Reminder.Status.SKIPPED, handled_at=now or timezone.now()
    )


# --- Sending ---------------------------------------------------------------------------------


def _booking_text(reminder: Reminder) -> str:
    booking, session = reminder.booking, reminder.occurrence
    return _(
        "Reminder: “%(activity)s” at %(centre)s on %(when)s, for %(name)s. Pass code %(code)s. "
        "If you cannot come, please cancel so that someone else can have the place."
    ) % {
        "activity": booking.activity.title,
        "centre": booking.centre.name,
        "when": when(session.starts_at),
        "name": booking.person_name,
        "code": booking.code_display,
    }


def _appointment_text(reminder: Reminder) -> str:
    appointment = reminder.appointment
    return _("Reminder: your appointment at %(centre)s on %(when)s (%(topic)s). Pass code %(code)s.") % {
        "centre": appointment.centre.name,
        "when": f"{when(appointment.starts_at)}–{hhmm(appointment.ends_at)}",
        "topic": appointment.topic.name,
        "code": appointment.code_display,
    }


def _still_wanted(reminder: Reminder, now: dt.datetime, held: set[tuple[int, int]]) -> bool:
    if reminder.booking_id:
        booking, session = reminder.booking, reminder.occurrence
        return (
            booking.status == Booking.Status.CONFIRMED
            and (booking.pk, session.pk) in held
            and session.status == Occurrence.Status.SCHEDULED
            and session.starts_at > now
            and (booking.confirmed_at is None or booking.confirmed_at <= reminder.due_at)
        )
    appointment = reminder.appointment
    return appointment.status == Appointment.Status.CONFIRMED and appointment.starts_at > now


def _addressable(reminder: Reminder) -> bool:
    """Someone to tell: an account, or the phone of a guest staff booked."""
    held_by = reminder.booking or reminder.appointment
    return held_by.resident_id is not None or bool(held_by.guest_phone)


@functools.lru_cache(maxsize=16)
def _pass_url_pattern(name: str, language: str) -> str:
    return reverse(name, kwargs={"code": _PLACEHOLDER})


_PLACEHOLDER = PASS_ALPHABET[0] * PASS_LENGTH


def _pass_url(name: str, code: str) -> str:
    """The pass page's address in the active language: reversed once per language, not
    once per reminder (a sweep may write a hundred thousand)."""
    head, _placeholder, tail = _pass_url_pattern(name, translation.get_language()).rpartition(_PLACEHOLDER)
    return f"{head}{code}{tail}"


def _message(reminder: Reminder, now: dt.datetime) -> Notification:
    if reminder.booking_id:
        holder, phone = reminder.booking.resident, reminder.booking.guest_phone
        text = lambda: _booking_text(reminder)  # noqa: E731
        url = lambda: _pass_url("bookings:detail", reminder.booking.code)  # noqa: E731
    else:
        holder, phone = reminder.appointment.resident, reminder.appointment.guest_phone
        text = lambda: _appointment_text(reminder)  # noqa: E731
        url = lambda: _pass_url("bookings:appointment", reminder.appointment.code)  # noqa: E731
    return notification_build(
        recipient=holder,
        kind=Notification.Kind.REMINDER,
        text=text,
        url=url,
        phone="" if holder is not None else phone,
        # Once per reminder and time: an appointment moved after its reminder went is
        # reminded again of the new time (its row is planned anew, with the same pk).
        dedupe_key=f"reminder-{reminder.pk}-{int(reminder.due_at.timestamp())}",
        now=now,
    )


def _send_batch(now: dt.datetime, batch: int) -> int | None:
    """Claim up to ``batch`` due reminders and turn them into messages, in one
    transaction. Returns how many were handled, or None when none was due."""
    with transaction.atomic():
        claimed = list(
            Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=now)
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        if not claimed:
            return None
        # The bookings are locked too (after the reminders, as every writer of both
        # does), so a cancellation waits for this batch or is seen by it: never a
        # reminder of a booking cancelled before it was sent.
        booking_ids = sorted(
            set(Reminder.objects.filter(pk__in=claimed, booking__isnull=False).values_list("booking_id", flat=True))
        )
        list(Booking.objects.select_for_update().filter(pk__in=booking_ids).order_by("pk").values_list("pk"))
        reminders = list(
            Reminder.objects.filter(pk__in=claimed)
            .select_related(
                "booking__resident",
                "booking__activity",
                "booking__centre",
                "occurrence",
                "appointment__resident",
                "appointment__centre",
                "appointment__topic",
            )
            .order_by("due_at", "pk")
        )
        held = set(
            Place.objects.filter(booking_id__in=booking_ids, is_held=True).values_list("booking_id", "occurrence_id")
        )
        messages, sent, skipped = [], [], []
        for reminder in reminders:
            if _still_wanted(reminder, now, held) and _addressable(reminder):
                messages.append(_message(reminder, now))
                sent.append(reminder.pk)
            else:
                skipped.append(reminder.pk)
        Notification.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)
        Reminder.objects.filter(pk__in=sent).update(status=Reminder.Status.SENT, handled_at=now)
        Reminder.objects.filter(pk__in=skipped).update(status=Reminder.Status.SKIPPED, handled_at=now)
        return len(reminders)


def reminders_send_due(*, now: dt.datetime | None = None, batch: int = 500, time_limit: float | None = None) -> int:
    """Send the reminders that are due, then their text messages and emails. Returns
    how many reminders were handled (sent or skipped)."""
    started = time.monotonic()
    handled = 0
    while True:
        count = _send_batch(now or timezone.now(), batch)
        if count is None:
            break
        handled += count
        if time_limit is not None and time.monotonic() - started > time_limit:
            break
    if handled:
        remaining = None if time_limit is None else max(time_limit - (time.monotonic() - started), 5)
        notifications_send_due(time_limit=remaining)
    return handled
