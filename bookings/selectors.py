"""Reads for the resident's side of booking: the booking panel of a session's page, the
"My bookings" page, a pass, and the private calendar feed. Each returns what its page
shows already fetched, so a page costs the same number of queries whatever the data."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.models import Occurrence, Series

from .family import family_of
from .models import ACTIVE_STATUSES, Booking, Dependant, FeedToken, Place, Suspension
from .services import (  # the rules the services apply
    _age_problem,
    _course_sessions,
    booking_window_problem,
    cancel_deadline,
    held_places,
    suspension_in_force,
    suspension_message,
)

# How far back and ahead the private feed reaches, and how many places it holds at most.
FEED_PAST_DAYS = 60
FEED_FUTURE_DAYS = 400
FEED_MAX_PLACES = 1000


# The session page's booking panel ---------------------------------------------------


@dataclass
class Person:
    """Someone the resident may tick under "Who is coming"."""

    key: str  # "self", or the family member's id
    name: str
    dependant: Dependant | None = None
    age: int | None = None
    problem: str = ""  # why they cannot be booked here (e.g. their age)
    booking: Booking | None = None  # their active booking here, if any
    ticked: bool = False

    @property
    def is_self(self) -> bool:
        return self.dependant is None

    @property
    def can_book(self) -> bool:
        return not self.problem and self.booking is None


@dataclass
class BookingPanel:
    """What the booking panel of a session (or of the course it belongs to) says now."""

    occurrence: Occurrence
    course: Series | None
    sessions: list[Occurrence]  # the session, or every coming session of the course
    capacity: int
    free: int
    waiting: int
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    window_problem: str | None
    now: dt.datetime
    people: list[Person] = field(default_factory=list)
    # Why the resident cannot book online in this district now (a suspension), or "".
    suspended: str = ""

    @property
    def is_course(self) -> bool:
        return self.course is not None

    @property
    def is_full(self) -> bool:
        return self.free <= 0

    @property
    def not_open_yet(self) -> bool:
        return self.opens_at is not None and self.now < self.opens_at

    @property
    def is_open(self) -> bool:
        return bool(self.sessions) and self.window_problem is None

    @property
    def own_bookings(self) -> list[Booking]:
        return [person.booking for person in self.people if person.booking is not None]

    @property
    def bookable_people(self) -> list[Person]:
        return [person for person in self.people if person.can_book]


def panel_needed(occurrence: Occurrence, now: dt.datetime) -> bool:
    """Whether the session's page shows a booking panel: it needs booking, is not
    cancelled, and has not ended."""
    return (
        occurrence.activity.booking_required
        and occurrence.status == Occurrence.Status.SCHEDULED
        and occurrence.ends_at > now
    )


def booking_target(occurrence: Occurrence) -> tuple[Q, Series | None]:
    """What is booked from the session's page: the session itself or, for a session of a
    course, the course (returned too). The ``Q`` finds the bookings of it."""
    if occurrence.series_id and occurrence.series.is_course:
        return Q(course_id=occurrence.series_id), occurrence.series
    return Q(occurrence_id=occurrence.pk), None


def booking_panel(
    *, occurrence: Occurrence, user=None, now: dt.datetime, ticked: frozenset[str] = frozenset()
) -> BookingPanel:
    """The panel of ``occurrence`` (fetched with its activity, centre and series). One
    query for a visitor; four for a resident (their bookings here, their family, and a
    suspension in the centre's district)."""
    target, course = booking_target(occurrence)
    waiting = Booking.objects.filter(target, status=Booking.Status.WAITING).order_by().values("status")
    waiting = waiting.annotate(n=Count("pk")).values("n")
    sessions = Occurrence.objects.filter(status=Occurrence.Status.SCHEDULED)
    sessions = sessions.filter(series_id=course.pk) if course else sessions.filter(pk=occurrence.pk)
    sessions = list(
        sessions.annotate(
            held=Count("places", filter=Q(places__is_held=True)),
            waiting=Coalesce(Subquery(waiting), 0),
        )
        .select_related("room")
        .order_by("starts_at", "pk")
    )
    activity = occurrence.activity
    capacity = activity.capacity
    free = min((capacity - s.held for s in sessions), default=0)
    opens_at = closes_at = problem = None
    if sessions:
        first = sessions[0].starts_at
        opens_at = first - dt.timedelta(days=activity.booking_opens_days)
        closes_at = first - dt.timedelta(minutes=activity.booking_closes_minutes)
        problem = booking_window_problem(activity, first, now)
    panel = BookingPanel(
        occurrence=occurrence,
        course=course,
        sessions=sessions,
        capacity=capacity,
        free=max(free, 0),
        waiting=sessions[0].waiting if sessions else 0,
        opens_at=opens_at,
        closes_at=closes_at,
        window_problem=problem,
        now=now,
    )
    if user is not None and user.is_authenticated:
        panel.people = _people(user, occurrence, target, sessions, ticked)
        suspension = suspension_in_force(user, occurrence.centre.district_id, now)
        panel.suspended = suspension_message(suspension) if suspension else ""
    return panel


def _people(user, occurrence: Occurrence, target: Q, sessions: list[Occurrence], ticked) -> list[Person]:
    activity = occurrence.activity
    first = sessions[0].starts_at if sessions else occurrence.starts_at
    day = timezone.localdate(first)
    held = {
        booking.dependant_id: booking
        for booking in Booking.objects.filter(target, resident=user, status__in=ACTIVE_STATUSES).order_by("pk")
    }
    me = Person(key="self", name=str(user), booking=held.get(None))
    me.problem = _age_problem(activity, None, day, me.name) or ""
    people = [me]
    for dependant in family_of(user):
        person = Person(
            key=str(dependant.pk),
            name=dependant.name,
            dependant=dependant,
            age=dependant.age_on(day),
            booking=held.get(dependant.pk),
        )
        person.problem = _age_problem(activity, dependant, day, dependant.name) or ""
        people.append(person)
    for person in people:
        person.ticked = person.can_book and person.key in ticked
    return people


# "My bookings" --------------------------------------------------------------------


def _resident_bookings(resident) -> QuerySet[Booking]:
    return Booking.objects.filter(resident=resident).select_related(
        "activity", "centre", "occurrence__room", "course__room", "dependant"
    )


def _with_waiting_position(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Adds ``position``: 1 for the first in the queue (as ``services.waiting_position``)."""
    ahead = (
        Booking.objects.filter(status=Booking.Status.WAITING)
        .filter(Q(occurrence_id=OuterRef("occurrence_id")) | Q(course_id=OuterRef("course_id")))
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")))
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return bookings.annotate(position=Coalesce(Subquery(ahead), 0) + 1)


def offers_of(resident, now: dt.datetime) -> list[Booking]:
    """Places offered from a waiting list, still open to accept."""
    return list(
        _resident_bookings(resident)
        .filter(status=Booking.Status.OFFERED, offer_expires_at__gt=now)
        .order_by("offer_expires_at", "pk")
    )


def coming_bookings_of(resident, now: dt.datetime) -> list[Booking]:
    """Booked places at sessions and courses not over yet, each with
    ``cancel_deadline`` and ``can_cancel``."""
    bookings = list(
        _resident_bookings(resident)
        .filter(status=Booking.Status.CONFIRMED, ends_at__gt=now)
        .order_by("starts_at", "pk")
    )
    for booking in bookings:
        booking.cancel_deadline = cancel_deadline(booking)
        booking.can_cancel = now < booking.cancel_deadline and now < booking.starts_at
    return bookings


def waiting_of(resident, now: dt.datetime) -> list[Booking]:
    """Places on waiting lists of sessions and courses not started, with ``position``."""
    return list(
        _with_waiting_position(
            _resident_bookings(resident).filter(status=Booking.Status.WAITING, starts_at__gt=now)
        ).order_by("starts_at", "pk")
    )


def past_bookings_of(resident, now: dt.datetime) -> QuerySet[Booking]:
    """Bookings over or closed (cancelled, declined, lapsed, left), newest first, with
    their places (to say who came)."""
    return (
        _resident_bookings(resident)
        .filter(Q(ends_at__lte=now) | ~Q(status__in=ACTIVE_STATUSES))
        .prefetch_related("places")
        .order_by("-starts_at", "-pk")
    )


def suspensions_in_force(resident, now: dt.datetime) -> list[Suspension]:
    """The resident's suspensions in force now, in any district."""
    return list(
        Suspension.objects.filter(resident=resident, lifted_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
        .select_related("district")
        .order_by("ends_at")
    )


def feed_token_of(resident) -> FeedToken | None:
    return FeedToken.objects.filter(resident=resident).first()


def attendance(booking: Booking) -> dict:
    """For a past booking: how many of its sessions were attended and missed (from its
    prefetched places)."""
    places = list(booking.places.all())
    return {
        "sessions": len(places),
        "attended": sum(1 for p in places if p.checked_in_at is not None),
        "missed": sum(1 for p in places if p.no_show),
    }


# A pass --------------------------------------------------------------------------


def booking_of_resident(resident, code: str) -> Booking:
    """The resident's booking with this pass code; raises ``Booking.DoesNotExist`` for
    anyone else's (so the page is a 404)."""
    if resident is None or not resident.is_authenticated:
        raise Booking.DoesNotExist
    return (
        _with_waiting_position(_resident_bookings(resident))
        .select_related("centre__area", "activity__partner")
        .get(code=code)
    )


def pass_sessions(booking: Booking) -> list[Occurrence]:
    """The sessions a booking covers, each with ``place`` (the booking's place there, or
    None): the session, or every session of the course, cancelled ones included."""
    if booking.course_id:
        sessions = list(booking.course.occurrences.select_related("room").order_by("starts_at", "pk"))
    else:
        sessions = [booking.occurrence]
    places = {place.occurrence_id: place for place in booking.places.all()}
    for occurrence in sessions:
        occurrence.place = places.get(occurrence.pk)
    return sessions


# The private calendar feed -----------------------------------------------------------


def feed_places(resident, now: dt.datetime) -> list[Place]:
    """Every place the resident's bookings took (held, given up, or at a session the
    centre cancelled), from ``FEED_PAST_DAYS`` ago, in time order: one query."""
    return list(
        Place.objects.filter(booking__resident=resident)
        .filter(
            occurrence__starts_at__gte=now - dt.timedelta(days=FEED_PAST_DAYS),
            occurrence__starts_at__lt=now + dt.timedelta(days=FEED_FUTURE_DAYS),
        )
        .select_related(
            "booking", "occurrence__room", "occurrence__activity__partner", "occurrence__centre", "booking__course"
        )
        .order_by("occurrence__starts_at", "pk")[:FEED_MAX_PLACES]
    )


def places_left(occurrence: Occurrence) -> int:
    """Free places at a session, or for a session of a course at the course's fullest
    session (the course is booked whole)."""
    if occurrence.series_id and occurrence.series.is_course:
        ids = _course_sessions(occurrence.series)
    else:
        ids = [occurrence.pk]
    held = held_places(ids)
    return min((occurrence.activity.capacity - held.get(pk, 0) for pk in ids), default=0)
