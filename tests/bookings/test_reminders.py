"""Reminders (bookings/reminders.py): rows written with the booking for each of the
centre's lead times still ahead, sent once when due by the beat's sweep, never for a
cancelled booking or session, moved with the session, planned for confirmed appointments,
one per session of a course; at most once per booking, session and lead time even when
the sweep runs twice or on many threads at once; and a booking cancelled while the sweep
holds its reminder waits for it (real threads on PostgreSQL, one connection each)."""

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from activities import services as scheduling
from bookings import appointments
from bookings.models import Appointment, Booking, Reminder
from bookings.reminders import reminders_plan, reminders_send_due
from bookings.services import booking_cancel, booking_create, bookings_cancel_for_sessions, offer_accept
from bookings.tasks import send_due_reminders
from centres.models import ServiceKind
from centres.services import centre_hours_replace
from portal import sms
from portal.models import Notification
from tests.activities.factories import room_of
from tests.bookings.rule_helpers import (
    NOW,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    T,
    at,
    centre_with_activity,
    evening,
    fresh,
    resident,
    rules_world,
    sms_to,
    staff_of,
)
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db

# The session is on Wednesday 25 November at 19:00: reminded on Tuesday at 19:00 (24 h)
# and on Wednesday at 17:00 (2 h).
DAY_BEFORE, TWO_HOURS_BEFORE = at(TUESDAY, T(19)), at(WEDNESDAY, T(17))


@pytest.fixture(autouse=True)
def clock(monkeypatch, settings):
    with rules_world(monkeypatch, settings) as clock:
        yield clock


@pytest.fixture
def sms_outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def taichi():
    return centre_with_activity(title="太极拳", booking_closes_minutes=30)[1]


@pytest.fixture
def session(taichi):
    return evening(taichi)


@pytest.fixture
def wang():
    return resident("王丽", phone="13500000041")


def plan_of(booking) -> list[tuple]:
    """(session, hours before, due at, status) of the booking's reminders, session by
    session, the longest lead time first."""
    return list(
        Reminder.objects.filter(booking=booking)
        .order_by("occurrence__starts_at", "-hours_before")
        .values_list("occurrence_id", "hours_before", "due_at", "status")
    )


def reminders_sent_to(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=Notification.Kind.REMINDER)
        .order_by("pk")
        .values_list("text", flat=True)
    )


REMINDER = (
    "Reminder: “%(activity)s” at %(centre)s on %(when)s, for %(name)s. Pass code %(code)s. "
    "If you cannot come, please cancel so that someone else can have the place."
)


def reminder_text(booking, when="Wed 25 Nov 2026 19:00", language="en"):
    """The reminder as its recipient reads it (the catalogue's words, once translated)."""
    with translation.override(language):
        return gettext(REMINDER) % {
            "activity": booking.activity.title,
            "centre": booking.centre.name,
            "when": when,
            "name": booking.person_name,
            "code": booking.code_display,
        }


def reminder_sms(outbox) -> list[sms.SmsMessage]:
    """The text messages that are reminders (the booking confirmations left aside)."""
    return [m for m in outbox if m.key in set(keys_of_reminders())]


def keys_of_reminders() -> list[str]:
    ids = Notification.objects.filter(kind=Notification.Kind.REMINDER).values_list("pk", flat=True)
    return [f"notification-{pk}" for pk in ids]


def sweep_at(clock, moment):
    clock.set(moment)
    return reminders_send_due()


# --- Planned with the booking ------------------------------------------------------------------


def test_a_booking_writes_one_reminder_per_lead_time(session, wang):
    [booking] = booking_create(occurrence=session, resident=wang)

    assert plan_of(booking) == [
        (session.pk, 24, DAY_BEFORE, "pending"),
        (session.pk, 2, TWO_HOURS_BEFORE, "pending"),
    ]


def test_the_centres_own_lead_times_are_used(session, wang):
    session.centre.reminder_hours = "48，3, 1"
    session.centre.save()

    [booking] = booking_create(occurrence=session, resident=wang)

    assert [(hours, due) for _o, hours, due, _s in plan_of(booking)] == [
        (48, at(dt.date(2026, 11, 23), T(19))),
        (3, at(WEDNESDAY, T(16))),
        (1, at(WEDNESDAY, T(18))),
    ]


