"""Small helpers for the tests of the booking rules (bookings/services.py): a clock the
services read, the people who book, and what the database and the SMS outbox hold."""

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from activities.models import Occurrence
from bookings.models import Booking, Dependant, Place
from bookings.services import BookingRefused
from portal import sms
from portal.models import Notification
from tests.activities.factories import ActivityFactory, open_centre, session
from tests.portal.factories import CentreStaffFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = dt.time

# Monday 23 November 2026, 10:00 in Quanzhou: no public holiday until New Year.
MONDAY = dt.date(2026, 11, 23)
TUESDAY = dt.date(2026, 11, 24)
WEDNESDAY = dt.date(2026, 11, 25)
THURSDAY = dt.date(2026, 11, 26)
FRIDAY = dt.date(2026, 11, 27)
NEXT_WEDNESDAY = dt.date(2026, 12, 2)
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def at(date: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(date, time, tzinfo=SHANGHAI)


class Clock:
    """What ``timezone.now()`` says while a test runs; moved by hand."""

    def __init__(self, moment: dt.datetime):
        self.now = moment

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, moment: dt.datetime) -> None:
        self.now = moment

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


def clock_at(monkeypatch, moment: dt.datetime = NOW) -> Clock:
    """Stop the clock at ``moment`` for the services, the scheduling included, so that
    what runs after a commit (offers) reads the same time as the test."""
    clock = Clock(moment)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@contextmanager
def rules_world(monkeypatch, settings, moment: dt.datetime = NOW):
    """What every rule test runs in: the clock stopped at ``moment``, messages in English,
    an empty SMS outbox, and an address for the booking page. Yields the clock."""
    try:
        reverse("bookings:detail", kwargs={"code": "ABCDEFGH"})
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.bookings.rule_urls"
    clock = clock_at(monkeypatch, moment)
    sms.outbox.clear()
    with translation.override("en"):
        yield clock
    sms.outbox.clear()


def resident(name: str = "王丽", **kwargs):
    return UserFactory(name=name, **kwargs)


def staff_of(centre):
    return CentreStaffFactory(centres=[centre])


def family_member(guardian, name: str, birth_date: dt.date, relation=Dependant.Relation.CHILD) -> Dependant:
    return Dependant.objects.create(guardian=guardian, name=name, birth_date=birth_date, relation=relation)


def centre_with_activity(**activity_fields):
    """An open centre (in a district of its own) and one activity there."""
    centre = open_centre()
    fields = {"title": "太极拳", "capacity": 20} | activity_fields
    return centre, ActivityFactory(centre=centre, **fields)


SEVEN_PM, HALF_PAST_EIGHT = T(19), T(20, 30)


def evening(activity, date: dt.date = WEDNESDAY, starts: dt.time = SEVEN_PM, ends: dt.time = HALF_PAST_EIGHT, **kwargs):
    """A session of ``activity`` at 19:00–20:30 (the centre's extended hours)."""
    return session(activity, date=date, starts=starts, ends=ends, **kwargs)


def snapshot() -> tuple[int, int, int, int]:
    """(bookings, places, held places, notifications): equal before and after a refusal."""
    return (
        Booking.objects.count(),
        Place.objects.count(),
        Place.objects.filter(is_held=True).count(),
        Notification.objects.count(),
    )


def held_at(occurrence: Occurrence) -> int:
    return Place.objects.filter(occurrence=occurrence, is_held=True).count()


def texts_to(user) -> list[str]:
    """The user's inbox, oldest first."""
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("text", flat=True))


def sms_to(phone: str) -> list[str]:
    return [message.message for message in sms.outbox if message.phone == phone]


def fresh(booking: Booking) -> Booking:
    return Booking.objects.get(pk=booking.pk)


@contextmanager
def refused(code: str, message: str):
    """The block is refused with this rule's ``code`` and ``message``, and nothing changed."""
    before = snapshot()
    with pytest.raises(BookingRefused) as caught:
        yield caught
    assert (caught.value.code, caught.value.messages) == (code, [message])
    assert snapshot() == before
