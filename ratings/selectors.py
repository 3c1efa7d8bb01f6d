"""Reading ratings: what a resident may rate, their ratings with the centre's answer, and
a centre's ratings for its staff with the resident masked. Each is a fixed number of
queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Concat, Left, Right
from django.utils import timezone

from bookings.models import Appointment, Booking, Place
from centres.models import Centre
from portal.models import User

from .models import RATE_WITHIN_DAYS, Rating, RectificationCase

# What a resident is offered to rate: what they used in the time to rate it.
RECENT_DAYS = RATE_WITHIN_DAYS
RESIDENT_RATINGS_SHOWN = 50


def _attended_place(now: dt.datetime, since: dt.datetime | None = None):
    places = Place.objects.filter(booking=OuterRef("pk"), checked_in_at__isnull=False, occurrence__ends_at__lte=now)
    if since is not None:
        places = places.filter(occurrence__ends_at__gt=since)
    return Exists(places)


def _rated(field_name: str):
    return Exists(Rating.objects.filter(**{field_name: OuterRef("pk")}))


def rateable_bookings(resident: User, *, now: dt.datetime | None = None) -> QuerySet[Booking]:
    """The resident's bookings of sessions that ended in the last ``RECENT_DAYS`` days,
    where they were checked in, not rated yet; most recent first."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=RECENT_DAYS)
    return (
        Booking.objects.filter(resident=resident)
        .filter(_attended_place(now, since))
        .exclude(_rated("booking"))
        .select_related("activity", "centre", "dependant")
        .order_by("-ends_at", "-pk")
    )


def rateable_appointments(resident: User, *, now: dt.datetime | None = None) -> QuerySet[Appointment]:
    """The resident's appointments of the last ``RECENT_DAYS`` days they were checked in
    at, not rated yet; most recent first."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=RECENT_DAYS)
    return (
        Appointment.objects.filter(resident=resident, checked_in_at__isnull=False, starts_at__gt=since)
        .exclude(_rated("appointment"))
        .select_related("topic", "centre")
        .order_by("-starts_at", "-pk")
    )


def booking_of_resident(resident: User, code: str) -> Booking:
    """One of the resident's own bookings by its pass code (``Booking.DoesNotExist`` for
    anyone else's)."""
    return Booking.objects.select_related("activity", "centre", "dependant").get(resident=resident, code=code)


def appointment_of_resident(resident: User, code: str) -> Appointment:
    return Appointment.objects.select_related("topic", "centre").get(resident=resident, code=code)


@dataclass
class RatedThing:
    """One thing the resident rated: their rating, its case, and their follow-up."""

    rating: Rating
    follow_up: Rating | None = None
    case: RectificationCase | None = field(default=None)

    @property
    def can_follow_up(self) -> bool:
        """The one rating after the centre's reply, within RATE_WITHIN_DAYS of it."""
        if self.follow_up is not None or self.case is None or self.case.status != RectificationCase.Status.REPLIED:
            return False
        return self.case.replied_at >= timezone.now() - dt.timedelta(days=RATE_WITHIN_DAYS)


def ratings_of_resident(resident: User) -> list[RatedThing]:
    """The resident's last ratings, each with its case and its follow-up: one query."""
    ratings = list(
        Rating.objects.filter(resident=resident)
        .select_related("centre", "case", "booking__activity", "appointment__topic")
        .order_by("-created_at", "-pk")[: RESIDENT_RATINGS_SHOWN * 2]
    )
    follow_ups = {(rating.booking_id, rating.appointment_id): rating for rating in ratings if rating.is_follow_up}
    things = []
    for rating in ratings:
        if rating.is_follow_up:
            continue
        case = getattr(rating, "case", None)
        things.append(RatedThing(rating, follow_ups.get((rating.booking_id, rating.appointment_id)), case))
    return things[:RESIDENT_RATINGS_SHOWN]


def ratings_for_centre(centre: Centre) -> QuerySet[Rating]:
    """The centre's ratings for its staff, newest first, with what was rated and the
    case; the resident only masked: ``resident_masked_name`` (their name's first
    character and "**") and ``resident_masked_phone`` (138****5678). Do not show
    ``rating.resident``: it is not loaded, and reading it costs a query per row."""
    text = CharField()
    return (
        Rating.objects.filter(centre=centre)
        .select_related("booking__activity", "appointment__topic", "case")
        .annotate(
            resident_masked_name=Concat(Left("resident__name", 1), Value("**"), output_field=text),
            resident_masked_phone=Concat(
                Left("resident__phone", 3), Value("****"), Right("resident__phone", 4), output_field=text
            ),
        )
        .order_by("-created_at", "-pk")
    )


def rated_thing_title(rating: Rating) -> str:
    """What was rated: the activity's title or the appointment's service."""
    if rating.booking_id:
        return rating.booking.activity.title
    return rating.appointment.topic.name
