"""booking_create: who may book what, when, how many, and what the resident is told."""

import datetime as dt

import pytest

from activities import services as scheduling
from activities.models import Audience
from bookings.models import Booking, BookingPolicy, Place
from bookings.services import booking_cancel, booking_create
from centres.models import Centre
from portal.models import Notification
from tests.activities.factories import ActivityFactory, open_centre
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
    snapshot,
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
    return centre_with_activity()[1]


@pytest.fixture
def homework():
    """An after-school class for children aged 6 to 12."""
    return centre_with_activity(title="四点钟课堂", audience=Audience.CHILDREN, min_age=6, max_age=12)[1]


def test_a_resident_books_a_place_for_themselves_and_is_told_the_pass_code(taichi, django_capture_on_commit_callbacks):
    occurrence = evening(taichi)
    wang = resident("王丽", phone="13500000001")

    with django_capture_on_commit_callbacks(execute=True):
        [booking] = booking_create(occurrence=occurrence, resident=wang, now=NOW)

    booking = fresh(booking)
    assert (booking.status, booking.source, booking.occurrence, booking.course) == (
        Booking.Status.CONFIRMED,
        Booking.Source.ONLINE,
        occurrence,
        None,
    )
    assert (booking.activity, booking.centre, booking.resident, booking.dependant, booking.person_name) == (
        taichi,
        taichi.centre,
        wang,
        None,
        "王丽",
    )
    assert (booking.starts_at, booking.ends_at) == (at(WEDNESDAY, T(19)), at(WEDNESDAY, T(20, 30)))
    assert (booking.created_at, booking.confirmed_at, booking.guest_phone) == (NOW, NOW, "")
    assert len(booking.code) == 8
    assert list(booking.places.values_list("occurrence_id", "is_held")) == [(occurrence.pk, True)]
    told = f"Booked: “太极拳” on Wed 25 Nov 2026 19:00 for 王丽. Pass code {booking.code_display}."
    assert texts_to(wang) == [told]
    assert Notification.objects.get(recipient=wang).url == booking.get_absolute_url()
    assert sms_to("13500000001") == [told]


def test_a_resident_books_a_child_of_their_family(homework):
    occurrence = evening(homework)
    mother = resident("李娜")
    child = family_member(mother, "小明", dt.date(2018, 3, 1))

    [booking] = booking_create(occurrence=occurrence, resident=mother, people=[child], now=NOW)

    booking = fresh(booking)
    assert (booking.resident, booking.dependant, booking.person_name, booking.status) == (
        mother,
        child,
        "小明",
        Booking.Status.CONFIRMED,
    )
    assert held_at(occurrence) == 1
    assert texts_to(mother) == [
        f"Booked: “四点钟课堂” on Wed 25 Nov 2026 19:00 for 小明. Pass code {booking.code_display}."
    ]


def test_the_resident_and_a_child_are_booked_together(taichi):
    occurrence = evening(taichi)
    mother = resident("李娜")
    child = family_member(mother, "小明", dt.date(2018, 3, 1))

    bookings = booking_create(occurrence=occurrence, resident=mother, people=[None, child], now=NOW)

    assert [(b.person_name, b.dependant_id, b.status) for b in bookings] == [
        ("李娜", None, Booking.Status.CONFIRMED),
        ("小明", child.pk, Booking.Status.CONFIRMED),
    ]
    assert len({b.code for b in bookings}) == 2
    assert held_at(occurrence) == 2


def test_a_child_turning_six_on_the_day_of_the_session_may_come(homework):
    occurrence = evening(homework)
    mother = resident()
    child = family_member(mother, "小明", dt.date(2020, 11, 25))

    [booking] = booking_create(occurrence=occurrence, resident=mother, people=[child], now=NOW)

    assert booking.status == Booking.Status.CONFIRMED
    assert held_at(occurrence) == 1


@pytest.mark.parametrize(
    ("birth_date", "age"),
    [(dt.date(2020, 11, 26), 5), (dt.date(2013, 11, 25), 13)],
    ids=["turns-six-the-day-after", "thirteen-on-the-day"],
)
def test_a_child_outside_the_ages_on_the_day_of_the_session_is_refused(homework, birth_date, age):
    occurrence = evening(homework)
    mother = resident()
    child = family_member(mother, "小明", birth_date)

    with refused("age", f"小明 will be {age} on the day; this activity is for ages 6–12."):
        booking_create(occurrence=occurrence, resident=mother, people=[child], now=NOW)


