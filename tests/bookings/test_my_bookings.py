""" "My bookings" at /bookings/, the pass page, cancelling, and who may see what."""

import datetime as dt
import html as html_module
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Appointment, AppointmentTopic, Booking, BookingPolicy, Place, Suspension
from bookings.services import booking_cancel, place_check_in
from tests.bookings.factories import (
    bookable_activity,
    bookable_session,
    booking_for,
    child_of,
    course,
    fill,
    resident,
    working_day,
)
from tests.portal.factories import CentreStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # Monday
TUESDAY = dt.date(2026, 11, 24)


def at(date: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=SHANGHAI)


class Clock:
    def __init__(self, moment):
        self.now = moment

    def __call__(self):
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    clock = Clock(NOW)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def mother():
    return resident(phone="13812345678", name="李梅")


@pytest.fixture
def neighbour():
    return resident(phone="13887654321", name="张强")


@pytest.fixture
def talk():
    return bookable_session(title="健康讲座", capacity=20, date=TUESDAY)


def section(html: str, name: str) -> str:
    start = html.index(f'id="{name}"')
    return html[start : html.index("</section>", start)]


def my_bookings(client, query="") -> str:
    response = client.get(f"/en/bookings/{query}")
    assert response.status_code == 200
    return html_module.unescape(response.content.decode())


def offered_booking(resident_, occurrence, django_capture_on_commit_callbacks) -> Booking:
    """``resident_`` joins the waiting list of the full ``occurrence``; a place frees."""
    taken = fill(occurrence)
    waiting = booking_for(resident_, occurrence, join_waiting_list=True)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=taken[0], by=taken[0].resident)
    waiting.refresh_from_db()
    assert waiting.status == "offered"
    return waiting


# The page --------------------------------------------------------------------------


def test_my_bookings_needs_logging_in(client):
    response = client.get("/en/bookings/")
    assert response.status_code == 302
    assert response["Location"] == "/en/login/?next=/en/bookings/"


def test_a_coming_booking_shows_who_what_when_where_its_pass_and_cancel(client, mother, talk):
    booking = booking_for(mother, talk)
    client.force_login(mother)
    coming = section(my_bookings(client), "coming")
    assert "健康讲座" in coming
    assert "李梅" in coming
    assert "Tue 24 Nov 2026 19:00–20:30" in coming
    assert talk.centre.name in coming and "多功能活动室" in coming
    assert f'href="/en/bookings/{booking.code}/"' in coming and f"Pass {booking.code_display}" in coming
    assert f'href="/en/bookings/{booking.code}/cancel/"' in coming


def test_after_the_cancel_deadline_the_page_says_when_cancelling_closed(client, mother, talk, clock):
    booking = booking_for(mother, talk)
    clock.now = at(TUESDAY, 17, 30)
    client.force_login(mother)
    coming = section(my_bookings(client), "coming")
    assert "Cancelling closed on Tue 24 Nov 2026 17:00. Please call the centre if you cannot come." in coming
    assert f"/en/bookings/{booking.code}/cancel/" not in coming


def test_a_course_booking_shows_its_dates(client, mother):
    evening = course(title="书法夜校", sessions=4, first_date=TUESDAY)
    booking_for(mother, course=evening)
    client.force_login(mother)
    coming = section(my_bookings(client), "coming")
    assert "Course from Tue 24 Nov 2026 to Tue 15 Dec 2026, 19:00" in coming


def test_waiting_lists_show_the_place_in_the_queue_and_a_way_to_leave(client, mother, neighbour):
    full = bookable_session(title="亲子烘焙", capacity=1, date=TUESDAY)
    fill(full)
    booking_for(neighbour, full, join_waiting_list=True)
    booking_for(resident(phone="13811112222"), full, join_waiting_list=True)
    mine = booking_for(mother, full, join_waiting_list=True)
    client.force_login(mother)
    waiting = section(my_bookings(client), "waiting")
    assert "亲子烘焙" in waiting
    assert "No. 3 in the queue" in waiting
    assert f'href="/en/bookings/{mine.code}/cancel/"' in waiting and "Leave the waiting list" in waiting


