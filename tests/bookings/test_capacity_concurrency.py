"""The capacity guarantee under real concurrency, on PostgreSQL: many threads, each on its
own database connection, book at the same moment.

``booking_create`` locks the resident's row and then the sessions' rows, counts the held
places only once it holds the locks, and inserts in the same transaction, so a session
never holds more places than its activity has. The control books with a naive
check-then-act function defined here (count, then insert, no lock): under the same race
it takes more places than there are, so the race is real and the lock is what stops it.
"""

import datetime as dt
import http.client
import threading
import time
import uuid
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.html import escape
from django.utils.translation import gettext

from activities import services as scheduling
from activities.models import Occurrence
from bookings import services as bookings_services
from bookings.models import Booking, Place
from bookings.services import BookingRefused, booking_cancel, booking_create, held_places, offer_accept
from portal.models import User
from tests.activities.factories import ActivityFactory, open_centre, session

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 16 November 2026; the sessions are that Wednesday evening, booking is open.
NOW = dt.datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)
WEDNESDAY = dt.date(2026, 11, 18)
# Threads at once, each with its own connection (PostgreSQL allows 100 in all here).
WORKERS = 40


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def centre():
    return open_centre(name="东海街道党群服务中心")


def residents(count: int, prefix: str = "1380") -> list[User]:
    return User.objects.bulk_create(
        User(phone=f"{prefix}{n:07d}", name=f"居民{n}", role=User.Role.RESIDENT) for n in range(count)
    )


def run_in_threads(functions, workers: int = WORKERS):
    """Run the functions on ``workers`` threads, each with its own connection, released
    together by one barrier; each thread runs its share one after another. Returns what
    each function returned or raised, in order."""
    workers = min(workers, len(functions))
    barrier = threading.Barrier(workers)
    results = [None] * len(functions)

    def worker(first):
        try:
            barrier.wait(timeout=30)
            for index in range(first, len(functions), workers):
                try:
                    results[index] = functions[index]()
                except Exception as error:  # noqa: BLE001 (collected for the assertions)
                    results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def refusal_codes(results) -> dict[str, int]:
    codes = {}
    for result in results:
        if isinstance(result, BookingRefused):
            codes[result.code] = codes.get(result.code, 0) + 1
    return codes


def booked(results) -> list[Booking]:
    return [booking for result in results if isinstance(result, list) for booking in result]


def naive_book(occurrence: Occurrence, resident: User, pause: float) -> bool:
    """Check-then-act without a lock: what the services must not do."""
    with transaction.atomic():
        held = Place.objects.filter(occurrence=occurrence, is_held=True).count()
        if held >= occurrence.activity.capacity:
            return False
        time.sleep(pause)  # the moment between looking and writing
        booking = Booking.objects.create(
            occurrence=occurrence,
            activity=occurrence.activity,
            centre=occurrence.centre,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
            resident=resident,
            person_name=resident.name,
            code=uuid.uuid4().hex[:8].upper(),
        )
        Place.objects.create(booking=booking, occurrence=occurrence)
        return True