def test_a_twelve_year_old_turning_thirteen_the_day_after_may_come(homework):
    occurrence = evening(homework)
    mother = resident()
    child = family_member(mother, "小红", dt.date(2013, 11, 26))

    [booking] = booking_create(occurrence=occurrence, resident=mother, people=[child], now=NOW)

    assert booking.status == Booking.Status.CONFIRMED


def test_the_resident_themselves_is_refused_for_a_childrens_activity(homework):
    occurrence = evening(homework)

    with refused("age", "This activity is for ages 6–12. Book it for your child instead."):
        booking_create(occurrence=occurrence, resident=resident(), now=NOW)


def test_the_resident_themselves_is_refused_for_an_activity_for_young_people_only():
    teens = centre_with_activity(title="青少年编程", max_age=14)[1]
    occurrence = evening(teens)

    with refused("age", "This activity is for up to age 14. Book it for your child instead."):
        booking_create(occurrence=occurrence, resident=resident(), now=NOW)


def test_the_resident_and_a_child_are_refused_together_when_the_resident_may_not_come(homework):
    occurrence = evening(homework)
    mother = resident()
    child = family_member(mother, "小明", dt.date(2018, 3, 1))

    with refused("age", "This activity is for ages 6–12. Book it for your child instead."):
        booking_create(occurrence=occurrence, resident=mother, people=[child, None], now=NOW)


def test_booking_before_the_window_opens_is_refused_naming_the_day_it_opens(taichi, clock):
    # Booking opens 7 days before: Wednesday 2 December 19:00 opens on 25 November 19:00.
    occurrence = evening(taichi, date=dt.date(2026, 12, 2))
    wang = resident()
    clock.set(at(WEDNESDAY, T(18, 59)))

    with refused("window", "Booking opens on Wed 25 Nov 2026 19:00."):
        booking_create(occurrence=occurrence, resident=wang, now=clock.now)

    clock.set(at(WEDNESDAY, T(19)))
    [booking] = booking_create(occurrence=occurrence, resident=wang, now=clock.now)
    assert booking.status == Booking.Status.CONFIRMED


def test_booking_after_the_window_closes_is_refused_naming_when_it_closed(taichi, clock):
    # Booking closes 60 minutes before the session: 18:00 for the 19:00 session.
    occurrence = evening(taichi)
    early, late = resident("早到"), resident("晚到")
    clock.set(at(WEDNESDAY, T(17, 59)))
    [booking] = booking_create(occurrence=occurrence, resident=early, now=clock.now)
    assert booking.status == Booking.Status.CONFIRMED

    clock.set(at(WEDNESDAY, T(18)))
    with refused("window", "Booking closed on Wed 25 Nov 2026 18:00."):
        booking_create(occurrence=occurrence, resident=late, now=clock.now)


def test_the_activitys_own_window_is_used():
    centre, talk = centre_with_activity(title="健康讲座", booking_opens_days=1, booking_closes_minutes=24 * 60)
    occurrence = evening(talk, date=dt.date(2026, 11, 24), starts=T(10), ends=T(11))

    with refused("window", "Booking closed on Mon 23 Nov 2026 10:00."):
        booking_create(occurrence=occurrence, resident=resident(), now=NOW)


def test_one_booking_per_person_per_session(taichi):
    occurrence = evening(taichi)
    mother = resident("李娜")
    child = family_member(mother, "小明", dt.date(2018, 3, 1))
    booking_create(occurrence=occurrence, resident=mother, people=[child], now=NOW)

    with refused("duplicate", "小明 already has a place."):
        booking_create(occurrence=occurrence, resident=mother, people=[child], now=NOW)
    with refused("duplicate", "小明 already has a place."):
        booking_create(occurrence=occurrence, resident=mother, people=[None, child], now=NOW)

    [own] = booking_create(occurrence=occurrence, resident=mother, now=NOW)
    assert own.person_name == "李娜"
    with refused("duplicate", "李娜 already has a place."):
        booking_create(occurrence=occurrence, resident=mother, now=NOW)