def test_offers_show_until_when_with_accept_and_decline(client, mother, django_capture_on_commit_callbacks):
    full = bookable_session(title="亲子烘焙", capacity=1, date=TUESDAY)
    offer = offered_booking(mother, full, django_capture_on_commit_callbacks)
    client.force_login(mother)
    offers = section(my_bookings(client), "offers")
    until = timezone.localtime(offer.offer_expires_at)
    assert f"Accept it before Mon 23 Nov 2026 {until:%H:%M}" in offers
    assert f'action="/en/bookings/{offer.code}/accept/"' in offers
    assert f'action="/en/bookings/{offer.code}/decline/"' in offers


def test_appointments_are_listed_with_their_state(client, mother, talk):
    topic = AppointmentTopic.objects.create(centre=talk.centre, name="老年证办理")
    Appointment.objects.create(
        centre=talk.centre,
        topic=topic,
        resident=mother,
        person_name="李梅",
        need="办理老年优待证",
        starts_at=at(TUESDAY, 9),
        ends_at=at(TUESDAY, 9, 30),
        code="K7M2P9Q4",
    )
    client.force_login(mother)
    appointments = section(my_bookings(client), "appointments")
    assert "老年证办理" in appointments
    assert "Tue 24 Nov 2026 09:00–09:30" in appointments
    assert "Waiting for the centre to confirm" in appointments
    assert 'href="/en/bookings/appointments/K7M2P9Q4/"' in appointments


def test_past_bookings_say_who_came_and_who_did_not(client, mother, clock):
    kid = child_of(mother, age=9, name="小明")
    talk = bookable_session(title="健康讲座", date=TUESDAY)
    came = booking_for(mother, talk)
    missed = booking_for(mother, talk, people=[kid])
    cancelled = booking_for(mother, bookable_session(title="太极拳", date=dt.date(2026, 11, 25)))
    booking_cancel(booking=cancelled, by=mother)
    place_check_in(place=came.places.get(), by=CentreStaffFactory())
    Place.objects.filter(booking=missed).update(no_show=True)
    clock.now = at(dt.date(2026, 11, 26), 10)
    client.force_login(mother)
    html = my_bookings(client)
    past = section(html, "past")
    rows = re.findall(r'<li class="list-group-item">(.*?)</li>', past, re.S)
    assert len(rows) == 3
    assert "太极拳" in rows[0] and "Cancelled" in rows[0]
    assert {("李梅" in row, "attended" in row, "did not come" in row) for row in rows[1:]} == {
        (True, True, False),
        (False, False, True),
    }
    assert "Nothing booked yet." in section(html, "coming")


def test_past_bookings_come_page_by_page(client, mother, talk):
    for _ in range(21):
        booking_cancel(booking=booking_for(mother, talk), by=mother)
    client.force_login(mother)
    first = section(my_bookings(client), "past")
    assert first.count('class="list-group-item"') == 20
    assert "Page 1 of 2" in first
    second = section(my_bookings(client, "?page=2"), "past")
    assert second.count('class="list-group-item"') == 1
    assert section(my_bookings(client, "?page=abc"), "past").count('class="list-group-item"') == 20


def test_a_suspension_in_force_is_shown_with_its_reason(client, mother, talk):
    Suspension.objects.create(
        resident=mother,
        district=talk.centre.district,
        starts_at=NOW - dt.timedelta(days=1),
        ends_at=at(dt.date(2026, 12, 20), 10),
        no_shows=3,
        within_days=60,
    )
    Suspension.objects.create(
        resident=mother,
        district=talk.centre.district,
        starts_at=NOW - dt.timedelta(days=90),
        ends_at=NOW - dt.timedelta(days=60),
        no_shows=3,
        within_days=60,
    )
    client.force_login(mother)
    html = my_bookings(client)
    assert html.count('id="suspension-') == 1
    assert f"Online booking is paused in {talk.centre.district.name}." in html
    assert (
        "Online booking is paused until Sun 20 Dec 2026 10:00 because 3 booked places were not used within 60 days. "
        "Please call the centre if this is a mistake."
    ) in html