def logged_in(people: list[User]) -> list[tuple[str, str]]:
    """A signed-in session and a CSRF secret for each resident, as a browser would hold
    them after logging in and opening the session's page: (session key, CSRF token)."""
    store = SessionStore()
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, cookies = [], []
    for resident in people:
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(resident.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: resident.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        cookies.append((key, get_random_string(32)))
    Session.objects.bulk_create(rows)
    return cookies


class Browser:
    """One keep-alive connection to the live server, posting forms as a browser does."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.connection.connect()

    def post(self, path: str, cookies: tuple[str, str], fields: dict) -> tuple[int, str, str]:
        session_key, token = cookies
        body = urlencode({"csrfmiddlewaretoken": token, **fields}, doseq=True)
        headers = {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={token}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        self.connection.request("POST", path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.getheader("Location", ""), response.read().decode()


# Places at one session --------------------------------------------------------------


def test_a_thousand_residents_posting_the_booking_form_at_once_get_exactly_thirty_places(
    centre, live_server, monkeypatch
):
    # The test server is one process: its threads share one interpreter lock, so on a
    # loaded machine the request holding the session's row lock can be starved long
    # enough for the 5 s lock timeout to turn a wait into "busy, try again". That
    # timeout is not what is tested here.
    monkeypatch.setattr(bookings_services, "LOCK_TIMEOUT", "60s")
    activity = ActivityFactory(centre=centre, title="长者智能手机课", capacity=30)
    occurrence = session(activity, date=WEDNESDAY)
    people = residents(1000)
    cookies = logged_in(people)
    path = reverse("bookings:book", kwargs={"occurrence_pk": occurrence.pk})
    # Connected one after another beforehand: the test server's listen queue is short.
    idle = [Browser(live_server.url) for _ in range(WORKERS)]
    mine = threading.local()

    def book(n: int):
        if not hasattr(mine, "browser"):
            mine.browser = idle.pop()
        return mine.browser.post(path, cookies[n], {"request_key": str(uuid.uuid4()), "people": "self"})

    answers = run_in_threads([lambda n=n: book(n) for n in range(1000)])

    errors = [a for a in answers if not isinstance(a, tuple)]
    assert errors == [], [(n, repr(a)) for n, a in enumerate(answers) if not isinstance(a, tuple)]
    session_page = occurrence.get_absolute_url() + "#booking"
    booked = {
        n: location for n, (status, location, _body) in enumerate(answers) if status == 302 and location != session_page
    }
    with translation.override(settings.LANGUAGE_CODE):  # the page as a resident sees it, in Chinese
        refusals = [
            escape(gettext("Sorry, it is fully booked. You can join the waiting list.")),
            escape(gettext("Sorry, the last places were just taken. You can join the waiting list.")),
        ]
    # Refused on the session's page, or, once the session is known to be full, sent back
    # to it with the message (without loading anything).
    refused = [
        n
        for n, (status, location, body) in enumerate(answers)
        if (status == 200 and any(refusal in body for refusal in refusals))
        or (status == 302 and location == session_page)
    ]
    others = [(n, status, body[body.find("booking-refusal") :][:200]) for n, (status, _l, body) in enumerate(answers)]
    assert (len(booked), len(refused)) == (30, 970), [o for o in others if o[0] not in booked and o[0] not in refused]
    assert held_places([occurrence.pk]) == {occurrence.pk: 30}
    bookings = Booking.objects.filter(occurrence=occurrence)
    assert bookings.count() == 30
    assert set(bookings.values_list("status", flat=True)) == {Booking.Status.CONFIRMED}
    # Each accepted form was answered with its own pass, and only those residents hold one.
    assert {people[n].pk: location for n, location in booked.items()} == {
        b.resident_id: reverse("bookings:detail", kwargs={"code": b.code}) for b in bookings
    }


def test_the_race_is_real_without_the_lock(centre):
    activity = ActivityFactory(centre=centre, title="长者智能手机课", capacity=30)
    occurrence = session(activity, date=WEDNESDAY)
    people = residents(300)

    results = run_in_threads([lambda r=r: naive_book(occurrence, r, pause=0.02) for r in people])

    assert all(isinstance(r, bool) for r in results), [r for r in results if not isinstance(r, bool)][:3]
    taken = Place.objects.filter(occurrence=occurrence, is_held=True).count()
    assert taken == sum(results)
    assert taken > 30  # overbooked: threads counted the same free places


def test_three_hundred_residents_at_once_take_exactly_the_thirty_places(centre):
    activity = ActivityFactory(centre=centre, title="长者智能手机课", capacity=30)
    occurrence = session(activity, date=WEDNESDAY)
    people = residents(300)

    results = run_in_threads([lambda r=r: booking_create(occurrence=occurrence, resident=r) for r in people])

    assert len(booked(results)) == 30
    assert refusal_codes(results) == {"full": 270}
    assert held_places([occurrence.pk]) == {occurrence.pk: 30}
    assert Booking.objects.filter(occurrence=occurrence, status=Booking.Status.CONFIRMED).count() == 30
    assert Booking.objects.count() == 30
    assert sorted(Booking.objects.values_list("resident_id", flat=True)) == sorted(
        b.resident_id for b in booked(results)
    )


# Courses ---------------------------------------------------------------------------


def test_a_course_of_four_sessions_with_five_places_takes_exactly_five_bookings(centre):
    activity = ActivityFactory(centre=centre, title="太极拳入门班", capacity=5)
    course = scheduling.series_create(
        activity=activity,
        rule="FREQ=WEEKLY;BYDAY=WE",
        first_date=WEDNESDAY,
        count=4,
        starts=dt.time(15),
        ends=dt.time(16, 30),
        room=None,
        is_course=True,
    )
    sessions = list(course.occurrences.order_by("starts_at").values_list("pk", flat=True))
    people = residents(60)

    results = run_in_threads([lambda r=r: booking_create(course=course, resident=r) for r in people])

    winners = booked(results)
    assert len(sessions) == 4
    assert len(winners) == 5
    assert refusal_codes(results) == {"full": 55}
    assert held_places(sessions) == dict.fromkeys(sessions, 5)
    assert Booking.objects.filter(course=course, status=Booking.Status.CONFIRMED).count() == 5
    assert Booking.objects.count() == 5
    # Each course booking holds one place at every session, no more, no less.
    for booking in winners:
        assert sorted(booking.places.filter(is_held=True).values_list("occurrence_id", flat=True)) == sessions


# Offers ----------------------------------------------------------------------------


@pytest.fixture
def full_session_with_a_queue(centre):
    """A session with its 10 places booked and one resident on the waiting list."""
    activity = ActivityFactory(centre=centre, title="亲子绘本阅读", capacity=10)
    occurrence = session(activity, date=WEDNESDAY)
    holders = residents(10, prefix="1370")
    bookings = [booking_create(occurrence=occurrence, resident=r)[0] for r in holders]
    [waiting] = booking_create(occurrence=occurrence, resident=residents(1, prefix="1360")[0], join_waiting_list=True)
    assert waiting.status == Booking.Status.WAITING
    return occurrence, bookings, waiting


def test_a_place_freed_while_fifty_book_is_taken_once(full_session_with_a_queue):
    occurrence, bookings, waiting = full_session_with_a_queue
    newcomers = residents(50)

    results = run_in_threads(
        [lambda: booking_cancel(booking=bookings[0], by=bookings[0].resident)]
        + [lambda r=r: booking_create(occurrence=occurrence, resident=r) for r in newcomers],
        workers=len(newcomers) // 2 + 1,
    )

    assert isinstance(results[0], Booking) and results[0].status == Booking.Status.CANCELLED
    waiting.refresh_from_db()
    newly_booked = booked(results[1:])
    # The freed place went to one person: the first on the waiting list (as an offer)
    # or a newcomer who got in before the offer was made; never to both.
    assert len(newly_booked) + (waiting.status == Booking.Status.OFFERED) == 1
    assert refusal_codes(results[1:]) == {"full": 50 - len(newly_booked)}
    assert held_places([occurrence.pk]) == {occurrence.pk: 10}
    holding = Booking.objects.filter(occurrence=occurrence, status__in=(Booking.Status.OFFERED, "confirmed"))
    assert holding.count() == 10


def test_an_offered_place_stays_taken_while_fifty_try_to_book(full_session_with_a_queue):
    occurrence, bookings, waiting = full_session_with_a_queue
    booking_cancel(booking=bookings[0], by=bookings[0].resident)  # the place is offered on at once
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.OFFERED
    newcomers = residents(50)

    results = run_in_threads(
        [lambda r=r: booking_create(occurrence=occurrence, resident=r) for r in newcomers],
        workers=25,
    )

    assert refusal_codes(results) == {"full": 50}
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.OFFERED
    assert list(waiting.places.values_list("occurrence_id", "is_held")) == [(occurrence.pk, True)]
    assert held_places([occurrence.pk]) == {occurrence.pk: 10}
    assert Booking.objects.filter(resident__in=newcomers).count() == 0


def test_accepting_an_offer_while_others_book_does_not_overbook(full_session_with_a_queue):
    occurrence, bookings, waiting = full_session_with_a_queue
    booking_cancel(booking=bookings[0], by=bookings[0].resident)
    waiting.refresh_from_db()
    newcomers = residents(30)

    results = run_in_threads(
        [lambda: offer_accept(booking=waiting)]
        + [lambda r=r: booking_create(occurrence=occurrence, resident=r) for r in newcomers],
        workers=16,
    )

    assert isinstance(results[0], Booking) and results[0].status == Booking.Status.CONFIRMED
    assert refusal_codes(results[1:]) == {"full": 30}
    assert held_places([occurrence.pk]) == {occurrence.pk: 10}


# One resident, many requests -------------------------------------------------------


def test_the_same_form_sent_from_ten_threads_makes_one_booking(centre):
    activity = ActivityFactory(centre=centre, title="社区健康讲座", capacity=30)
    occurrence = session(activity, date=WEDNESDAY)
    [resident] = residents(1)
    key = str(uuid.uuid4())

    results = run_in_threads(
        [lambda: booking_create(occurrence=occurrence, resident=resident, request_key=key)] * 10, workers=10
    )

    assert all(isinstance(r, list) for r in results), results
    [booking] = Booking.objects.all()
    assert {tuple(b.pk for b in r) for r in results} == {(booking.pk,)}
    assert (booking.resident_id, booking.request_key, booking.status) == (resident.pk, key, "confirmed")
    assert held_places([occurrence.pk]) == {occurrence.pk: 1}


def test_ten_bookings_for_the_same_person_without_a_key_make_one(centre):
    activity = ActivityFactory(centre=centre, title="社区健康讲座", capacity=30)
    occurrence = session(activity, date=WEDNESDAY)
    [resident] = residents(1)

    results = run_in_threads([lambda: booking_create(occurrence=occurrence, resident=resident)] * 10, workers=10)

    assert len(booked(results)) == 1
    assert refusal_codes(results) == {"duplicate": 9}
    assert Booking.objects.filter(resident=resident).count() == 1
    assert held_places([occurrence.pk]) == {occurrence.pk: 1}


def test_two_overlapping_sessions_booked_at_once_give_one_booking(centre):
    talk = session(ActivityFactory(centre=centre, title="反诈宣传讲座", capacity=30), date=WEDNESDAY, room=None)
    dance = session(
        ActivityFactory(centre=centre, title="广场舞排练", capacity=30),
        date=WEDNESDAY,
        starts=dt.time(19, 30),
        ends=dt.time(20, 30),
        room=None,
    )
    [resident] = residents(1)

    results = run_in_threads(
        [
            lambda: booking_create(occurrence=talk, resident=resident),
            lambda: booking_create(occurrence=dance, resident=resident),
        ],
        workers=2,
    )

    assert len(booked(results)) == 1
    assert refusal_codes(results) == {"clash": 1}
    assert Booking.objects.filter(resident=resident).count() == 1
    assert sum(held_places([talk.pk, dance.pk]).values()) == 1


def test_a_double_click_on_the_last_place_finds_its_booking(centre):
    activity = ActivityFactory(centre=centre, title="社区健康讲座", capacity=1)
    occurrence = session(activity, date=WEDNESDAY)
    [resident] = residents(1)
    key = str(uuid.uuid4())
    [first] = booking_create(occurrence=occurrence, resident=resident, request_key=key)

    results = run_in_threads(
        [lambda: booking_create(occurrence=occurrence, resident=resident, request_key=key)] * 10, workers=10
    )

    assert [[b.pk for b in r] if isinstance(r, list) else r for r in results] == [[first.pk]] * 10
    assert Booking.objects.count() == 1
    assert held_places([occurrence.pk]) == {occurrence.pk: 1}