def test_the_same_person_twice_in_one_request_is_refused(taichi):
    occurrence = evening(taichi)
    mother = resident()
    child = family_member(mother, "小明", dt.date(2018, 3, 1))

    with refused("people", "Each person can be booked once."):
        booking_create(occurrence=occurrence, resident=mother, people=[child, child], now=NOW)
    with refused("people", "Choose who is coming."):
        booking_create(occurrence=occurrence, resident=mother, people=[], now=NOW)


def test_someone_on_the_waiting_list_cannot_join_it_again():
    taichi = centre_with_activity(capacity=1)[1]
    occurrence = evening(taichi)
    booking_create(occurrence=occurrence, resident=resident("先到"), now=NOW)
    wang = resident("王丽")
    booking_create(occurrence=occurrence, resident=wang, join_waiting_list=True, now=NOW)

    with refused("duplicate", "王丽 is already on the waiting list."):
        booking_create(occurrence=occurrence, resident=wang, join_waiting_list=True, now=NOW)


def test_a_cancelled_booking_does_not_stop_booking_again(taichi):
    occurrence = evening(taichi)
    wang = resident()
    [first] = booking_create(occurrence=occurrence, resident=wang, now=NOW)
    booking_cancel(booking=first, by=wang, now=NOW)

    [second] = booking_create(occurrence=occurrence, resident=wang, now=NOW)

    assert (fresh(first).status, second.status) == (Booking.Status.CANCELLED, Booking.Status.CONFIRMED)
    assert held_at(occurrence) == 1


def _sessions(activity, count):
    """``count`` sessions of ``activity`` that do not overlap: hourly on Wednesday from 09:00, then Thursday."""
    days = [(WEDNESDAY, hour) for hour in range(9, 20)] + [(THURSDAY, hour) for hour in range(9, 20)]
    return [evening(activity, date=day, starts=T(hour), ends=T(hour, 50)) for day, hour in days[:count]]


def test_the_districts_limit_on_coming_bookings_counts_the_family_and_the_waiting_list(taichi):
    BookingPolicy.objects.create(district=taichi.centre.district, max_active_bookings=3)
    full = ActivityFactory(centre=taichi.centre, title="合唱", capacity=1)
    one, two, three = _sessions(taichi, 3)
    choir = evening(full, date=THURSDAY, starts=T(19), ends=T(20))
    mother = resident()
    child = family_member(mother, "小明", dt.date(2018, 3, 1))
    booking_create(occurrence=choir, resident=resident("别人"), now=NOW)
    booking_create(occurrence=one, resident=mother, people=[child], now=NOW)
    booking_create(occurrence=choir, resident=mother, join_waiting_list=True, now=NOW)

    message = (
        "You can hold at most 3 coming bookings at a time, your family's included. Cancel one you no longer need first."
    )
    with refused("limit", message):
        booking_create(occurrence=two, resident=mother, people=[None, child], now=NOW)

    [third] = booking_create(occurrence=two, resident=mother, now=NOW)
    assert third.status == Booking.Status.CONFIRMED
    with refused("limit", message):
        booking_create(occurrence=three, resident=mother, now=NOW)


def test_the_limit_of_one_booking_is_said_in_the_singular(taichi):
    BookingPolicy.objects.create(district=taichi.centre.district, max_active_bookings=1)
    one, two = _sessions(taichi, 2)
    wang = resident()
    booking_create(occurrence=one, resident=wang, now=NOW)

    message = (
        "You can hold at most 1 coming booking at a time, your family's included. Cancel one you no longer need first."
    )
    with refused("limit", message):
        booking_create(occurrence=two, resident=wang, now=NOW)


def test_without_district_rules_a_resident_holds_at_most_ten_coming_bookings(taichi):
    sessions = _sessions(taichi, 11)
    wang = resident()
    for occurrence in sessions[:10]:
        booking_create(occurrence=occurrence, resident=wang, now=NOW)

    assert not BookingPolicy.objects.exists()
    with refused(
        "limit",
        "You can hold at most 10 coming bookings at a time, your family's included. "
        "Cancel one you no longer need first.",
    ):
        booking_create(occurrence=sessions[10], resident=wang, now=NOW)


