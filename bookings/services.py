"""Writes for bookings: booking a session or a course, cancelling, the waiting list and
its offers, check-in, no-shows and suspensions, and what follows when staff cancel or
move sessions.

Capacity is never check-then-act. Every write that takes places locks, in this order,
the row of the resident who books (so that one person's double click, booking limit and
clashes are decided one at a time) and then the rows of the sessions concerned, in id
order; it counts the held places only once it holds the sessions' locks, and commits in
the same transaction. ``booking_create`` writes its booking and places first and takes
the sessions' locks last, so that they are held only for the count and the commit; a
count over capacity rolls it all back. Locks wait at most ``LOCK_TIMEOUT``; then the
resident is asked to try again.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.models import Activity, Occurrence, Series
from centres.models import Area
from portal.models import Notification
from portal.notifications import notification_send
from portal.templatetags.portal_tags import when

from .codes import new_pass_code, normalise_code
from .locking import set_lock_timeout
from .models import ACTIVE_STATUSES, Appointment, Booking, BookingPolicy, Dependant, Place, Suspension
from .reminders import reminders_follow_sessions, reminders_plan

LOCK_TIMEOUT = "5s"
# The resident themselves counts as an adult: activities only for younger people must
# be booked for a family member.
ADULT_AGE = 18
# No-shows are recorded this long after a session ends, so that staff can still tick late arrivals.
NO_SHOW_GRACE = dt.timedelta(minutes=30)

User = get_user_model()


class BookingRefused(ValidationError):
    """A booking the rules do not allow; ``code`` says which rule (``"full"`` lets a
    page offer the waiting list)."""


def _refuse(message: str, code: str = "refused"):
    raise BookingRefused(message, code=code)


def booking_policy_for(district: Area) -> BookingPolicy:
    """The district's rules, or the defaults while it has set none."""
    policy = BookingPolicy.objects.filter(district=district).first()
    return policy or BookingPolicy(district=district)


