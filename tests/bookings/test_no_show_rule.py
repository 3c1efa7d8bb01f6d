"""No-shows: places not used are recorded after the session, and the district's rule pauses
online booking for residents who keep missing them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bookings.models import Booking, BookingPolicy, Place, Suspension
from bookings.services import (
    booking_cancel,
    booking_create,
    no_shows_record,
    place_check_in,
    suspension_in_force,
    suspension_lift,
)
from portal.models import Notification
from tests.activities.factories import ActivityFactory, open_centre
from tests.bookings.rule_helpers import (
    FRIDAY,
    MONDAY,
    NOW,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    T,
    at,
    centre_with_activity,
    evening,
    family_member,
    refused,
    resident,
    rules_world,
    sms_to,
    staff_of,
    texts_to,
)

pytestmark = pytest.mark.django_db

PAUSED = (
    "Online booking is paused until Fri 25 Dec 2026 21:00 because 3 booked places were not used within 60 days. "
    "Please call the centre if this is a mistake."
)


@pytest.fixture(autouse=True)
def clock(monkeypatch, settings):
    with rules_world(monkeypatch, settings) as clock:
        yield clock


@pytest.fixture
def taichi():
    return centre_with_activity(title="太极拳")[1]


@pytest.fixture
def wang():
    return resident("王丽", phone="13500000051")


def after(date, clock) -> dt.datetime:
    """21:00 on ``date``: 30 minutes after its 19:00–20:30 session ended."""
    clock.set(at(date, T(21)))
    return clock.now


def book_evenings(activity, who, dates, **kwargs) -> list[Booking]:
    return [booking_create(occurrence=evening(activity, date=d), resident=who, now=NOW, **kwargs)[0] for d in dates]


def test_only_unused_booked_places_at_sessions_over_half_an_hour_ago_are_marked(taichi, wang, clock):
    occurrence = evening(taichi, date=MONDAY)
    staff = staff_of(taichi.centre)
    [missed] = booking_create(occurrence=occurrence, resident=wang, now=NOW)
    [came] = booking_create(occurrence=occurrence, resident=resident("来了"), now=NOW)
    [excused] = booking_create(occurrence=occurrence, resident=resident("请假"), now=NOW)
    [guest] = booking_create(
        occurrence=occurrence, guest_name="张大爷", source=Booking.Source.STAFF, booked_by=staff, now=NOW
    )
    [tomorrow] = book_evenings(taichi, wang, [TUESDAY])
    clock.set(at(MONDAY, T(19, 10)))
    place_check_in(place=came.places.get(), by=staff, now=clock.now)
    booking_cancel(booking=excused, by=staff, reason="生病，已来电", now=clock.now)

    clock.set(at(MONDAY, T(20, 59)))
    assert no_shows_record(now=clock.now) == 0
    assert Place.objects.filter(no_show=True).count() == 0

    assert no_shows_record(now=after(MONDAY, clock)) == 2

    assert set(Place.objects.filter(no_show=True).values_list("booking_id", flat=True)) == {missed.pk, guest.pk}
    assert no_shows_record(now=clock.now) == 0
    assert not Suspension.objects.exists()


def test_a_place_offered_and_not_yet_accepted_is_not_a_no_show(wang, clock, django_capture_on_commit_callbacks):
    taichi = centre_with_activity(title="太极拳", capacity=1)[1]
    occurrence = evening(taichi, date=MONDAY)
    [holder] = booking_create(occurrence=occurrence, resident=resident("甲"), now=NOW)
    [offered] = booking_create(occurrence=occurrence, resident=wang, join_waiting_list=True, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=holder, by=holder.resident, now=NOW)
    offered.refresh_from_db()
    assert offered.status == Booking.Status.OFFERED

    assert no_shows_record(now=after(MONDAY, clock)) == 0


def test_three_no_shows_in_sixty_days_pause_online_booking_for_thirty_days(
    taichi, wang, clock, django_capture_on_commit_callbacks
):
    book_evenings(taichi, wang, [MONDAY, TUESDAY, WEDNESDAY])
    assert no_shows_record(now=after(MONDAY, clock)) == 1
    assert no_shows_record(now=after(TUESDAY, clock)) == 1
    assert not Suspension.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert no_shows_record(now=after(WEDNESDAY, clock)) == 1

    suspension = Suspension.objects.get()
    assert (suspension.resident, suspension.district, suspension.no_shows, suspension.within_days) == (
        wang,
        taichi.centre.district,
        3,
        60,
    )
    assert (suspension.starts_at, suspension.ends_at) == (at(WEDNESDAY, T(21)), at(dt.date(2026, 12, 25), T(21)))
    assert texts_to(wang)[-1] == PAUSED
    # The link is in the recipient's language (English here).
    assert Notification.objects.filter(recipient=wang).first().url == "/en/bookings/"
    assert sms_to("13500000051") == [PAUSED]

    assert no_shows_record(now=clock.now) == 0
    assert Suspension.objects.count() == 1


def test_a_suspended_resident_is_refused_online_with_the_reason(taichi, wang, clock):
    book_evenings(taichi, wang, [MONDAY, TUESDAY, WEDNESDAY])
    no_shows_record(now=after(WEDNESDAY, clock))
    friday = evening(taichi, date=FRIDAY)

    with refused("suspended", PAUSED):
        booking_create(occurrence=friday, resident=wang, now=clock.now)
    with refused("suspended", PAUSED):
        booking_create(occurrence=friday, resident=wang, join_waiting_list=True, now=clock.now)


def test_staff_may_still_book_for_a_suspended_resident(taichi, wang, clock):
    book_evenings(taichi, wang, [MONDAY, TUESDAY, WEDNESDAY])
    no_shows_record(now=after(WEDNESDAY, clock))
    staff = staff_of(taichi.centre)

    [booking] = booking_create(
        occurrence=evening(taichi, date=FRIDAY),
        resident=wang,
        source=Booking.Source.STAFF,
        booked_by=staff,
        now=clock.now,
    )

    assert (booking.status, booking.resident, booking.booked_by) == (Booking.Status.CONFIRMED, wang, staff)


def test_the_pause_ends_by_itself_after_thirty_days(taichi, wang, clock):
    book_evenings(taichi, wang, [MONDAY, TUESDAY, WEDNESDAY])
    no_shows_record(now=after(WEDNESDAY, clock))
    suspension = Suspension.objects.get()

    assert suspension_in_force(wang, taichi.centre.district_id, at(dt.date(2026, 12, 25), T(20, 59))) == suspension
    assert suspension_in_force(wang, taichi.centre.district_id, at(dt.date(2026, 12, 25), T(21))) is None


def test_two_no_shows_do_not_pause_booking(taichi, wang, clock):
    book_evenings(taichi, wang, [MONDAY, TUESDAY])

    assert no_shows_record(now=after(TUESDAY, clock)) == 2

    assert not Suspension.objects.exists()
    [booking] = booking_create(occurrence=evening(taichi, date=FRIDAY), resident=wang, now=clock.now)
    assert booking.status == Booking.Status.CONFIRMED


def test_a_family_members_no_shows_count_for_the_resident_who_booked(taichi, wang, clock):
    child = family_member(wang, "小明", dt.date(2018, 3, 1))
    book_evenings(taichi, wang, [MONDAY, TUESDAY, WEDNESDAY], people=[child])

    no_shows_record(now=after(WEDNESDAY, clock))

    assert Suspension.objects.get().resident == wang


def test_lifting_the_pause_lets_the_resident_book_and_old_no_shows_do_not_count_again(
    taichi, wang, clock, django_capture_on_commit_callbacks
):
    book_evenings(taichi, wang, [MONDAY, TUESDAY, WEDNESDAY])
    no_shows_record(now=after(WEDNESDAY, clock))
    suspension = Suspension.objects.get()
    staff = staff_of(taichi.centre)
    clock.set(at(WEDNESDAY, T(21, 30)))

    with pytest.raises(ValidationError) as caught:
        suspension_lift(suspension=suspension, by=staff, reason="  ", now=clock.now)
    assert caught.value.message_dict == {"lift_reason": ["Say why the suspension is lifted."]}

    with django_capture_on_commit_callbacks(execute=True):
        lifted = suspension_lift(suspension=suspension, by=staff, reason="已核实，系误判", now=clock.now)

    assert (lifted.lifted_at, lifted.lifted_by, lifted.lift_reason) == (clock.now, staff, "已核实，系误判")
    told = "You can book online again: the centre lifted the pause on your bookings."
    assert texts_to(wang)[-1] == told
    assert sms_to("13500000051") == [told]
    assert suspension_in_force(wang, taichi.centre.district_id, clock.now) is None

    [thursday] = booking_create(occurrence=evening(taichi, date=THURSDAY), resident=wang, now=clock.now)
    assert thursday.status == Booking.Status.CONFIRMED
    no_shows_record(now=after(THURSDAY, clock))
    assert Suspension.objects.count() == 1
    [friday] = booking_create(occurrence=evening(taichi, date=FRIDAY), resident=wang, now=clock.now)
    assert friday.status == Booking.Status.CONFIRMED


def test_no_shows_counted_after_the_pause_was_lifted_pause_again(taichi, wang, clock):
    book_evenings(taichi, wang, [MONDAY, TUESDAY, WEDNESDAY])
    no_shows_record(now=after(WEDNESDAY, clock))
    clock.set(at(WEDNESDAY, T(21, 30)))
    suspension_lift(suspension=Suspension.objects.get(), by=staff_of(taichi.centre), reason="误判", now=clock.now)
    weekend = ActivityFactory(centre=taichi.centre, title="周末书法")
    saturday = dt.date(2026, 11, 28)
    for date, starts, ends in ((THURSDAY, T(19), T(20, 30)), (FRIDAY, T(19), T(20, 30)), (saturday, T(9), T(10))):
        occurrence = evening(weekend, date=date, starts=starts, ends=ends, room=None)
        booking_create(occurrence=occurrence, resident=wang, now=clock.now)

    no_shows_record(now=after(FRIDAY, clock))
    assert Suspension.objects.count() == 1
    clock.set(at(saturday, T(10, 30)))
    no_shows_record(now=clock.now)

    latest = Suspension.objects.order_by("-starts_at").first()
    assert (Suspension.objects.count(), latest.no_shows, latest.starts_at) == (2, 3, at(saturday, T(10, 30)))


def test_the_rule_is_the_districts_and_counts_its_centres_only(wang, clock):
    strict_centre = open_centre()
    BookingPolicy.objects.create(district=strict_centre.district, no_show_limit=2, no_show_days=30, suspension_days=7)
    strict = ActivityFactory(centre=strict_centre, title="党史讲座")
    lenient = centre_with_activity(title="太极拳")[1]
    book_evenings(strict, wang, [MONDAY, TUESDAY])
    book_evenings(lenient, wang, [WEDNESDAY, THURSDAY])

    no_shows_record(now=after(THURSDAY, clock))

    suspension = Suspension.objects.get()
    assert (suspension.district, suspension.no_shows, suspension.within_days, suspension.ends_at) == (
        strict_centre.district,
        2,
        30,
        at(dt.date(2026, 12, 3), T(21)),
    )
    message = (
        "Online booking is paused until Thu 3 Dec 2026 21:00 because 2 booked places were not used within 30 days. "
        "Please call the centre if this is a mistake."
    )
    with refused("suspended", message):
        booking_create(occurrence=evening(strict, date=FRIDAY), resident=wang, now=clock.now)
    [elsewhere] = booking_create(occurrence=evening(lenient, date=FRIDAY), resident=wang, now=clock.now)
    assert elsewhere.status == Booking.Status.CONFIRMED


def test_only_no_shows_within_the_districts_days_count(taichi, wang, clock):
    BookingPolicy.objects.create(district=taichi.centre.district, no_show_limit=2, no_show_days=2)
    book_evenings(taichi, wang, [MONDAY, THURSDAY, FRIDAY])

    no_shows_record(now=after(THURSDAY, clock))
    assert not Suspension.objects.exists()

    no_shows_record(now=after(FRIDAY, clock))
    assert Suspension.objects.get().no_shows == 2


def test_a_suspended_resident_on_a_waiting_list_is_passed_over(wang, clock, django_capture_on_commit_callbacks):
    taichi = centre_with_activity(title="太极拳", capacity=1)[1]
    friday = evening(taichi, date=FRIDAY)
    [holder] = booking_create(occurrence=friday, resident=resident("甲"), now=NOW)
    [suspended] = booking_create(occurrence=friday, resident=wang, join_waiting_list=True, now=NOW)
    [next_one] = booking_create(occurrence=friday, resident=resident("乙"), join_waiting_list=True, now=NOW)
    book_evenings(taichi, wang, [MONDAY, TUESDAY, WEDNESDAY])
    no_shows_record(now=after(WEDNESDAY, clock))
    assert Suspension.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=holder, by=holder.resident, now=clock.now)

    suspended.refresh_from_db()
    next_one.refresh_from_db()
    assert (suspended.status, next_one.status) == (Booking.Status.WAITING, Booking.Status.OFFERED)
