"""The appointment capacity guarantee under real concurrency: many threads, each on its
own PostgreSQL connection, ask for the same slot at the same moment.

``appointment_request`` takes the row lock of the centre's set-up, counts and inserts in
one transaction, so a slot with three places gets exactly three appointments however many
ask; and a form sent twice at once (same request key) makes one appointment. The control
takes the lock away and holds every writer between its count and its insert: then the
slot is overbooked, which shows the race is real and the lock is what stops it. A writer
that cannot get the lock in time gets the friendly "busy" message."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import translation
from django.utils.translation import gettext

from bookings import appointments as services
from bookings.models import Appointment, AppointmentSetup
from centres.models import Day, ServiceKind
from centres.services import centre_hours_replace
from tests.centres.factories import CentreFactory
from tests.concurrency import run_together
from tests.portal.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.usefixtures("english"),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2027, 3, 8, 10, 0, tzinfo=SHANGHAI)  # a Monday
SLOT = dt.datetime(2027, 3, 9, 19, 0, tzinfo=SHANGHAI)  # Tuesday evening, by appointment
THREADS = 40
PLACES = 3


@pytest.fixture
def centre():
    centre = CentreFactory(slug="concurrency")
    centre_hours_replace(
        centre=centre,
        periods=[
            {"day": day, "kind": ServiceKind.APPOINTMENT, "opens": dt.time(19), "closes": dt.time(21)}
            for day in range(Day.MONDAY, Day.SATURDAY)
        ],
    )
    services.appointment_setup_save(
        centre=centre, is_published=True, slot_minutes=30, places_per_slot=PLACES, days_ahead=14, notice_hours=2
    )
    return centre


@pytest.fixture
def topic(centre):
    return services.appointment_topic_save(centre=centre, name="法律咨询")


def request_for(centre, topic, resident, key=""):
    return lambda: services.appointment_request(
        centre=centre, resident=resident, topic=topic, starts_at=SLOT, need="咨询劳动合同", request_key=key, now=NOW
    )


def holding_at_slot(centre) -> int:
    return Appointment.objects.filter(centre=centre, starts_at=SLOT, status__in=("requested", "confirmed")).count()


def test_many_residents_at_once_fill_the_slot_exactly(centre, topic):
    residents = [UserFactory() for _ in range(THREADS)]

    results = run_together([request_for(centre, topic, resident) for resident in residents])

    made = [result for result in results if isinstance(result, Appointment)]
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(made) == PLACES
    assert len(refused) == THREADS - PLACES
    with translation.override(settings.LANGUAGE_CODE):  # the threads answer in the portal's language
        full = gettext("This time is fully booked. Please choose another time.")
    assert {tuple(error.messages) for error in refused} == {(full,)}
    assert holding_at_slot(centre) == PLACES
    assert len({appointment.code for appointment in made}) == PLACES


def test_a_form_sent_twice_at_once_makes_one_appointment(centre, topic):
    resident = UserFactory()

    results = run_together([request_for(centre, topic, resident, key="8d9f-same-form")] * 2)

    assert all(isinstance(result, Appointment) for result in results), results
    assert results[0].pk == results[1].pk
    assert Appointment.objects.filter(resident=resident).count() == 1


def test_control_without_the_lock_the_slot_is_overbooked(centre, topic, monkeypatch):
    """Take the lock away and hold each writer between counting and inserting until all
    have counted: every one of them sees a free place."""
    writers = 6
    counted = threading.Barrier(writers)
    count = services._holding_at

    def unlocked_setup(centre):
        return AppointmentSetup.objects.get(centre=centre)

    def count_then_wait(*args, **kwargs):
        held = count(*args, **kwargs)
        counted.wait(timeout=20)
        return held

    monkeypatch.setattr(services, "_lock_setup", unlocked_setup)
    monkeypatch.setattr(services, "_holding_at", count_then_wait)

    results = run_together([request_for(centre, topic, UserFactory()) for _ in range(writers)])

    assert all(isinstance(result, Appointment) for result in results), results
    assert holding_at_slot(centre) == writers > PLACES


def test_a_writer_that_cannot_get_the_lock_in_time_is_told_to_try_again(centre, topic, monkeypatch):
    monkeypatch.setattr(services, "LOCK_TIMEOUT", "200ms")
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                AppointmentSetup.objects.select_for_update().get(centre=centre)
                locked.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with pytest.raises(ValidationError) as refused:
            request_for(centre, topic, UserFactory())()
    finally:
        release.set()
        holder.join(timeout=20)
    assert refused.value.messages == ["The centre is busy; please try again in a moment."]
    assert Appointment.objects.count() == 0