def test_bookings_that_ended_or_were_cancelled_do_not_count_towards_the_limit(taichi, clock):
    BookingPolicy.objects.create(district=taichi.centre.district, max_active_bookings=1)
    wang = resident()
    monday_evening = evening(taichi, date=dt.date(2026, 11, 23))
    [old] = booking_create(occurrence=monday_evening, resident=wang, now=NOW)
    one, two = _sessions(taichi, 2)
    clock.set(at(dt.date(2026, 11, 23), T(20, 30)))

    [first] = booking_create(occurrence=one, resident=wang, now=clock.now)
    booking_cancel(booking=first, by=wang, now=clock.now)
    [second] = booking_create(occurrence=two, resident=wang, now=clock.now)

    assert (fresh(old).status, second.status) == (Booking.Status.CONFIRMED, Booking.Status.CONFIRMED)


def test_staff_booking_for_a_resident_is_not_held_to_the_limit(taichi):
    BookingPolicy.objects.create(district=taichi.centre.district, max_active_bookings=1)
    one, two = _sessions(taichi, 2)
    wang = resident()
    booking_create(occurrence=one, resident=wang, now=NOW)
    staff = staff_of(taichi.centre)

    [booking] = booking_create(occurrence=two, resident=wang, source=Booking.Source.STAFF, booked_by=staff, now=NOW)

    assert (booking.status, booking.source, booking.booked_by) == (Booking.Status.CONFIRMED, "staff", staff)


def test_a_place_at_the_same_time_elsewhere_is_a_clash(taichi):
    calligraphy = ActivityFactory(centre=taichi.centre, title="书法")
    held = evening(taichi)
    overlapping = evening(calligraphy, starts=T(20), ends=T(20, 30), room=None)
    wang = resident("王丽")
    booking_create(occurrence=held, resident=wang, now=NOW)

    with refused("clash", "王丽 already has a place at “太极拳” at that time (Wed 25 Nov 2026 19:00)."):
        booking_create(occurrence=overlapping, resident=wang, now=NOW)


def test_sessions_back_to_back_do_not_clash(taichi):
    calligraphy = ActivityFactory(centre=taichi.centre, title="书法")
    held = evening(taichi)
    before = evening(calligraphy, starts=T(18), ends=T(19))
    wang = resident()
    booking_create(occurrence=held, resident=wang, now=NOW)

    [booking] = booking_create(occurrence=before, resident=wang, now=NOW)

    assert booking.status == Booking.Status.CONFIRMED


def test_a_parent_and_their_child_do_not_clash_but_the_child_with_itself_does(taichi):
    calligraphy = ActivityFactory(centre=taichi.centre, title="书法")
    held = evening(taichi)
    overlapping = evening(calligraphy, starts=T(19, 30), ends=T(20, 30), room=None)
    mother = resident("李娜")
    child = family_member(mother, "小明", dt.date(2018, 3, 1))
    booking_create(occurrence=held, resident=mother, now=NOW)

    [booking] = booking_create(occurrence=overlapping, resident=mother, people=[child], now=NOW)
    assert booking.person_name == "小明"

    other = ActivityFactory(centre=taichi.centre, title="围棋")
    third = evening(other, starts=T(20), ends=T(20, 30), room=None)
    with refused("clash", "小明 already has a place at “书法” at that time (Wed 25 Nov 2026 19:30)."):
        booking_create(occurrence=third, resident=mother, people=[child], now=NOW)


