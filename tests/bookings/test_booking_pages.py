"""Booking from a session's page: the booking panel, the "Who is coming" form, every
refusal shown with its reason (and nothing booked), double submits, courses, and the
waiting list through the pages."""

import datetime as dt
import html as html_module
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from activities.models import Audience
from bookings.models import Booking, BookingPolicy, Place, Suspension
from bookings.services import booking_cancel
from tests.activities.factories import ActivityFactory, open_centre, session
from tests.bookings.factories import (
    bookable_session,
    booking_for,
    child_of,
    course,
    elder_of,
    fill,
    resident,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 23 November 2026, 10:00: the factories' sessions are on Tuesday 24 November,
# 19:00–20:30; booking closes at 18:00, cancelling at 17:00.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
TUESDAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def mother():
    return resident(phone="13812345678", name="李梅")


@pytest.fixture
def xiaoming(mother):
    return child_of(mother, age=7, name="小明")


@pytest.fixture
def homework():
    """A session for children aged 6–12, 3 places."""
    return bookable_session(
        title="四点钟课堂", audience=Audience.CHILDREN, min_age=6, max_age=12, capacity=3, date=TUESDAY
    )


@pytest.fixture
def talk():
    """A session for everyone, 20 places."""
    return bookable_session(title="健康讲座", capacity=20, date=TUESDAY)


def page(client, occurrence) -> str:
    response = client.get(f"/en/activities/{occurrence.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def panel(html: str) -> str:
    start = html.index('id="booking"')
    return html[start : html.index("</section>", start)]


def book_url(occurrence) -> str:
    return f"/en/bookings/book/{occurrence.pk}/"


def post_book(client, occurrence, people, **extra):
    data = {"people": people, "request_key": extra.pop("request_key", str(uuid.uuid4())), **extra}
    return client.post(book_url(occurrence), data)


def bookings_snapshot():
    return sorted(Booking.objects.values_list("pk", "status")), Place.objects.filter(is_held=True).count()


def refusal_of(response) -> str:
    html = response.content.decode()
    match = re.search(r'id="booking-refusal">(.*?)</div>', html, re.S)
    return html_module.unescape(match.group(1).strip()) if match else ""


def is_ticked(response, key: str) -> bool:
    html = response.content.decode()
    tag = re.search(rf'<input[^>]*id="person-{key}"[^>]*>', html).group(0)
    return " checked" in tag


# The panel ------------------------------------------------------------------------


def test_a_visitor_sees_the_places_left_and_a_link_to_log_in(client, talk):
    html = page(client, talk)
    box = panel(html)
    assert "20 of 20 places left" in box
    assert "Booking is open until Tue 24 Nov 2026 18:00." in box
    assert f'href="/en/login/?next=%2Fen%2Factivities%2F{talk.pk}%2F"' in box
    assert "Log in to book" in box
    assert 'id="booking-form"' not in html
    assert "Online booking is coming soon" not in html


def test_the_places_left_count_the_places_held(client, talk):
    fill(talk, places=8)
    assert "12 of 20 places left" in panel(page(client, talk))


def test_a_full_session_says_so_with_its_waiting_list(client, homework, mother, xiaoming):
    fill(homework)
    other = resident()
    booking_for(other, homework, people=[child_of(other, age=8)], join_waiting_list=True)
    client.force_login(mother)
    box = panel(page(client, homework))
    assert "Fully booked" in box
    assert "– 1 on the waiting list" in box
    assert "Join the waiting list" in box
    assert ">Book</button>" not in box


def test_booking_not_open_yet_says_when_it_opens_and_offers_no_form(client, mother):
    later = bookable_session(title="重阳节游园", date=dt.date(2026, 12, 15), booking_opens_days=7)
    client.force_login(mother)
    box = panel(page(client, later))
    assert "Booking opens on Tue 8 Dec 2026 19:00." in box
    assert 'id="booking-form"' not in box


def test_booking_closed_says_when_it_closed(client, mother, monkeypatch, talk):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 24, 18, 30, tzinfo=SHANGHAI))
    client.force_login(mother)
    box = panel(page(client, talk))
    assert "Booking closed on Tue 24 Nov 2026 18:00." in box
    assert 'id="booking-form"' not in box


