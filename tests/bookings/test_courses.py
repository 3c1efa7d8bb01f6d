"""Courses: a series marked ``is_course`` is booked as a whole, one booking holding a place
at every session."""

import datetime as dt

import pytest

from activities import services as scheduling
from activities.models import Audience, Series
from activities.services import Scope
from bookings.models import Booking, BookingPolicy, Place
from bookings.services import active_bookings_count, booking_cancel, booking_create, walk_in_add
from tests.activities.factories import ActivityFactory, room_of
from tests.bookings.rule_helpers import (
    FRIDAY,
    NEXT_WEDNESDAY,
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

LAST_WEDNESDAY = dt.date(2026, 12, 9)


@pytest.fixture(autouse=True)
def clock(monkeypatch, settings):
    with rules_world(monkeypatch, settings) as clock:
        yield clock


def weekly(activity, *, is_course=True, count=3, first_date=WEDNESDAY) -> Series:
    """Wednesdays 19:00–20:30 from 25 November: 25 Nov, 2 Dec, 9 Dec."""
    return scheduling.series_create(
        activity=activity,
        rule="FREQ=WEEKLY;BYDAY=WE",
        first_date=first_date,
        starts=T(19),
        ends=T(20, 30),
        room=room_of(activity.centre),
        count=count,
        is_course=is_course,
    )


def sessions_of(series: Series):
    return list(series.occurrences.order_by("starts_at"))


@pytest.fixture
def english_class():
    return centre_with_activity(title="英语夜校", capacity=2)[1]


def test_one_booking_holds_a_place_at_every_session_of_the_course(english_class, django_capture_on_commit_callbacks):
    course = weekly(english_class)
    wang = resident("王丽", phone="13500000011")

    with django_capture_on_commit_callbacks(execute=True):
        [booking] = booking_create(course=course, resident=wang, now=NOW)

    booking = fresh(booking)
    assert (booking.course, booking.occurrence, booking.status, booking.is_course) == (
        course,
        None,
        Booking.Status.CONFIRMED,
        True,
    )
    assert (booking.starts_at, booking.ends_at) == (at(WEDNESDAY, T(19)), at(LAST_WEDNESDAY, T(20, 30)))
    assert sorted(booking.places.values_list("occurrence_id", "is_held")) == [(s.pk, True) for s in sessions_of(course)]
    told = f"Booked: “英语夜校” on Wed 25 Nov 2026 19:00 for 王丽. Pass code {booking.code_display}."
    assert texts_to(wang) == [told]
    assert sms_to("13500000011") == [told]


def test_a_course_counts_as_one_coming_booking(english_class):
    BookingPolicy.objects.create(district=english_class.centre.district, max_active_bookings=2)
    course = weekly(english_class)
    talk = ActivityFactory(centre=english_class.centre, title="健康讲座")
    wang = resident()
    booking_create(course=course, resident=wang, now=NOW)

    assert active_bookings_count(wang, NOW) == 1
    [single] = booking_create(occurrence=evening(talk, date=THURSDAY), resident=wang, now=NOW)
    assert single.status == Booking.Status.CONFIRMED
    with refused(
        "limit",
        "You can hold at most 2 coming bookings at a time, your family's included. "
        "Cancel one you no longer need first.",
    ):
        booking_create(occurrence=evening(talk, date=FRIDAY), resident=wang, now=NOW)


def test_a_resident_cannot_book_a_session_of_a_course_on_its_own(english_class):
    course = weekly(english_class)
    second = sessions_of(course)[1]

    with refused("course", "This session is part of a course: book the whole course."):
        booking_create(occurrence=second, resident=resident(), now=NOW)


def test_staff_may_let_someone_try_one_session_of_a_course(english_class):
    course = weekly(english_class)
    first, second = sessions_of(course)[:2]
    staff = staff_of(english_class.centre)

    [booked] = booking_create(
        occurrence=second, guest_name="张大爷", source=Booking.Source.STAFF, booked_by=staff, now=NOW
    )
    walk_in = walk_in_add(occurrence=second, by=staff, person_name="李阿姨", now=NOW)

    assert booked.course_id is None and booked.occurrence_id == second.pk
    assert walk_in.occurrence_id == second.pk
    assert Place.objects.filter(occurrence=second, is_held=True).count() == 2
    assert Place.objects.filter(occurrence=first, is_held=True).count() == 0


def test_a_series_that_is_not_a_course_is_not_booked_as_one(english_class):
    series = weekly(english_class, is_course=False)

    with pytest.raises(TypeError, match="Only a series marked as a course is booked as a whole"):
        booking_create(course=series, resident=resident(), now=NOW)

    assert Booking.objects.count() == 0


def _series_with_a_full_second_session(activity) -> tuple[Series, list]:
    """Two people booked the second session on its own before staff made the series a course."""
    series = weekly(activity, is_course=False)
    sessions = sessions_of(series)
    staff = staff_of(activity.centre)
    for name in ("甲", "乙"):
        booking_create(occurrence=sessions[1], guest_name=name, source=Booking.Source.STAFF, booked_by=staff, now=NOW)
    Series.objects.filter(pk=series.pk).update(is_course=True)
    series.refresh_from_db()
    return series, sessions


def test_one_full_session_refuses_the_whole_course(english_class):
    course, sessions = _series_with_a_full_second_session(english_class)
    wang = resident()

    with refused("full", "Sorry, it is fully booked. You can join the waiting list."):
        booking_create(course=course, resident=wang, now=NOW)

    assert [held_at(s) for s in sessions] == [0, 2, 0]


def test_one_session_with_one_place_left_refuses_two_people_for_the_course():
    activity = centre_with_activity(title="英语夜校", capacity=3)[1]
    course, sessions = _series_with_a_full_second_session(activity)
    mother = resident()
    child = family_member(mother, "小明", dt.date(2014, 3, 1))

    with refused("full", "Only 1 place is left."):
        booking_create(course=course, resident=mother, people=[None, child], now=NOW)

    assert [held_at(s) for s in sessions] == [0, 2, 0]


def test_a_full_course_takes_a_waiting_list_entry_without_places(english_class):
    course, sessions = _series_with_a_full_second_session(english_class)

    [booking] = booking_create(course=course, resident=resident(), join_waiting_list=True, now=NOW)

    assert (booking.status, booking.course) == (Booking.Status.WAITING, course)
    assert booking.places.count() == 0
    assert [held_at(s) for s in sessions] == [0, 2, 0]


def test_the_same_person_cannot_book_a_course_twice(english_class):
    course = weekly(english_class)
    wang = resident("王丽")
    booking_create(course=course, resident=wang, now=NOW)

    with refused("duplicate", "王丽 already has a place."):
        booking_create(course=course, resident=wang, now=NOW)


def test_a_course_clashing_with_one_of_the_persons_places_is_refused(english_class):
    course = weekly(english_class)
    talk = ActivityFactory(centre=english_class.centre, title="健康讲座")
    held = evening(talk, date=NEXT_WEDNESDAY, starts=T(20), ends=T(20, 30), room=None)
    wang = resident("王丽")
    booking_create(
        occurrence=held, resident=wang, source=Booking.Source.STAFF, booked_by=staff_of(talk.centre), now=NOW
    )

    with refused("clash", "王丽 already has a place at “健康讲座” at that time (Wed 2 Dec 2026 20:00)."):
        booking_create(course=course, resident=wang, now=NOW)


def test_a_childs_age_for_a_course_is_the_age_at_its_first_session():
    camp = centre_with_activity(title="少儿美术课", audience=Audience.CHILDREN, min_age=6, max_age=12)[1]
    course = weekly(camp)
    mother = resident()
    # Six on 2 December, the second session.
    child = family_member(mother, "小明", dt.date(2020, 12, 2))

    with refused("age", "小明 will be 5 on the day; this activity is for ages 6–12."):
        booking_create(course=course, resident=mother, people=[child], now=NOW)


def test_a_course_that_has_started_cannot_be_booked(english_class, clock):
    course = weekly(english_class)
    staff = staff_of(english_class.centre)
    clock.set(at(WEDNESDAY, T(19, 30)))

    with refused("window", "Booking closed on Wed 25 Nov 2026 18:00."):
        booking_create(course=course, resident=resident(), now=clock.now)
    with refused("window", "This course has started."):
        booking_create(course=course, guest_name="张大爷", source=Booking.Source.STAFF, booked_by=staff, now=clock.now)


def test_cancelling_a_course_releases_all_its_places(english_class):
    course = weekly(english_class)
    wang = resident()
    [booking] = booking_create(course=course, resident=wang, now=NOW)

    booking_cancel(booking=booking, by=wang, now=NOW)

    assert fresh(booking).status == Booking.Status.CANCELLED
    assert [held_at(s) for s in sessions_of(course)] == [0, 0, 0]


def test_staff_cancelling_a_course_that_has_started_release_the_coming_places_only(english_class, clock):
    course = weekly(english_class)
    wang = resident()
    [booking] = booking_create(course=course, resident=wang, now=NOW)
    first, second, third = sessions_of(course)
    clock.set(at(WEDNESDAY, T(20)))

    booking_cancel(booking=booking, by=staff_of(english_class.centre), reason="搬家", now=clock.now)

    assert (fresh(booking).status, fresh(booking).cancel_reason) == (Booking.Status.CANCELLED, "搬家")
    assert dict(booking.places.values_list("occurrence_id", "is_held")) == {
        first.pk: True,
        second.pk: False,
        third.pk: False,
    }


def test_a_freed_course_place_is_offered_to_the_first_waiting_for_the_course(
    english_class, django_capture_on_commit_callbacks
):
    course = weekly(english_class)
    holders = [booking_create(course=course, resident=resident(f"学员{n}"), now=NOW)[0] for n in (1, 2)]
    wang = resident("王丽")
    [waiting] = booking_create(course=course, resident=wang, join_waiting_list=True, now=NOW)

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=holders[0], by=holders[0].resident, now=NOW)

    waiting = fresh(waiting)
    assert (waiting.status, waiting.offered_at, waiting.offer_expires_at) == (
        Booking.Status.OFFERED,
        NOW,
        NOW + dt.timedelta(hours=12),
    )
    assert sorted(waiting.places.filter(is_held=True).values_list("occurrence_id", flat=True)) == [
        s.pk for s in sessions_of(course)
    ]
    assert [held_at(s) for s in sessions_of(course)] == [2, 2, 2]