def test_a_reminder_already_due_is_not_written(session, wang, clock):
    clock.set(at(TUESDAY, T(20)))  # 23 hours before

    [booking] = booking_create(occurrence=session, resident=wang)

    assert plan_of(booking) == [(session.pk, 2, TWO_HOURS_BEFORE, "pending")]


def test_booked_an_hour_before_the_session_gets_no_reminder(session, wang, clock, sms_outbox):
    clock.set(at(WEDNESDAY, T(18)))

    [booking] = booking_create(occurrence=session, resident=wang)
    clock.set(at(WEDNESDAY, T(18, 30)))
    handled = reminders_send_due()

    assert plan_of(booking) == []
    assert handled == 0
    assert reminders_sent_to(wang) == []


def test_booked_three_hours_before_gets_the_two_hour_reminder_only(session, wang, clock):
    clock.set(at(WEDNESDAY, T(16)))

    [booking] = booking_create(occurrence=session, resident=wang)
    assert sweep_at(clock, TWO_HOURS_BEFORE) == 1

    assert plan_of(booking) == [(session.pk, 2, TWO_HOURS_BEFORE, "sent")]
    assert reminders_sent_to(wang) == [reminder_text(booking)]


def test_a_waiting_list_entry_gets_no_reminder(session, wang):
    session.activity.capacity = 0
    session.activity.save()

    [booking] = booking_create(occurrence=session, resident=wang, join_waiting_list=True)

    assert booking.status == Booking.Status.WAITING
    assert plan_of(booking) == []


def test_an_accepted_offer_gets_the_reminders_still_ahead(session, wang, clock, django_capture_on_commit_callbacks):
    session.activity.capacity = 1
    session.activity.save()
    [first] = booking_create(occurrence=session, resident=resident("李娜", phone="13500000042"))
    [waiting] = booking_create(occurrence=session, resident=wang, join_waiting_list=True)
    clock.set(at(TUESDAY, T(20)))
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=first, by=first.resident)
    waiting = fresh(waiting)
    assert waiting.status == Booking.Status.OFFERED

    offer_accept(booking=waiting)

    assert plan_of(waiting) == [(session.pk, 2, TWO_HOURS_BEFORE, "pending")]


def test_planning_twice_writes_nothing_more(session, wang):
    [booking] = booking_create(occurrence=session, resident=wang)

    reminders_plan(booking=booking, now=NOW)

    assert Reminder.objects.count() == 2


def test_a_course_gets_reminders_for_each_session(taichi, wang, clock):
    course = scheduling.series_create(
        activity=taichi,
        rule="FREQ=WEEKLY;BYDAY=WE",
        first_date=WEDNESDAY,
        starts=T(19),
        ends=T(20, 30),
        room=room_of(taichi.centre),
        count=3,
        is_course=True,
    )
    [booking] = booking_create(course=course, resident=wang)
    sessions = list(course.occurrences.order_by("starts_at"))

    assert [(o, h) for o, h, _due, _s in plan_of(booking)] == [
        (sessions[0].pk, 24),
        (sessions[0].pk, 2),
        (sessions[1].pk, 24),
        (sessions[1].pk, 2),
        (sessions[2].pk, 24),
        (sessions[2].pk, 2),
    ]
    for day in (WEDNESDAY, dt.date(2026, 12, 2), dt.date(2026, 12, 9)):
        assert sweep_at(clock, at(day, T(17))) == 2

    assert reminders_sent_to(wang) == [
        reminder_text(booking, when=when)
        for when in ["Wed 25 Nov 2026 19:00", "Wed 2 Dec 2026 19:00", "Wed 9 Dec 2026 19:00"]
        for _lead_time in (24, 2)
    ]


# --- Sent when due, once -----------------------------------------------------------------------


