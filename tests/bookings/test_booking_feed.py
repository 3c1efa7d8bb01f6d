"""The private iCalendar feed of one's own bookings, and its link."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from activities.services import occurrences_cancel
from bookings.models import FeedToken
from bookings.services import booking_cancel
from tests.bookings.factories import bookable_session, booking_for, child_of, course, fill, resident

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
TUESDAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def mother():
    return resident(phone="13812345678", name="李梅")


def feed_link(client) -> str:
    client.post("/en/bookings/feed/new/")
    return FeedToken.objects.get().token


def events(client, token: str) -> list:
    response = client.get(f"/en/bookings/feed/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_the_link_is_made_on_request_and_shown_with_instructions(client, mother):
    client.force_login(mother)
    before = client.get("/en/bookings/").content.decode()
    assert "Get my calendar link" in before
    assert FeedToken.objects.count() == 0
    response = client.post("/en/bookings/feed/new/")
    assert response["Location"] == "/en/bookings/#calendar-link"
    token = FeedToken.objects.get(resident=mother).token
    assert len(token) == 43
    html = client.get("/en/bookings/").content.decode()
    assert f'value="http://testserver/en/bookings/feed/{token}.ics"' in html
    assert f'href="webcal://testserver/en/bookings/feed/{token}.ics"' in html
    assert "How to add it on a phone" in html
    assert "Make a new link (the old one stops working)" in html


def test_the_feed_has_an_event_per_place_with_stable_uids(client, mother):
    kid = child_of(mother, age=9, name="小明")
    talk = bookable_session(title="健康讲座", date=TUESDAY)
    mine, his = booking_for(mother, talk), booking_for(mother, talk, people=[kid])
    evening = course(title="书法夜校", sessions=3, first_date=dt.date(2026, 11, 25))
    booking_for(mother, course=evening)
    client.force_login(mother)
    token = feed_link(client)
    found = events(client, token)
    assert [(str(e["SUMMARY"]), e["DTSTART"].dt, str(e["STATUS"])) for e in found] == [
        ("健康讲座 (李梅)", dt.datetime(2026, 11, 24, 19, 0, tzinfo=SHANGHAI), "CONFIRMED"),
        ("健康讲座 (小明)", dt.datetime(2026, 11, 24, 19, 0, tzinfo=SHANGHAI), "CONFIRMED"),
        ("书法夜校 (李梅)", dt.datetime(2026, 11, 25, 19, 0, tzinfo=SHANGHAI), "CONFIRMED"),
        ("书法夜校 (李梅)", dt.datetime(2026, 12, 2, 19, 0, tzinfo=SHANGHAI), "CONFIRMED"),
        ("书法夜校 (李梅)", dt.datetime(2026, 12, 9, 19, 0, tzinfo=SHANGHAI), "CONFIRMED"),
    ]
    uids = [str(e["UID"]) for e in found]
    assert uids[0] == f"place-{mine.places.get().pk}@testserver"
    assert uids[1] == f"place-{his.places.get().pk}@testserver"
    assert len(set(uids)) == 5
    assert f"Pass code: {mine.code_display}" in str(found[0]["DESCRIPTION"])
    assert str(found[0]["URL"]) == f"http://testserver/en/bookings/{mine.code}/"
    assert "多功能活动室" in str(found[0]["LOCATION"])
    assert [str(e["UID"]) for e in events(client, token)] == uids


def test_a_cancelled_booking_stays_as_a_cancelled_event(client, mother, monkeypatch):
    talk = bookable_session(title="健康讲座", date=TUESDAY)
    booking = booking_for(mother, talk)
    client.force_login(mother)
    token = feed_link(client)
    [before] = events(client, token)
    monkeypatch.setattr(timezone, "now", lambda: NOW + dt.timedelta(hours=1))
    booking_cancel(booking=booking, by=mother)
    [after] = events(client, token)
    assert str(after["UID"]) == str(before["UID"])
    assert str(after["STATUS"]) == "CANCELLED"
    assert str(after["SUMMARY"]) == "Cancelled: 健康讲座"
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 3600)


def test_a_session_the_centre_cancelled_is_cancelled_in_the_feed(client, mother, django_capture_on_commit_callbacks):
    talk = bookable_session(title="健康讲座", date=TUESDAY)
    booking_for(mother, talk)
    with django_capture_on_commit_callbacks(execute=True):
        occurrences_cancel(occurrence=talk, reason="停电")
    client.force_login(mother)
    [event] = events(client, feed_link(client))
    assert str(event["STATUS"]) == "CANCELLED"
    assert "This session is cancelled: 停电" in str(event["DESCRIPTION"])


def test_waiting_list_entries_are_not_in_the_feed_and_an_offer_is_tentative(
    client, mother, django_capture_on_commit_callbacks
):
    talk = bookable_session(title="健康讲座", date=TUESDAY, starts=dt.time(9), ends=dt.time(10))
    booking_for(mother, talk)
    full = bookable_session(title="亲子烘焙", capacity=1, date=TUESDAY)
    [holder] = fill(full)
    offer = booking_for(mother, full, join_waiting_list=True)
    client.force_login(mother)
    token = feed_link(client)
    assert [str(e["SUMMARY"]) for e in events(client, token)] == ["健康讲座 (李梅)"]

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=holder, by=holder.resident)
    offer.refresh_from_db()
    assert offer.status == "offered"

    found = events(client, token)
    assert [(str(e["SUMMARY"]), str(e["STATUS"])) for e in found] == [
        ("健康讲座 (李梅)", "CONFIRMED"),
        ("亲子烘焙 (李梅)", "TENTATIVE"),
    ]
    assert "A place is offered: accept it before" in str(found[1]["DESCRIPTION"])


def test_the_feed_holds_only_ones_own_places(client, mother):
    talk = bookable_session(title="健康讲座", date=TUESDAY)
    booking_for(resident(phone="13887654321", name="张强"), talk)
    mine = booking_for(mother, talk)
    client.force_login(mother)
    [event] = events(client, feed_link(client))
    assert (str(event["SUMMARY"]), str(event["UID"])) == ("健康讲座 (李梅)", f"place-{mine.places.get().pk}@testserver")


def test_a_new_link_stops_the_old_one(client, mother):
    booking_for(mother, bookable_session(title="健康讲座", date=TUESDAY))
    client.force_login(mother)
    old = feed_link(client)
    response = client.post("/en/bookings/feed/new/", follow=True)
    assert "Your calendar has a new link. The old link no longer works." in response.content.decode()
    new = FeedToken.objects.get(resident=mother).token
    assert new != old
    assert client.get(f"/en/bookings/feed/{old}.ics").status_code == 404
    assert len(events(client, new)) == 1


def test_an_unknown_link_is_not_found(client):
    assert client.get("/en/bookings/feed/" + "x" * 43 + ".ics").status_code == 404
    assert client.get("/en/bookings/feed/short.ics").status_code == 404


def test_the_feed_needs_no_login_but_making_a_link_does(client, mother):
    client.force_login(mother)
    token = feed_link(client)
    client.logout()
    assert client.get(f"/en/bookings/feed/{token}.ics").status_code == 200
    response = client.post("/en/bookings/feed/new/")
    assert response.status_code == 302 and response["Location"].startswith("/en/login/")
    assert FeedToken.objects.get().token == token
    response = client.get("/en/bookings/feed/new/")
    assert response.status_code == 302 and response["Location"].startswith("/en/login/")
    assert FeedToken.objects.get().token == token


def test_the_calendar_has_its_time_zone(client, mother):
    booking_for(mother, bookable_session(title="健康讲座", date=TUESDAY))
    client.force_login(mother)
    text = client.get(f"/en/bookings/feed/{feed_link(client)}.ics").content.decode()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Asia/Shanghai" in text
    assert re.search(r"DTSTART;TZID=Asia/Shanghai:20261124T190000", text)


def test_a_link_from_the_chinese_page_gives_a_chinese_feed(client, mother):
    booking = booking_for(mother, bookable_session(title="健康讲座", date=TUESDAY))
    booking_cancel(booking=booking, by=mother)
    client.force_login(mother)
    client.post("/bookings/feed/new/")
    token = FeedToken.objects.get().token
    assert f"http://testserver/bookings/feed/{token}.ics" in client.get("/bookings/").content.decode()
    [event] = Calendar.from_ical(client.get(f"/bookings/feed/{token}.ics").content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "已取消：健康讲座"
