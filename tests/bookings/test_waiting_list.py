"""The waiting list: its order, offers of freed places, answering them, and offers lapsing."""

import datetime as dt
from types import SimpleNamespace

import pytest

from activities import services as scheduling
from activities.models import Activity
from bookings.models import Booking, BookingPolicy
from bookings.services import (
    booking_cancel,
    booking_create,
    offer_accept,
    offer_decline,
    offers_expire,
    offers_make,
    waiting_position,
)
from tests.activities.factories import ActivityFactory
from tests.bookings.rule_helpers import (
    NOW,
    WEDNESDAY,
    T,
    at,
    centre_with_activity,
    evening,
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

FIVE_MINUTES = dt.timedelta(minutes=5)


@pytest.fixture(autouse=True)
def clock(monkeypatch, settings):
    with rules_world(monkeypatch, settings) as clock:
        yield clock


@pytest.fixture
def queue():
    """One place at Wednesday's 19:00 tai chi, held by 甲; on the waiting list ``first`` (乙)
    joined at 10:00, ``second`` (丙) and ``third`` (丁) both at 10:05."""
    taichi = centre_with_activity(title="太极拳", capacity=1)[1]
    occurrence = evening(taichi)
    [holder] = booking_create(occurrence=occurrence, resident=resident("甲"), now=NOW)
    waiting = {}
    for key, name, phone, joined in (
        ("first", "乙", "13500000021", NOW),
        ("second", "丙", "13500000022", NOW + FIVE_MINUTES),
        ("third", "丁", "13500000023", NOW + FIVE_MINUTES),
    ):
        [waiting[key]] = booking_create(
            occurrence=occurrence,
            resident=resident(name, phone=phone),
            join_waiting_list=True,
            now=joined,
        )
    return SimpleNamespace(activity=taichi, occurrence=occurrence, holder=holder, **waiting)


def _cancel_holder(queue, capture, now=NOW):
    with capture(execute=True):
        booking_cancel(booking=queue.holder, by=queue.holder.resident, now=now)


def statuses(*bookings) -> list[str]:
    return [fresh(b).status for b in bookings]


def test_the_waiting_list_keeps_the_order_people_joined_in(queue, django_capture_on_commit_callbacks):
    q = queue
    # 戊 joined at 09:59, before everyone, but their request was written last (a slow
    # request): the queue follows the time of joining, not the order of the rows.
    [earliest] = booking_create(
        occurrence=q.occurrence, resident=resident("戊"), join_waiting_list=True, now=NOW - dt.timedelta(minutes=1)
    )
    assert earliest.pk > q.third.pk

    assert [waiting_position(b) for b in (earliest, q.first, q.second, q.third)] == [1, 2, 3, 4]
    assert statuses(earliest, q.first, q.second, q.third) == [Booking.Status.WAITING] * 4

    _cancel_holder(q, django_capture_on_commit_callbacks)

    assert statuses(earliest, q.first) == [Booking.Status.OFFERED, Booking.Status.WAITING]


def test_a_waiting_list_of_another_session_does_not_count(queue):
    other = evening(queue.activity, date=dt.date(2026, 11, 26))
    booking_create(occurrence=other, resident=resident("戊"), now=NOW)
    [elsewhere] = booking_create(occurrence=other, resident=resident("己"), join_waiting_list=True, now=NOW)

    assert waiting_position(elsewhere) == 1
    assert waiting_position(queue.third) == 3


def test_a_cancellation_offers_the_place_to_the_first_in_the_queue(queue, django_capture_on_commit_callbacks):
    q = queue

    _cancel_holder(q, django_capture_on_commit_callbacks)

    first = fresh(q.first)
    assert (first.status, first.offered_at, first.offer_expires_at) == (
        Booking.Status.OFFERED,
        NOW,
        at(dt.date(2026, 11, 23), T(22)),
    )
    assert list(first.places.values_list("occurrence_id", "is_held")) == [(q.occurrence.pk, True)]
    assert statuses(q.second, q.third) == [Booking.Status.WAITING] * 2
    assert [waiting_position(b) for b in (q.second, q.third)] == [1, 2]
    assert held_at(q.occurrence) == 1
    told = (
        "A place is free for 乙 at “太极拳” on Wed 25 Nov 2026 19:00. "
        "Accept it before Mon 23 Nov 2026 22:00, or it passes to the next person."
    )
    assert texts_to(first.resident)[1:] == [told]
    assert sms_to("13500000021") == [told]
    assert sms_to("13500000022") == []


def test_an_offer_made_close_to_the_session_expires_when_it_starts(queue, clock, django_capture_on_commit_callbacks):
    clock.set(at(WEDNESDAY, T(10)))

    _cancel_holder(queue, django_capture_on_commit_callbacks, now=clock.now)

    assert fresh(queue.first).offer_expires_at == at(WEDNESDAY, T(19))


def test_the_districts_hours_to_answer_an_offer_are_used(queue, django_capture_on_commit_callbacks):
    BookingPolicy.objects.create(district=queue.activity.centre.district, offer_hours=2)

    _cancel_holder(queue, django_capture_on_commit_callbacks)

    assert fresh(queue.first).offer_expires_at == NOW + dt.timedelta(hours=2)


def test_an_offer_holds_the_place_so_nobody_else_can_book_it(queue, django_capture_on_commit_callbacks):
    _cancel_holder(queue, django_capture_on_commit_callbacks)

    with refused("full", "Sorry, it is fully booked. You can join the waiting list."):
        booking_create(occurrence=queue.occurrence, resident=resident("路人"), now=NOW)

    assert held_at(queue.occurrence) == 1 == queue.activity.capacity


def test_offers_made_again_change_nothing_while_the_offer_stands(queue, django_capture_on_commit_callbacks):
    _cancel_holder(queue, django_capture_on_commit_callbacks)
    before = snapshot()

    assert offers_make(occurrence_id=queue.occurrence.pk) == 0

    assert snapshot() == before
    assert statuses(queue.first, queue.second) == [Booking.Status.OFFERED, Booking.Status.WAITING]


def test_accepting_an_offer_books_the_place(queue, clock, django_capture_on_commit_callbacks):
    _cancel_holder(queue, django_capture_on_commit_callbacks)
    clock.advance(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        accepted = offer_accept(booking=queue.first, now=clock.now)

    accepted = fresh(accepted)
    assert (accepted.status, accepted.confirmed_at) == (Booking.Status.CONFIRMED, NOW + dt.timedelta(hours=1))
    assert held_at(queue.occurrence) == 1
    told = f"Booked: “太极拳” on Wed 25 Nov 2026 19:00 for 乙. Pass code {accepted.code_display}."
    assert texts_to(accepted.resident)[-1] == told
    assert sms_to("13500000021")[-1] == told

    again = offer_accept(booking=queue.first, now=clock.now)
    assert (again.status, again.confirmed_at) == (Booking.Status.CONFIRMED, NOW + dt.timedelta(hours=1))


def test_an_offer_cannot_be_accepted_once_it_lapsed(queue, clock, django_capture_on_commit_callbacks):
    _cancel_holder(queue, django_capture_on_commit_callbacks)
    clock.set(at(dt.date(2026, 11, 23), T(22)))

    with refused("lapsed", "Sorry, this offer lapsed at Mon 23 Nov 2026 22:00."):
        offer_accept(booking=queue.first, now=clock.now)

    assert fresh(queue.first).status == Booking.Status.OFFERED


def test_someone_still_waiting_cannot_accept(queue):
    with refused("closed", "This offer is no longer open."):
        offer_accept(booking=queue.first, now=NOW)


def test_declining_an_offer_passes_the_place_on(queue, clock, django_capture_on_commit_callbacks):
    _cancel_holder(queue, django_capture_on_commit_callbacks)
    clock.advance(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        declined = offer_decline(booking=fresh(queue.first), now=clock.now)

    assert (fresh(declined).status, fresh(declined).closed_at) == (
        Booking.Status.DECLINED,
        NOW + dt.timedelta(hours=1),
    )
    assert declined.places.filter(is_held=True).count() == 0
    second = fresh(queue.second)
    assert (second.status, second.offered_at, second.offer_expires_at) == (
        Booking.Status.OFFERED,
        NOW + dt.timedelta(hours=1),
        NOW + dt.timedelta(hours=13),
    )
    assert fresh(queue.third).status == Booking.Status.WAITING
    assert held_at(queue.occurrence) == 1

    with refused("closed", "This offer is no longer open."):
        offer_decline(booking=fresh(queue.first), now=clock.now)


def test_an_unanswered_offer_lapses_and_passes_on(queue, clock, django_capture_on_commit_callbacks):
    _cancel_holder(queue, django_capture_on_commit_callbacks)
    clock.set(at(dt.date(2026, 11, 23), T(21, 59)))
    assert offers_expire(now=clock.now) == 0
    clock.set(at(dt.date(2026, 11, 23), T(22)))

    with django_capture_on_commit_callbacks(execute=True):
        assert offers_expire(now=clock.now) == 1

    lapsed = fresh(queue.first)
    assert (lapsed.status, lapsed.closed_at) == (Booking.Status.LAPSED, clock.now)
    assert lapsed.places.filter(is_held=True).count() == 0
    told = "The place offered at “太极拳” on Wed 25 Nov 2026 19:00 has passed to the next person."
    assert texts_to(lapsed.resident)[-1] == told
    assert sms_to("13500000021")[-1] == told
    second = fresh(queue.second)
    assert (second.status, second.offer_expires_at) == (Booking.Status.OFFERED, at(dt.date(2026, 11, 24), T(10)))
    assert held_at(queue.occurrence) == 1

    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        assert offers_expire(now=clock.now) == 0
    assert snapshot() == before
    assert statuses(queue.first, queue.second, queue.third) == [
        Booking.Status.LAPSED,
        Booking.Status.OFFERED,
        Booking.Status.WAITING,
    ]


def test_no_offer_is_made_once_the_session_has_started(queue, clock, django_capture_on_commit_callbacks):
    clock.set(at(WEDNESDAY, T(10)))
    _cancel_holder(queue, django_capture_on_commit_callbacks, now=clock.now)
    clock.set(at(WEDNESDAY, T(19)))

    with django_capture_on_commit_callbacks(execute=True):
        assert offers_expire(now=clock.now) == 1

    assert statuses(queue.first, queue.second, queue.third) == [
        Booking.Status.LAPSED,
        Booking.Status.WAITING,
        Booking.Status.WAITING,
    ]
    assert fresh(queue.second).places.count() == 0
    assert held_at(queue.occurrence) == 0


def test_a_place_given_up_after_the_start_is_not_offered(queue, clock, django_capture_on_commit_callbacks):
    clock.set(at(WEDNESDAY, T(19, 10)))

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=queue.holder, by=staff_of(queue.activity.centre), now=clock.now)

    assert statuses(queue.holder, queue.first) == [Booking.Status.CANCELLED, Booking.Status.WAITING]
    assert fresh(queue.first).places.count() == 0


def test_someone_whose_offer_would_clash_is_skipped_and_stays_waiting(queue, django_capture_on_commit_callbacks):
    calligraphy = ActivityFactory(centre=queue.activity.centre, title="书法")
    overlapping = evening(calligraphy, starts=T(19, 30), ends=T(20, 30), room=None)
    booking_create(occurrence=overlapping, resident=queue.first.resident, now=NOW)

    _cancel_holder(queue, django_capture_on_commit_callbacks)

    assert statuses(queue.first, queue.second, queue.third) == [
        Booking.Status.WAITING,
        Booking.Status.OFFERED,
        Booking.Status.WAITING,
    ]
    assert fresh(queue.first).places.count() == 0
    assert waiting_position(queue.first) == 1


def test_leaving_the_waiting_list(queue, clock, django_capture_on_commit_callbacks):
    # After the cancelling deadline (17:00): leaving the list is always allowed.
    clock.set(at(WEDNESDAY, T(18)))

    with django_capture_on_commit_callbacks(execute=True):
        left = booking_cancel(booking=queue.first, by=queue.first.resident, now=clock.now)

    assert (fresh(left).status, fresh(left).closed_at) == (Booking.Status.LEFT, clock.now)
    assert [waiting_position(b) for b in (queue.second, queue.third)] == [1, 2]
    assert statuses(queue.holder, queue.second) == [Booking.Status.CONFIRMED, Booking.Status.WAITING]
    assert held_at(queue.occurrence) == 1

    with refused("closed", "This booking is no longer active."):
        booking_cancel(booking=queue.first, by=queue.first.resident, now=clock.now)


def test_raising_the_places_offers_them_to_the_waiting_list(queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.activity_save(centre=queue.activity.centre, activity=queue.activity, capacity=3)

    assert statuses(queue.first, queue.second, queue.third) == [
        Booking.Status.OFFERED,
        Booking.Status.OFFERED,
        Booking.Status.WAITING,
    ]
    assert held_at(queue.occurrence) == 3
    assert fresh(queue.second).offer_expires_at == NOW + dt.timedelta(hours=12)


def test_lowering_or_keeping_the_places_offers_nothing(queue, django_capture_on_commit_callbacks):
    # Two places are free but not offered yet (the places went up behind the services'
    # back): only raising the places through the service offers them, so keeping or
    # lowering them must not.
    Activity.objects.filter(pk=queue.activity.pk).update(capacity=3)
    queue.activity.refresh_from_db()
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.activity_save(centre=queue.activity.centre, activity=queue.activity, title="太极拳（初级）")
    assert snapshot() == before

    queue.activity.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.activity_save(centre=queue.activity.centre, activity=queue.activity, capacity=2)

    assert snapshot() == before
    assert statuses(queue.first, queue.second, queue.third) == [Booking.Status.WAITING] * 3
    assert Activity.objects.get(pk=queue.activity.pk).capacity == 2


def test_someone_staff_put_on_the_waiting_list_is_offered_by_text_message(django_capture_on_commit_callbacks):
    taichi = centre_with_activity(title="太极拳", capacity=1)[1]
    occurrence = evening(taichi)
    wang = resident("王丽")
    [holder] = booking_create(occurrence=occurrence, resident=wang, now=NOW)
    [guest] = booking_create(
        occurrence=occurrence,
        guest_name="张大爷",
        guest_phone="13700000031",
        source=Booking.Source.STAFF,
        booked_by=staff_of(taichi.centre),
        join_waiting_list=True,
        now=NOW,
    )

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=holder, by=wang, now=NOW)

    assert fresh(guest).status == Booking.Status.OFFERED
    # Someone without an account gets the portal's language, Chinese.
    assert sms_to("13700000031") == [
        "2026年11月25日 周三 19:00的“太极拳”有名额补给张大爷。"
        "请在2026年11月23日 周一 22:00前接受，逾期将让给下一位候补。"
    ]