def test_a_course_that_has_started_offers_no_place_to_its_waiting_list(
    english_class, clock, django_capture_on_commit_callbacks
):
    course = weekly(english_class)
    holders = [booking_create(course=course, resident=resident(f"学员{n}"), now=NOW)[0] for n in (1, 2)]
    [waiting] = booking_create(course=course, resident=resident("王丽"), join_waiting_list=True, now=NOW)
    clock.set(at(WEDNESDAY, T(21)))

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=holders[0], by=staff_of(english_class.centre), now=clock.now)

    assert fresh(waiting).status == Booking.Status.WAITING
    assert waiting.places.count() == 0
    assert [held_at(s) for s in sessions_of(course)] == [2, 1, 1]


def test_a_session_the_centre_cancels_releases_that_place_only_and_tells_the_holder(
    english_class, django_capture_on_commit_callbacks
):
    course = weekly(english_class)
    wang = resident("王丽", phone="13500000012")
    [booking] = booking_create(course=course, resident=wang, now=NOW)
    first, second, third = sessions_of(course)

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_cancel(occurrence=second, reason="老师生病")

    booking = fresh(booking)
    assert booking.status == Booking.Status.CONFIRMED
    assert dict(booking.places.values_list("occurrence_id", "is_held")) == {
        first.pk: True,
        second.pk: False,
        third.pk: True,
    }
    told = "Cancelled by the centre: “英语夜校” on Wed 2 Dec 2026 19:00. Reason: 老师生病"
    assert texts_to(wang)[1:] == [told]
    assert sms_to("13500000012") == [told]


