"""Factories for the statistics: past sessions, bookings with their places and
appointments written as rows, as they stand after the month (the services refuse the past,
and the roll-up only reads what they left behind). Centres and activities come from the
other apps' factories, through their services."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from activities.models import Occurrence
from bookings.codes import new_pass_code
from bookings.models import Appointment, AppointmentTopic, Booking, Place
from centres.models import ServiceFunctionCode

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A moment in Asia/Shanghai."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class OccurrenceFactory(factory.django.DjangoModelFactory):
    """A session row of ``activity`` at any time, past included (no hours or room checks)."""

    class Meta:
        model = Occurrence

    activity = factory.SubFactory("tests.activities.factories.ActivityFactory")
    centre = factory.SelfAttribute("activity.centre")
    starts_at = factory.LazyFunction(lambda: at(2026, 10, 12, 19))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    status = Occurrence.Status.SCHEDULED
    is_after_hours = False


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking of one session, confirmed when it was made (a day before), unless given
    otherwise. Its place is made by ``PlaceFactory`` or ``place``."""

    class Meta:
        model = Booking

    occurrence = factory.SubFactory(OccurrenceFactory)
    course = None
    activity = factory.LazyAttribute(lambda b: (b.occurrence or b.course).activity)
    centre = factory.LazyAttribute(lambda b: (b.occurrence or b.course).activity.centre)
    starts_at = factory.LazyAttribute(lambda b: b.occurrence.starts_at)
    ends_at = factory.LazyAttribute(lambda b: b.occurrence.ends_at)
    resident = None
    dependant = None
    person_name = factory.LazyAttribute(
        lambda b: b.dependant.name if b.dependant else (b.resident.name if b.resident else "访客")
    )
    status = Booking.Status.CONFIRMED
    source = Booking.Source.ONLINE
    code = factory.LazyFunction(new_pass_code)
    created_at = factory.LazyAttribute(lambda b: b.starts_at - dt.timedelta(days=1))
    # Booked straight away (also for a booking cancelled later); None for a waiting-list
    # entry that never got a place: pass ``offered_at`` and ``confirmed_at`` for one that did.
    confirmed_at = factory.LazyAttribute(
        lambda b: b.created_at if b.status in (Booking.Status.CONFIRMED, Booking.Status.CANCELLED) else None
    )


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    booking = factory.SubFactory(BookingFactory)
    occurrence = factory.SelfAttribute("booking.occurrence")
    is_held = True
    checked_in_at = None


def place(occurrence, *, came: bool = False, held: bool = True, **booking_fields) -> Place:
    """A booking of ``occurrence`` (``booking_fields`` as for ``BookingFactory``) and its
    place, checked in ten minutes after the start if ``came``."""
    booking = BookingFactory(occurrence=occurrence, **booking_fields)
    return PlaceFactory(
        booking=booking,
        occurrence=occurrence,
        is_held=held,
        checked_in_at=occurrence.starts_at + dt.timedelta(minutes=10) if came else None,
    )


def course_booking(series, sessions, *, attended=(), released=(), **booking_fields) -> Booking:
    """A course booking of ``series`` with a place at each of ``sessions``; the places at
    ``attended`` sessions are checked in, those at ``released`` given up."""
    first = min(sessions, key=lambda s: s.starts_at)
    booking = BookingFactory(
        occurrence=None,
        course=series,
        starts_at=first.starts_at,
        ends_at=max(s.ends_at for s in sessions),
        **booking_fields,
    )
    for session in sessions:
        PlaceFactory(
            booking=booking,
            occurrence=session,
            is_held=session not in released,
            checked_in_at=session.starts_at + dt.timedelta(minutes=5) if session in attended else None,
        )
    return booking


class AppointmentTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentTopic
        django_get_or_create = ("centre", "name")

    centre = factory.SubFactory("tests.centres.factories.CentreFactory")
    name = "证明开具"
    service_function = ServiceFunctionCode.AFFAIRS


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A confirmed 30-minute appointment, checked in at its start unless ``checked_in_at=None``."""

    class Meta:
        model = Appointment

    centre = factory.SubFactory("tests.centres.factories.CentreFactory")
    topic = factory.SubFactory(AppointmentTopicFactory, centre=factory.SelfAttribute("..centre"))
    resident = None
    person_name = factory.LazyAttribute(lambda a: a.resident.name if a.resident else "访客")
    need = "开具居住证明"
    starts_at = factory.LazyFunction(lambda: at(2026, 10, 10, 19))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + dt.timedelta(minutes=30))
    status = Appointment.Status.CONFIRMED
    code = factory.LazyFunction(new_pass_code)
    checked_in_at = factory.LazyAttribute(lambda a: a.starts_at)