def test_due_reminders_go_to_the_inbox_and_by_text_once(session, wang, clock, sms_outbox):
    [booking] = booking_create(occurrence=session, resident=wang)
    sms_outbox.clear()

    assert sweep_at(clock, DAY_BEFORE - dt.timedelta(seconds=1)) == 0
    assert sweep_at(clock, DAY_BEFORE) == 1
    assert sweep_at(clock, DAY_BEFORE + dt.timedelta(minutes=1)) == 0
    assert sweep_at(clock, TWO_HOURS_BEFORE) == 1

    text = reminder_text(booking)
    assert reminders_sent_to(wang) == [text, text]
    assert [m.message for m in reminder_sms(sms_outbox)] == [text, text]
    reminder_24, reminder_2 = Reminder.objects.order_by("due_at")
    assert list(Notification.objects.filter(kind="reminder").order_by("pk").values_list("dedupe_key", "url")) == [
        (f"reminder-{reminder_24.pk}-{int(DAY_BEFORE.timestamp())}", booking.get_absolute_url()),
        (f"reminder-{reminder_2.pk}-{int(TWO_HOURS_BEFORE.timestamp())}", booking.get_absolute_url()),
    ]
    assert (reminder_24.status, reminder_24.handled_at) == ("sent", DAY_BEFORE)


def test_the_task_sends_the_due_reminders(session, wang, clock, sms_outbox):
    booking_create(occurrence=session, resident=wang)
    clock.set(DAY_BEFORE)

    assert send_due_reminders.delay().get() == 1
    assert send_due_reminders.delay().get() == 0
    assert len(sms_to("13500000041")) == 2  # booked, reminded


def test_a_reminder_reaches_a_chinese_resident_in_chinese(session, clock):
    chinese = resident("林晓梅", phone="13500000043", language="zh-hans")
    [booking] = booking_create(occurrence=session, resident=chinese)

    sweep_at(clock, DAY_BEFORE)

    [text] = reminders_sent_to(chinese)
    assert text == reminder_text(booking, when="2026年11月25日 周三 19:00", language="zh-hans")


def test_a_guest_staff_booked_is_reminded_by_text(session, clock, sms_outbox):
    staff = staff_of(session.centre)
    [booking] = booking_create(
        occurrence=session, guest_name="王阿姨", guest_phone="13500000088", source="staff", booked_by=staff
    )

    sweep_at(clock, DAY_BEFORE)

    # Someone without an account is written to in the portal's language, Chinese.
    assert sms_to("13500000088")[-1] == reminder_text(booking, when="2026年11月25日 周三 19:00", language="zh-hans")
    assert Notification.objects.get(kind="reminder").recipient is None


def test_a_guest_without_a_phone_is_skipped(session, clock):
    staff = staff_of(session.centre)
    [booking] = booking_create(occurrence=session, guest_name="王阿姨", source="staff", booked_by=staff)

    assert sweep_at(clock, DAY_BEFORE) == 1

    assert plan_of(booking)[0][3] == "skipped"
    assert Notification.objects.filter(kind="reminder").count() == 0


def test_a_resident_who_turned_texts_off_gets_the_inbox_reminder_only(session, clock, sms_outbox):
    quiet = resident("赵敏", phone="13500000044", notify_by_sms=False)
    booking_create(occurrence=session, resident=quiet)

    sweep_at(clock, DAY_BEFORE)

    assert len(reminders_sent_to(quiet)) == 1
    assert sms_to("13500000044") == []


# --- Skipped ---------------------------------------------------------------------------------


def test_a_cancelled_bookings_reminders_are_skipped(session, wang, clock, sms_outbox):
    [booking] = booking_create(occurrence=session, resident=wang)
    clock.set(at(TUESDAY, T(12)))
    booking_cancel(booking=booking, by=wang)

    assert sweep_at(clock, TWO_HOURS_BEFORE) == 2

    assert [status for *_x, status in plan_of(booking)] == ["skipped", "skipped"]
    assert reminders_sent_to(wang) == []


def test_a_cancelled_sessions_reminders_are_skipped(session, wang, clock, django_capture_on_commit_callbacks):
    [booking] = booking_create(occurrence=session, resident=wang)
    clock.set(at(TUESDAY, T(12)))

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_cancel(occurrence=session, reason="停电")
    assert sweep_at(clock, TWO_HOURS_BEFORE) == 2

    assert fresh(booking).status == Booking.Status.CANCELLED
    assert [status for *_x, status in plan_of(booking)] == ["skipped", "skipped"]
    assert reminders_sent_to(wang) == []


