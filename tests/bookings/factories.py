"""Factories for bookings: residents, their family, and sessions and courses whose
booking window is open now. Sessions are made through the scheduling services and
bookings through ``booking_create``, so they obey the same rules as the pages."""

import datetime as dt

from django.utils import timezone

from activities import services as activity_services
from activities.models import Activity, Occurrence, Series
from bookings.models import Booking, Dependant
from bookings.services import booking_create, held_places
from centres.holidays import DayType, national_day
from tests.activities.factories import ActivityFactory, open_centre, room_of, session
from tests.portal.factories import UserFactory


def resident(phone: str | None = None, **kwargs):
    """A resident with an account (``UserFactory``'s password), by phone if given. Give
    phones outside ``UserFactory``'s sequence (139…): it finds an existing user by phone."""
    if phone is not None:
        kwargs["phone"] = phone
    return UserFactory(**kwargs)


def born_years_ago(age: int, today: dt.date | None = None) -> dt.date:
    """A birth date that makes someone ``age`` today and for the coming months (their
    birthday was about two months ago)."""
    today = today or timezone.localdate()
    birthday = today - dt.timedelta(days=60)
    try:
        return birthday.replace(year=birthday.year - age)
    except ValueError:  # 29 February
        return birthday.replace(year=birthday.year - age, day=28)


def child_of(guardian, *, age: int = 7, name: str = "小明", relation: str = Dependant.Relation.CHILD, **kwargs):
    """A family member of ``guardian``, ``age`` years old today and in the weeks to come."""
    return Dependant.objects.create(
        guardian=guardian, name=name, birth_date=born_years_ago(age), relation=relation, **kwargs
    )


def elder_of(guardian, *, age: int = 78, name: str = "王奶奶", **kwargs):
    return child_of(guardian, age=age, name=name, relation=Dependant.Relation.ELDER, **kwargs)


def working_day(days_ahead: int = 1, after: dt.date | None = None) -> dt.date:
    """The first ordinary working day (Monday to Friday, no public holiday) at least
    ``days_ahead`` days after ``after`` (default today)."""
    date = (after or timezone.localdate()) + dt.timedelta(days=days_ahead)
    while national_day(date).type != DayType.WORKING_DAY:
        date += dt.timedelta(days=1)
    return date


def bookable_activity(centre=None, **fields) -> Activity:
    """An activity that needs booking, with a window wide enough (14 days ahead, closing
    an hour before the start) that the sessions ``bookable_session`` makes are open now."""
    fields.setdefault("booking_required", True)
    fields.setdefault("booking_opens_days", 14)
    fields.setdefault("booking_closes_minutes", 60)
    fields.setdefault("cancel_until_minutes", 120)
    fields.setdefault("capacity", 20)
    return ActivityFactory(centre=centre or open_centre(), **fields)


def bookable_session(
    activity: Activity | None = None,
    *,
    date: dt.date | None = None,
    days_ahead: int = 1,
    starts: dt.time = dt.time(19),
    ends: dt.time = dt.time(20, 30),
    room="default",
    centre=None,
    **activity_fields,
) -> Occurrence:
    """A session whose booking window is open now: of ``activity``, or of a new bookable
    activity (``activity_fields`` such as ``capacity=2``, ``min_age=6``) at ``centre`` (or a
    new open centre), on the first working day ``days_ahead`` days from today, 19:00–20:30."""
    if activity is None:
        activity = bookable_activity(centre, **activity_fields)
    return session(activity, date=date or working_day(days_ahead), starts=starts, ends=ends, room=room)


def course(
    activity: Activity | None = None,
    *,
    sessions: int = 4,
    first_date: dt.date | None = None,
    starts: dt.time = dt.time(19),
    ends: dt.time = dt.time(20, 30),
    room="default",
    centre=None,
    **activity_fields,
) -> Series:
    """A weekly course (``is_course``) of ``sessions`` sessions whose booking is open now
    (holidays are skipped, so count its occurrences rather than assume ``sessions``)."""
    if activity is None:
        activity = bookable_activity(centre, **activity_fields)
    first_date = first_date or working_day(1)
    return activity_services.series_create(
        activity=activity,
        rule="FREQ=WEEKLY",
        first_date=first_date,
        count=sessions,
        starts=starts,
        ends=ends,
        room=room_of(activity.centre) if room == "default" else room,
        is_course=True,
    )


def book(resident, occurrence=None, *, course=None, people=(None,), **kwargs) -> list[Booking]:
    """Bookings made online through ``booking_create``."""
    return booking_create(occurrence=occurrence, course=course, resident=resident, people=people, **kwargs)


def booking_for(resident, occurrence=None, **kwargs) -> Booking:
    """The resident's own booking of one session (or ``course=``)."""
    [booking] = book(resident, occurrence, **kwargs)
    return booking


def fill(occurrence=None, *, course=None, places: int | None = None) -> list[Booking]:
    """Take ``places`` (default: all free places) with bookings of new residents (for an
    activity for children, each books a child of the youngest age it takes)."""
    activity = (occurrence or course).activity
    if places is None:
        ids = [occurrence.pk] if occurrence is not None else list(course.occurrences.values_list("pk", flat=True))
        held = held_places(ids)
        places = min(activity.capacity - held.get(pk, 0) for pk in ids)
    for_children = activity.audience == "children" or (activity.max_age is not None and activity.max_age < 18)
    bookings = []
    for _ in range(places):
        someone = resident()
        people = [child_of(someone, age=activity.min_age or 7)] if for_children else [None]
        bookings += book(someone, occurrence, course=course, people=people)
    return bookings
