"""A session's roster for staff at /staff/centres/<slug>/sessions/<pk>/roster/: everyone
holding a place (phone numbers masked, pass codes shortened), the waiting list, the
cancelled bookings, and the roster as CSV and Excel files, in a fixed number of queries."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bookings.models import Booking
from bookings.services import booking_cancel, booking_create, check_in_by_code, walk_in_add
from tests.activities.factories import open_centre
from tests.bookings.factories import bookable_session, child_of, course, resident
from tests.portal.factories import CentreStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return open_centre(name="圣湖社区党群服务中心", slug="shenghu")


@pytest.fixture
def staff(centre):
    return CentreStaffFactory(centres=[centre], name="陈专管")


@pytest.fixture
def occurrence(centre):
    return bookable_session(centre=centre, title="亲子手工", capacity=20)


@pytest.fixture
def mother():
    return resident("13812345678", name="王丽")


def roster_url(occurrence, suffix=""):
    return reverse("bookings_staff:roster", kwargs={"slug": occurrence.centre.slug, "pk": occurrence.pk}) + suffix


def main_part(response) -> str:
    return response.content.decode().split('id="main"')[1].split("<footer")[0]


@pytest.fixture
def full_roster(occurrence, mother, staff):
    """王丽 and her son 王小明 booked online, 李大爷 booked by staff with a phone, 张阿姨
    booked by staff without one, and a walk-in 赵强."""
    son = child_of(mother, name="王小明", age=7, collectors="外婆 陈芳")
    mine, his = booking_create(occurrence=occurrence, resident=mother, people=[None, son])
    [li] = booking_create(
        occurrence=occurrence, guest_name="李大爷", guest_phone="13900001111", source="staff", booked_by=staff
    )
    [zhang] = booking_create(occurrence=occurrence, guest_name="张阿姨", source="staff", booked_by=staff)
    walk_in = walk_in_add(occurrence=occurrence, by=staff, person_name="赵强")
    return {"mother": mine, "son": his, "li": li, "zhang": zhang, "walk_in": walk_in}


def test_the_roster_shows_everyone_with_masked_phones_sources_and_short_codes(client, staff, occurrence, full_roster):
    client.force_login(staff)
    response = client.get(roster_url(occurrence))

    assert response.status_code == 200
    html = main_part(response)
    assert "亲子手工" in html and "19:00–20:30" in html and "多功能活动室" in html
    assert "5 of 20 held" in html
    assert "1 of 5" in html  # the walk-in is checked in as they are added
    assert "5 people booked" in html
    for name in ("王丽", "王小明", "李大爷", "张阿姨", "赵强"):
        assert f"{name}\n" in html or f">{name}" in html, name
    assert "Child of 王丽" in html
    assert "May be collected by: 外婆 陈芳" in html
    assert html.count("138****5678") == 2  # the mother's number, on her row and her son's
    assert "139****1111" in html
    assert "13812345678" not in html and "13900001111" not in html
    assert html.count("Booked online") == 2 and html.count("Booked by staff") == 2 and "Walk-in" in html
    for booking in full_roster.values():
        assert f"…{booking.code[-4:]}" in html
        assert booking.code not in html and booking.code_display not in html
    assert html.count(">✓ Check in") == 4
    assert html.count(">Undo") == 1


def test_each_row_can_be_ticked_on_its_own(client, staff, occurrence, full_roster):
    client.force_login(staff)
    html = main_part(client.get(roster_url(occurrence)))

    def action(name, place):
        kwargs = {"slug": occurrence.centre.slug, "pk": occurrence.pk, "place_pk": place.pk}
        return f'action="{reverse(f"bookings_staff:{name}", kwargs=kwargs)}"'

    shown = {}
    for key, booking in full_roster.items():
        place = booking.places.get()
        assert f'id="place-{place.pk}"' in html
        shown[key] = (action("roster_check_in", place) in html, action("roster_check_in_undo", place) in html)
    # Everyone not yet in has their own tick; the walk-in, checked in when added, has an undo instead.
    assert shown == {
        "mother": (True, False),
        "son": (True, False),
        "li": (True, False),
        "zhang": (True, False),
        "walk_in": (False, True),
    }


def test_the_code_form_is_made_for_scanning_and_typing(client, staff, occurrence):
    client.force_login(staff)
    page = client.get(roster_url(occurrence)).content.decode()

    field = page.split('name="code"')[1].split(">")[0]
    assert 'autocomplete="off"' in field and 'inputmode="text"' in field and "autofocus" in field
    assert 'id="code-form"' in page and "data-checkin-scanner" in page
    assert 'data-jsqr-src="/static/vendor/jsqr/jsQR.js"' in page
    assert '<script src="/static/js/checkin-scan.js" defer></script>' in page


def test_the_roster_costs_the_same_queries_for_two_or_thirty_people(
    client, staff, centre, django_assert_max_num_queries
):
    small = bookable_session(centre=centre, title="书法班", capacity=40, days_ahead=2)
    large = bookable_session(centre=centre, title="合唱团", capacity=60, days_ahead=3, room=None)
    for index in range(2):
        booking_create(occurrence=small, guest_name=f"客人{index}", source="staff", booked_by=staff)
    for index in range(25):
        someone = resident(name=f"居民乙{index}")
        booking_create(
            occurrence=large, resident=someone, people=[None, child_of(someone, name=f"孩子{index}")][: 1 + index % 2]
        )
    for index in range(5):
        walk_in_add(occurrence=large, by=staff, person_name=f"散客{index}")
    client.force_login(staff)

    with CaptureQueriesContext(connection) as few:
        assert client.get(roster_url(small)).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(roster_url(large))
    assert response.status_code == 200
    assert len(response.context["roster"].rows) == 25 + 12 + 5


def test_the_waiting_list_shows_offers_and_positions(client, staff, centre, django_capture_on_commit_callbacks):
    occurrence = bookable_session(centre=centre, title="太极拳", capacity=1)
    first, second, third = (resident(f"1370000000{i}", name=name) for i, name in enumerate(("甲", "乙", "丙")))
    [held] = booking_create(occurrence=occurrence, resident=first)
    [offered] = booking_create(occurrence=occurrence, resident=second, join_waiting_list=True)
    [waiting] = booking_create(occurrence=occurrence, resident=third, join_waiting_list=True)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=held, by=staff, reason="生病")
    offered.refresh_from_db()
    assert offered.status == Booking.Status.OFFERED
    client.force_login(staff)

    response = client.get(roster_url(occurrence))

    roster = response.context["roster"]
    assert [(row.booking.person_name, row.position, row.phone) for row in roster.waiting] == [
        ("乙", None, "137****0001"),
        ("丙", 1, "137****0002"),
    ]
    html = main_part(response)
    assert "1 of 1 held" in html and "1 offered to the waiting list" in html
    assert "Offered a place, to answer by" in html
    assert "No one has a place yet." in html
    assert "<details" in html and "1 cancelled booking" in html and "生病" in html
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.WAITING


def test_a_course_session_lists_the_course_bookings(client, staff, centre, mother):
    series = course(centre=centre, title="老年智能手机课", sessions=2, capacity=10)
    first, later = series.occurrences.order_by("starts_at")[:2]
    booking_create(course=series, resident=mother)
    client.force_login(staff)

    response = client.get(roster_url(later))

    assert [row.booking.person_name for row in response.context["roster"].rows] == ["王丽"]
    assert "This session is part of a course" in main_part(response)


def test_the_csv_has_one_row_per_person(client, staff, occurrence, full_roster):
    check_in_by_code(occurrence=occurrence, code=full_roster["son"].code, by=staff)
    client.force_login(staff)

    response = client.get(roster_url(occurrence, "roster.csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment; filename*=UTF-8''" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Name",
        "For whom",
        "Mobile number",
        "How booked",
        "Pass code (last 4)",
        "Checked in at",
        "No-show",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert len(rows) == 6
    assert by_name["王丽"][1:5] == ["", "138****5678", "Booked online", full_roster["mother"].code[-4:]]
    assert by_name["王丽"][5:] == ["", ""]
    assert by_name["王小明"][1:3] == ["Child of 王丽", "138****5678"]
    assert by_name["王小明"][5] != ""
    assert by_name["李大爷"][2:4] == ["139****1111", "Booked by staff"]
    assert by_name["张阿姨"][2] == ""
    assert by_name["赵强"][3] == "Walk-in" and by_name["赵强"][5] != ""
    assert "13812345678" not in response.content.decode("utf-8-sig")


def test_the_excel_file_has_the_same_rows(client, staff, occurrence, full_roster):
    client.force_login(staff)

    response = client.get(roster_url(occurrence, "roster.xlsx"))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Name",
        "For whom",
        "Mobile number",
        "How booked",
        "Pass code (last 4)",
        "Checked in at",
        "No-show",
    ]
    assert sorted(row[0] for row in rows[1:]) == sorted(["王丽", "王小明", "李大爷", "张阿姨", "赵强"])
    assert ["王小明", "Child of 王丽", "138****5678", "Booked online", full_roster["son"].code[-4:], "", ""] in rows


def test_the_session_page_links_to_the_roster(client, staff, occurrence):
    client.force_login(staff)

    response = client.get(reverse("schedule:session", kwargs={"slug": occurrence.centre.slug, "pk": occurrence.pk}))

    assert f'href="{roster_url(occurrence)}"' in response.content.decode()