def test_a_resident_sees_who_is_coming_with_ages_and_why_some_cannot(client, homework, mother, xiaoming):
    elder_of(mother, age=78, name="王奶奶")
    client.force_login(mother)
    html = page(client, homework)
    box = panel(html)
    assert f'action="/en/bookings/book/{homework.pk}/#booking" id="booking-form"' in box
    assert re.search(r'<input[^>]*value="self"[^>]*disabled', box)
    assert "This activity is for ages 6–12. Book it for your child instead." in box
    assert f'value="{xiaoming.pk}" id="person-{xiaoming.pk}">' in box
    assert "小明 (7 years old)" in box
    assert "王奶奶 (78 years old)" in box
    assert "王奶奶 will be 78 on the day; this activity is for ages 6–12." in box
    key = re.search(r'name="request_key" value="([^"]+)"', box).group(1)
    assert str(uuid.UUID(key)) == key


def test_each_page_gets_its_own_request_key(client, talk, mother):
    client.force_login(mother)
    keys = {re.search(r'name="request_key" value="([^"]+)"', page(client, talk)).group(1) for _ in range(2)}
    assert len(keys) == 2


def test_a_booking_held_is_shown_with_a_link_to_its_pass(client, talk, mother):
    booking = booking_for(mother, talk)
    client.force_login(mother)
    box = panel(page(client, talk))
    assert "李梅 has a place." in box
    assert f'href="/en/bookings/{booking.code}/"' in box
    assert f"See the pass {booking.code_display}" in box
    assert 'id="booking-form"' not in box  # nobody else to book


def test_the_family_can_still_be_booked_beside_a_booking_held(client, talk, mother, xiaoming):
    booking_for(mother, talk)
    client.force_login(mother)
    box = panel(page(client, talk))
    assert re.search(r'<input[^>]*value="self"[^>]*disabled', box)
    assert "Already booked here." in box
    assert f'value="{xiaoming.pk}" id="person-{xiaoming.pk}">' in box


def test_a_drop_in_session_still_needs_no_booking(client, mother):
    reading = ActivityFactory(centre=open_centre(), title="阅览室开放", booking_required=False)
    occurrence = session(reading, date=TUESDAY, starts=dt.time(9), ends=dt.time(11))
    client.force_login(mother)
    html = page(client, occurrence)
    assert "Drop in, no booking needed." in html
    assert 'id="booking"' not in html


def test_a_cancelled_session_has_no_booking_panel(client, talk):
    from activities.services import occurrences_cancel

    occurrences_cancel(occurrence=talk, reason="停电")
    html = page(client, talk)
    assert "This session is cancelled." in html
    assert 'id="booking"' not in html


def test_a_course_session_says_one_booking_covers_every_session(client, mother):
    evening = course(title="书法夜校", sessions=4, first_date=TUESDAY)
    first = evening.occurrences.order_by("starts_at").first()
    client.force_login(mother)
    box = panel(page(client, first))
    assert "This is a course of 4 sessions: one booking covers all of them." in box
    for day in ("Tue 24 Nov 2026", "Tue 1 Dec 2026", "Tue 8 Dec 2026", "Tue 15 Dec 2026"):
        assert day in box
    assert "Book the course" in box


# Booking ---------------------------------------------------------------------------


def test_a_resident_books_a_place_for_themselves(client, talk, mother):
    client.force_login(mother)
    response = post_book(client, talk, ["self"])
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/bookings/{booking.code}/"
    assert (booking.resident, booking.dependant, booking.occurrence, booking.status) == (
        mother,
        None,
        talk,
        "confirmed",
    )
    assert booking.person_name == "李梅"
    assert list(booking.places.values_list("occurrence_id", "is_held")) == [(talk.pk, True)]
    followed = client.get(response["Location"]).content.decode()
    assert "Booked: “健康讲座” on Tue 24 Nov 2026 19:00 for 李梅. Show the pass at the door." in followed


def test_a_resident_books_a_place_for_their_child(client, homework, mother, xiaoming):
    client.force_login(mother)
    response = post_book(client, homework, [str(xiaoming.pk)])
    booking = Booking.objects.get()
    assert response["Location"] == f"/en/bookings/{booking.code}/"
    assert (booking.resident, booking.dependant, booking.person_name) == (mother, xiaoming, "小明")


def test_booking_several_people_goes_to_my_bookings(client, talk, mother, xiaoming):
    client.force_login(mother)
    response = post_book(client, talk, ["self", str(xiaoming.pk)])
    assert response.status_code == 302
    assert response["Location"] == "/en/bookings/"
    assert sorted(Booking.objects.values_list("person_name", flat=True)) == ["小明", "李梅"]
    assert "Booked: “健康讲座” on Tue 24 Nov 2026 19:00 for 李梅, 小明." in client.get("/en/bookings/").content.decode()