def test_a_course_booked_after_a_session_was_cancelled_holds_the_other_sessions(english_class):
    course = weekly(english_class)
    first, second, third = sessions_of(course)
    scheduling.occurrences_cancel(occurrence=second, reason="老师生病")

    [booking] = booking_create(course=course, resident=resident(), now=NOW)

    assert sorted(booking.places.values_list("occurrence_id", flat=True)) == [first.pk, third.pk]


def test_a_course_booking_spans_its_sessions_in_time_order_after_one_was_moved(english_class, clock):
    course = weekly(english_class)
    first, second, third = sessions_of(course)
    # The first session moves to the day after the last one (a single session may change date):
    # the course now runs 2 December to 10 December, and booking opens on 25 November 19:00.
    scheduling.occurrences_reschedule(
        occurrence=first, scope=Scope.THIS, date=dt.date(2026, 12, 10), starts=T(19), ends=T(20, 30), room=None
    )
    clock.set(at(dt.date(2026, 11, 26), T(10)))

    [booking] = booking_create(course=course, resident=resident(), now=clock.now)

    assert (booking.starts_at, booking.ends_at) == (at(NEXT_WEDNESDAY, T(19)), at(dt.date(2026, 12, 10), T(20, 30)))


def test_a_course_whose_coming_sessions_are_all_cancelled_ends_its_bookings(
    english_class, django_capture_on_commit_callbacks
):
    course = weekly(english_class)
    wang = resident()
    [booking] = booking_create(course=course, resident=wang, now=NOW)

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_cancel(occurrence=sessions_of(course)[0], reason="场地维修", scope=Scope.ALL)

    assert Place.objects.filter(booking=booking, is_held=True).count() == 0
    assert (fresh(booking).status, active_bookings_count(wang, NOW)) == (Booking.Status.CANCELLED, 0)


def test_a_course_whose_coming_sessions_are_all_cancelled_ends_its_waiting_list(
    english_class, django_capture_on_commit_callbacks
):
    course = weekly(english_class)
    for n in (1, 2):
        booking_create(course=course, resident=resident(f"学员{n}"), now=NOW)
    wang = resident("王丽")
    [waiting] = booking_create(course=course, resident=wang, join_waiting_list=True, now=NOW)

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_cancel(occurrence=sessions_of(course)[0], reason="场地维修", scope=Scope.ALL)

    assert (fresh(waiting).status, active_bookings_count(wang, NOW)) == (Booking.Status.CANCELLED, 0)


def test_after_its_first_session_is_cancelled_a_course_can_be_cancelled_until_the_next_one(
    english_class, clock, django_capture_on_commit_callbacks
):
    course = weekly(english_class)
    wang = resident()
    [booking] = booking_create(course=course, resident=wang, now=NOW)
    first, second, third = sessions_of(course)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_cancel(occurrence=first, reason="老师生病")
    clock.set(at(dt.date(2026, 11, 26), T(10)))

    cancelled = booking_cancel(booking=booking, by=wang, now=clock.now)

    assert fresh(cancelled).status == Booking.Status.CANCELLED
    assert [held_at(s) for s in (second, third)] == [0, 0]