def test_only_ones_own_bookings_are_listed(client, mother, neighbour, talk):
    theirs = booking_for(neighbour, talk)
    mine = booking_for(mother, talk)
    client.force_login(mother)
    html = my_bookings(client)
    assert f"Pass {mine.code_display}" in section(html, "coming")
    assert theirs.code not in html and theirs.code_display not in html
    assert "张强" not in html


def _many(mother, n: int):
    """``n`` coming bookings, ``n`` waiting-list entries, and ``n`` cancelled bookings."""
    activity = bookable_activity(title="书法班", capacity=1, booking_opens_days=60)
    BookingPolicy.objects.create(district=activity.centre.district, max_active_bookings=100)
    date = TUESDAY
    for _ in range(n):
        coming = bookable_session(activity, date=date, starts=dt.time(9), ends=dt.time(10))
        booking_for(mother, coming)
        full = bookable_session(activity, date=date, starts=dt.time(11), ends=dt.time(12))
        fill(full)
        booking_for(mother, full, join_waiting_list=True)
        gone = bookable_session(activity, date=date, starts=dt.time(14), ends=dt.time(15))
        booking_cancel(booking=booking_for(mother, gone), by=mother)
        date = working_day(1, after=date)


def test_the_page_costs_the_same_queries_for_1_and_for_20_bookings(client, mother, django_assert_max_num_queries):
    other = resident(phone="13800000002")
    _many(mother, 1)
    _many(other, 20)
    counts = []
    for who in (mother, other):
        client.force_login(who)
        with django_assert_max_num_queries(14), CaptureQueriesContext(connection) as queries:
            html = my_bookings(client)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert section(html, "coming").count("Pass ") == 20
    assert section(html, "waiting").count("No. 1 in the queue") == 20


# The pass --------------------------------------------------------------------------


def test_the_pass_shows_the_code_in_large_letters_its_qr_and_a_print_button(client, mother, talk):
    booking = booking_for(mother, talk)
    client.force_login(mother)
    response = client.get(f"/en/bookings/{booking.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<p class="pass-code mb-1" aria-label="Pass code">{booking.code_display}</p>' in html
    assert f'<svg role="img" aria-label="QR code of the pass {booking.code_display}"' in html
    assert 'onclick="window.print()"' in html and "Print the pass" in html
    assert "@media print" in html
    assert "健康讲座" in html and "李梅" in html and "Tue 24 Nov 2026 19:00–20:30" in html
    assert talk.centre.address in html and "多功能活动室" in html
    assert "Booked" in html
    assert "You can cancel until Tue 24 Nov 2026 17:00" in html


def test_the_pass_of_a_course_lists_every_session(client, mother):
    evening = course(title="书法夜校", sessions=3, first_date=TUESDAY)
    booking = booking_for(mother, course=evening)
    client.force_login(mother)
    html = client.get(f"/en/bookings/{booking.code}/").content.decode()
    assert "A course of 3 sessions:" in html
    for day in ("Tue 24 Nov 2026 19:00–20:30", "Tue 1 Dec 2026 19:00–20:30", "Tue 8 Dec 2026 19:00–20:30"):
        assert day in html


def test_a_pass_on_the_waiting_list_shows_its_place_and_no_qr(client, mother):
    full = bookable_session(title="亲子烘焙", capacity=1, date=TUESDAY)
    fill(full)
    booking = booking_for(mother, full, join_waiting_list=True)
    client.force_login(mother)
    html = client.get(f"/en/bookings/{booking.code}/").content.decode()
    assert "No. 1 in the queue" in html
    assert "<svg" not in html


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("get", "cancel/"), ("post", "cancel/"), ("post", "accept/"), ("post", "decline/")],
)
def test_another_residents_pass_is_not_found(client, mother, neighbour, talk, method, suffix):
    booking = booking_for(neighbour, talk)
    client.force_login(mother)
    response = getattr(client, method)(f"/en/bookings/{booking.code}/{suffix}")
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_an_unknown_or_malformed_code_is_not_found(client, mother):
    client.force_login(mother)
    assert client.get("/en/bookings/ABCDEFGH/").status_code == 404
    assert client.get("/en/bookings/abc/").status_code == 404
    assert client.post("/en/bookings/ABCDEFGH/cancel/").status_code == 404


