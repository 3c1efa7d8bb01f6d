"""Inviting residents to rate: whoever was checked in at a session that ended, or at an
appointment that ended, in the last three days gets one message with the link to the
rating form (``invite_to_rate``, for the beat to run every hour or so).

One message per booking or appointment, ever: each carries a key of what it is about,
messages already written are left out and the insert ignores a key written meanwhile by
a run at the same moment. What was already rated is not asked about. The number of
queries does not grow with the number of residents.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Appointment, Booking, Place
from portal.models import Notification
from portal.notifications import notification_build

from .models import Rating

INVITE_WITHIN = dt.timedelta(days=3)


def booking_key(booking_id: int) -> str:
    return f"rate-booking-{booking_id}"


def appointment_key(appointment_id: int) -> str:
    return f"rate-appointment-{appointment_id}"


def invitation_text(title: str, centre_name: str) -> str:
    """The message, in the active language."""
    return _("How was “%(title)s” at %(centre)s? Please tell us: rating it takes a minute.") % {
        "title": title,
        "centre": centre_name,
    }


def _bookings(since: dt.datetime, now: dt.datetime):
    attended = Place.objects.filter(
        booking=OuterRef("pk"),
        checked_in_at__isnull=False,
        occurrence__ends_at__gt=since,
        occurrence__ends_at__lte=now,
    )
    return (
        Booking.objects.filter(resident__isnull=False, resident__is_active=True)
        .filter(Exists(attended))
        .exclude(Exists(Rating.objects.filter(booking=OuterRef("pk"))))
        .select_related("resident", "activity", "centre")
        .order_by("pk")
    )


def _appointments(since: dt.datetime, now: dt.datetime):
    return (
        Appointment.objects.filter(
            resident__isnull=False,
            resident__is_active=True,
            checked_in_at__isnull=False,
            ends_at__gt=since,
            ends_at__lte=now,
        )
        .exclude(Exists(Rating.objects.filter(appointment=OuterRef("pk"))))
        .select_related("resident", "topic", "centre")
        .order_by("pk")
    )


def invite_to_rate(now: dt.datetime | None = None) -> int:
    """Write the invitations due; returns how many (none the second time)."""
    now = now or timezone.now()
    since = now - INVITE_WITHIN
    wanted = [
        (booking_key(b.pk), b.resident, b.activity.title, b.centre.name, "ratings:rate_booking", b.code)
        for b in _bookings(since, now)
    ] + [
        (appointment_key(a.pk), a.resident, a.topic.name, a.centre.name, "ratings:rate_appointment", a.code)
        for a in _appointments(since, now)
    ]
    if not wanted:
        return 0
    sent_before = set(
        Notification.objects.filter(dedupe_key__in=[key for key, *_rest in wanted]).values_list("dedupe_key", flat=True)
    )
    messages = [
        notification_build(
            recipient=recipient,
            kind=Notification.Kind.RATING,
            text=lambda title=title, centre=centre: invitation_text(title, centre),
            url=lambda name=name, code=code: reverse(name, kwargs={"code": code}),
            dedupe_key=key,
            now=now,
        )
        for key, recipient, title, centre, name, code in wanted
        if key not in sent_before
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)
    return len(messages)
