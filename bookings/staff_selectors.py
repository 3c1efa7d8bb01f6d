"""Reads for the staff side of bookings: a session's roster (who holds a place, who is
checked in, the waiting list, who cancelled) and the booking suspensions a member of staff
looks after. Each read costs a fixed number of queries, however many bookings there are.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from activities.models import Occurrence
from activities.selectors import staff_centre_sessions
from portal.models import User, mask_phone

from .models import Appointment, Booking, Dependant, Place, Suspension
from .selectors import booking_target

CLOSED_STATUSES = (
    Booking.Status.CANCELLED,
    Booking.Status.DECLINED,
    Booking.Status.LAPSED,
    Booking.Status.LEFT,
)


def roster_session(*, centre, pk: int) -> Occurrence:
    """One of the centre's sessions (``Occurrence.DoesNotExist`` for anything else)."""
    return staff_centre_sessions(centre=centre).get(pk=pk)


def holder_phone(holder: Booking | Appointment) -> str:
    """The masked number to reach whoever holds a booking or an appointment: the
    resident's, or the one staff took down for a guest ("" if none)."""
    if holder.resident_id is not None:
        return holder.resident.masked_phone
    return mask_phone(holder.guest_phone)


def booking_for_whom(booking: Booking) -> str:
    """ "Child of 王丽" for a family member, empty for the resident or a guest."""
    dependant = booking.dependant
    if dependant is None or booking.resident_id is None:
        return ""
    guardian = booking.resident.name or booking.resident.masked_phone
    if dependant.relation == Dependant.Relation.CHILD:
        return _("Child of %(guardian)s") % {"guardian": guardian}
    return _("Family member of %(guardian)s") % {"guardian": guardian}


@dataclass
class RosterRow:
    """One person's place at the session."""

    place: Place
    booking: Booking
    for_whom: str
    collectors: str
    phone: str

    @property
    def code_end(self) -> str:
        return self.booking.code[-4:]


@dataclass
class WaitingRow:
    booking: Booking
    position: int | None  # None for someone already offered a place
    for_whom: str
    phone: str


@dataclass
class Roster:
    occurrence: Occurrence
    rows: list[RosterRow] = field(default_factory=list)
    offered: int = 0
    waiting: list[WaitingRow] = field(default_factory=list)
    closed: list[Booking] = field(default_factory=list)

    @property
    def capacity(self) -> int:
        return self.occurrence.activity.capacity

    @property
    def held(self) -> int:
        return len(self.rows) + self.offered

    @property
    def checked_in(self) -> int:
        return sum(1 for row in self.rows if row.place.checked_in_at is not None)

    @property
    def no_shows(self) -> int:
        return sum(1 for row in self.rows if row.place.no_show)


def roster_for(occurrence: Occurrence) -> Roster:
    """Everyone holding a place at the session (three queries in all)."""
    roster = Roster(occurrence=occurrence)
    places = (
        Place.objects.filter(occurrence=occurrence, is_held=True)
        .select_related("booking__resident", "booking__dependant", "checked_in_by")
        .order_by("booking__created_at", "booking__pk")
    )
    for place in places:
        booking = place.booking
        if booking.status != Booking.Status.CONFIRMED:
            roster.offered += 1
            continue
        dependant = booking.dependant
        roster.rows.append(
            RosterRow(
                place=place,
                booking=booking,
                for_whom=booking_for_whom(booking),
                collectors=dependant.collectors if dependant and dependant.relation == Dependant.Relation.CHILD else "",
                phone=holder_phone(booking),
            )
        )
    target, _course = booking_target(occurrence)
    queue = (
        Booking.objects.filter(target, status__in=(Booking.Status.OFFERED, Booking.Status.WAITING))
        .select_related("resident", "dependant")
        .order_by("created_at", "pk")
    )
    offers, waiting = [], []
    for booking in queue:
        if booking.status == Booking.Status.OFFERED:
            offers.append(WaitingRow(booking, None, booking_for_whom(booking), holder_phone(booking)))
        else:
            waiting.append(WaitingRow(booking, len(waiting) + 1, booking_for_whom(booking), holder_phone(booking)))
    roster.waiting = offers + waiting
    roster.closed = list(
        Booking.objects.filter(target, status__in=CLOSED_STATUSES)
        .select_related("resident")
        .order_by("-closed_at", "-pk")
    )
    return roster


# Suspensions.


def staff_suspensions(*, user) -> QuerySet[Suspension]:
    """The suspensions the user looks after: for centre staff, those in their centres'
    districts of residents who booked at their centres; for street staff the same for
    the centres of their street; for district staff every one in their district."""
    if not (user and user.is_authenticated and user.is_active):
        return Suspension.objects.none()
    suspensions = Suspension.objects.select_related("resident", "lifted_by")
    booked_here = Booking.objects.filter(
        resident_id=OuterRef("resident_id"), centre__district_id=OuterRef("district_id")
    )
    if user.role == User.Role.CENTRE_STAFF:
        return suspensions.filter(Exists(booked_here.filter(centre__staff=user)))
    if user.role == User.Role.STREET_STAFF and user.area_id is not None:
        return suspensions.filter(Exists(booked_here.filter(centre__street_id=user.area_id)))
    if user.role == User.Role.DISTRICT_STAFF and user.area_id is not None:
        return suspensions.filter(district_id=user.area_id)
    return Suspension.objects.none()


def suspensions_in_force(*, user, now: dt.datetime) -> list[Suspension]:
    return list(
        staff_suspensions(user=user)
        .filter(lifted_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
        .order_by("ends_at", "pk")
    )


def suspensions_past(*, user, now: dt.datetime, days: int = 90) -> list[Suspension]:
    """Suspensions lifted or ended in the last ``days`` days, latest first."""
    since = now - dt.timedelta(days=days)
    return list(
        staff_suspensions(user=user)
        .filter(Q(lifted_at__gte=since) | Q(lifted_at__isnull=True, ends_at__gte=since, ends_at__lte=now))
        .order_by("-starts_at", "-pk")
    )
