"""Cancelling: the resident's deadline, staff at any time, and sessions staff move."""

import datetime as dt

import pytest

from activities import services as scheduling
from activities.services import Scope
from bookings.models import Booking
from bookings.services import booking_cancel, booking_create, cancel_deadline
from tests.activities.factories import room_of
from tests.bookings.rule_helpers import (
    NOW,
    THURSDAY,
    WEDNESDAY,
    T,
    at,
    centre_with_activity,
    evening,
    family_member,
    fresh,
    held_at,
    refused,
    resident,
    rules_world,
    sms_to,
    staff_of,
    texts_to,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(monkeypatch, settings):
    with rules_world(monkeypatch, settings) as clock:
        yield clock


@pytest.fixture
def taichi():
    return centre_with_activity(title="太极拳")[1]


@pytest.fixture
def wang():
    return resident("王丽", phone="13500000041")


def test_the_cancelling_deadline_is_the_activitys_minutes_before_the_start(taichi, wang):
    [booking] = booking_create(occurrence=evening(taichi), resident=wang, now=NOW)

    assert cancel_deadline(booking) == at(WEDNESDAY, T(17))


def test_a_resident_cancels_before_the_deadline_and_the_place_is_free_again(taichi, wang, clock):
    occurrence = evening(taichi)
    [booking] = booking_create(occurrence=occurrence, resident=wang, now=NOW)
    clock.set(at(WEDNESDAY, T(16, 59)))

    cancelled = booking_cancel(booking=booking, by=wang, reason="临时有事", now=clock.now)

    cancelled = fresh(cancelled)
    assert (cancelled.status, cancelled.closed_at, cancelled.cancel_reason, cancelled.cancelled_by_centre) == (
        Booking.Status.CANCELLED,
        clock.now,
        "临时有事",
        False,
    )
    assert list(cancelled.places.values_list("is_held", flat=True)) == [False]
    assert held_at(occurrence) == 0
    assert len(texts_to(wang)) == 1, "only the booking was told: the resident knows they cancelled"


def test_a_resident_cannot_cancel_from_the_deadline_on(taichi, wang, clock):
    occurrence = evening(taichi)
    [booking] = booking_create(occurrence=occurrence, resident=wang, now=NOW)
    clock.set(at(WEDNESDAY, T(17)))

    with refused("deadline", "Cancelling closed on Wed 25 Nov 2026 17:00. Please call the centre if you cannot come."):
        booking_cancel(booking=booking, by=wang, now=clock.now)

    assert fresh(booking).status == Booking.Status.CONFIRMED
    assert held_at(occurrence) == 1


def test_the_activitys_own_cancelling_deadline_is_used(wang, clock):
    talk = centre_with_activity(title="健康讲座", cancel_until_minutes=24 * 60)[1]
    [booking] = booking_create(occurrence=evening(talk), resident=wang, now=NOW)
    clock.set(at(dt.date(2026, 11, 24), T(19)))

    with refused("deadline", "Cancelling closed on Tue 24 Nov 2026 19:00. Please call the centre if you cannot come."):
        booking_cancel(booking=booking, by=wang, now=clock.now)


def test_a_session_that_has_started_cannot_be_cancelled_by_the_resident(wang, clock):
    club = centre_with_activity(title="读书会", cancel_until_minutes=0)[1]
    [booking] = booking_create(occurrence=evening(club), resident=wang, now=NOW)
    clock.set(at(WEDNESDAY, T(19)))

    with refused("deadline", "The session has started; it can no longer be cancelled."):
        booking_cancel(booking=booking, by=wang, now=clock.now)

    assert fresh(booking).status == Booking.Status.CONFIRMED


def test_a_resident_cancels_a_family_members_booking_under_the_same_deadline(taichi, wang, clock):
    child = family_member(wang, "小明", dt.date(2018, 3, 1))
    [booking] = booking_create(occurrence=evening(taichi), resident=wang, people=[child], now=NOW)
    clock.set(at(WEDNESDAY, T(17, 30)))

    with refused("deadline", "Cancelling closed on Wed 25 Nov 2026 17:00. Please call the centre if you cannot come."):
        booking_cancel(booking=booking, by=wang, now=clock.now)


def test_staff_may_cancel_at_any_time_and_the_resident_is_told(taichi, wang, clock, django_capture_on_commit_callbacks):
    occurrence = evening(taichi)
    [booking] = booking_create(occurrence=occurrence, resident=wang, now=NOW)
    staff = staff_of(taichi.centre)
    clock.set(at(WEDNESDAY, T(18, 30)))

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = booking_cancel(booking=booking, by=staff, reason="居民来电取消", now=clock.now)

    cancelled = fresh(cancelled)
    assert (cancelled.status, cancelled.closed_at, cancelled.cancel_reason) == (
        Booking.Status.CANCELLED,
        clock.now,
        "居民来电取消",
    )
    assert held_at(occurrence) == 0
    told = "The centre cancelled your booking for “太极拳” on Wed 25 Nov 2026 19:00."
    assert texts_to(wang)[1:] == [told]
    assert sms_to("13500000041") == [told]


def test_staff_may_cancel_after_the_session_and_the_place_stays_on_record(taichi, wang, clock):
    occurrence = evening(taichi)
    [booking] = booking_create(occurrence=occurrence, resident=wang, now=NOW)
    clock.set(at(WEDNESDAY, T(21)))

    booking_cancel(booking=booking, by=staff_of(taichi.centre), reason="生病，已来电", now=clock.now)

    assert fresh(booking).status == Booking.Status.CANCELLED
    assert held_at(occurrence) == 1


def test_cancelling_twice_is_refused(taichi, wang):
    [booking] = booking_create(occurrence=evening(taichi), resident=wang, now=NOW)
    booking_cancel(booking=booking, by=wang, now=NOW)

    with refused("closed", "This booking is no longer active."):
        booking_cancel(booking=booking, by=wang, now=NOW)
    with refused("closed", "This booking is no longer active."):
        booking_cancel(booking=booking, by=staff_of(taichi.centre), now=NOW)


def test_staff_cancelling_for_someone_without_an_account_tells_them_by_text(taichi, django_capture_on_commit_callbacks):
    staff = staff_of(taichi.centre)
    [booking] = booking_create(
        occurrence=evening(taichi),
        guest_name="张大爷",
        guest_phone="13700000041",
        source=Booking.Source.STAFF,
        booked_by=staff,
        now=NOW,
    )

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, by=staff, now=NOW)

    # Someone without an account gets the portal's language, Chinese.
    assert sms_to("13700000041") == ["中心已取消您的预约：2026年11月25日 周三 19:00的“太极拳”。"]