def test_a_course_keeps_the_reminders_of_its_other_sessions_when_one_is_cancelled(
    taichi, wang, clock, django_capture_on_commit_callbacks
):
    course = scheduling.series_create(
        activity=taichi,
        rule="FREQ=WEEKLY;BYDAY=WE",
        first_date=WEDNESDAY,
        starts=T(19),
        ends=T(20, 30),
        room=room_of(taichi.centre),
        count=2,
        is_course=True,
    )
    [booking] = booking_create(course=course, resident=wang)
    first, second = course.occurrences.order_by("starts_at")

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_cancel(occurrence=first, reason="停电")
    sweep_at(clock, at(dt.date(2026, 12, 2), T(17)))

    assert fresh(booking).status == Booking.Status.CONFIRMED
    assert [(o, h, status) for o, h, _due, status in plan_of(booking)] == [
        (first.pk, 24, "skipped"),
        (first.pk, 2, "skipped"),
        (second.pk, 24, "sent"),
        (second.pk, 2, "sent"),
    ]
    assert reminders_sent_to(wang) == [reminder_text(booking, when="Wed 2 Dec 2026 19:00")] * 2


def test_a_reminder_found_late_after_the_session_began_is_skipped(session, wang, clock):
    booking_create(occurrence=session, resident=wang)

    # The beat was down from Tuesday morning until the session had begun.
    assert sweep_at(clock, at(WEDNESDAY, T(19, 5))) == 2

    assert list(Reminder.objects.values_list("status", flat=True)) == ["skipped", "skipped"]
    assert reminders_sent_to(wang) == []


def test_a_reminder_due_before_the_booking_was_confirmed_is_skipped(session, wang, clock):
    [booking] = booking_create(occurrence=session, resident=wang)
    # A row planned for a time before the booking was confirmed (written by hand here:
    # the services never write one) is not sent.
    Booking.objects.filter(pk=booking.pk).update(confirmed_at=at(TUESDAY, T(20)))

    sweep_at(clock, TWO_HOURS_BEFORE)

    assert [(h, status) for _o, h, _d, status in plan_of(booking)] == [(24, "skipped"), (2, "sent")]


# --- Moved sessions --------------------------------------------------------------------------


def test_a_moved_session_moves_its_reminders(session, wang, clock, django_capture_on_commit_callbacks):
    [booking] = booking_create(occurrence=session, resident=wang)

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_reschedule(
            occurrence=session, date=THURSDAY, starts=T(18), ends=T(19, 30), room=room_of(session.centre)
        )

    assert plan_of(booking) == [
        (session.pk, 24, at(WEDNESDAY, T(18)), "pending"),
        (session.pk, 2, at(THURSDAY, T(16)), "pending"),
    ]
    assert sweep_at(clock, at(TUESDAY, T(19))) == 0
    assert sweep_at(clock, at(WEDNESDAY, T(18))) == 1
    assert reminders_sent_to(wang) == [reminder_text(booking, when="Thu 26 Nov 2026 18:00")]


def test_a_session_moved_closer_drops_the_reminder_now_past(session, wang, clock, django_capture_on_commit_callbacks):
    [booking] = booking_create(occurrence=session, resident=wang)
    clock.set(at(TUESDAY, T(10)))

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_reschedule(
            occurrence=session, date=TUESDAY, starts=T(19), ends=T(20, 30), room=room_of(session.centre)
        )

    assert plan_of(booking) == [
        (session.pk, 24, DAY_BEFORE, "skipped"),
        (session.pk, 2, at(TUESDAY, T(17)), "pending"),
    ]


# --- Appointments ------------------------------------------------------------------------------


@pytest.fixture
def topic(taichi):
    centre = taichi.centre
    periods = [
        {"day": day, "kind": kind, "opens": opens, "closes": closes}
        for day in range(5)
        for kind, opens, closes in (
            (ServiceKind.REGULAR, T(8, 30), T(17, 30)),
            (ServiceKind.APPOINTMENT, T(19), T(20, 30)),
        )
    ]
    centre_hours_replace(centre=centre, periods=periods)
    appointments.appointment_setup_save(
        centre=centre, is_published=True, slot_minutes=40, places_per_slot=2, days_ahead=4, notice_hours=2
    )
    return appointments.appointment_topic_save(centre=centre, name="证明开具", service_function="affairs")


def appointment_plan(appointment) -> list[tuple]:
    return list(
        Reminder.objects.filter(appointment=appointment)
        .order_by("hours_before")
        .values_list("hours_before", "due_at", "status")
    )


def appointment_text(appointment, when="Wed 25 Nov 2026 19:00–19:40"):
    return (
        f"Reminder: your appointment at {appointment.centre.name} on {when} (证明开具). "
        f"Pass code {appointment.code_display}."
    )