def test_a_place_at_a_session_the_centre_cancelled_is_no_clash(taichi, django_capture_on_commit_callbacks):
    calligraphy = ActivityFactory(centre=taichi.centre, title="书法")
    held = evening(taichi)
    overlapping = evening(calligraphy, starts=T(20), ends=T(20, 30), room=None)
    wang = resident()
    booking_create(occurrence=held, resident=wang, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_cancel(occurrence=held, reason="停电")

    [booking] = booking_create(occurrence=overlapping, resident=wang, now=NOW)

    assert booking.status == Booking.Status.CONFIRMED


def test_a_cancelled_session_cannot_be_booked(taichi):
    occurrence = evening(taichi)
    scheduling.occurrences_cancel(occurrence=occurrence, reason="停电")

    with refused("cancelled", "This session has been cancelled."):
        booking_create(occurrence=occurrence, resident=resident(), now=NOW)


def test_a_drop_in_activity_needs_no_booking():
    market = centre_with_activity(title="便民集市", booking_required=False)[1]
    occurrence = evening(market)

    with refused("drop_in", "No booking is needed: just come along."):
        booking_create(occurrence=occurrence, resident=resident(), now=NOW)


def test_a_centre_not_shown_to_the_public_takes_no_bookings(taichi):
    occurrence = evening(taichi)
    Centre.objects.filter(pk=taichi.centre_id).update(is_published=False)
    before = snapshot()

    with pytest.raises(Booking.DoesNotExist):
        booking_create(occurrence=occurrence, resident=resident(), now=NOW)

    assert snapshot() == before


def test_someone_elses_family_member_is_not_found(taichi):
    occurrence = evening(taichi)
    neighbour_child = family_member(resident("邻居"), "小强", dt.date(2018, 3, 1))
    before = snapshot()

    with pytest.raises(Booking.DoesNotExist):
        booking_create(occurrence=occurrence, resident=resident("王丽"), people=[None, neighbour_child], now=NOW)

    assert snapshot() == before


def test_a_request_sent_twice_returns_the_bookings_it_made(taichi):
    occurrence = evening(taichi)
    mother = resident()
    child = family_member(mother, "小明", dt.date(2018, 3, 1))
    key = "5f0c7a52-8d1e-4c1b-9d2a-0c6f1e7b9a11"
    first = booking_create(occurrence=occurrence, resident=mother, people=[None, child], request_key=key, now=NOW)
    before = snapshot()

    again = booking_create(occurrence=occurrence, resident=mother, people=[None, child], request_key=key, now=NOW)

    assert [b.pk for b in again] == [b.pk for b in first]
    assert snapshot() == before
    assert Booking.objects.filter(request_key=key).count() == 2


def test_two_people_and_only_one_place_left_books_neither():
    taichi = centre_with_activity(capacity=3)[1]
    occurrence = evening(taichi)
    booking_create(occurrence=occurrence, resident=resident("甲"), now=NOW)
    booking_create(occurrence=occurrence, resident=resident("乙"), now=NOW)
    mother = resident()
    child = family_member(mother, "小明", dt.date(2018, 3, 1))

    with refused("full", "Only 1 place is left."):
        booking_create(occurrence=occurrence, resident=mother, people=[None, child], now=NOW)

    [booking] = booking_create(occurrence=occurrence, resident=mother, people=[child], now=NOW)
    assert (booking.person_name, held_at(occurrence)) == ("小明", 3)


def test_three_people_and_two_places_left_says_places_in_the_plural():
    taichi = centre_with_activity(capacity=3)[1]
    occurrence = evening(taichi)
    booking_create(occurrence=occurrence, resident=resident("甲"), now=NOW)
    mother = resident()
    son = family_member(mother, "小明", dt.date(2018, 3, 1))
    daughter = family_member(mother, "小红", dt.date(2016, 3, 1))

    with refused("full", "Only 2 places are left."):
        booking_create(occurrence=occurrence, resident=mother, people=[None, son, daughter], now=NOW)


def test_a_full_session_offers_the_waiting_list_and_joining_it_takes_no_place(
    django_capture_on_commit_callbacks,
):
    taichi = centre_with_activity(capacity=2)[1]
    occurrence = evening(taichi)
    booking_create(occurrence=occurrence, resident=resident("甲"), now=NOW)
    booking_create(occurrence=occurrence, resident=resident("乙"), now=NOW)
    mother = resident("李娜", phone="13500000002")
    child = family_member(mother, "小明", dt.date(2018, 3, 1))

    with refused("full", "Sorry, it is fully booked. You can join the waiting list."):
        booking_create(occurrence=occurrence, resident=mother, people=[None, child], now=NOW)

    with django_capture_on_commit_callbacks(execute=True):
        waiting = booking_create(
            occurrence=occurrence, resident=mother, people=[None, child], join_waiting_list=True, now=NOW
        )

    assert [(b.person_name, b.status, b.confirmed_at) for b in waiting] == [
        ("李娜", Booking.Status.WAITING, None),
        ("小明", Booking.Status.WAITING, None),
    ]
    assert Place.objects.filter(booking__in=waiting).count() == 0
    assert held_at(occurrence) == 2
    told = [
        "李娜 is on the waiting list for “太极拳” on Wed 25 Nov 2026 19:00. We will tell you if a place frees up.",
        "小明 is on the waiting list for “太极拳” on Wed 25 Nov 2026 19:00. We will tell you if a place frees up.",
    ]
    assert texts_to(mother) == told
    assert sms_to("13500000002") == told


def test_joining_the_waiting_list_when_places_are_free_books_a_place(taichi):
    occurrence = evening(taichi)

    [booking] = booking_create(occurrence=occurrence, resident=resident(), join_waiting_list=True, now=NOW)

    assert booking.status == Booking.Status.CONFIRMED
    assert held_at(occurrence) == 1


def test_staff_book_someone_without_an_account_who_is_told_by_text_message(taichi, django_capture_on_commit_callbacks):
    occurrence = evening(taichi)
    staff = staff_of(taichi.centre)

    with django_capture_on_commit_callbacks(execute=True):
        [booking] = booking_create(
            occurrence=occurrence,
            guest_name=" 张大爷 ",
            guest_phone="13700000009",
            source=Booking.Source.STAFF,
            booked_by=staff,
            now=NOW,
        )

    booking = fresh(booking)
    assert (booking.resident, booking.person_name, booking.guest_phone, booking.booked_by) == (
        None,
        "张大爷",
        "13700000009",
        staff,
    )
    # No inbox (no account): the message is only the outbox of a text, in Chinese.
    assert list(Notification.objects.values_list("recipient", "sms_to", "delivery")) == [
        (None, "13700000009", Notification.Delivery.SENT)
    ]
    assert sms_to("13700000009") == [
        f"预约成功：已为张大爷预约2026年11月25日 周三 19:00的“太极拳”。凭证码：{booking.code_display}。"
    ]


def test_staff_cannot_book_without_a_name(taichi):
    occurrence = evening(taichi)

    with refused("people", "Give the name of the person coming."):
        booking_create(occurrence=occurrence, guest_name="  ", source=Booking.Source.STAFF, now=NOW)


def test_staff_may_book_after_the_online_window_until_the_session_ends(taichi, clock):
    occurrence = evening(taichi)
    staff = staff_of(taichi.centre)
    clock.set(at(WEDNESDAY, T(19, 30)))

    [booking] = booking_create(
        occurrence=occurrence, guest_name="张大爷", source=Booking.Source.STAFF, booked_by=staff, now=clock.now
    )
    assert booking.status == Booking.Status.CONFIRMED

    clock.set(at(WEDNESDAY, T(20, 30)))
    with refused("window", "This session has ended."):
        booking_create(
            occurrence=occurrence, guest_name="李大妈", source=Booking.Source.STAFF, booked_by=staff, now=clock.now
        )


def test_sessions_at_another_centre_are_booked_there_under_that_districts_rules():
    """The booking copies the session's centre and activity, and the rules of the session's
    district apply, not those of the district where the resident lives."""
    home = open_centre()
    BookingPolicy.objects.create(district=home.district, max_active_bookings=1)
    wang = resident(home_community=home.area)
    booking_create(occurrence=evening(ActivityFactory(centre=home, title="书法")), resident=wang, now=NOW)
    centre = open_centre()
    taichi = ActivityFactory(centre=centre, title="太极拳")
    occurrence = evening(taichi, date=THURSDAY)

    [booking] = booking_create(occurrence=occurrence, resident=wang, now=NOW)

    assert (booking.centre_id, booking.activity_id, booking.status) == (centre.pk, taichi.pk, Booking.Status.CONFIRMED)
    assert centre.district_id != home.district_id


def test_a_request_sent_twice_for_the_last_place_returns_the_booking_it_made():
    taichi = centre_with_activity(capacity=1)[1]
    occurrence = evening(taichi)
    wang = resident()
    key = "0b7d3c1e-2f4a-4e59-8a6b-1c2d3e4f5a6b"
    [first] = booking_create(occurrence=occurrence, resident=wang, request_key=key, now=NOW)
    before = snapshot()

    again = booking_create(occurrence=occurrence, resident=wang, request_key=key, now=NOW)

    assert [b.pk for b in again] == [first.pk]
    assert snapshot() == before


def test_someone_with_a_place_at_a_full_session_is_told_they_have_a_place():
    taichi = centre_with_activity(capacity=1)[1]
    occurrence = evening(taichi)
    wang = resident("王丽")
    booking_create(occurrence=occurrence, resident=wang, now=NOW)

    with refused("duplicate", "王丽 already has a place."):
        booking_create(occurrence=occurrence, resident=wang, now=NOW)
