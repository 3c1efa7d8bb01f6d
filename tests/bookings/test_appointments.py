"""After-hours appointments: slots cut from the by-appointment hours (special dates and
public holidays included), every refusal of a request with its message and nothing
changed, the centre's answers and the resident's, check-in, the pages for residents and
for staff with their scopes, and the roster's export."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bookings import appointments as services
from bookings.models import Appointment, AppointmentSetup, AppointmentTopic
from centres.holidays import DayType, national_day
from centres.models import Day, ServiceKind
from centres.services import centre_hours_replace, date_exception_add
from portal.models import Notification
from tests.centres.factories import CentreFactory, CommunityFactory
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory, StreetStaffFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)  # a Monday
MONDAY = dt.date(2026, 9, 28)
TUESDAY = dt.date(2026, 9, 29)  # special hours: by appointment 18:00–19:30
WEDNESDAY = dt.date(2026, 9, 30)  # closed
NATIONAL_DAY = dt.date(2026, 10, 1)  # public holiday: by appointment 09:00–10:30
FRIDAY = dt.date(2026, 10, 2)  # beyond the four bookable days


def at(date: dt.date, time: str) -> dt.datetime:
    hours, minutes = time.split(":")
    return dt.datetime.combine(date, dt.time(int(hours), int(minutes)), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def appointment_hours(centre):
    """Working days 08:30–17:30 and by appointment 19:00–20:30; public holidays by
    appointment 09:00–10:30."""
    periods = [
        {"day": day, "kind": ServiceKind.REGULAR, "opens": dt.time(8, 30), "closes": dt.time(17, 30)}
        for day in range(5)
    ]
    periods += [
        {"day": day, "kind": ServiceKind.APPOINTMENT, "opens": dt.time(19), "closes": dt.time(20, 30)}
        for day in range(5)
    ]
    periods += [{"day": Day.HOLIDAY, "kind": ServiceKind.APPOINTMENT, "opens": dt.time(9), "closes": dt.time(10, 30)}]
    centre_hours_replace(centre=centre, periods=periods)


@pytest.fixture
def centre():
    community = CommunityFactory(name="圣湖社区", parent__name="东湖街道", parent__parent__name="丰泽区")
    centre = CentreFactory(name="圣湖社区党群服务中心", slug="shenghu", area=community)
    appointment_hours(centre)
    date_exception_add(centre=centre, date=TUESDAY, is_closed=False, opens=dt.time(9), closes=dt.time(12))
    date_exception_add(
        centre=centre,
        date=TUESDAY,
        is_closed=False,
        kind=ServiceKind.APPOINTMENT,
        opens=dt.time(18),
        closes=dt.time(19, 30),
    )
    date_exception_add(centre=centre, date=WEDNESDAY, is_closed=True, note="设备检修")
    return centre


@pytest.fixture
def setup(centre):
    return services.appointment_setup_save(
        centre=centre, is_published=True, slot_minutes=40, places_per_slot=2, days_ahead=4, notice_hours=2
    )


@pytest.fixture
def certificates(centre, setup):
    return services.appointment_topic_save(centre=centre, name="证明开具", service_function="affairs")


@pytest.fixture
def mediation(centre, setup):
    return services.appointment_topic_save(centre=centre, name="矛盾调解", service_function="own")


@pytest.fixture
def resident():
    return UserFactory(phone="13900000101", name="林晓禾")


@pytest.fixture
def staff(centre):
    return CentreStaffFactory(phone="13900000201", name="黄雅琴", centres=[centre])


def ask(centre, resident, topic, starts_at, need="开具居住证明", **kwargs) -> Appointment:
    return services.appointment_request(
        centre=centre, resident=resident, topic=topic, starts_at=starts_at, need=need, **kwargs
    )


def state():
    """Everything a refused request or answer must leave as it was."""
    return (
        list(
            Appointment.objects.order_by("pk").values_list("pk", "status", "starts_at", "staff_note", "checked_in_at")
        ),
        Notification.objects.count(),
    )


def assert_refused(message: str, call) -> None:
    before = state()
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.messages == [message]
    assert state() == before


def slot_table(days):
    return [(day.date, [(f"{s.starts_at:%H:%M}", f"{s.ends_at:%H:%M}", s.free) for s in day.slots]) for day in days]


# --- Slots ---------------------------------------------------------------------------------


def test_slots_are_whole_slots_of_the_appointment_hours_with_special_dates_and_holidays(centre, certificates):
    ask(centre, UserFactory(), certificates, at(MONDAY, "19:00"))
    cancelled = ask(centre, UserFactory(), certificates, at(MONDAY, "19:00"))
    services.appointment_cancel(appointment=cancelled, by=cancelled.resident)

    days = services.appointment_slots(centre=centre, now=NOW)

    assert slot_table(days) == [
        (MONDAY, [("19:00", "19:40", 1), ("19:40", "20:20", 2)]),
        (TUESDAY, [("18:00", "18:40", 2), ("18:40", "19:20", 2)]),
        (NATIONAL_DAY, [("09:00", "09:40", 2), ("09:40", "10:20", 2)]),
    ]
    assert national_day(NATIONAL_DAY).type == DayType.PUBLIC_HOLIDAY
    assert days[2].national.holiday_name == national_day(NATIONAL_DAY).holiday_name


def test_slots_leave_out_those_inside_the_notice_period(centre, setup):
    days = services.appointment_slots(centre=centre, now=at(MONDAY, "17:30"))
    assert slot_table(days)[0] == (MONDAY, [("19:40", "20:20", 2)])
    staff_days = services.appointment_slots(centre=centre, now=at(MONDAY, "17:30"), for_staff=True)
    assert slot_table(staff_days)[0] == (MONDAY, [("19:00", "19:40", 2), ("19:40", "20:20", 2)])


def test_slots_count_in_one_grouped_query(centre, certificates, django_assert_num_queries):
    for _ in range(2):
        ask(centre, UserFactory(), certificates, at(TUESDAY, "18:00"))
    setup = AppointmentSetup.objects.get(centre=centre)
    # Periods, date exceptions, held places.
    with django_assert_num_queries(3):
        days = services.appointment_slots(centre=centre, setup=setup, now=NOW)
    assert days[1].slots[0].free == 0
    assert days[1].slots[0].is_full


def test_a_centre_without_set_up_has_no_slots(centre):
    assert services.appointment_slots(centre=centre, now=NOW) == []


# --- Asking ----------------------------------------------------------------------------------


def test_a_request_holds_the_slot_and_tells_the_resident(centre, certificates, resident):
    appointment = ask(
        centre, resident, certificates, at(MONDAY, "19:40"), need="  开具居住证明，需带户口本吗？ ", request_key="k1"
    )

    appointment.refresh_from_db()
    assert (appointment.status, appointment.starts_at, appointment.ends_at) == (
        "requested",
        at(MONDAY, "19:40"),
        at(MONDAY, "20:20"),
    )
    assert appointment.requested_starts_at == at(MONDAY, "19:40")
    assert (appointment.person_name, appointment.need, appointment.source) == (
        "林晓禾",
        "开具居住证明，需带户口本吗？",
        "online",
    )
    assert len(appointment.code) == 8
    message = Notification.objects.get(recipient=resident)
    assert message.text == (
        "Your appointment request at 圣湖社区党群服务中心 for Mon 28 Sep 2026 19:40–20:20 (证明开具) "
        "has been received. The centre will confirm it."
    )
    assert message.url == reverse("bookings:appointment", kwargs={"code": appointment.code})


def test_the_same_request_key_makes_one_appointment(centre, certificates, resident):
    first = ask(centre, resident, certificates, at(MONDAY, "19:00"), request_key="double-click")
    again = ask(centre, resident, certificates, at(MONDAY, "19:00"), request_key="double-click")
    assert again.pk == first.pk
    assert Appointment.objects.count() == 1
    assert Notification.objects.count() == 1


@pytest.mark.parametrize(
    "starts_at",
    [at(MONDAY, "19:20"), at(MONDAY, "20:20"), at(WEDNESDAY, "19:00"), at(TUESDAY, "19:00"), at(MONDAY, "10:00")],
    ids=["between-slots", "not-a-whole-slot", "closed-day", "weekly-time-on-a-special-date", "regular-hours"],
)
def test_a_time_that_is_not_a_slot_is_refused(centre, certificates, resident, starts_at):
    assert_refused(
        "This is not one of the centre's appointment times. Please choose a time from the list.",
        lambda: ask(centre, resident, certificates, starts_at),
    )


def test_a_past_slot_is_refused(centre, certificates, resident):
    assert_refused(
        "This time has passed. Please choose a later time.",
        lambda: ask(centre, resident, certificates, at(MONDAY, "19:00"), now=at(MONDAY, "19:05")),
    )


def test_a_slot_inside_the_notice_period_is_refused(centre, certificates, resident):
    assert_refused(
        "Appointments must be made at least 2 hours ahead. Please choose a later time.",
        lambda: ask(centre, resident, certificates, at(MONDAY, "19:00"), now=at(MONDAY, "17:30")),
    )


def test_a_slot_beyond_the_bookable_days_is_refused(centre, certificates, resident):
    assert_refused(
        "Appointments can be made up to 4 days ahead. Please choose an earlier time.",
        lambda: ask(centre, resident, certificates, at(FRIDAY, "09:00")),
    )


def test_an_unpublished_set_up_refuses_residents_but_not_staff(centre, certificates, resident, staff):
    services.appointment_setup_save(centre=centre, is_published=False)
    assert_refused(
        "This centre does not take appointments online at the moment.",
        lambda: ask(centre, resident, certificates, at(MONDAY, "19:00")),
    )
    booked = ask(centre, resident, certificates, at(MONDAY, "19:00"), source="staff", booked_by=staff)
    assert (booked.status, booked.source, booked.booked_by) == ("confirmed", "staff", staff)


def test_a_centre_without_set_up_refuses(centre, resident):
    topic = AppointmentTopic.objects.create(centre=centre, name="法律咨询")
    assert_refused("This centre does not take appointments.", lambda: ask(centre, resident, topic, at(MONDAY, "19:00")))


def test_a_service_of_another_centre_or_not_offered_is_refused(centre, certificates, resident):
    other = CentreFactory()
    foreign = AppointmentTopic.objects.create(centre=other, name="法律咨询")
    retired = services.appointment_topic_save(centre=centre, name="法律咨询", is_offered=False)
    for topic in (foreign, retired):
        assert_refused(
            "Please choose one of the services this centre offers by appointment.",
            lambda topic=topic: ask(centre, resident, topic, at(MONDAY, "19:00")),
        )


@pytest.mark.parametrize(
    ("need", "message"),
    [
        ("   ", "Please say what you need, so that the centre can prepare."),
        ("证" * 501, "Please say what you need in 500 characters or fewer."),
    ],
)
def test_what_is_needed_must_be_said_briefly(centre, certificates, resident, need, message):
    assert_refused(message, lambda: ask(centre, resident, certificates, at(MONDAY, "19:00"), need=need))


def test_a_full_slot_is_refused(centre, certificates, resident):
    ask(centre, UserFactory(), certificates, at(MONDAY, "19:00"))
    ask(centre, UserFactory(), certificates, at(MONDAY, "19:00"))
    assert_refused(
        "This time is fully booked. Please choose another time.",
        lambda: ask(centre, resident, certificates, at(MONDAY, "19:00")),
    )


def test_an_overlapping_appointment_of_the_resident_is_refused(centre, certificates, resident):
    other = CentreFactory(name="东湖社区党群服务中心")
    appointment_hours(other)
    services.appointment_setup_save(centre=other, is_published=True, slot_minutes=60, days_ahead=4)
    topic = services.appointment_topic_save(centre=other, name="法律咨询")
    ask(other, resident, topic, at(MONDAY, "19:00"))
    assert_refused(
        "You already have an appointment at this time: Mon 28 Sep 2026 19:00–20:00 at 东湖社区党群服务中心.",
        lambda: ask(centre, resident, certificates, at(MONDAY, "19:40")),
    )


def test_more_than_three_coming_appointments_are_refused(centre, certificates, resident):
    for starts_at in (at(MONDAY, "19:00"), at(TUESDAY, "18:00"), at(NATIONAL_DAY, "09:00")):
        ask(centre, resident, certificates, starts_at)
    assert_refused(
        "You already have 3 appointments coming up. Please cancel one before making another.",
        lambda: ask(centre, resident, certificates, at(NATIONAL_DAY, "09:40")),
    )


def test_staff_book_a_guest_by_name_confirmed_at_once(centre, certificates, staff):
    booked = services.appointment_request(
        centre=centre,
        resident=None,
        person_name="王奶奶",
        topic=certificates,
        starts_at=at(MONDAY, "19:00"),
        need="老年证",
        source="staff",
        booked_by=staff,
        now=at(MONDAY, "18:30"),
    )
    assert (booked.resident, booked.person_name, booked.status, booked.guest_phone) == (None, "王奶奶", "confirmed", "")
    assert Notification.objects.count() == 0


def test_a_guest_without_a_name_is_refused(centre, certificates, staff):
    assert_refused(
        "Please give the name of the person who is coming.",
        lambda: services.appointment_request(
            centre=centre,
            resident=None,
            topic=certificates,
            starts_at=at(MONDAY, "19:00"),
            need="老年证",
            source="staff",
        ),
    )


# --- Answers -----------------------------------------------------------------------------------


def test_staff_propose_another_time_which_moves_the_held_slot(centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))

    services.appointment_propose(appointment=appointment, by=staff, starts_at=at(TUESDAY, "18:40"), note="律师周二在")

    appointment.refresh_from_db()
    assert (appointment.status, appointment.starts_at, appointment.ends_at, appointment.staff_note) == (
        "proposed",
        at(TUESDAY, "18:40"),
        at(TUESDAY, "19:20"),
        "律师周二在",
    )
    assert appointment.requested_starts_at == at(MONDAY, "19:00")
    assert slot_table(services.appointment_slots(centre=centre, now=NOW))[:2] == [
        (MONDAY, [("19:00", "19:40", 2), ("19:40", "20:20", 2)]),
        (TUESDAY, [("18:00", "18:40", 2), ("18:40", "19:20", 1)]),
    ]
    assert Notification.objects.filter(recipient=resident).first().text == (
        "圣湖社区党群服务中心 proposes another time for your appointment (证明开具): Tue 29 Sep 2026 18:40–19:20. "
        "Please accept or decline it."
    )

    services.appointment_accept_proposal(appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"
    assert Notification.objects.filter(recipient=resident).first().text == (
        "Your appointment at 圣湖社区党群服务中心 on Tue 29 Sep 2026 18:40–19:20 (证明开具) is confirmed. "
        f"Your pass code is {appointment.code_display}."
    )


def test_declining_a_proposal_cancels_and_frees_the_slot(centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    services.appointment_propose(appointment=appointment, by=staff, starts_at=at(MONDAY, "19:40"), note="")
    services.appointment_decline_proposal(appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert slot_table(services.appointment_slots(centre=centre, now=NOW))[0] == (
        MONDAY,
        [("19:00", "19:40", 2), ("19:40", "20:20", 2)],
    )


def test_a_proposal_into_a_full_slot_is_refused(centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    for _ in range(2):
        ask(centre, UserFactory(), certificates, at(MONDAY, "19:40"))
    assert_refused(
        "This time is fully booked. Please choose another time.",
        lambda: services.appointment_propose(appointment=appointment, by=staff, starts_at=at(MONDAY, "19:40"), note=""),
    )


def test_a_proposal_of_a_time_that_is_not_a_slot_is_refused(centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    assert_refused(
        "This is not one of the centre's appointment times. Please choose a time from the list.",
        lambda: services.appointment_propose(
            appointment=appointment, by=staff, starts_at=at(WEDNESDAY, "19:00"), note=""
        ),
    )


def test_accepting_without_a_proposal_is_refused(centre, certificates, resident):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    assert_refused(
        "There is no proposed time to answer.", lambda: services.appointment_accept_proposal(appointment=appointment)
    )


def test_confirm_then_confirm_again_is_refused(centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    services.appointment_confirm(appointment=appointment, by=staff, note="请带身份证")
    appointment.refresh_from_db()
    assert (appointment.status, appointment.staff_note) == ("confirmed", "请带身份证")
    assert_refused(
        "Only a request waiting for an answer can be confirmed.",
        lambda: services.appointment_confirm(appointment=appointment, by=staff),
    )


def test_decline_needs_a_reason_and_tells_the_resident(centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    assert_refused(
        "Please say why, so that the resident understands.",
        lambda: services.appointment_decline(appointment=appointment, by=staff, reason=" "),
    )
    services.appointment_decline(appointment=appointment, by=staff, reason="此证明需到派出所办理")
    appointment.refresh_from_db()
    assert (appointment.status, appointment.staff_note) == ("declined", "此证明需到派出所办理")
    assert Notification.objects.filter(recipient=resident).first().text == (
        "圣湖社区党群服务中心 cannot take your appointment request for Mon 28 Sep 2026 19:00–19:40 (证明开具). "
        "Reason: 此证明需到派出所办理"
    )


def test_cancelling_frees_the_slot_and_twice_is_refused(centre, certificates, resident):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    services.appointment_cancel(appointment=appointment, by=resident)
    assert services.appointment_slots(centre=centre, now=NOW)[0].slots[0].free == 2
    assert_refused(
        "This appointment is already cancelled.",
        lambda: services.appointment_cancel(appointment=appointment, by=resident),
    )


def test_a_started_appointment_can_no_longer_be_cancelled(centre, certificates, resident, monkeypatch):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    monkeypatch.setattr(timezone, "now", lambda: at(MONDAY, "19:10"))
    assert_refused(
        "This appointment has started or is over, so it can no longer be changed.",
        lambda: services.appointment_cancel(appointment=appointment, by=resident),
    )


# --- Check-in ----------------------------------------------------------------------------------


def test_check_in_by_typed_code_on_the_day_and_undo(centre, certificates, resident, staff, monkeypatch):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    monkeypatch.setattr(timezone, "now", lambda: at(MONDAY, "18:55"))
    typed = f" {appointment.code[:4].lower()}-{appointment.code[4:]} "

    checked = services.appointment_check_in_by_code(centre=centre, date=MONDAY, code=typed, by=staff)

    assert (checked.pk, checked.status, checked.checked_in_at, checked.checked_in_by) == (
        appointment.pk,
        "confirmed",
        at(MONDAY, "18:55"),
        staff,
    )
    assert_refused(
        "林晓禾 already checked in at 18:55.",
        lambda: services.appointment_check_in(appointment=appointment, by=staff),
    )
    services.appointment_check_in_undo(appointment=appointment, by=staff)
    appointment.refresh_from_db()
    assert (appointment.checked_in_at, appointment.checked_in_by) == (None, None)


def test_check_in_by_code_refuses_unknown_codes_and_other_days(centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(TUESDAY, "18:00"))
    assert_refused(
        "No appointment at this centre has this pass code. Please check the code.",
        lambda: services.appointment_check_in_by_code(centre=centre, date=MONDAY, code="ZZZZZZZZ", by=staff),
    )
    assert_refused(
        "This pass is for Tue 29 Sep 2026 18:00–18:40, not for this day.",
        lambda: services.appointment_check_in_by_code(centre=centre, date=MONDAY, code=appointment.code, by=staff),
    )
    assert_refused(
        "This appointment is on Tue 29 Sep 2026 18:00, not today.",
        lambda: services.appointment_check_in(appointment=appointment, by=staff),
    )
    other = CentreFactory()
    assert_refused(
        "No appointment at this centre has this pass code. Please check the code.",
        lambda: services.appointment_check_in_by_code(centre=other, date=TUESDAY, code=appointment.code, by=staff),
    )


# --- Selectors ---------------------------------------------------------------------------------


def test_appointments_of_resident_soonest_first(centre, certificates, resident):
    later = ask(centre, resident, certificates, at(TUESDAY, "18:00"))
    sooner = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    ask(centre, UserFactory(), certificates, at(MONDAY, "19:00"))
    assert list(services.appointments_of_resident(resident)) == [sooner, later]
    assert list(services.appointments_of_resident(resident, since=at(MONDAY, "20:00"))) == [later]


# --- Resident pages ------------------------------------------------------------------------------


def slots_url(centre) -> str:
    return reverse("bookings:appointment_slots", kwargs={"slug": centre.slug})


def test_anonymous_visitors_see_slots_and_a_login_link(client, centre, certificates):
    response = client.get(slots_url(centre))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="2026-09-28T19:40"' in page
    assert "Log in to book" in page
    assert f"{reverse('portal:login')}?next={slots_url(centre)}" in page


def test_anonymous_post_goes_to_login_and_books_nothing(client, centre, certificates):
    response = client.post(slots_url(centre), {"slot": "2026-09-28T19:00", "topic": certificates.pk, "need": "证明"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={slots_url(centre)}"
    assert Appointment.objects.count() == 0


def test_a_resident_books_on_the_page_once_for_a_double_submit(client, centre, certificates, resident):
    client.force_login(resident)
    data = {"slot": "2026-09-28T19:40", "topic": certificates.pk, "need": "开具居住证明", "request_key": "5f0c-key"}
    first = client.post(slots_url(centre), data)
    second = client.post(slots_url(centre), data)
    appointment = Appointment.objects.get()
    assert first["Location"] == second["Location"] == appointment.get_absolute_url()
    assert (appointment.resident, appointment.starts_at, appointment.request_key) == (
        resident,
        at(MONDAY, "19:40"),
        "5f0c-key",
    )


@pytest.mark.parametrize(
    ("slot", "message"),
    [
        ("not-a-time", "Please choose a time from the list."),
        ("9999-01-01T19:00", "Please choose a time from the list."),
        (
            "2026-09-30T19:00",
            "This is not one of the centre&#x27;s appointment times. Please choose a time from the list.",
        ),
    ],
)
def test_a_forged_slot_gets_a_message_and_books_nothing(client, centre, certificates, resident, slot, message):
    client.force_login(resident)
    response = client.post(slots_url(centre), {"slot": slot, "topic": certificates.pk, "need": "证明"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Appointment.objects.count() == 0


def test_a_forged_topic_gets_a_message_and_books_nothing(client, centre, certificates, resident):
    other_topic = AppointmentTopic.objects.create(centre=CentreFactory(), name="法律咨询")
    client.force_login(resident)
    response = client.post(slots_url(centre), {"slot": "2026-09-28T19:00", "topic": other_topic.pk, "need": "证明"})
    assert "Please choose one of the services this centre offers by appointment." in response.content.decode()
    assert Appointment.objects.count() == 0


def test_the_slots_page_is_404_unless_published_with_a_service(client, centre, setup):
    assert client.get(slots_url(centre)).status_code == 404
    services.appointment_topic_save(centre=centre, name="证明开具")
    assert client.get(slots_url(centre)).status_code == 200
    services.appointment_setup_save(centre=centre, is_published=False)
    assert client.get(slots_url(centre)).status_code == 404


def test_the_centre_page_links_to_booking_when_published(client, centre, certificates):
    page = client.get(reverse("centres:detail", kwargs={"slug": centre.slug})).content.decode()
    assert f'href="{slots_url(centre)}"' in page
    services.appointment_setup_save(centre=centre, is_published=False)
    page = client.get(reverse("centres:detail", kwargs={"slug": centre.slug})).content.decode()
    assert slots_url(centre) not in page


def test_the_appointment_page_is_for_its_resident_and_the_centres_staff(client, centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    url = appointment.get_absolute_url()
    client.force_login(resident)
    page = client.get(url).content.decode()
    assert appointment.code_display in page
    assert "<svg" in page
    assert "@media print" in page
    client.force_login(staff)
    assert client.get(url).status_code == 200
    for outsider in (UserFactory(), CentreStaffFactory(centres=[CentreFactory()])):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_resident_answers_a_proposal_on_the_page(client, centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    services.appointment_propose(appointment=appointment, by=staff, starts_at=at(MONDAY, "19:40"), note="")
    client.force_login(resident)
    assert "Accept the new time" in client.get(appointment.get_absolute_url()).content.decode()
    response = client.post(reverse("bookings:appointment_accept", kwargs={"code": appointment.code}))
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"


def test_others_cannot_answer_or_cancel(client, centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    for user in (UserFactory(), staff):
        client.force_login(user)
        for name in ("appointment_accept", "appointment_decline_proposal", "appointment_cancel"):
            assert client.post(reverse(f"bookings:{name}", kwargs={"code": appointment.code})).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == "requested"


def test_the_resident_cancels_on_the_page(client, centre, certificates, resident):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    client.force_login(resident)
    client.post(reverse("bookings:appointment_cancel", kwargs={"code": appointment.code}))
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


# --- Staff pages -----------------------------------------------------------------------------------


def staff_url(name, centre, **kwargs) -> str:
    return reverse(f"bookings_staff:{name}", kwargs={"slug": centre.slug, **kwargs})


def day(centre, date=MONDAY) -> str:
    return staff_url("appointment_day", centre, date=date.isoformat())


def test_staff_save_the_set_up_and_add_a_service(client, centre, staff):
    client.force_login(staff)
    response = client.post(
        staff_url("appointment_setup", centre),
        {"is_published": "on", "slot_minutes": 30, "places_per_slot": 3, "days_ahead": 7, "notice_hours": 4},
    )
    assert response.status_code == 302
    setup = AppointmentSetup.objects.get(centre=centre)
    assert (setup.is_published, setup.slot_minutes, setup.places_per_slot, setup.days_ahead, setup.notice_hours) == (
        True,
        30,
        3,
        7,
        4,
    )
    client.post(
        staff_url("appointment_topic_create", centre),
        {"name": "法律咨询", "service_function": "affairs", "is_offered": "on", "position": 0},
    )
    assert list(centre.appointment_topics.values_list("name", "service_function", "is_offered")) == [
        ("法律咨询", "affairs", True)
    ]
    response = client.post(
        staff_url("appointment_topic_create", centre),
        {"name": "法律咨询", "service_function": "affairs", "is_offered": "on", "position": 1},
    )
    assert "The centre already offers appointments for this." in response.content.decode()
    assert centre.appointment_topics.count() == 1


def test_a_used_service_cannot_be_deleted(client, centre, certificates, resident, staff):
    ask(centre, resident, certificates, at(MONDAY, "19:00"))
    client.force_login(staff)
    response = client.post(staff_url("appointment_topic_delete", centre, pk=certificates.pk), follow=True)
    assert "Appointments were made for “证明开具”, so it cannot be deleted. Untick “offered” instead." in (
        response.content.decode()
    )
    assert AppointmentTopic.objects.filter(pk=certificates.pk).exists()


def test_the_roster_masks_phones_and_costs_a_fixed_number_of_queries(client, centre, certificates, staff):
    client.force_login(staff)
    ask(centre, UserFactory(phone="13912345678", name="陈阿姨"), certificates, at(MONDAY, "19:00"))
    with CaptureQueriesContext(connection) as one:
        page = client.get(day(centre)).content.decode()
    assert "139****5678" in page
    assert "13912345678" not in page
    assert "陈阿姨" in page
    services.appointment_request(
        centre=centre,
        resident=None,
        person_name="王奶奶",
        topic=certificates,
        starts_at=at(MONDAY, "19:00"),
        need="老年证",
        source="staff",
        booked_by=staff,
    )
    for _ in range(2):
        ask(centre, UserFactory(), certificates, at(MONDAY, "19:40"))
    services.appointment_cancel(appointment=Appointment.objects.last(), by=None)
    services.appointment_check_in(appointment=Appointment.objects.first(), by=staff, now=at(MONDAY, "10:00"))
    with CaptureQueriesContext(connection) as several:
        client.get(day(centre))
    assert len(several) == len(one) <= 12


def test_staff_book_for_a_resident_by_phone_or_by_name(client, centre, certificates, resident, staff):
    client.force_login(staff)
    by_phone = client.post(
        day(centre),
        {
            "book-phone": "139 0000 0101",
            "book-slot": "2026-09-28T19:00",
            "book-topic": certificates.pk,
            "book-need": "居住证明",
            "book-request_key": "a",
        },
    )
    assert by_phone.status_code == 302
    by_name = client.post(
        day(centre),
        {"book-name": "王奶奶", "book-slot": "2026-09-28T19:00", "book-topic": certificates.pk, "book-need": "老年证"},
    )
    assert by_name.status_code == 302
    assert list(Appointment.objects.order_by("pk").values_list("resident", "person_name", "source", "status")) == [
        (resident.pk, "林晓禾", "staff", "confirmed"),
        (None, "王奶奶", "staff", "confirmed"),
    ]
    assert Notification.objects.get(recipient=resident).text.startswith(
        "圣湖社区党群服务中心 has booked an appointment for you: Mon 28 Sep 2026 19:00–19:40, 证明开具."
    )


def test_booking_for_an_unknown_phone_gets_a_message(client, centre, certificates, staff):
    client.force_login(staff)
    response = client.post(
        day(centre),
        {
            "book-phone": "13800009999",
            "book-slot": "2026-09-28T19:00",
            "book-topic": certificates.pk,
            "book-need": "证明",
        },
    )
    assert response.status_code == 200
    assert "Nobody is registered with this mobile number. Leave it empty and give the name only." in (
        response.content.decode()
    )
    assert Appointment.objects.count() == 0


def test_staff_answer_and_check_in_from_the_roster(client, centre, certificates, resident, staff, monkeypatch):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    client.force_login(staff)
    client.post(staff_url("appointment_confirm", centre, pk=appointment.pk), {"note": ""})
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"

    monkeypatch.setattr(timezone, "now", lambda: at(MONDAY, "18:50"))
    response = client.post(
        staff_url("appointment_check_in_code", centre, date="2026-09-28"), {"code": appointment.code}, follow=True
    )
    assert "林晓禾 is checked in (19:00, 证明开具)." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.checked_in_at == at(MONDAY, "18:50")

    client.post(staff_url("appointment_check_in_undo", centre, pk=appointment.pk))
    appointment.refresh_from_db()
    assert (appointment.checked_in_at, appointment.checked_in_by) == (None, None)

    monkeypatch.setattr(timezone, "now", lambda: at(MONDAY, "18:52"))
    client.post(staff_url("appointment_check_in", centre, pk=appointment.pk))
    appointment.refresh_from_db()
    assert (appointment.checked_in_at, appointment.checked_in_by) == (at(MONDAY, "18:52"), staff)


def test_a_proposal_from_the_roster_with_a_forged_time_changes_nothing(client, centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    client.force_login(staff)
    before = state()
    response = client.post(
        staff_url("appointment_propose", centre, pk=appointment.pk),
        {"slot": "2026-13-45T99:00", "note": ""},
        follow=True,
    )
    assert "Please choose a time from the list." in response.content.decode()
    assert state() == before


def test_the_roster_exports_as_csv_and_excel(client, centre, certificates, resident, staff):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"), need="居住证明")
    guest = services.appointment_request(
        centre=centre,
        resident=None,
        person_name="王奶奶",
        topic=certificates,
        starts_at=at(MONDAY, "19:40"),
        need="老年证",
        source="staff",
        booked_by=staff,
    )
    client.force_login(staff)
    header = [
        "Time",
        "Name",
        "Mobile number",
        "Service",
        "What they need",
        "Status",
        "Pass code",
        "Booked",
        "Checked in",
    ]
    rows = [
        [
            "19:00–19:40",
            "林晓禾",
            "139****0101",
            "证明开具",
            "居住证明",
            "Waiting for the centre to confirm",
            appointment.code_display,
            "Booked online",
            "",
        ],
        ["19:40–20:20", "王奶奶", "", "证明开具", "老年证", "Confirmed", guest.code_display, "Booked by staff", ""],
    ]

    response = client.get(staff_url("appointment_export_csv", centre, date="2026-09-28"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [header, *rows]

    response = client.get(staff_url("appointment_export_xlsx", centre, date="2026-09-28"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)] == [
        header,
        *rows,
    ]


def test_a_malformed_day_is_404(client, centre, staff, setup):
    client.force_login(staff)
    for value in ("2026-02-30", "yesterday", "1999-12-31"):
        assert client.get(staff_url("appointment_day", centre, date=value)).status_code == 404


# --- Staff scopes ------------------------------------------------------------------------------------


def test_staff_scopes(client, centre, certificates, resident):
    appointment = ask(centre, resident, certificates, at(MONDAY, "19:00"))
    pages = [
        staff_url("appointment_setup", centre),
        day(centre),
        staff_url("appointment_export_csv", centre, date="2026-09-28"),
    ]
    actions = [
        staff_url("appointment_confirm", centre, pk=appointment.pk),
        staff_url("appointment_decline", centre, pk=appointment.pk),
        staff_url("appointment_check_in", centre, pk=appointment.pk),
        staff_url("appointment_topic_delete", centre, pk=certificates.pk),
        day(centre),
    ]
    street_staff = StreetStaffFactory(area=centre.street)
    district_staff = DistrictStaffFactory(area=centre.district)
    outsiders = [
        UserFactory(),
        CentreStaffFactory(centres=[CentreFactory()]),
        StreetStaffFactory(area=CommunityFactory().parent),
        DistrictStaffFactory(area=CommunityFactory().parent.parent),
    ]
    before = state()
    for user in outsiders:
        client.force_login(user)
        assert [client.get(url).status_code for url in pages] == [404, 404, 404]
        assert [client.post(url, {"reason": "x"}).status_code for url in actions] == [404] * len(actions)
    client.force_login(street_staff)
    assert [client.get(url).status_code for url in pages] == [200, 200, 200]
    assert [client.post(url, {"reason": "x"}).status_code for url in actions] == [404] * len(actions)
    assert state() == before
    client.force_login(district_staff)
    assert [client.get(url).status_code for url in pages] == [200, 200, 200]
    client.post(staff_url("appointment_confirm", centre, pk=appointment.pk), {"note": ""})
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"


def test_an_appointment_of_another_centre_through_ones_own_is_404(client, centre, certificates, staff):
    other = CentreFactory()
    appointment_hours(other)
    services.appointment_setup_save(centre=other, is_published=True, days_ahead=4)
    topic = services.appointment_topic_save(centre=other, name="法律咨询")
    foreign = ask(other, UserFactory(), topic, at(MONDAY, "19:00"))
    client.force_login(staff)
    before = state()
    assert client.post(staff_url("appointment_confirm", centre, pk=foreign.pk)).status_code == 404
    assert client.post(staff_url("appointment_topic_delete", centre, pk=topic.pk)).status_code == 404
    assert state() == before


# --- Demo data ---------------------------------------------------------------------------------------


def test_demo_appointments_at_centres_with_appointment_hours_once(centre):
    from bookings.demo_appointments import load_demo_appointments

    demo_centre = CentreFactory(slug="fengze-community")
    appointment_hours(demo_centre)
    CentreFactory(slug="fengze-street")  # a demo centre without by-appointment hours
    login = UserFactory(phone="13900000001", name="林晓禾")
    residents = [UserFactory(phone=f"1370000{n:04d}") for n in range(4)]
    CentreStaffFactory(centres=[demo_centre])

    counts = load_demo_appointments(NOW)

    assert (counts.setups, counts.topics, counts.refused) == (1, 4, [])
    assert AppointmentSetup.objects.get().centre == demo_centre
    assert list(demo_centre.appointment_topics.values_list("name", "service_function")) == [
        ("证明开具", "affairs"),
        ("矛盾调解", "own"),
        ("法律咨询", "own"),
        ("健康咨询", "medical"),
    ]
    made = Appointment.objects.filter(centre=demo_centre)
    assert counts.appointments == made.count() == 7
    assert sorted(made.values_list("status", flat=True)) == [
        "confirmed",
        "confirmed",
        "confirmed",
        "proposed",
        "proposed",
        "requested",
        "requested",
    ]
    assert made.filter(resident=login).count() == 2
    assert made.filter(resident__in=residents).count() == 4
    assert made.filter(resident=None, source="staff").count() == 1
    assert not Appointment.objects.filter(centre=centre).exists()

    again = load_demo_appointments(NOW)
    assert (again.setups, again.topics, again.appointments) == (0, 0, 0)
    assert Appointment.objects.count() == 7
