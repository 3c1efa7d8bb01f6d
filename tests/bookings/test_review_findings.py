"""Regression tests for the problems the final review of the bookings change found, one
section per problem; each failed before its fix."""

import csv
import io
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import translation
from openpyxl import load_workbook

from bookings.appointment_forms import AppointmentTopicForm
from bookings.models import Booking, Dependant, Place
from bookings.services import (
    booking_cancel,
    booking_create,
    bookings_cancel_for_sessions,
    offer_accept,
    offer_decline,
    offers_expire,
    walk_in_add,
)
from portal.models import Notification, User
from tests.bookings.rule_helpers import (
    NOW,
    WEDNESDAY,
    T,
    centre_with_activity,
    evening,
    family_member,
    fresh,
    refused,
    resident,
    rules_world,
    snapshot,
    staff_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(monkeypatch, settings):
    with rules_world(monkeypatch, settings) as clock:
        yield clock


# The inbox: "Mark all as read" with a digit that is not 0-9 ------------------------------


def test_mark_all_read_with_a_superscript_digit_is_no_server_error_and_marks_all(client):
    someone = resident("林晓", phone="13500000301")
    for text in ("一", "二"):
        Notification.objects.create(recipient=someone, text=text)
    client.force_login(someone)

    response = client.post("/en/messages/read/", {"up_to": "²"})

    assert response.status_code == 302
    assert response["Location"] == "/en/messages/"
    assert Notification.objects.filter(recipient=someone, read_at__isnull=True).count() == 0


# Removing a family member who was booked together with the guardian --------------------


def test_a_family_member_booked_with_the_guardian_at_a_past_session_is_refused_removal_with_a_reason(client, clock):
    mother = resident("王丽", phone="13500000302")
    child = family_member(mother, "小明", WEDNESDAY.replace(year=WEDNESDAY.year - 8))
    crafts = centre_with_activity(title="亲子手工", capacity=10)[1]
    occurrence = evening(crafts)
    booking_create(occurrence=occurrence, resident=mother, people=[None, child])
    clock.set(occurrence.ends_at + (occurrence.ends_at - occurrence.starts_at))
    before = snapshot(), list(Booking.objects.order_by("pk").values_list("pk", "dependant_id", "status"))
    client.force_login(mother)

    response = client.post(f"/en/bookings/family/{child.pk}/delete/")

    assert response.status_code == 200
    assert (
        "小明 cannot be removed: 小明 was booked together with you for “亲子手工” on Wed 25 Nov 2026 19:00, "
        "and the centre keeps that record."
    ) in response.content.decode()
    assert Dependant.objects.filter(pk=child.pk).exists()
    assert (snapshot(), list(Booking.objects.order_by("pk").values_list("pk", "dependant_id", "status"))) == before


def test_a_family_member_with_only_their_own_past_bookings_is_still_removed(client, clock):
    mother = resident("王丽", phone="13500000303")
    child = family_member(mother, "小明", WEDNESDAY.replace(year=WEDNESDAY.year - 8))
    crafts = centre_with_activity(title="少儿书法", capacity=10)[1]
    occurrence = evening(crafts)
    [booking] = booking_create(occurrence=occurrence, resident=mother, people=[child])
    clock.set(occurrence.ends_at + (occurrence.ends_at - occurrence.starts_at))
    client.force_login(mother)

    response = client.post(f"/en/bookings/family/{child.pk}/delete/")

    assert response.status_code == 302
    assert not Dependant.objects.filter(pk=child.pk).exists()
    assert (fresh(booking).person_name, fresh(booking).dependant_id, fresh(booking).resident_id) == (
        "小明",
        None,
        mother.pk,
    )


# A resident whose name is longer than a booking keeps ------------------------------------


def test_a_resident_with_a_long_name_books_under_the_first_30_characters():
    long_name = "阿卜杜热合曼·买买提明·艾则孜·吐尔逊·阿不都拉·艾合买提·热依木江"
    assert 30 < len(long_name) <= User._meta.get_field("name").max_length
    occurrence = evening(centre_with_activity(title="太极拳", capacity=5)[1])

    [booking] = booking_create(occurrence=occurrence, resident=resident(long_name, phone="13500000305"))

    assert fresh(booking).person_name == long_name[:30]


# Children without an account, added by staff ---------------------------------------------


@pytest.fixture
def after_school():
    centre, activity = centre_with_activity(title="四点半课堂", capacity=10, audience="children", min_age=6, max_age=12)
    return evening(activity, starts=T(16, 30), ends=T(18))


def test_staff_add_a_child_who_walks_in_at_a_childrens_activity(after_school):
    staff = staff_of(after_school.centre)

    booking = walk_in_add(occurrence=after_school, by=staff, person_name="小红")

    assert (booking.person_name, booking.resident_id, booking.status, booking.source) == (
        "小红",
        None,
        Booking.Status.CONFIRMED,
        Booking.Source.WALK_IN,
    )
    assert booking.places.get().checked_in_at == NOW


def test_a_walk_in_with_the_number_of_a_closed_account_is_kept_as_a_guest():
    _centre, activity = centre_with_activity(title="健康讲座", capacity=10)
    talk = evening(activity)
    closed = resident(phone="13500000777", is_active=False)

    booking = walk_in_add(occurrence=talk, by=staff_of(talk.centre), person_name="王伯", phone="13500000777")

    assert (booking.resident_id, booking.guest_phone, booking.person_name) == (None, "13500000777", "王伯")
    assert not Booking.objects.filter(resident=closed).exists()


def test_staff_book_a_child_without_an_account_by_name_at_a_childrens_activity(after_school):
    staff = staff_of(after_school.centre)

    [booking] = booking_create(occurrence=after_school, guest_name="小刚", source=Booking.Source.STAFF, booked_by=staff)

    assert (booking.person_name, booking.status) == ("小刚", Booking.Status.CONFIRMED)


def test_a_resident_still_books_a_childrens_activity_for_their_child_not_themselves(after_school):
    with refused("age", "This activity is for ages 6–12. Book it for your child instead."):
        booking_create(occurrence=after_school, resident=resident("王丽", phone="13500000304"))


# Roster files: a name is text, never a formula ---------------------------------------------


HOSTILE_NAMES = ['=HYPERLINK("http://e.x","x")', "+1+1", "-2+3", "@SUM(A1)"]


@pytest.fixture
def roster_with_hostile_names(client):
    centre, activity = centre_with_activity(title="太极拳", capacity=10)
    occurrence = evening(activity)
    staff = staff_of(centre)
    for index, name in enumerate(HOSTILE_NAMES):
        booking_create(occurrence=occurrence, resident=resident(name, phone=f"1350000031{index}"))
    client.force_login(staff)
    return f"/en/staff/centres/{centre.slug}/sessions/{occurrence.pk}/roster/"


def test_the_excel_roster_keeps_names_as_text(client, roster_with_hostile_names):
    response = client.get(roster_with_hostile_names + "roster.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [sheet.cell(row=row, column=1) for row in range(2, 2 + len(HOSTILE_NAMES))]
    assert [(cell.data_type, cell.value) for cell in cells] == [("s", name) for name in HOSTILE_NAMES]


def test_the_csv_roster_quotes_names_a_spreadsheet_would_run(client, roster_with_hostile_names):
    response = client.get(roster_with_hostile_names + "roster.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["'" + name for name in HOSTILE_NAMES]
    assert [row[2] for row in rows[1:]] == [f"135****031{index}" for index in range(len(HOSTILE_NAMES))]


# An offer declined in a tab opened before it was accepted ---------------------------------


def test_declining_an_offer_already_accepted_elsewhere_keeps_the_place(django_capture_on_commit_callbacks):
    occurrence = evening(centre_with_activity(title="太极拳", capacity=1)[1])
    [holder] = booking_create(occurrence=occurrence, resident=resident("甲", phone="13500000321"))
    [waiting] = booking_create(
        occurrence=occurrence, resident=resident("乙", phone="13500000322"), join_waiting_list=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=holder, by=holder.resident)
    stale = fresh(waiting)  # the page still shows the offer
    assert stale.status == Booking.Status.OFFERED
    offer_accept(booking=fresh(waiting))

    with refused("closed", "This offer is no longer open."):
        offer_decline(booking=stale)

    assert fresh(waiting).status == Booking.Status.CONFIRMED
    assert Place.objects.get(booking=waiting).is_held


# Lock order: the resident's row first, then their bookings ----------------------------------


def _run_against_a_resident_request(user, booking, background):
    """Run ``background()`` in one thread while another holds ``user``'s row (FOR UPDATE,
    the strongest lock a write may take on it; the rule is: the resident's row first) and
    then asks for ``booking``'s row. Returns what each side returned or raised. Before
    the fix the background job locked the booking first and then waited for the row (a
    message to the resident refers to it): PostgreSQL found a deadlock."""
    user_locked, results = threading.Event(), {}

    def resident_request():
        try:
            with transaction.atomic():
                list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
                user_locked.set()
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:  # until the other side waits for a lock
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else read once per transaction
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        )
                        if cursor.fetchone()[0]:
                            break
                    time.sleep(0.02)
                list(Booking.objects.select_for_update().filter(pk=booking.pk).values_list("pk", flat=True))
            results["resident"] = "done"
        except Exception as error:  # noqa: BLE001 (collected for the assertion)
            results["resident"] = error
        finally:
            connection.close()

    def job():
        try:
            user_locked.wait(10)
            results["job"] = background()
        except Exception as error:  # noqa: BLE001
            results["job"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=resident_request), threading.Thread(target=job)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_an_offer_lapsing_while_its_resident_answers_does_not_deadlock():
    occurrence = evening(centre_with_activity(title="太极拳", capacity=1)[1])
    [holder] = booking_create(occurrence=occurrence, resident=resident("甲", phone="13500000331"))
    answering = resident("乙", phone="13500000332")
    [offer] = booking_create(occurrence=occurrence, resident=answering, join_waiting_list=True)
    booking_cancel(booking=holder, by=holder.resident)  # the place is offered after the commit
    offer = fresh(offer)
    assert offer.status == Booking.Status.OFFERED

    results = _run_against_a_resident_request(answering, offer, lambda: offers_expire(now=offer.offer_expires_at))

    assert results == {"resident": "done", "job": 1}
    assert fresh(offer).status == Booking.Status.LAPSED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_a_session_cancelled_while_a_resident_changes_their_booking_does_not_deadlock():
    occurrence = evening(centre_with_activity(title="太极拳", capacity=5)[1])
    holder = resident("甲", phone="13500000341")
    [booking] = booking_create(occurrence=occurrence, resident=holder)

    results = _run_against_a_resident_request(
        holder, booking, lambda: bookings_cancel_for_sessions(occurrence_ids=[occurrence.pk], reason="停电")
    )

    assert results == {"resident": "done", "job": 1}
    assert (fresh(booking).status, fresh(booking).cancelled_by_centre) == (Booking.Status.CANCELLED, True)


# Words staff read -------------------------------------------------------------------------


def test_the_appointment_service_form_names_its_order_field_in_words():
    with translation.override("en"):
        assert AppointmentTopicForm().fields["position"].label == "Order in the list"