def test_a_request_gets_reminders_once_confirmed(topic, wang, clock):
    asked = appointments.appointment_request(
        centre=topic.centre, resident=wang, topic=topic, starts_at=at(WEDNESDAY, T(19)), need="居住证明"
    )
    assert appointment_plan(asked) == []

    confirmed = appointments.appointment_confirm(appointment=asked, by=staff_of(topic.centre))

    assert appointment_plan(confirmed) == [(2, TWO_HOURS_BEFORE, "pending"), (24, DAY_BEFORE, "pending")]
    assert sweep_at(clock, DAY_BEFORE) == 1
    assert reminders_sent_to(wang) == [appointment_text(confirmed)]


def test_an_appointment_staff_book_is_confirmed_with_its_reminders(topic, wang):
    booked = appointments.appointment_request(
        centre=topic.centre,
        resident=wang,
        topic=topic,
        starts_at=at(WEDNESDAY, T(19)),
        need="居住证明",
        source="staff",
        booked_by=staff_of(topic.centre),
    )

    assert booked.status == Appointment.Status.CONFIRMED
    assert appointment_plan(booked) == [(2, TWO_HOURS_BEFORE, "pending"), (24, DAY_BEFORE, "pending")]


def test_a_proposed_time_replans_the_reminders_once_accepted(topic, wang, clock):
    staff = staff_of(topic.centre)
    asked = appointments.appointment_request(
        centre=topic.centre, resident=wang, topic=topic, starts_at=at(WEDNESDAY, T(19)), need="居住证明"
    )
    appointments.appointment_confirm(appointment=asked, by=staff)
    proposed = appointments.appointment_propose(appointment=asked, by=staff, starts_at=at(THURSDAY, T(19)), note="")

    # While the resident has not answered, no reminder goes out: the proposal dropped them.
    assert sweep_at(clock, DAY_BEFORE) == 0
    assert appointment_plan(proposed)[1] == (24, DAY_BEFORE, "skipped")
    accepted = appointments.appointment_accept_proposal(appointment=proposed)

    assert appointment_plan(accepted) == [
        (2, at(THURSDAY, T(17)), "pending"),
        (24, at(WEDNESDAY, T(19)), "pending"),
    ]
    assert sweep_at(clock, at(THURSDAY, T(17))) == 2
    assert reminders_sent_to(wang) == [appointment_text(accepted, when="Thu 26 Nov 2026 19:00–19:40")] * 2


def test_an_appointment_moved_after_its_first_reminder_is_reminded_of_the_new_time(topic, wang, clock):
    staff = staff_of(topic.centre)
    asked = appointments.appointment_request(
        centre=topic.centre, resident=wang, topic=topic, starts_at=at(WEDNESDAY, T(19)), need="居住证明"
    )
    appointments.appointment_confirm(appointment=asked, by=staff)
    assert sweep_at(clock, DAY_BEFORE) == 1  # the 24-hour reminder of Wednesday went

    clock.set(at(TUESDAY, T(20)))
    proposed = appointments.appointment_propose(appointment=asked, by=staff, starts_at=at(THURSDAY, T(19)), note="")
    accepted = appointments.appointment_accept_proposal(appointment=proposed)
    assert sweep_at(clock, at(WEDNESDAY, T(19))) == 1

    assert reminders_sent_to(wang) == [
        appointment_text(accepted),
        appointment_text(accepted, when="Thu 26 Nov 2026 19:00–19:40"),
    ]


def test_a_cancelled_appointments_reminders_are_skipped(topic, wang, clock):
    asked = appointments.appointment_request(
        centre=topic.centre, resident=wang, topic=topic, starts_at=at(WEDNESDAY, T(19)), need="居住证明"
    )
    confirmed = appointments.appointment_confirm(appointment=asked, by=staff_of(topic.centre))
    appointments.appointment_cancel(appointment=confirmed, by=wang)

    # Dropped by the cancellation itself: the sweep finds nothing.
    assert sweep_at(clock, TWO_HOURS_BEFORE) == 0

    assert [status for _h, _d, status in appointment_plan(confirmed)] == ["skipped", "skipped"]
    assert reminders_sent_to(wang) == []


# --- At most once, under concurrency --------------------------------------------------------------


