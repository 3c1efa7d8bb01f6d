"""The room-clash guarantee under real concurrency: many threads, each on its own
PostgreSQL connection, start scheduling into one room at the same moment.

The services take the room's row lock, check and write in one transaction, so exactly
one overlapping writer wins and the others are refused with ``ScheduleConflict``. A
writer that bypasses the services (plain ORM) is still stopped by the exclusion
constraint: that is the control showing the race does happen without the lock."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from activities import services
from activities.models import Occurrence, Series
from activities.services import ScheduleConflict
from tests.activities.factories import ActivityFactory, open_centre, room_of
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

THREADS = 8
DATE = dt.date(2027, 3, 9)  # a Tuesday


def overlapping_pairs(room):
    """Scheduled sessions in ``room`` that overlap another, straight from the table."""
    sessions = list(Occurrence.objects.live().filter(room=room).order_by("starts_at"))
    return [(a.pk, b.pk) for a, b in zip(sessions, sessions[1:], strict=False) if b.starts_at < a.ends_at]


@pytest.fixture
def centre():
    return open_centre(name="丰泽社区党群服务中心")


@pytest.fixture
def activities(centre):
    return [ActivityFactory(centre=centre, title=f"青年夜校·第{n}班", capacity=20) for n in range(THREADS)]


def test_of_many_overlapping_single_sessions_exactly_one_is_saved(centre, activities):
    room = room_of(centre)
    start_times = [dt.time(18, 30 + n * 3) for n in range(THREADS)]  # 18:30 … 18:51, all overlapping

    results = run_together(
        [
            lambda a=activity, s=starts: services.occurrence_create(
                activity=a, date=DATE, starts=s, ends=dt.time(20), room=room
            )
            for activity, starts in zip(activities, start_times, strict=True)
        ]
    )

    saved = [r for r in results if isinstance(r, Occurrence)]
    refused = [r for r in results if isinstance(r, ScheduleConflict)]
    assert (len(saved), len(refused)) == (1, THREADS - 1), results
    assert list(Occurrence.objects.values_list("pk", flat=True)) == [saved[0].pk]
    assert overlapping_pairs(room) == []
    for error in refused:
        assert "多功能活动室" in error.messages[0]
        assert saved[0].activity.title in error.messages[0]


def test_of_many_overlapping_series_exactly_one_is_saved_whole(centre, activities):
    room = room_of(centre)

    def series(activity, weekday_offset):
        # Every series overlaps the others on at least one Tuesday evening.
        return services.series_create(
            activity=activity,
            rule="FREQ=WEEKLY;BYDAY=TU",
            first_date=DATE + dt.timedelta(weeks=weekday_offset),
            count=6,
            starts=dt.time(19),
            ends=dt.time(20, 30),
            room=room,
        )

    results = run_together([lambda a=a, n=n: series(a, n % 3) for n, a in enumerate(activities)])

    saved = [r for r in results if isinstance(r, Series)]
    refused = [r for r in results if isinstance(r, ScheduleConflict)]
    assert (len(saved), len(refused)) == (1, THREADS - 1), results
    assert Series.objects.count() == 1
    assert Occurrence.objects.count() == 6
    assert set(Occurrence.objects.values_list("series", flat=True)) == {saved[0].pk}
    assert overlapping_pairs(room) == []


def test_sessions_that_do_not_overlap_are_all_saved_in_parallel(centre, activities):
    room = room_of(centre)

    results = run_together(
        [
            lambda a=activity, n=n: services.occurrence_create(
                activity=a, date=DATE, starts=dt.time(9 + n), ends=dt.time(10 + n), room=room
            )
            for n, activity in enumerate(activities)
        ]
    )

    assert all(isinstance(r, Occurrence) for r in results), results
    assert Occurrence.objects.filter(room=room).count() == THREADS
    assert overlapping_pairs(room) == []


def test_sessions_in_different_rooms_do_not_wait_on_each_other(centre, activities):
    from centres.services import room_save

    rooms = [room_save(centre=centre, name=f"活动室{n}", capacity=30) for n in range(THREADS)]

    results = run_together(
        [
            lambda a=activity, r=room: services.occurrence_create(
                activity=a, date=DATE, starts=dt.time(19), ends=dt.time(20), room=r
            )
            for activity, room in zip(activities, rooms, strict=True)
        ]
    )

    assert all(isinstance(r, Occurrence) for r in results), results
    assert Occurrence.objects.count() == THREADS


def test_the_exclusion_constraint_stops_a_writer_that_bypasses_the_lock(centre, activities):
    room = room_of(centre)
    starts_at = timezone.make_aware(dt.datetime.combine(DATE, dt.time(19)))
    checked = threading.Barrier(2)
    seen_free = []

    def raw_insert(activity):
        # Check-then-act without the room lock: both writers see a free room.
        with transaction.atomic():
            free = not Occurrence.objects.in_room_overlapping(
                room, starts_at, starts_at + dt.timedelta(hours=1)
            ).exists()
            seen_free.append(free)
            checked.wait(timeout=10)
            Occurrence.objects.create(
                activity=activity,
                centre=centre,
                room=room,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=1),
            )
            return free

    results = run_together([lambda: raw_insert(activities[0]), lambda: raw_insert(activities[1])])

    assert seen_free == [True, True]  # the race: both checks found the room free
    assert sum(r is True for r in results) == 1, results
    # The loser is refused by the constraint: as its violation, or, when each insert
    # waits on the other's speculative index entry, as PostgreSQL's deadlock error
    # (both are the constraint at work: the room never holds two sessions).
    (refusal,) = [r for r in results if r is not True]
    if isinstance(refusal, OperationalError):
        assert "deadlock detected" in str(refusal), refusal
    else:
        assert isinstance(refusal, IntegrityError), results
        assert "occurrence_no_room_overlap" in str(refusal)
    assert Occurrence.objects.filter(room=room).count() == 1
    assert Occurrence.objects.count() == 1
    assert overlapping_pairs(room) == []