def test_a_double_click_makes_one_booking(client, talk, mother):
    client.force_login(mother)
    key = str(uuid.uuid4())
    first = post_book(client, talk, ["self"], request_key=key)
    second = post_book(client, talk, ["self"], request_key=key)
    booking = Booking.objects.get()
    assert first["Location"] == second["Location"] == f"/en/bookings/{booking.code}/"
    assert Place.objects.count() == 1


def test_a_resent_form_for_the_family_makes_the_bookings_once(client, talk, mother, xiaoming):
    client.force_login(mother)
    key = str(uuid.uuid4())
    for _ in range(3):
        assert post_book(client, talk, ["self", str(xiaoming.pk)], request_key=key)["Location"] == "/en/bookings/"
    assert Booking.objects.count() == 2


def test_a_double_click_on_the_last_place_finds_the_booking(client, homework, mother, xiaoming):
    fill(homework, places=2)
    client.force_login(mother)
    key = str(uuid.uuid4())
    first = post_book(client, homework, [str(xiaoming.pk)], request_key=key)
    second = post_book(client, homework, [str(xiaoming.pk)], request_key=key)
    booking = Booking.objects.get(resident=mother)
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"] == f"/en/bookings/{booking.code}/"
    assert Place.objects.filter(occurrence=homework, is_held=True).count() == 3


def test_booking_a_session_of_a_course_books_the_whole_course(client, mother):
    evening = course(title="书法夜校", sessions=4, first_date=TUESDAY, capacity=10)
    sessions = list(evening.occurrences.order_by("starts_at"))
    client.force_login(mother)
    response = post_book(client, sessions[2], ["self"])
    booking = Booking.objects.get()
    assert response["Location"] == f"/en/bookings/{booking.code}/"
    assert (booking.course, booking.occurrence) == (evening, None)
    assert sorted(booking.places.values_list("occurrence_id", flat=True)) == sorted(s.pk for s in sessions)
    assert "9 of 10 places left" in panel(page(client, sessions[0]))


# Refusals: shown with their reason, the people ticked kept, nothing booked ---------------


def _refused(client, occurrence, people, message, ticked):
    before = bookings_snapshot()
    response = post_book(client, occurrence, people)
    assert response.status_code == 200
    assert refusal_of(response) == message
    assert bookings_snapshot() == before
    for key in ticked:
        assert is_ticked(response, key)
    return response


def test_nobody_ticked_is_refused(client, talk, mother):
    client.force_login(mother)
    _refused(client, talk, [], "Tick who is coming: yourself, a family member, or both.", [])


def test_booking_before_the_window_opens_is_refused(client, mother):
    later = bookable_session(title="重阳节游园", date=dt.date(2026, 12, 15), booking_opens_days=7)
    client.force_login(mother)
    _refused(client, later, ["self"], "Booking opens on Tue 8 Dec 2026 19:00.", [])


def test_booking_after_the_window_closed_is_refused(client, talk, mother, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 24, 18, 0, tzinfo=SHANGHAI))
    client.force_login(mother)
    _refused(client, talk, ["self"], "Booking closed on Tue 24 Nov 2026 18:00.", [])


def test_a_second_booking_for_the_same_person_is_refused(client, talk, mother, xiaoming):
    booking_for(mother, talk, people=[xiaoming])
    client.force_login(mother)
    _refused(client, talk, ["self", str(xiaoming.pk)], "小明 already has a place.", ["self"])


def test_a_clash_with_the_residents_other_booking_is_refused(client, talk, mother):
    other = bookable_session(title="太极拳", date=TUESDAY, starts=dt.time(18), ends=dt.time(19, 30), room=None)
    booking_for(mother, other)
    client.force_login(mother)
    _refused(
        client,
        talk,
        ["self"],
        "李梅 already has a place at “太极拳” at that time (Tue 24 Nov 2026 18:00).",
        ["self"],
    )


def test_a_child_of_the_wrong_age_is_refused(client, homework, mother):
    toddler = child_of(mother, age=4, name="小红")
    client.force_login(mother)
    response = _refused(
        client, homework, [str(toddler.pk)], "小红 will be 4 on the day; this activity is for ages 6–12.", []
    )
    assert "Nobody in your family can be booked for this activity." in panel(response.content.decode())