def test_the_sweep_run_twice_sends_each_reminder_once(session, clock, sms_outbox):
    people = [resident(f"居民{n}", phone=f"135000010{n:02d}") for n in range(10)]
    for person in people:
        booking_create(occurrence=session, resident=person)
    sms_outbox.clear()
    clock.set(TWO_HOURS_BEFORE)

    assert reminders_send_due() == 20
    assert reminders_send_due() == 0

    assert Notification.objects.filter(kind="reminder").count() == 20
    keys = Counter(m.key for m in reminder_sms(sms_outbox))
    assert len(keys) == 20 and set(keys.values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_many_sweeps_at_once_send_each_reminder_exactly_once(session, clock, sms_outbox):
    session.activity.capacity = 60
    session.activity.save()
    people = [resident(f"居民{n}", phone=f"135000020{n:02d}") for n in range(60)]
    for person in people:
        booking_create(occurrence=session, resident=person)
    sms_outbox.clear()
    clock.set(TWO_HOURS_BEFORE)

    handled = run_together([lambda: reminders_send_due(batch=7) for _ in range(8)])

    assert not [h for h in handled if isinstance(h, Exception)], handled
    assert sum(handled) == 120
    assert Reminder.objects.filter(status="sent").count() == 120
    per_reminder = Counter(Notification.objects.filter(kind="reminder").values_list("dedupe_key", flat=True))
    assert len(per_reminder) == 120 and set(per_reminder.values()) == {1}
    keys = Counter(m.key for m in reminder_sms(sms_outbox))
    assert len(keys) == 120 and set(keys.values()) == {1}
    assert Notification.objects.filter(kind="reminder").exclude(delivery="sent").count() == 0


# --- A booking cancelled while the sweep holds its reminder --------------------------------------


class PauseAt:
    """Installed on one thread's connection: the first statement containing ``fragment``
    waits (its transaction open, its locks held) until ``release`` is set."""

    def __init__(self, fragment: str):
        self.fragment = fragment
        self.reached = threading.Event()
        self.release = threading.Event()

    def __call__(self, execute, sql, params, many, context):
        if self.fragment in sql and not self.reached.is_set():
            self.reached.set()
            self.release.wait(timeout=20)
        return execute(sql, params, many, context)


def in_thread(function, pause: PauseAt | None = None):
    """Run ``function`` on a thread of its own connection; returns (thread, result)."""
    result = {}

    def run():
        started = time.monotonic()
        try:
            if pause is None:
                result["value"] = function()
            else:
                with connection.execute_wrapper(pause):
                    result["value"] = function()
        except Exception as error:  # noqa: BLE001 (asserted by the test)
            result["value"] = error
        finally:
            result["seconds"] = time.monotonic() - started
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def wait_for_a_lock_wait(timeout: float = 10) -> None:
    """Until another connection waits for a row lock (asked of PostgreSQL itself)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("no connection came to wait for a lock")


@pytest.mark.django_db(transaction=True)
def test_a_cancel_while_the_sweep_holds_the_reminder_waits_and_the_reminder_was_sent(session, wang, clock):
    [booking] = booking_create(occurrence=session, resident=wang)
    clock.set(DAY_BEFORE)
    # The sweep has claimed the reminder and locked the booking; it stops just before
    # writing the message, its transaction open.
    pause = PauseAt('INSERT INTO "portal_notification"')
    sweep, swept = in_thread(reminders_send_due, pause)
    assert pause.reached.wait(10)

    cancel, cancelled = in_thread(lambda: booking_cancel(booking=booking, by=wang))
    wait_for_a_lock_wait()
    time.sleep(0.3)
    assert cancel.is_alive()  # the cancel waits for the sweep's transaction
    pause.release.set()
    sweep.join(10)
    cancel.join(10)

    assert swept["value"] == 1
    assert isinstance(cancelled["value"], Booking), cancelled["value"]
    assert cancelled["seconds"] >= 0.3
    assert fresh(booking).status == Booking.Status.CANCELLED
    reminder = Reminder.objects.get(hours_before=24)
    message = Notification.objects.get(kind="reminder")
    assert (reminder.status, message.dedupe_key) == ("sent", f"reminder-{reminder.pk}-{int(DAY_BEFORE.timestamp())}")
    # Sent before the cancel committed; the 2-hour reminder is skipped.
    assert sweep_at(clock, TWO_HOURS_BEFORE) == 1
    assert Reminder.objects.get(hours_before=2).status == "skipped"
    assert Notification.objects.filter(kind="reminder").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_sweep_during_a_cancel_waits_for_it_and_skips_the_reminder(session, wang, clock, sms_outbox):
    [booking] = booking_create(occurrence=session, resident=wang)
    sms_outbox.clear()
    clock.set(DAY_BEFORE)
    # The cancel holds the booking's lock and stops before writing the new status.
    pause = PauseAt('UPDATE "bookings_booking" SET')
    cancel, cancelled = in_thread(lambda: booking_cancel(booking=booking, by=wang), pause)
    assert pause.reached.wait(10)

    sweep, swept = in_thread(reminders_send_due)
    wait_for_a_lock_wait()
    time.sleep(0.3)
    assert sweep.is_alive()  # the sweep waits for the cancel's transaction
    pause.release.set()
    cancel.join(10)
    sweep.join(10)

    assert isinstance(cancelled["value"], Booking), cancelled["value"]
    assert swept["value"] == 1
    assert fresh(booking).status == Booking.Status.CANCELLED
    assert Reminder.objects.get(hours_before=24).status == "skipped"
    assert Notification.objects.filter(kind="reminder").count() == 0
    assert sms_outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_session_cancelled_while_the_sweep_holds_its_reminders_does_not_wait_for_it(session, wang, clock, sms_outbox):
    """The sweep locks reminders, then their bookings; cancelling the session locks the
    bookings and must not then lock the reminders (it deadlocked with the sweep before)."""
    [booking] = booking_create(occurrence=session, resident=wang)
    clock.set(DAY_BEFORE)
    # The sweep has claimed the reminders and is about to lock their bookings.
    pause = PauseAt('FROM "bookings_booking"')
    sweep, swept = in_thread(reminders_send_due, pause)
    assert pause.reached.wait(10)

    cancel, cancelled = in_thread(lambda: bookings_cancel_for_sessions(occurrence_ids=[session.pk], reason="停电"))
    cancel.join(10)
    assert not cancel.is_alive()
    pause.release.set()
    sweep.join(10)

    assert (cancelled["value"], swept["value"]) == (1, 1)
    assert fresh(booking).status == Booking.Status.CANCELLED
    assert list(Reminder.objects.order_by("-hours_before").values_list("status", flat=True)) == [
        "skipped",
        "pending",
    ]
    assert Notification.objects.filter(kind="reminder").count() == 0


def test_a_session_moved_later_after_its_first_reminder_is_reminded_again_for_the_new_time(
    session, wang, clock, django_capture_on_commit_callbacks
):
    [booking] = booking_create(occurrence=session, resident=wang)
    assert sweep_at(clock, DAY_BEFORE) == 1  # the 24-hour reminder of Wednesday 19:00 went
    clock.set(at(TUESDAY, T(20)))

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_reschedule(
            occurrence=session, date=THURSDAY, starts=T(18), ends=T(19, 30), room=room_of(session.centre)
        )

    assert plan_of(booking) == [
        (session.pk, 24, at(WEDNESDAY, T(18)), "pending"),
        (session.pk, 2, at(THURSDAY, T(16)), "pending"),
    ]
    assert sweep_at(clock, at(WEDNESDAY, T(18))) == 1
    assert reminders_sent_to(wang) == [
        reminder_text(booking),
        reminder_text(booking, when="Thu 26 Nov 2026 18:00"),
    ]


def test_a_booking_made_late_and_moved_a_week_on_gets_the_reminder_it_lacked(
    session, wang, clock, django_capture_on_commit_callbacks
):
    clock.set(at(WEDNESDAY, T(16)))  # three hours before: only the 2-hour reminder is written
    [booking] = booking_create(occurrence=session, resident=wang, now=at(WEDNESDAY, T(16)))
    assert [h for _s, h, _d, _st in plan_of(booking)] == [2]

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.occurrences_reschedule(
            occurrence=session,
            date=WEDNESDAY + dt.timedelta(days=7),
            starts=T(19),
            ends=T(20, 30),
            room=room_of(session.centre),
        )

    assert plan_of(booking) == [
        (session.pk, 24, at(WEDNESDAY + dt.timedelta(days=6), T(19)), "pending"),
        (session.pk, 2, at(WEDNESDAY + dt.timedelta(days=7), T(17)), "pending"),
    ]
