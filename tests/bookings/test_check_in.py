"""Checking people in on the roster: one tick per person, the pass code typed or read by
the camera (the scanner sends it through the same form), walk-ins and bookings staff
make for a resident. Every refusal says why and changes nothing."""

import datetime as dt

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, Place
from bookings.services import booking_cancel, booking_create, check_in_by_code
from tests.activities.factories import open_centre
from tests.bookings.factories import bookable_session, child_of, resident
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
    return bookable_session(centre=centre, title="亲子手工", capacity=3)


@pytest.fixture
def mother():
    return resident("13812345678", name="王丽")


@pytest.fixture
def son_booking(occurrence, mother):
    son = child_of(mother, name="王小明", age=7)
    [booking] = booking_create(occurrence=occurrence, resident=mother, people=[son])
    return booking


@pytest.fixture
def logged_in(client, staff):
    client.force_login(staff)
    return client


def url(name, occurrence, **kwargs):
    return reverse(f"bookings_staff:{name}", kwargs={"slug": occurrence.centre.slug, "pk": occurrence.pk, **kwargs})


def result_of(client, occurrence) -> str:
    """The check-in result shown on the roster after a redirect."""
    html = client.get(url("roster", occurrence)).content.decode()
    box = html.split('id="check-in-result">')[1].split("</div>\n")[0]
    return box.split('checkin-result">')[1].strip() if 'checkin-result">' in box else ""


# Ticks.


def test_a_tick_checks_one_person_in(logged_in, staff, occurrence, son_booking):
    place = son_booking.places.get()

    response = logged_in.post(url("roster_check_in", occurrence, place_pk=place.pk))

    assert response.status_code == 302
    assert response["Location"] == url("roster", occurrence) + f"#place-{place.pk}"
    place.refresh_from_db()
    assert place.checked_in_at is not None and place.checked_in_by == staff
    assert result_of(logged_in, occurrence) == "王小明 checked in ✓"


def test_the_page_after_a_tick_does_not_pull_the_cursor_to_the_code_field(logged_in, occurrence, son_booking):
    logged_in.post(url("roster_check_in", occurrence, place_pk=son_booking.places.get().pk))

    html = logged_in.get(url("roster", occurrence)).content.decode()

    assert "autofocus" not in html.split('name="code"')[1].split(">")[0]
    assert (
        "autofocus" in logged_in.get(url("roster", occurrence)).content.decode().split('name="code"')[1].split(">")[0]
    )


def test_a_second_tick_keeps_the_first_time(logged_in, occurrence, son_booking):
    place = son_booking.places.get()
    logged_in.post(url("roster_check_in", occurrence, place_pk=place.pk))
    first = Place.objects.get(pk=place.pk).checked_in_at
    assert first is not None

    logged_in.post(url("roster_check_in", occurrence, place_pk=place.pk))

    assert Place.objects.get(pk=place.pk).checked_in_at == first


def test_undo_takes_the_tick_back(logged_in, occurrence, son_booking):
    place = son_booking.places.get()
    logged_in.post(url("roster_check_in", occurrence, place_pk=place.pk))

    response = logged_in.post(url("roster_check_in_undo", occurrence, place_pk=place.pk))

    assert response.status_code == 302
    place.refresh_from_db()
    assert place.checked_in_at is None and place.checked_in_by is None
    assert result_of(logged_in, occurrence) == "王小明 is no longer checked in."


def test_each_child_is_ticked_separately(logged_in, occurrence, mother):
    twins = [child_of(mother, name="大宝"), child_of(mother, name="二宝")]
    first, second = booking_create(occurrence=occurrence, resident=mother, people=twins)

    logged_in.post(url("roster_check_in", occurrence, place_pk=first.places.get().pk))

    assert first.places.get().checked_in_at is not None
    assert second.places.get().checked_in_at is None


def test_a_tick_is_only_a_post(logged_in, occurrence, son_booking):
    place = son_booking.places.get()

    assert logged_in.get(url("roster_check_in", occurrence, place_pk=place.pk)).status_code == 405
    assert Place.objects.get(pk=place.pk).checked_in_at is None


# The pass code, typed or scanned.


@pytest.mark.parametrize(
    "typed", ["{code}", "{lower}", "{dashed}", " {dashed_lower} ", "https://portal.example.cn/bookings/{code}/"]
)
def test_the_pass_code_checks_in_however_it_is_typed_or_read(logged_in, staff, occurrence, son_booking, typed):
    code = son_booking.code
    text = typed.format(
        code=code, lower=code.lower(), dashed=son_booking.code_display, dashed_lower=son_booking.code_display.lower()
    )

    response = logged_in.post(url("roster_check_in_code", occurrence), {"code": text})

    assert response.status_code == 302
    assert response["Location"] == url("roster", occurrence) + "#check-in"
    place = son_booking.places.get()
    assert place.checked_in_at is not None and place.checked_in_by == staff
    assert result_of(logged_in, occurrence) == "王小明 checked in ✓"