def test_moving_a_session_tells_the_holders_and_moves_their_bookings(taichi, wang, django_capture_on_commit_callbacks):
    occurrence = evening(taichi)
    [booking] = booking_create(occurrence=occurrence, resident=wang, now=NOW)
    gone = resident("李娜", phone="13500000042")
    [cancelled] = booking_create(occurrence=occurrence, resident=gone, now=NOW)
    booking_cancel(booking=cancelled, by=gone, now=NOW)

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_reschedule(
            occurrence=occurrence, date=THURSDAY, starts=T(18), ends=T(19, 30), room=room_of(taichi.centre)
        )

    booking = fresh(booking)
    assert (booking.status, booking.starts_at, booking.ends_at) == (
        Booking.Status.CONFIRMED,
        at(THURSDAY, T(18)),
        at(THURSDAY, T(19, 30)),
    )
    assert cancel_deadline(booking) == at(THURSDAY, T(16))
    assert held_at(occurrence) == 1
    told = (
        "Moved: “太极拳” is now on Thu 26 Nov 2026 18:00. Your place is kept; cancel it if the new time does not suit."
    )
    assert texts_to(wang)[1:] == [told]
    assert sms_to("13500000041") == [told]
    assert sms_to("13500000042") == []
    assert len(texts_to(gone)) == 1


def test_moving_a_course_session_tells_the_holder_and_the_course_follows_its_sessions(
    taichi, wang, django_capture_on_commit_callbacks
):
    course = scheduling.series_create(
        activity=taichi,
        rule="FREQ=WEEKLY;BYDAY=WE",
        first_date=WEDNESDAY,
        starts=T(19),
        ends=T(20, 30),
        room=room_of(taichi.centre),
        count=2,
        is_course=True,
    )
    [booking] = booking_create(course=course, resident=wang, now=NOW)
    first, last = course.occurrences.order_by("starts_at")

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_reschedule(
            occurrence=first, scope=Scope.ALL, starts=T(18, 30), ends=T(20), room=room_of(taichi.centre)
        )

    booking = fresh(booking)
    assert (booking.starts_at, booking.ends_at) == (at(WEDNESDAY, T(18, 30)), at(dt.date(2026, 12, 2), T(20)))
    assert sorted(texts_to(wang)[1:]) == [
        "Moved: “太极拳” is now on Wed 2 Dec 2026 18:30. Your place is kept; cancel it if the new time does not suit.",
        "Moved: “太极拳” is now on Wed 25 Nov 2026 18:30. Your place is kept; cancel it if the new time does not suit.",
    ]