def _lock_residents(ids: Iterable[int | None]) -> None:
    """Lock these residents' rows, in id order, before any of their bookings' rows. A
    resident's own requests lock their row first and their booking next; a write that
    held the booking while waiting for the resident's row (a message to them needs it)
    would deadlock with them. NO KEY UPDATE: rows inserted elsewhere that refer to the
    resident (a message) need not wait."""
    ids = sorted({pk for pk in ids if pk is not None})
    if ids:
        list(User.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _lock_resident(resident) -> None:
    _lock_residents([resident.pk if resident is not None else None])


def _lock_sessions(ids: Iterable[int]) -> list[Occurrence]:
    # NO KEY UPDATE: it excludes other writers of the session, but not the key-share
    # locks that inserting a booking or place referring to the session takes.
    return list(
        Occurrence.objects.select_for_update(of=("self",), no_key=True)
        .select_related("activity", "centre")
        .filter(pk__in=sorted(set(ids)))
        .order_by("pk")
    )


def _guarded(write):
    """Run ``write()`` in a transaction with the lock timeout; a lock that cannot be had
    in time, or a write another request got in first with, becomes a polite refusal."""
    try:
        with transaction.atomic():
            set_lock_timeout(LOCK_TIMEOUT)
            return write()
    except OperationalError as error:
        if "lock timeout" in str(error) or "could not obtain lock" in str(error) or "locked" in str(error):
            raise BookingRefused(
                _("Many people are booking right now. Please try again in a moment."), code="busy"
            ) from error
        raise
    except IntegrityError as error:
        if "booking_once_per" in str(error):
            raise BookingRefused(_("This person already has a booking here."), code="duplicate") from error
        raise


def held_places(occurrence_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Place.objects.filter(occurrence_id__in=list(occurrence_ids), is_held=True)
        .values("occurrence_id")
        .annotate(n=Count("pk"))
    )
    return {row["occurrence_id"]: row["n"] for row in rows}


def _course_sessions(course: Series) -> list[int]:
    return list(
        course.occurrences.filter(status=Occurrence.Status.SCHEDULED).order_by("starts_at").values_list("pk", flat=True)
    )


PERSON_NAME_MAX = Booking._meta.get_field("person_name").max_length


def _person_name(resident, dependant: Dependant | None, guest_name: str) -> str:
    """The name the booking keeps, cut to fit: an account's name may be longer."""
    if dependant is not None:
        name = dependant.name
    elif resident is not None:
        name = resident.name or resident.masked_phone
    else:
        name = guest_name.strip()
    return name[:PERSON_NAME_MAX]


def _age_problem(
    activity: Activity, dependant: Dependant | None, on: dt.date, name: str, *, guest: bool = False
) -> str | None:
    """Why this person cannot take part at their age, or None. A ``guest`` (someone staff
    add by name, often a child who comes without an account) has no age on record: staff
    see them at the desk, so no age rule applies."""
    low, high = activity.min_age, activity.max_age
    if guest or (low is None and high is None):
        return None
    if dependant is None:
        if activity.audience == "children" or (high is not None and high < ADULT_AGE):
            return _("This activity is for %(ages)s. Book it for your child instead.") % {
                "ages": activity.age_range_label
            }
        return None
    age = dependant.age_on(on)
    if (low is not None and age < low) or (high is not None and age > high):
        return _("%(name)s will be %(age)s on the day; this activity is for %(ages)s.") % {
            "name": name,
            "age": age,
            "ages": activity.age_range_label,
        }
    return None


def _person_filter(resident, dependant: Dependant | None) -> Q:
    if dependant is not None:
        return Q(booking__dependant=dependant)
    return Q(booking__resident=resident, booking__dependant__isnull=True)


def _clash(resident, dependant: Dependant | None, sessions: Sequence[Occurrence]) -> Place | None:
    """A place the same person already holds at another session overlapping one of these."""
    if resident is None and dependant is None:
        return None
    overlapping = Q()
    for occurrence in sessions:
        overlapping |= Q(occurrence__starts_at__lt=occurrence.ends_at, occurrence__ends_at__gt=occurrence.starts_at)
    return (
        Place.objects.filter(_person_filter(resident, dependant), overlapping, is_held=True)
        .exclude(occurrence__in=[o.pk for o in sessions])
        .filter(occurrence__status=Occurrence.Status.SCHEDULED)
        .select_related("occurrence__activity")
        .first()
    )


def suspension_in_force(resident, district_id: int, now: dt.datetime) -> Suspension | None:
    if resident is None:
        return None
    return (
        Suspension.objects.filter(
            resident=resident, district_id=district_id, lifted_at__isnull=True, starts_at__lte=now, ends_at__gt=now
        )
        .order_by("-ends_at")
        .first()
    )


def active_bookings_count(resident, now: dt.datetime) -> int:
    return Booking.objects.filter(resident=resident, status__in=ACTIVE_STATUSES, ends_at__gt=now).count()


def booking_window_problem(activity: Activity, first_start: dt.datetime, now: dt.datetime) -> str | None:
    """Why booking is not open now, or None."""
    opens = first_start - dt.timedelta(days=activity.booking_opens_days)
    closes = first_start - dt.timedelta(minutes=activity.booking_closes_minutes)
    if now < opens:
        return _("Booking opens on %(when)s.") % {"when": when(opens)}
    if now >= closes:
        return _("Booking closed on %(when)s.") % {"when": when(closes)}
    return None


def _target_sessions(occurrence: Occurrence | None, course: Series | None, *, online: bool = True) -> list[int]:
    if (occurrence is None) == (course is None):
        raise TypeError("Book either one session or one course.")
    if course is not None:
        if not course.is_course:
            raise TypeError("Only a series marked as a course is booked as a whole.")
        return _course_sessions(course)
    # Staff may let someone try one session of a course (a walk-in); residents book it whole.
    if online and occurrence.series_id and occurrence.series.is_course:
        _refuse(_("This session is part of a course: book the whole course."), "course")
    return [occurrence.pk]


def _has_booked_before(resident, occurrence, course, people, request_key) -> bool:
    """Whether the locked path must answer (a double click, or someone already booked)
    rather than the quick "fully booked"."""
    if resident is None:
        return False
    mine = Booking.objects.filter(resident=resident)
    target = Q(occurrence=occurrence) if course is None else Q(course=course)
    people_q = Q()
    for dependant in people:
        people_q |= Q(dependant=dependant) if dependant is not None else Q(dependant__isnull=True)
    repeated = Q(request_key=request_key) if request_key else Q(pk__in=[])
    return mine.filter(repeated | (target & people_q & Q(status__in=ACTIVE_STATUSES))).exists()


def booking_create(
    *,
    occurrence: Occurrence | None = None,
    course: Series | None = None,
    resident=None,
    people: Sequence[Dependant | None] = (None,),
    guest_name: str = "",
    guest_phone: str = "",
    source: str = Booking.Source.ONLINE,
    booked_by=None,
    request_key: str = "",
    join_waiting_list: bool = False,
    now: dt.datetime | None = None,
) -> list[Booking]:
    """Book places for ``people`` (``None`` is the resident themselves, a Dependant one
    of their family) at one session or every session of a course, all or nothing. When
    it is full and ``join_waiting_list`` is set, they join the waiting list instead.

    ``resident`` is None only when staff book for someone without an account
    (``guest_name`` and, if they have one, ``guest_phone``).
    """
    now = now or timezone.now()
    people = list(people)
    if not people:
        _refuse(_("Choose who is coming."), "people")
    if resident is None and not guest_name.strip():
        _refuse(_("Give the name of the person coming."), "people")
    for dependant in people:
        if dependant is not None and (resident is None or dependant.guardian_id != resident.pk):
            raise Booking.DoesNotExist("Not one of the resident's family members.")
    if len({d.pk if d else None for d in people}) != len(people):
        _refuse(_("Each person can be booked once."), "people")
    session_ids = _target_sessions(occurrence, course, online=source == Booking.Source.ONLINE)
    if not session_ids:
        _refuse(_("This course has no sessions left."), "ended")
    estimate = None  # the places held a moment ago, before any lock
    if not join_waiting_list:
        # A full session refuses without queueing for its lock: when hundreds try at
        # once, the refusals must not wait behind the bookings. (Places freed meanwhile
        # are offered to the waiting list, so nothing is lost by refusing early.)
        capacity = (occurrence or course).activity.capacity
        held = estimate = held_places(session_ids)
        full = min(capacity - held.get(pk, 0) for pk in session_ids) <= 0
        if full and not _has_booked_before(resident, occurrence, course, people, request_key):
            _refuse(_("Sorry, it is fully booked. You can join the waiting list."), "full")

    def write(*, waiting: bool) -> list[Booking]:
        _lock_resident(resident)
        mine = []  # the resident's bookings from this form, or active for what is booked now
        if resident is not None:
            target = Q(occurrence=occurrence) if course is None else Q(course=course)
            sent = Q(request_key=request_key) if request_key else Q(pk__in=[])
            mine = list(
                Booking.objects.filter(Q(resident=resident) & (sent | (target & Q(status__in=ACTIVE_STATUSES))))
            )
            earlier = [booking for booking in mine if request_key and booking.request_key == request_key]
            if earlier:
                return earlier
        sessions = sorted(
            Occurrence.objects.select_related("activity", "centre__district").filter(pk__in=session_ids),
            key=lambda s: s.starts_at,
        )
        if any(s.status != Occurrence.Status.SCHEDULED for s in sessions) or not sessions:
            _refuse(_("This session has been cancelled."), "cancelled")
        first, last = sessions[0], max(sessions, key=lambda s: s.ends_at)
        activity, centre = first.activity, first.centre
        if not centre.is_published and source == Booking.Source.ONLINE:
            raise Booking.DoesNotExist("The centre is not shown to the public.")
        if not activity.booking_required and source == Booking.Source.ONLINE:
            _refuse(_("No booking is needed: just come along."), "drop_in")
        if source == Booking.Source.ONLINE:
            problem = booking_window_problem(activity, first.starts_at, now)
            if problem:
                _refuse(problem, "window")
        elif first.starts_at <= now and course is not None:
            _refuse(_("This course has started."), "window")
        elif last.ends_at <= now:
            _refuse(_("This session has ended."), "window")

        if resident is not None:
            suspension = suspension_in_force(resident, centre.district_id, now)
            if suspension is not None and source == Booking.Source.ONLINE:
                _refuse(suspension_message(suspension), "suspended")
            policy = booking_policy_for(centre.district)
            if source == Booking.Source.ONLINE and active_bookings_count(resident, now) + len(people) > (
                policy.max_active_bookings
            ):
                _refuse(
                    ngettext(
                        "You can hold at most %(count)d coming booking at a time, your family's included. "
                        "Cancel one you no longer need first.",
                        "You can hold at most %(count)d coming bookings at a time, your family's included. "
                        "Cancel one you no longer need first.",
                        policy.max_active_bookings,
                    )
                    % {"count": policy.max_active_bookings},
                    "limit",
                )

        names = {}
        for dependant in people:
            name = _person_name(resident, dependant, guest_name)
            names[dependant] = name
            problem = _age_problem(
                activity, dependant, timezone.localtime(first.starts_at).date(), name, guest=resident is None
            )
            if problem:
                _refuse(problem, "age")
            if resident is not None:
                already = next(
                    (
                        booking
                        for booking in mine
                        if booking.status in ACTIVE_STATUSES
                        and booking.dependant_id == (dependant.pk if dependant else None)
                        and (booking.occurrence_id, booking.course_id)
                        == (occurrence.pk if course is None else None, course.pk if course else None)
                    ),
                    None,
                )
                if already is not None:
                    if already.status == Booking.Status.WAITING:
                        _refuse(_("%(name)s is already on the waiting list.") % {"name": name}, "duplicate")
                    _refuse(_("%(name)s already has a place.") % {"name": name}, "duplicate")
            clash = _clash(resident, dependant, sessions)
            if clash is not None:
                _refuse(
                    _("%(name)s already has a place at “%(activity)s” at that time (%(when)s).")
                    % {
                        "name": name,
                        "activity": clash.occurrence.activity.title,
                        "when": when(clash.occurrence.starts_at),
                    },
                    "clash",
                )

        held = estimate if estimate is not None and not waiting else held_places(session_ids)
        full_sessions = [s for s in sessions if activity.capacity - held.get(s.pk, 0) < len(people)]
        if full_sessions and not join_waiting_list:
            free = min(activity.capacity - held.get(s.pk, 0) for s in sessions)
            if free > 0:
                _refuse(
                    ngettext("Only %(free)d place is left.", "Only %(free)d places are left.", free) % {"free": free},
                    "full",
                )
            _refuse(_("Sorry, it is fully booked. You can join the waiting list."), "full")
        status = Booking.Status.WAITING if waiting or full_sessions else Booking.Status.CONFIRMED
        bookings = []
        for dependant in people:
            booking = Booking.objects.create(
                occurrence=occurrence if course is None else None,
                course=course,
                activity=activity,
                centre=centre,
                starts_at=first.starts_at,
                ends_at=last.ends_at,
                resident=resident,
                dependant=dependant,
                person_name=names[dependant],
                guest_phone=guest_phone if resident is None else "",
                status=status,
                source=source,
                booked_by=booked_by,
                code=new_pass_code(),
                request_key=request_key,
                created_at=now,
                confirmed_at=now if status == Booking.Status.CONFIRMED else None,
            )
            if status == Booking.Status.CONFIRMED:
                Place.objects.bulk_create(Place(booking=booking, occurrence=s) for s in sessions)
            bookings.append(booking)
        _tell_booked(bookings, now, sessions)
        if status == Booking.Status.CONFIRMED:
            # The sessions' locks come last, so that they are held only while the places
            # are counted (ours included) and the transaction commits: whoever holds a
            # lock has all earlier bookings committed before them in the count.
            if any(s.status != Occurrence.Status.SCHEDULED for s in _lock_sessions(session_ids)):
                _refuse(_("This session has been cancelled."), "cancelled")
            held = held_places(session_ids)
            if any(held.get(pk, 0) > activity.capacity for pk in session_ids):
                raise _TakenMeanwhile
        return bookings

    for _attempt in range(3):
        try:
            return _guarded(lambda: write(waiting=False))
        except _TakenMeanwhile:
            if not join_waiting_list:
                _refuse(_("Sorry, the last places were just taken. You can join the waiting list."), "full")
            return _guarded(lambda: write(waiting=True))
        except IntegrityError as error:
            if "code" not in str(error):  # a pass code drawn twice (about 1 in 10^7): draw again
                raise
    raise BookingRefused(_("Please try again in a moment."), code="busy")


class _TakenMeanwhile(Exception):
    """Places that looked free were taken by bookings committed while ours was written."""


def what_is_booked(booking: Booking) -> str:
    return _("“%(activity)s” on %(when)s") % {"activity": booking.activity.title, "when": when(booking.starts_at)}


def _tell(booking: Booking, text: Callable[[], str], kind: str = Notification.Kind.CHANGE) -> None:
    """Tell the booking's holder (inbox, text message and email as they chose), or text
    a guest staff booked by phone. ``text`` is a function, called in the holder's language."""
    notification_send(
        recipient=booking.resident, kind=kind, text=text, url=booking.get_absolute_url, phone=booking.guest_phone
    )


def _booked_text(booking: Booking) -> str:
    return _("Booked: %(what)s for %(name)s. Pass code %(code)s.") % {
        "what": what_is_booked(booking),
        "name": booking.person_name,
        "code": booking.code_display,
    }


def _tell_booked(bookings: list[Booking], now: dt.datetime, sessions: list[Occurrence]) -> None:
    for booking in bookings:
        if booking.status == Booking.Status.CONFIRMED:
            _tell(booking, lambda booking=booking: _booked_text(booking), Notification.Kind.BOOKING)
            reminders_plan(booking=booking, now=now, sessions=sessions)
        else:
            _tell(
                booking,
                lambda booking=booking: (
                    _("%(name)s is on the waiting list for %(what)s. We will tell you if a place frees up.")
                    % {"what": what_is_booked(booking), "name": booking.person_name}
                ),
                Notification.Kind.BOOKING,
            )


def _release(booking: Booking, now: dt.datetime) -> list[int]:
    """Give up the booking's places at sessions not yet started; returns their ids."""
    places = booking.places.filter(is_held=True, occurrence__starts_at__gt=now)
    ids = list(places.values_list("occurrence_id", flat=True))
    places.update(is_held=False)
    return ids


def cancel_deadline(booking: Booking) -> dt.datetime:
    return booking.starts_at - dt.timedelta(minutes=booking.activity.cancel_until_minutes)


def booking_cancel(*, booking: Booking, by, reason: str = "", now: dt.datetime | None = None) -> Booking:
    """The resident (or staff for them) gives up a booking, leaves the waiting list, or
    declines an offer. Freed places are offered to the waiting list after commit."""
    return _booking_close(booking=booking, by=by, reason=reason, now=now)


def _booking_close(
    *, booking: Booking, by, reason: str = "", now: dt.datetime | None = None, offer_only: bool = False
) -> Booking:
    """``booking_cancel``; with ``offer_only``, only while the booking is an open offer
    (decided under the lock: it may have been accepted since the page was drawn)."""
    now = now or timezone.now()
    by_staff = by is not None and booking.resident_id != by.pk

    def write() -> Booking:
        _lock_resident(booking.resident)
        current = Booking.objects.select_for_update().select_related("activity").get(pk=booking.pk)
        if offer_only and current.status != Booking.Status.OFFERED:
            _refuse(_("This offer is no longer open."), "closed")
        if current.status not in ACTIVE_STATUSES:
            _refuse(_("This booking is no longer active."), "closed")
        if current.status == Booking.Status.CONFIRMED and not by_staff:
            if now >= current.starts_at:
                _refuse(_("The session has started; it can no longer be cancelled."), "deadline")
            if now >= cancel_deadline(current):
                _refuse(
                    _("Cancelling closed on %(when)s. Please call the centre if you cannot come.")
                    % {"when": when(cancel_deadline(current))},
                    "deadline",
                )
        _lock_sessions(current.places.values_list("occurrence_id", flat=True))
        current.status = {
            Booking.Status.WAITING: Booking.Status.LEFT,
            Booking.Status.OFFERED: Booking.Status.DECLINED,
        }.get(current.status, Booking.Status.CANCELLED)
        current.closed_at = now
        current.cancel_reason = reason[:200]
        current.save(update_fields=["status", "closed_at", "cancel_reason"])
        freed = _release(current, now)
        if freed:
            _offer_after_commit(current)
        if by_staff:
            _tell(
                current,
                lambda: _("The centre cancelled your booking for %(what)s.") % {"what": what_is_booked(current)},
            )
        return current

    return _guarded(write)


def _offer_after_commit(booking: Booking) -> None:
    occurrence_id, course_id = booking.occurrence_id, booking.course_id
    transaction.on_commit(lambda: offers_make(occurrence_id=occurrence_id, course_id=course_id))


def offers_make(*, occurrence_id: int | None = None, course_id: int | None = None, now=None) -> int:
    """Offer free places of a session or course to the first eligible people on its
    waiting list, one transaction per offer. Returns the number of offers made."""
    made = 0
    skipped: set[int] = set()
    while True:
        now = now or timezone.now()
        target = Q(occurrence_id=occurrence_id) if occurrence_id else Q(course_id=course_id)
        candidate = (
            Booking.objects.filter(target, status=Booking.Status.WAITING)
            .exclude(pk__in=skipped)
            .order_by("created_at", "pk")
            .select_related("activity", "centre", "dependant", "resident")
            .first()
        )
        if candidate is None:
            return made
        outcome = _offer_to(candidate, now)
        if outcome == "offered":
            made += 1
        elif outcome == "skip":
            skipped.add(candidate.pk)
        else:
            return made


def _offer_to(candidate: Booking, now: dt.datetime) -> str:
    """Offer ``candidate`` a place if one is free: "offered", "skip" (not eligible now:
    try the next), or "stop" (no place, or too late for any offer)."""

    def write() -> str:
        _lock_resident(candidate.resident)
        booking = Booking.objects.select_for_update().get(pk=candidate.pk)
        if booking.status != Booking.Status.WAITING:
            return "skip"
        ids = [booking.occurrence_id] if booking.occurrence_id else _course_sessions(booking.course)
        sessions = sorted(_lock_sessions(ids), key=lambda s: s.starts_at)
        if not sessions or sessions[0].starts_at <= now:
            return "stop"
        if any(s.status != Occurrence.Status.SCHEDULED for s in sessions):
            return "stop"
        held = held_places(ids)
        if any(candidate.activity.capacity - held.get(s.pk, 0) < 1 for s in sessions):
            return "stop"
        if _clash(booking.resident, booking.dependant, sessions) is not None:
            return "skip"
        if suspension_in_force(booking.resident, candidate.centre.district_id, now):
            return "skip"
        policy = booking_policy_for(candidate.centre.district)
        booking.status = Booking.Status.OFFERED
        booking.offered_at = now
        booking.offer_expires_at = min(now + dt.timedelta(hours=policy.offer_hours), sessions[0].starts_at)
        booking.save(update_fields=["status", "offered_at", "offer_expires_at"])
        Place.objects.bulk_create(Place(booking=booking, occurrence=s) for s in sessions)
        _tell(
            booking,
            lambda: (
                _(
                    "A place is free for %(name)s at %(what)s. "
                    "Accept it before %(until)s, or it passes to the next person."
                )
                % {
                    "name": booking.person_name,
                    "what": what_is_booked(booking),
                    "until": when(booking.offer_expires_at),
                }
            ),
            Notification.Kind.OFFER,
        )
        return "offered"

    try:
        return _guarded(write)
    except BookingRefused:
        return "stop"


def offer_accept(*, booking: Booking, now: dt.datetime | None = None) -> Booking:
    now = now or timezone.now()

    def write() -> Booking:
        _lock_resident(booking.resident)
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if current.status == Booking.Status.CONFIRMED:
            return current
        if current.status != Booking.Status.OFFERED:
            _refuse(_("This offer is no longer open."), "closed")
        if current.offer_expires_at <= now:
            _refuse(_("Sorry, this offer lapsed at %(when)s.") % {"when": when(current.offer_expires_at)}, "lapsed")
        current.status = Booking.Status.CONFIRMED
        current.confirmed_at = now
        current.save(update_fields=["status", "confirmed_at"])
        _tell(current, lambda: _booked_text(current), Notification.Kind.BOOKING)
        reminders_plan(booking=current, now=now)
        return current

    return _guarded(write)


def offer_decline(*, booking: Booking, now: dt.datetime | None = None) -> Booking:
    if booking.status != Booking.Status.OFFERED:
        _refuse(_("This offer is no longer open."), "closed")
    return _booking_close(booking=booking, by=booking.resident, now=now, offer_only=True)


def offers_expire(*, now: dt.datetime | None = None) -> int:
    """Lapse the offers not answered in time and pass their places on. Safe to run
    twice: a lapsed offer is not found again."""
    now = now or timezone.now()
    lapsed = 0
    due = Booking.objects.filter(status=Booking.Status.OFFERED, offer_expires_at__lte=now)
    for pk, resident_id in due.values_list("pk", "resident_id"):

        def write(pk=pk, resident_id=resident_id) -> Booking | None:
            _lock_residents([resident_id])
            booking = Booking.objects.select_for_update().select_related("activity").get(pk=pk)
            if booking.status != Booking.Status.OFFERED or booking.offer_expires_at > now:
                return None
            booking.status = Booking.Status.LAPSED
            booking.closed_at = now
            booking.save(update_fields=["status", "closed_at"])
            booking.places.filter(is_held=True).update(is_held=False)
            _tell(
                booking,
                lambda: (
                    _("The place offered at %(what)s has passed to the next person.")
                    % {"what": what_is_booked(booking)}
                ),
                Notification.Kind.OFFER,
            )
            _offer_after_commit(booking)
            return booking

        if _guarded(write) is not None:
            lapsed += 1
    return lapsed


def waiting_position(booking: Booking) -> int:
    """1 for the first in the queue."""
    target = Q(occurrence_id=booking.occurrence_id) if booking.occurrence_id else Q(course_id=booking.course_id)
    return (
        Booking.objects.filter(target, status=Booking.Status.WAITING)
        .filter(Q(created_at__lt=booking.created_at) | Q(created_at=booking.created_at, pk__lt=booking.pk))
        .count()
        + 1
    )


def waiting_lists_offer_for_activity(activity_id: int) -> int:
    """After an activity's places went up: offer them, session by session."""
    now = timezone.now()
    waiting = Booking.objects.filter(activity_id=activity_id, status=Booking.Status.WAITING, starts_at__gt=now)
    made = 0
    for occurrence_id, course_id in waiting.values_list("occurrence_id", "course_id").distinct():
        made += offers_make(occurrence_id=occurrence_id, course_id=course_id)
    return made


# Check-in ------------------------------------------------------------------------


def place_check_in(*, place: Place, by, now: dt.datetime | None = None) -> Place:
    """Tick one person in. Ticking twice keeps the first time."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Place.objects.select_for_update().select_related("booking").get(pk=place.pk)
        if not current.is_held or current.booking.status != Booking.Status.CONFIRMED:
            _refuse(_("This booking is not active, so it cannot be checked in."), "closed")
        if current.checked_in_at is None:
            current.checked_in_at = now
            current.checked_in_by = by
            current.no_show = False
            current.save(update_fields=["checked_in_at", "checked_in_by", "no_show"])
        return current


def place_check_in_undo(*, place: Place) -> Place:
    with transaction.atomic():
        current = Place.objects.select_for_update().get(pk=place.pk)
        current.checked_in_at = None
        current.checked_in_by = None
        current.save(update_fields=["checked_in_at", "checked_in_by"])
        return current


def check_in_by_code(*, occurrence: Occurrence, code: str, by, now: dt.datetime | None = None) -> Place:
    """Check in the holder of a pass at this session: typed, or read from its QR."""
    cleaned = normalise_code(code)
    if not cleaned:
        _refuse(_("Type the code on the pass."), "code")
    place = Place.objects.filter(occurrence=occurrence, booking__code=cleaned).select_related("booking").first()
    if place is None:
        other = Booking.objects.filter(code=cleaned).select_related("activity").first()
        if other is not None and other.centre_id == occurrence.centre_id:
            _refuse(
                _("This pass is for %(what)s, not this session.") % {"what": what_is_booked(other)},
                "other_session",
            )
        _refuse(_("No booking for this session has the code %(code)s.") % {"code": cleaned}, "code")
    if place.checked_in_at is not None:
        _refuse(
            _("%(name)s was already checked in at %(time)s.")
            % {"name": place.booking.person_name, "time": timezone.localtime(place.checked_in_at).strftime("%H:%M")},
            "already",
        )
    return place_check_in(place=place, by=by, now=now)


def walk_in_add(
    *, occurrence: Occurrence, by, person_name: str, phone: str = "", now: dt.datetime | None = None
) -> Booking:
    """Someone who came without booking: they take a free place and are checked in."""
    now = now or timezone.now()
    resident = User.objects.filter(phone=phone, is_active=True).first() if phone else None
    with transaction.atomic():
        [booking] = booking_create(
            occurrence=occurrence,
            resident=resident,
            guest_name=person_name,
            guest_phone="" if resident else phone,
            source=Booking.Source.WALK_IN,
            booked_by=by,
            now=now,
        )
        place = booking.places.get()
        place_check_in(place=place, by=by, now=now)
    return booking


# No-shows and suspensions ----------------------------------------------------------


def suspension_message(suspension: Suspension) -> str:
    return _(
        "Online booking is paused until %(until)s because %(count)s booked places were not used "
        "within %(days)s days. Please call the centre if this is a mistake."
    ) % {"until": when(suspension.ends_at), "count": suspension.no_shows, "days": suspension.within_days}


def no_shows_record(*, now: dt.datetime | None = None) -> int:
    """Mark the places not checked in at sessions that have ended as no-shows, then
    suspend the residents the district's rule catches. Safe to run again: marked
    places are not found twice."""
    now = now or timezone.now()
    due = Place.objects.filter(
        is_held=True,
        checked_in_at__isnull=True,
        no_show=False,
        booking__status=Booking.Status.CONFIRMED,
        occurrence__status=Occurrence.Status.SCHEDULED,
        occurrence__ends_at__lte=now - NO_SHOW_GRACE,
    )
    affected = set(
        due.exclude(booking__resident__isnull=True).values_list("booking__resident_id", "booking__centre__district_id")
    )
    marked = due.update(no_show=True)
    Appointment.objects.filter(
        status=Appointment.Status.CONFIRMED, checked_in_at__isnull=True, no_show=False, ends_at__lte=now - NO_SHOW_GRACE
    ).update(no_show=True)
    for resident_id, district_id in sorted(affected):
        _suspend_if_due(resident_id=resident_id, district_id=district_id, now=now)
    return marked


def no_shows_counted(*, resident_id: int, district_id: int, now: dt.datetime, policy: BookingPolicy) -> int:
    since = now - dt.timedelta(days=policy.no_show_days)
    last = Suspension.objects.filter(resident_id=resident_id, district_id=district_id).order_by("-starts_at").first()
    if last is not None:
        since = max(since, last.lifted_at or last.starts_at)
    return Place.objects.filter(
        booking__resident_id=resident_id,
        booking__centre__district_id=district_id,
        no_show=True,
        occurrence__starts_at__gte=since,
    ).count()


def _suspend_if_due(*, resident_id: int, district_id: int, now: dt.datetime) -> Suspension | None:
    district = Area.objects.get(pk=district_id)
    policy = booking_policy_for(district)
    with transaction.atomic():
        resident = User.objects.select_for_update().get(pk=resident_id)
        if suspension_in_force(resident, district_id, now):
            return None
        count = no_shows_counted(resident_id=resident_id, district_id=district_id, now=now, policy=policy)
        if count < policy.no_show_limit:
            return None
        suspension = Suspension.objects.create(
            resident=resident,
            district=district,
            starts_at=now,
            ends_at=now + dt.timedelta(days=policy.suspension_days),
            no_shows=count,
            within_days=policy.no_show_days,
        )
        notification_send(
            recipient=resident,
            kind=Notification.Kind.SUSPENSION,
            text=lambda: suspension_message(suspension),
            url=lambda: reverse("bookings:list"),
        )
        return suspension


def suspension_lift(*, suspension: Suspension, by, reason: str, now: dt.datetime | None = None) -> Suspension:
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"lift_reason": _("Say why the suspension is lifted.")})
    with transaction.atomic():
        current = Suspension.objects.select_for_update().get(pk=suspension.pk)
        if current.lifted_at is None:
            current.lifted_at = now
            current.lifted_by = by
            current.lift_reason = reason[:200]
            current.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
            notification_send(
                recipient=current.resident,
                kind=Notification.Kind.SUSPENSION,
                text=lambda: _("You can book online again: the centre lifted the pause on your bookings."),
                url=lambda: reverse("bookings:list"),
            )
        return current


def booking_policy_save(*, district: Area, by, **fields) -> BookingPolicy:
    policy = booking_policy_for(district)
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.updated_by = by
    policy.full_clean(exclude=["district", "updated_by"])
    policy.save()
    return policy


# When staff cancel or move sessions ------------------------------------------------


def bookings_cancel_for_sessions(*, occurrence_ids: list[int], reason: str, now: dt.datetime | None = None) -> int:
    """Staff cancelled these sessions: their bookings end and every holder is told. A
    course booking keeps its other sessions."""
    now = now or timezone.now()
    told = 0
    with transaction.atomic():
        sessions = {o.pk: o for o in Occurrence.objects.filter(pk__in=occurrence_ids).select_related("activity")}
        series_ids = {o.series_id for o in sessions.values() if o.series_id}
        concerned = Booking.objects.filter(
            Q(occurrence_id__in=occurrence_ids, status__in=ACTIVE_STATUSES)
            | Q(places__occurrence_id__in=occurrence_ids, places__is_held=True)
            | Q(course_id__in=series_ids, status=Booking.Status.WAITING)
        )
        _lock_residents(concerned.values_list("resident_id", flat=True))
        singles = Booking.objects.select_for_update(of=("self",)).filter(
            occurrence_id__in=occurrence_ids, status__in=ACTIVE_STATUSES
        )
        for booking in singles.select_related("activity", "resident"):
            booking.status = Booking.Status.CANCELLED
            booking.cancelled_by_centre = True
            booking.closed_at = now
            booking.cancel_reason = reason[:200]
            booking.save(update_fields=["status", "cancelled_by_centre", "closed_at", "cancel_reason"])
            booking.places.update(is_held=False)
            _tell(booking, lambda b=booking: _cancel_text(b, sessions[b.occurrence_id], reason))
            told += 1
        course_places = Place.objects.filter(
            occurrence_id__in=occurrence_ids, is_held=True, booking__course__isnull=False
        ).select_related("booking__activity", "booking__resident")
        course_ids = set()
        for place in course_places:
            _tell(place.booking, lambda p=place: _cancel_text(p.booking, sessions[p.occurrence_id], reason))
            course_ids.add(place.booking_id)
            told += 1
        course_places.update(is_held=False)
        # A course with no session left to attend is over for its holders.
        still_on = Place.objects.filter(booking_id__in=course_ids, is_held=True, occurrence__ends_at__gt=now)
        Booking.objects.filter(pk__in=course_ids, status__in=ACTIVE_STATUSES).exclude(
            pk__in=still_on.values("booking_id")
        ).update(status=Booking.Status.CANCELLED, cancelled_by_centre=True, closed_at=now, cancel_reason=reason[:200])
        # So does the waiting list of a course with no session left.
        over = (
            Series.objects.filter(pk__in=series_ids, is_course=True)
            .exclude(occurrences__status=Occurrence.Status.SCHEDULED, occurrences__ends_at__gt=now)
            .values_list("pk", flat=True)
        )
        for booking in Booking.objects.filter(course_id__in=list(over), status=Booking.Status.WAITING).select_related(
            "activity"
        ):
            booking.status = Booking.Status.CANCELLED
            booking.cancelled_by_centre = True
            booking.closed_at = now
            booking.cancel_reason = reason[:200]
            booking.save(update_fields=["status", "cancelled_by_centre", "closed_at", "cancel_reason"])
            _tell(booking, lambda b=booking: _("Cancelled by the centre: %(what)s.") % {"what": what_is_booked(b)})
            told += 1
        _bookings_follow_sessions(occurrence_ids)
    return told


def _cancel_text(booking: Booking, occurrence: Occurrence, reason: str) -> str:
    text = _("Cancelled by the centre: “%(activity)s” on %(when)s.") % {
        "activity": occurrence.activity.title,
        "when": when(occurrence.starts_at),
    }
    if reason:
        text += " " + _("Reason: %(reason)s") % {"reason": reason}
    return text


def bookings_tell_moved(*, occurrence_ids: list[int]) -> int:
    """Staff moved these sessions: everyone holding a place there is told the new time."""
    told = 0
    with transaction.atomic():
        places = Place.objects.filter(occurrence_id__in=occurrence_ids, is_held=True).select_related(
            "booking", "occurrence__activity", "occurrence__room"
        )
        for place in places:
            occurrence = place.occurrence
            _tell(
                place.booking,
                lambda o=occurrence: (
                    _(
                        "Moved: “%(activity)s” is now on %(when)s. "
                        "Your place is kept; cancel it if the new time does not suit."
                    )
                    % {"activity": o.activity.title, "when": when(o.starts_at)}
                ),
            )
            told += 1
        _bookings_follow_sessions(occurrence_ids)
    return told


def _bookings_follow_sessions(occurrence_ids: list[int]) -> None:
    """Bookings carry the time of what they book (the first and last session of a
    course) for lists and the feed: bring it up to date after sessions moved."""
    reminders_follow_sessions(occurrence_ids=occurrence_ids)
    moved = Occurrence.objects.filter(pk__in=occurrence_ids)
    for occurrence in moved:
        Booking.objects.filter(occurrence=occurrence).update(starts_at=occurrence.starts_at, ends_at=occurrence.ends_at)
    for series_id in {o.series_id for o in moved if o.series_id}:
        sessions = Occurrence.objects.filter(series_id=series_id, status=Occurrence.Status.SCHEDULED)
        first, last = sessions.order_by("starts_at").first(), sessions.order_by("-ends_at").first()
        if first is not None:
            Booking.objects.filter(course_id=series_id).update(starts_at=first.starts_at, ends_at=last.ends_at)