def test_an_unknown_code_is_refused(logged_in, occurrence, son_booking):
    logged_in.post(url("roster_check_in_code", occurrence), {"code": "ZZZZ-2222"})

    assert result_of(logged_in, occurrence) == "No booking for this session has the code ZZZZ2222."
    assert son_booking.places.get().checked_in_at is None


def test_a_refusal_is_shown_in_red(logged_in, occurrence, son_booking):
    logged_in.post(url("roster_check_in_code", occurrence), {"code": "ZZZZ-2222"})

    html = logged_in.get(url("roster", occurrence)).content.decode()

    assert (
        '<div class="alert alert-danger checkin-result">No booking for this session has the code ZZZZ2222.</div>'
        in html
    )


def test_an_empty_code_asks_for_the_code(logged_in, occurrence, son_booking):
    logged_in.post(url("roster_check_in_code", occurrence), {"code": "  "})

    assert result_of(logged_in, occurrence) == "Type the code on the pass."
    assert son_booking.places.get().checked_in_at is None


def test_a_pass_for_another_session_of_the_centre_says_which(logged_in, centre, occurrence, mother):
    other = bookable_session(centre=centre, title="书法班", days_ahead=3, starts=dt.time(18), ends=dt.time(19))
    [booking] = booking_create(occurrence=other, resident=mother)

    logged_in.post(url("roster_check_in_code", occurrence), {"code": booking.code})

    result = result_of(logged_in, occurrence)
    assert result.startswith("This pass is for “书法班” on ") and result.endswith(", not this session.")
    assert booking.places.get().checked_in_at is None


def test_a_pass_checked_in_already_says_when(logged_in, staff, occurrence, son_booking):
    place = check_in_by_code(occurrence=occurrence, code=son_booking.code, by=staff)

    logged_in.post(url("roster_check_in_code", occurrence), {"code": son_booking.code})

    time = timezone.localtime(place.checked_in_at).strftime("%H:%M")
    assert result_of(logged_in, occurrence) == f"王小明 was already checked in at {time}."
    assert son_booking.places.get().checked_in_at == place.checked_in_at


def test_the_camera_script_and_jsqr_are_served_by_the_portal():
    script = finders.find("js/checkin-scan.js")
    assert script is not None
    text = open(script, encoding="utf-8").read()  # noqa: SIM115
    assert "BarcodeDetector" in text and 'facingMode: "environment"' in text and "jsQR" in text
    assert "http://" not in text and "https://" not in text  # nothing from a CDN


# Walk-ins.


def test_a_walk_in_takes_a_place_and_is_checked_in(logged_in, staff, occurrence):
    response = logged_in.post(url("roster_walk_in", occurrence), {"person_name": " 赵强 ", "phone": "139 0000 2222"})

    assert response.status_code == 302
    booking = Booking.objects.get(occurrence=occurrence)
    assert (booking.person_name, booking.guest_phone, booking.source, booking.booked_by) == (
        "赵强",
        "13900002222",
        Booking.Source.WALK_IN,
        staff,
    )
    assert booking.places.get().checked_in_at is not None
    messages = [str(m) for m in logged_in.get(url("roster", occurrence)).context["messages"]]
    assert messages == ["赵强 came without booking and is checked in ✓"]


def test_a_walk_in_with_a_residents_number_is_added_to_their_account(logged_in, occurrence, mother):
    logged_in.post(url("roster_walk_in", occurrence), {"person_name": "王丽", "phone": "13812345678"})

    booking = Booking.objects.get(occurrence=occurrence)
    assert booking.resident == mother and booking.guest_phone == ""


def test_a_walk_in_is_refused_when_the_session_is_full(logged_in, staff, occurrence):
    for name in ("甲", "乙", "丙"):
        booking_create(occurrence=occurrence, guest_name=name, source="staff", booked_by=staff)

    response = logged_in.post(url("roster_walk_in", occurrence), {"person_name": "赵强"})

    assert response.status_code == 200
    assert response.context["walk_in_form"].non_field_errors() == [
        "Sorry, it is fully booked. You can join the waiting list."
    ]
    assert not Booking.objects.filter(person_name="赵强").exists()


def test_a_walk_in_needs_a_name_and_a_real_number(logged_in, occurrence):
    response = logged_in.post(url("roster_walk_in", occurrence), {"person_name": " ", "phone": "12345"})

    form = response.context["walk_in_form"]
    assert form.errors["person_name"] == ["This field is required."]
    assert form.errors["phone"] == ["Enter an 11-digit mainland mobile number, such as 13812345678."]
    assert Booking.objects.count() == 0