def test_the_limit_of_coming_bookings_is_refused(client, talk, mother, xiaoming):
    BookingPolicy.objects.create(district=talk.centre.district, max_active_bookings=2)
    booking_for(mother, bookable_session(title="太极拳", date=dt.date(2026, 11, 25)))
    client.force_login(mother)
    _refused(
        client,
        talk,
        ["self", str(xiaoming.pk)],
        "You can hold at most 2 coming bookings at a time, your family's included. "
        "Cancel one you no longer need first.",
        ["self", str(xiaoming.pk)],
    )


def test_a_suspended_resident_is_refused_with_the_reason(client, talk, mother):
    Suspension.objects.create(
        resident=mother,
        district=talk.centre.district,
        starts_at=NOW - dt.timedelta(days=1),
        ends_at=dt.datetime(2026, 12, 20, 10, 0, tzinfo=SHANGHAI),
        no_shows=3,
        within_days=60,
    )
    reason = (
        "Online booking is paused until Sun 20 Dec 2026 10:00 because 3 booked places were not used within "
        "60 days. Please call the centre if this is a mistake."
    )
    client.force_login(mother)
    box = html_module.unescape(panel(page(client, talk)))
    assert reason in box
    assert 'id="booking-form"' not in box
    response = _refused(client, talk, ["self"], reason, [])
    assert html_module.unescape(response.content.decode()).count(reason) == 1


def test_a_suspension_in_another_district_does_not_stop_booking_here(client, talk, mother):
    Suspension.objects.create(
        resident=mother,
        district=bookable_session(date=TUESDAY, starts=dt.time(9), ends=dt.time(10)).centre.district,
        starts_at=NOW - dt.timedelta(days=1),
        ends_at=dt.datetime(2026, 12, 20, 10, 0, tzinfo=SHANGHAI),
        no_shows=3,
        within_days=60,
    )
    client.force_login(mother)
    assert 'id="booking-form"' in panel(page(client, talk))
    response = post_book(client, talk, ["self"])
    booking = Booking.objects.get(resident=mother)
    assert response.status_code == 302 and response["Location"] == f"/en/bookings/{booking.code}/"
    assert (booking.occurrence, booking.status) == (talk, "confirmed")


def test_a_full_session_is_refused_and_the_waiting_list_offered(client, homework, mother, xiaoming):
    client.force_login(mother)
    page(client, homework)  # the form was shown with places left...
    fill(homework)  # ...and the last ones went meanwhile
    response = _refused(
        client, homework, [str(xiaoming.pk)], "Sorry, it is fully booked. You can join the waiting list.", []
    )
    assert is_ticked(response, str(xiaoming.pk))
    assert 'name="join_waiting_list" value="1"' in response.content.decode()


def test_too_few_places_for_the_family_are_refused_with_the_number_left(client, talk, mother, xiaoming):
    fill(talk, places=19)
    client.force_login(mother)
    response = _refused(client, talk, ["self", str(xiaoming.pk)], "Only 1 place is left.", ["self"])
    html = response.content.decode()
    assert 'name="join_waiting_list" value="1"' in html
    assert ">Book</button>" in html


# Forged requests -------------------------------------------------------------------


def test_someone_elses_family_member_is_not_found(client, talk, mother):
    stranger_child = child_of(resident(), age=7)
    client.force_login(mother)
    assert post_book(client, talk, [str(stranger_child.pk)]).status_code == 404
    assert post_book(client, talk, ["self", "not-a-number"]).status_code == 404
    assert Booking.objects.count() == 0


def test_unknown_and_unpublished_sessions_are_not_found(client, mother):
    hidden = bookable_session(centre=open_centre(is_published=False), date=TUESDAY)
    client.force_login(mother)
    assert client.post("/en/bookings/book/999999/", {"people": ["self"]}).status_code == 404
    assert post_book(client, hidden, ["self"]).status_code == 404
    assert Booking.objects.count() == 0


def test_a_visitor_who_books_is_sent_to_log_in_and_back_to_the_session(client, talk):
    response = post_book(client, talk, ["self"])
    assert response.status_code == 302
    assert response["Location"] == f"/en/login/?next=/en/activities/{talk.pk}/"
    assert Booking.objects.count() == 0


def test_booking_needs_a_post(client, talk, mother):
    client.force_login(mother)
    assert client.get(book_url(talk)).status_code == 405


# The waiting list through the pages ----------------------------------------------------


@pytest.fixture
def full_homework(homework):
    bookings = fill(homework)
    return homework, bookings