def test_a_visitor_is_sent_to_log_in_from_a_pass(client, mother, talk):
    booking = booking_for(mother, talk)
    response = client.get(f"/en/bookings/{booking.code}/")
    assert response["Location"] == f"/en/login/?next=/en/bookings/{booking.code}/"
    response = client.post(f"/en/bookings/{booking.code}/cancel/")
    assert response["Location"] == f"/en/login/?next=/en/bookings/{booking.code}/cancel/"
    booking.refresh_from_db()
    assert booking.status == "confirmed"


# Cancelling ------------------------------------------------------------------------


def test_cancelling_asks_first_then_frees_the_place(client, mother, talk):
    booking = booking_for(mother, talk)
    client.force_login(mother)
    confirm = client.get(f"/en/bookings/{booking.code}/cancel/").content.decode()
    assert "Cancel this booking?" in confirm
    assert "健康讲座" in confirm and "Tue 24 Nov 2026 19:00–20:30" in confirm
    assert "Yes, cancel" in confirm
    booking.refresh_from_db()
    assert booking.status == "confirmed"

    response = client.post(f"/en/bookings/{booking.code}/cancel/")
    assert response["Location"] == "/en/bookings/"
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.places.filter(is_held=True).count() == 0
    html = my_bookings(client)
    assert "Cancelled: “健康讲座” on Tue 24 Nov 2026 19:00 for 李梅. Thank you for freeing the place." in html


def test_cancelling_twice_says_so_kindly(client, mother, talk):
    booking = booking_for(mother, talk)
    client.force_login(mother)
    client.post(f"/en/bookings/{booking.code}/cancel/")
    closed_at = Booking.objects.get(pk=booking.pk).closed_at
    again = client.post(f"/en/bookings/{booking.code}/cancel/", follow=True)
    assert again.status_code == 200
    assert "This booking is already cancelled." in again.content.decode()
    assert Booking.objects.get(pk=booking.pk).closed_at == closed_at
    confirm = client.get(f"/en/bookings/{booking.code}/cancel/", follow=True)
    assert "This booking is already cancelled." in confirm.content.decode()


def test_cancelling_after_the_deadline_is_refused_with_the_reason(client, mother, talk, clock):
    booking = booking_for(mother, talk)
    clock.now = at(TUESDAY, 17, 30)
    client.force_login(mother)
    confirm = client.get(f"/en/bookings/{booking.code}/cancel/").content.decode()
    assert "Cancelling closed on Tue 24 Nov 2026 17:00." in confirm
    assert "Yes, cancel" not in confirm
    response = client.post(f"/en/bookings/{booking.code}/cancel/", follow=True)
    assert "Cancelling closed on Tue 24 Nov 2026 17:00. Please call the centre if you cannot come." in (
        html_module.unescape(response.content.decode())
    )
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert booking.places.filter(is_held=True).count() == 1


def test_accepting_a_lapsed_offer_says_so(client, mother, clock, django_capture_on_commit_callbacks):
    full = bookable_session(title="亲子烘焙", capacity=1, date=TUESDAY)
    offer = offered_booking(mother, full, django_capture_on_commit_callbacks)
    clock.now = offer.offer_expires_at + dt.timedelta(minutes=1)
    client.force_login(mother)
    response = client.post(f"/en/bookings/{offer.code}/accept/", follow=True)
    until = timezone.localtime(offer.offer_expires_at)
    assert f"Sorry, this offer lapsed at Mon 23 Nov 2026 {until:%H:%M}." in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == "offered"


def test_declining_what_is_not_an_offer_changes_nothing(client, mother, talk):
    booking = booking_for(mother, talk)
    client.force_login(mother)
    response = client.post(f"/en/bookings/{booking.code}/decline/", follow=True)
    assert "There is no open offer on this booking." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_the_navbar_links_to_my_bookings_when_logged_in(client, mother):
    assert 'id="nav-bookings"' not in client.get("/en/centres/").content.decode()
    client.force_login(mother)
    assert 'href="/en/bookings/" id="nav-bookings"' in client.get("/en/centres/").content.decode()
