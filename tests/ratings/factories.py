"""Factories for ratings: bookings of sessions that have ended and where the resident was
checked in, appointments they were served at, ratings and their cases."""

import datetime as dt

import factory
from django.utils import timezone

from activities.models import Occurrence
from bookings.codes import new_pass_code
from bookings.models import Appointment, AppointmentTopic, Booking
from ratings.models import Level, Rating, RatingPolicy
from ratings.services import rating_create
from tests.activities.factories import open_centre
from tests.bookings.factories import bookable_session, booking_for, resident


def attended_booking(someone=None, *, centre=None, ended_ago=dt.timedelta(hours=2), checked_in=True, **session):
    """``someone``'s booking of a session (at ``centre``) that ended ``ended_ago`` before
    now, where they were checked in (``checked_in=False``: a no-show)."""
    someone = someone or resident()
    # No room: sessions moved to the same past hour must not clash in one.
    occurrence = bookable_session(centre=centre, room=None, **session)
    booking = booking_for(someone, occurrence)
    ends_at = timezone.now() - ended_ago
    starts_at = ends_at - dt.timedelta(minutes=90)
    Occurrence.objects.filter(pk=occurrence.pk).update(starts_at=starts_at, ends_at=ends_at)
    Booking.objects.filter(pk=booking.pk).update(starts_at=starts_at, ends_at=ends_at)
    booking.places.update(checked_in_at=starts_at if checked_in else None, no_show=not checked_in, checked_in_by=None)
    booking.refresh_from_db()
    return booking


def served_appointment(
    someone=None, *, centre=None, ended_ago=dt.timedelta(hours=2), checked_in=True, topic="开具证明"
):
    """``someone``'s confirmed appointment at ``centre`` that ended ``ended_ago`` before
    now, where they were checked in."""
    someone = someone or resident()
    centre = centre or open_centre()
    topic, _ = AppointmentTopic.objects.get_or_create(centre=centre, name=topic)
    ends_at = timezone.now() - ended_ago
    starts_at = ends_at - dt.timedelta(minutes=30)
    return Appointment.objects.create(
        centre=centre,
        topic=topic,
        resident=someone,
        person_name=someone.name,
        need="开具居住证明",
        starts_at=starts_at,
        ends_at=ends_at,
        status=Appointment.Status.CONFIRMED,
        code=new_pass_code(),
        checked_in_at=starts_at if checked_in else None,
    )


def rating_of(booking=None, *, appointment=None, level=Level.SATISFIED, **kwargs) -> Rating:
    """The resident's rating made through ``rating_create``."""
    owner = (booking or appointment).resident
    return rating_create(resident=owner, booking=booking, appointment=appointment, level=level, **kwargs)


class RatingPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RatingPolicy
        django_get_or_create = ("district",)

    callback_working_days = 1
    reply_working_days = 15