def test_a_double_click_adds_one_walk_in(logged_in, occurrence):
    data = {"person_name": "赵强", "request_key": "5f0c7a52-1111-4222-8333-944455556666"}

    logged_in.post(url("roster_walk_in", occurrence), data)
    second = logged_in.post(url("roster_walk_in", occurrence), data)

    assert second.status_code == 302
    assert Booking.objects.filter(person_name="赵强").count() == 1


# Booking for a resident.


def test_staff_book_a_resident_found_by_their_number(logged_in, staff, occurrence, mother):
    response = logged_in.post(url("roster_book", occurrence), {"phone": "138-1234-5678"})

    assert response.status_code == 302
    booking = Booking.objects.get(occurrence=occurrence)
    assert (booking.resident, booking.person_name, booking.source, booking.booked_by, booking.status) == (
        mother,
        "王丽",
        Booking.Source.STAFF,
        staff,
        Booking.Status.CONFIRMED,
    )
    messages = [str(m) for m in logged_in.get(url("roster", occurrence)).context["messages"]]
    assert messages == [f"Booked: 王丽. Pass code {booking.code_display}."]


def test_staff_book_someone_without_a_phone_by_name(logged_in, occurrence):
    logged_in.post(url("roster_book", occurrence), {"person_name": "陈奶奶"})

    booking = Booking.objects.get(occurrence=occurrence)
    assert (booking.resident, booking.person_name, booking.guest_phone, booking.source) == (
        None,
        "陈奶奶",
        "",
        Booking.Source.STAFF,
    )


def test_a_number_nobody_signed_up_with_needs_a_name(logged_in, occurrence):
    response = logged_in.post(url("roster_book", occurrence), {"phone": "13600000000"})

    assert response.status_code == 200
    assert response.context["book_form"].errors["person_name"] == [
        "No one has signed up with this number. Give the person's name to book anyway."
    ]
    assert Booking.objects.count() == 0


def test_booking_needs_a_number_or_a_name(logged_in, occurrence):
    response = logged_in.post(url("roster_book", occurrence), {})

    assert response.context["book_form"].non_field_errors() == [
        "Give the resident's mobile number, or the name of someone without a phone."
    ]
    assert Booking.objects.count() == 0


def test_a_full_session_offers_the_waiting_list(logged_in, staff, occurrence, mother):
    for name in ("甲", "乙", "丙"):
        booking_create(occurrence=occurrence, guest_name=name, source="staff", booked_by=staff)

    refused = logged_in.post(url("roster_book", occurrence), {"phone": "13812345678"})

    assert refused.context["book_form"].non_field_errors() == [
        "Sorry, it is fully booked. You can join the waiting list. "
        "Tick “If it is full, put them on the waiting list” to add them."
    ]
    assert not Booking.objects.filter(resident=mother).exists()

    logged_in.post(url("roster_book", occurrence), {"phone": "13812345678", "join_waiting_list": "on"})

    booking = Booking.objects.get(resident=mother)
    assert booking.status == Booking.Status.WAITING
    messages = [str(m) for m in logged_in.get(url("roster", occurrence)).context["messages"]]
    assert messages == ["王丽 is on the waiting list, number 1."]


def test_a_resident_booked_twice_is_refused(logged_in, occurrence, mother):
    booking_create(occurrence=occurrence, resident=mother)

    response = logged_in.post(url("roster_book", occurrence), {"phone": "13812345678"})

    assert response.context["book_form"].non_field_errors() == ["王丽 already has a place."]
    assert Booking.objects.filter(resident=mother).count() == 1


def test_nothing_is_added_to_a_cancelled_session(logged_in, staff, occurrence):
    occurrence.status = "cancelled"
    occurrence.save(update_fields=["status"])

    html = logged_in.get(url("roster", occurrence)).content.decode()
    walk_in = logged_in.post(url("roster_walk_in", occurrence), {"person_name": "赵强"})

    assert "This session is cancelled; no one can be checked in." in html
    assert 'id="code-form"' not in html and url("roster_walk_in", occurrence) not in html
    assert walk_in.context["walk_in_form"].non_field_errors() == ["This session has been cancelled."]
    assert Booking.objects.count() == 0


def test_a_tick_for_a_cancelled_booking_is_not_found_and_changes_nothing(logged_in, staff, occurrence, son_booking):
    place = son_booking.places.get()
    booking_cancel(booking=son_booking, by=staff, reason="生病")

    response = logged_in.post(url("roster_check_in", occurrence, place_pk=place.pk))

    assert response.status_code == 404
    place.refresh_from_db()
    assert (place.checked_in_at, place.checked_in_by, place.is_held) == (None, None, False)