def test_joining_the_waiting_list_of_a_full_session(client, full_homework, mother, xiaoming):
    homework, _taken = full_homework
    client.force_login(mother)
    response = post_book(client, homework, [str(xiaoming.pk)], join_waiting_list="1")
    booking = Booking.objects.get(resident=mother)
    assert booking.status == "waiting"
    assert booking.places.count() == 0
    assert response["Location"] == f"/en/bookings/{booking.code}/"
    html = client.get(response["Location"]).content.decode()
    assert "On the waiting list for “四点钟课堂” on Tue 24 Nov 2026 19:00: 小明." in html
    assert "No. 1 in the queue" in html
    assert "小明 is on the waiting list." in panel(page(client, homework))


def test_joining_the_waiting_list_of_a_full_course(client, mother):
    evening = course(title="书法夜校", sessions=3, first_date=TUESDAY, capacity=1)
    fill(course=evening)
    client.force_login(mother)
    response = post_book(client, evening.occurrences.first(), ["self"], join_waiting_list="1")
    booking = Booking.objects.get(resident=mother)
    assert response["Location"] == f"/en/bookings/{booking.code}/"
    assert (booking.course, booking.status, booking.places.count()) == (evening, "waiting", 0)


def _offered(client, full_homework, mother, xiaoming, django_capture_on_commit_callbacks) -> Booking:
    homework, taken = full_homework
    client.force_login(mother)
    post_book(client, homework, [str(xiaoming.pk)], join_waiting_list="1")
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=taken[0], by=taken[0].resident)
    booking = Booking.objects.get(resident=mother)
    assert booking.status == "offered"
    return booking


def test_an_offer_is_accepted_with_one_click(
    client, full_homework, mother, xiaoming, django_capture_on_commit_callbacks
):
    booking = _offered(client, full_homework, mother, xiaoming, django_capture_on_commit_callbacks)
    listing = client.get("/en/bookings/").content.decode()
    assert f'action="/en/bookings/{booking.code}/accept/"' in listing
    response = client.post(f"/en/bookings/{booking.code}/accept/")
    assert response["Location"] == f"/en/bookings/{booking.code}/"
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert booking.places.filter(is_held=True).count() == 1
    again = client.post(f"/en/bookings/{booking.code}/accept/", follow=True)
    assert "You have already accepted this place." in again.content.decode()


def test_an_offer_is_declined_with_one_click(
    client, full_homework, mother, xiaoming, django_capture_on_commit_callbacks
):
    booking = _offered(client, full_homework, mother, xiaoming, django_capture_on_commit_callbacks)
    response = client.post(f"/en/bookings/{booking.code}/decline/")
    assert response["Location"] == "/en/bookings/"
    booking.refresh_from_db()
    assert booking.status == "declined"
    assert booking.places.filter(is_held=True).count() == 0
    again = client.post(f"/en/bookings/{booking.code}/decline/", follow=True)
    assert again.status_code == 200
    assert "You have already declined this offer." in again.content.decode()


def test_leaving_the_waiting_list(client, full_homework, mother, xiaoming):
    homework, _taken = full_homework
    client.force_login(mother)
    post_book(client, homework, [str(xiaoming.pk)], join_waiting_list="1")
    booking = Booking.objects.get(resident=mother)
    confirm = client.get(f"/en/bookings/{booking.code}/cancel/").content.decode()
    assert "Leave the waiting list?" in confirm
    response = client.post(f"/en/bookings/{booking.code}/cancel/")
    assert response["Location"] == "/en/bookings/"
    booking.refresh_from_db()
    assert booking.status == "left"
    again = client.post(f"/en/bookings/{booking.code}/cancel/", follow=True)
    assert "You have already left this waiting list." in again.content.decode()


# The page cache: the panel is drawn for every request -----------------------------------


def test_visitors_see_places_taken_at_once_while_the_rest_of_the_page_is_cached(
    client, settings, talk, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 120
    assert "20 of 20 places left" in panel(page(client, talk))
    booking_for(resident(), talk)
    with django_assert_num_queries(2):  # the session, and its places and waiting list
        html = page(client, talk)
    assert "19 of 20 places left" in panel(html)
    assert "健康讲座" in html and "Other dates" in html


def test_a_residents_own_booking_is_never_shown_to_a_visitor(client, settings, talk, mother):
    settings.PAGE_CACHE_SECONDS = 120
    booking = booking_for(mother, talk)
    client.force_login(mother)
    assert booking.code_display in page(client, talk)
    client.logout()
    client.cookies.clear()
    html = page(client, talk)
    assert booking.code_display not in html
    assert "Log in to book" in html
