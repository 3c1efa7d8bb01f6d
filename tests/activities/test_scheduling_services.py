"""The scheduling services: single sessions, series, moves, cancellations, week copies,
after-hours flags; and the writes to activities, partners and brands.

Today is in 2026; the national calendar has no 2027 data, so series in 2027 meet only the
closures the tests make with date exceptions."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from activities import services
from activities.models import Activity, Audience, Brand, Occurrence, Partner, Series
from activities.services import ScheduleConflict, Scope
from activities.signals import occurrences_cancelled, occurrences_moved
from centres.models import ServiceKind
from centres.services import centre_hours_replace, date_exception_add, date_exception_delete, room_save
from portal.templatetags.portal_tags import full_date
from tests.activities.factories import (
    ActivityFactory,
    BrandFactory,
    PartnerFactory,
    next_weekday,
    open_centre,
    room_of,
    session,
)
from tests.centres.factories import CentreFactory, DistrictFactory, StreetFactory, weekday_hours

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

T = dt.time
D = dt.date
TUESDAYS = "FREQ=WEEKLY;BYDAY=TU"


def at(date, time):
    return timezone.make_aware(dt.datetime.combine(date, time))


@pytest.fixture
def centre():
    return open_centre(name="丰泽社区党群服务中心")


@pytest.fixture
def room(centre):
    return room_of(centre)


@pytest.fixture
def activity(centre):
    return ActivityFactory(centre=centre, title="青年夜校·摄影", capacity=20)


@pytest.fixture
def received():
    """What the occurrences_cancelled / occurrences_moved signals carried."""
    calls = []

    def cancelled(sender, occurrence_ids, reason, **kwargs):
        calls.append(("cancelled", sorted(occurrence_ids), reason))

    def moved(sender, occurrence_ids, **kwargs):
        calls.append(("moved", sorted(occurrence_ids)))

    occurrences_cancelled.connect(cancelled, weak=False)
    occurrences_moved.connect(moved, weak=False)
    yield calls
    occurrences_cancelled.disconnect(cancelled)
    occurrences_moved.disconnect(moved)


FIRST_TUESDAY = D(2027, 3, 2)


def eight_tuesdays(activity, room, first=FIRST_TUESDAY, **kwargs):
    options = {"starts": T(19), "ends": T(20, 30), "count": 8} | kwargs
    return services.series_create(activity=activity, rule=TUESDAYS, first_date=first, room=room, **options)


def snapshot():
    return sorted(
        Occurrence.objects.values_list(
            "pk", "series_id", "room_id", "starts_at", "ends_at", "status", "is_detached", "cancel_reason"
        )
    )


def series_rows():
    return sorted(Series.objects.values_list("pk", "first_date", "until", "count", "starts", "ends", "room_id"))


# occurrence_create ------------------------------------------------------------------------


def test_a_single_evening_session_is_extended_service(activity, room):
    date = next_weekday(1)

    occurrence = services.occurrence_create(activity=activity, date=date, starts=T(19), ends=T(20, 30), room=room)

    occurrence.refresh_from_db()
    assert (occurrence.starts_at, occurrence.ends_at) == (at(date, T(19)), at(date, T(20, 30)))
    assert (occurrence.centre, occurrence.room, occurrence.series) == (activity.centre, room, None)
    assert (occurrence.after_hours_kind, occurrence.is_after_hours) == (ServiceKind.EXTENDED, True)
    assert occurrence.status == Occurrence.Status.SCHEDULED


def test_a_daytime_session_is_regular_service(activity, room):
    occurrence = services.occurrence_create(
        activity=activity, date=next_weekday(2), starts=T(9, 30), ends=T(11), room=room
    )

    assert (occurrence.after_hours_kind, occurrence.is_after_hours) == (ServiceKind.REGULAR, False)


def test_a_session_on_a_closed_day_is_refused(activity, room, centre):
    date = next_weekday(3)
    date_exception_add(centre=centre, date=date, is_closed=True, note="消防设施检修")

    with pytest.raises(ScheduleConflict) as refused:
        services.occurrence_create(activity=activity, date=date, starts=T(19), ends=T(20), room=room)

    assert refused.value.messages == [f"Not on {full_date(date)}: the centre is closed (消防设施检修)."]
    assert Occurrence.objects.count() == 0


def test_a_session_outside_the_hours_is_refused_naming_the_hours(activity, room):
    date = next_weekday(0)

    with pytest.raises(ScheduleConflict) as refused:
        services.occurrence_create(activity=activity, date=date, starts=T(20), ends=T(21), room=room)

    assert refused.value.messages == [f"Not on {full_date(date)}: the centre is open only 08:30–20:30 that day."]
    assert Occurrence.objects.count() == 0


def test_sessions_more_than_two_years_ahead_are_refused(activity, room):
    far = timezone.localdate() + dt.timedelta(days=800)

    with pytest.raises(ValidationError) as refused:
        services.occurrence_create(activity=activity, date=far, starts=T(19), ends=T(20), room=room)
    with pytest.raises(ValidationError) as copy_refused:
        services.week_copy(
            centre=activity.centre, source_monday=next_weekday(0), target_monday=far - dt.timedelta(days=far.weekday())
        )

    assert refused.value.message_dict == {"first_date": ["Sessions can be planned at most two years ahead."]}
    assert copy_refused.value.message_dict == {"target": ["Sessions can be planned at most two years ahead."]}
    assert not Occurrence.objects.exists()


def test_a_session_in_the_past_is_refused(activity, room):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    centre_hours_replace(
        centre=activity.centre,
        periods=weekday_hours(opens=T(0, 0), closes=T(23, 59), weekend=(T(0), T(23, 59))),
    )

    with pytest.raises(ValidationError) as refused:
        services.occurrence_create(activity=activity, date=yesterday, starts=T(10), ends=T(11), room=room)

    assert refused.value.messages == ["Sessions can only be planned for the future."]
    assert Occurrence.objects.count() == 0


def test_a_room_clash_is_refused_naming_the_other_activity_and_its_time(activity, room, centre):
    date = D(2027, 3, 9)
    choir = ActivityFactory(centre=centre, title="老年合唱团排练", capacity=30)
    taken = session(choir, date=date, starts=T(18), ends=T(19, 30), room=room)

    with pytest.raises(ScheduleConflict) as refused:
        services.occurrence_create(activity=activity, date=date, starts=T(19), ends=T(20, 30), room=room)

    assert refused.value.messages == [
        "Tue 9 Mar 2027 19:00–20:30: 多功能活动室 is taken by “老年合唱团排练” (18:00–19:30)."
    ]
    assert list(Occurrence.objects.values_list("pk", flat=True)) == [taken.pk]


def test_back_to_back_sessions_in_one_room_are_fine(activity, room, centre):
    date = D(2027, 3, 9)
    choir = ActivityFactory(centre=centre, title="老年合唱团排练", capacity=30)
    session(choir, date=date, starts=T(17, 30), ends=T(19), room=room)

    session(activity, date=date, starts=T(19), ends=T(20, 30), room=room)

    assert Occurrence.objects.count() == 2


def test_a_cancelled_session_does_not_hold_the_room(activity, room, centre):
    date = D(2027, 3, 9)
    choir = ActivityFactory(centre=centre, title="老年合唱团排练", capacity=30)
    taken = session(choir, date=date, starts=T(19), ends=T(20), room=room)
    services.occurrences_cancel(occurrence=taken, reason="指挥老师生病")

    session(activity, date=date, starts=T(19), ends=T(20, 30), room=room)

    assert Occurrence.objects.live().count() == 1


def test_a_room_too_small_is_refused(activity, centre):
    small = room_save(centre=centre, name="健康小屋", capacity=8)

    with pytest.raises(ValidationError) as refused:
        services.occurrence_create(activity=activity, date=D(2027, 3, 9), starts=T(19), ends=T(20), room=small)

    assert refused.value.message_dict == {
        "room": ["健康小屋 holds 8 people, fewer than the 20 places of this activity."]
    }
    assert Occurrence.objects.count() == 0


def test_another_centres_room_is_refused(activity):
    elsewhere = open_centre(name="东美社区党群服务中心")

    with pytest.raises(ValidationError) as refused:
        services.occurrence_create(
            activity=activity, date=D(2027, 3, 9), starts=T(19), ends=T(20), room=room_of(elsewhere)
        )

    assert refused.value.message_dict == {"room": ["Choose one of this centre's rooms."]}
    assert Occurrence.objects.count() == 0


def test_a_session_without_a_room_never_clashes(activity, centre):
    date = D(2027, 3, 9)
    session(activity, date=date, room=None)
    session(ActivityFactory(centre=centre), date=date, room=None)

    assert Occurrence.objects.filter(room=None).count() == 2


# series_create ------------------------------------------------------------------------------


def test_a_series_keeps_its_count_of_sessions_held_around_a_closed_day(activity, room, centre):
    date_exception_add(centre=centre, date=D(2027, 3, 16), is_closed=True, note="社区换届选举")

    series = eight_tuesdays(activity, room)

    dates = [timezone.localdate(o.starts_at) for o in series.occurrences.order_by("starts_at")]
    assert len(dates) == 8
    assert D(2027, 3, 16) not in dates
    assert dates[0] == D(2027, 3, 2)
    assert dates[-1] == D(2027, 4, 27)
    assert (series.rule, series.count, series.until, series.room) == (TUESDAYS, 8, None, room)
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=8"
    assert set(series.occurrences.values_list("after_hours_kind", "centre_id")) == {
        (ServiceKind.EXTENDED, room.centre_id)
    }


def test_a_series_with_one_clash_is_refused_whole(activity, room, centre):
    talk = ActivityFactory(centre=centre, title="健康讲座：秋冬养生", capacity=40)
    taken = session(talk, date=D(2027, 3, 16), starts=T(20), ends=T(20, 30), room=room)

    with pytest.raises(ScheduleConflict) as refused:
        eight_tuesdays(activity, room)

    assert refused.value.messages == [
        "Tue 16 Mar 2027 19:00–20:30: 多功能活动室 is taken by “健康讲座：秋冬养生” (20:00–20:30)."
    ]
    assert Series.objects.count() == 0
    assert list(Occurrence.objects.values_list("pk", flat=True)) == [taken.pk]


def test_a_series_that_can_never_be_held_is_refused(activity, room):
    with pytest.raises(ScheduleConflict) as refused:
        services.series_create(
            activity=activity,
            rule="FREQ=WEEKLY;BYDAY=MO",
            first_date=D(2027, 3, 1),
            until=D(2027, 3, 8),
            starts=T(21),
            ends=T(22),
            room=room,
        )

    assert refused.value.messages == [
        "No session of this series can be held:",
        "Not on Mon 1 Mar 2027: the centre is open only 08:30–20:30 that day.",
        "Not on Mon 8 Mar 2027: the centre is open only 08:30–20:30 that day.",
    ]
    assert Series.objects.count() == 0


def test_a_series_needs_an_end_and_a_sensible_one(activity, room):
    with pytest.raises(ValidationError) as no_end:
        services.series_create(
            activity=activity, rule=TUESDAYS, first_date=D(2027, 3, 2), starts=T(19), ends=T(20), room=room
        )
    with pytest.raises(ValidationError) as backwards:
        services.series_create(
            activity=activity,
            rule=TUESDAYS,
            first_date=D(2027, 3, 2),
            until=D(2027, 3, 1),
            starts=T(19),
            ends=T(20),
            room=room,
        )
    with pytest.raises(ValidationError) as times:
        eight_tuesdays(activity, room, starts=T(20), ends=T(19))

    assert no_end.value.messages == ["Say when the series ends: a last date or a number of sessions."]
    assert backwards.value.message_dict == {"until": ["The last date must not be before the first date."]}
    assert times.value.message_dict == {"ends": ["The end time must be after the start time."]}
    assert Series.objects.count() == Occurrence.objects.count() == 0


def test_a_series_starting_in_the_past_is_refused(activity, room):
    with pytest.raises(ValidationError) as refused:
        eight_tuesdays(activity, room, first=timezone.localdate() - dt.timedelta(days=14))

    assert refused.value.messages == ["Sessions can only be planned for the future."]
    assert Series.objects.count() == Occurrence.objects.count() == 0


def test_the_preview_writes_nothing(activity, room):
    plan, clashes = services.schedule_plan(
        activity=activity, rule=TUESDAYS, first_date=D(2027, 3, 2), count=3, starts=T(19), ends=T(20), room=room
    )

    assert [s.date for s in plan.sessions] == [D(2027, 3, 2), D(2027, 3, 9), D(2027, 3, 16)]
    assert clashes == []
    assert Series.objects.count() == Occurrence.objects.count() == 0


# occurrences_reschedule -----------------------------------------------------------------------


def test_moving_one_session_detaches_it_and_leaves_the_series_alone(
    activity, room, centre, received, django_capture_on_commit_callbacks
):
    series = eight_tuesdays(activity, room)
    before = series_rows()
    third = series.occurrences.order_by("starts_at")[2]
    dance = room_save(centre=centre, name="舞蹈室", capacity=35)

    with django_capture_on_commit_callbacks(execute=True):
        moved = services.occurrences_reschedule(
            occurrence=third, scope=Scope.THIS, starts=T(18), ends=T(19, 30), room=dance, date=D(2027, 3, 17)
        )

    third.refresh_from_db()
    assert moved == [third]
    assert (third.starts_at, third.ends_at, third.room, third.is_detached) == (
        at(D(2027, 3, 17), T(18)),
        at(D(2027, 3, 17), T(19, 30)),
        dance,
        True,
    )
    assert series_rows() == before
    assert series.occurrences.filter(room=room, is_detached=False).count() == 7
    assert received == [("moved", [third.pk])]


def test_moving_this_and_following_splits_the_series(
    activity, room, centre, received, django_capture_on_commit_callbacks
):
    series = eight_tuesdays(activity, room)
    sessions = list(series.occurrences.order_by("starts_at"))
    dance = room_save(centre=centre, name="舞蹈室", capacity=35)

    with django_capture_on_commit_callbacks(execute=True):
        moved = services.occurrences_reschedule(
            occurrence=sessions[3], scope=Scope.FOLLOWING, starts=T(18, 30), ends=T(20), room=dance
        )

    assert [o.pk for o in moved] == [o.pk for o in sessions[3:]]
    series.refresh_from_db()
    new = Series.objects.exclude(pk=series.pk).get()
    assert (series.first_date, series.until, series.count, series.starts, series.room) == (
        D(2027, 3, 2),
        D(2027, 3, 22),
        None,
        T(19),
        room,
    )
    assert (new.rule, new.first_date, new.until, new.count, new.starts, new.ends, new.room) == (
        TUESDAYS,
        D(2027, 3, 23),
        D(2027, 4, 20),
        None,
        T(18, 30),
        T(20),
        dance,
    )
    assert list(series.occurrences.order_by("starts_at").values_list("pk", flat=True)) == [o.pk for o in sessions[:3]]
    assert list(new.occurrences.order_by("starts_at").values_list("pk", flat=True)) == [o.pk for o in sessions[3:]]
    assert set(new.occurrences.values_list("room", flat=True)) == {dance.pk}
    assert [timezone.localtime(o.starts_at).time() for o in new.occurrences.all()] == [T(18, 30)] * 5
    assert set(series.occurrences.values_list("room", flat=True)) == {room.pk}
    assert received == [("moved", sorted(o.pk for o in sessions[3:]))]


def test_moving_this_and_following_to_an_earlier_time_takes_the_session_itself_along(activity, room):
    # The split used to go by the session's old start time, so a session moved earlier in
    # its own day stayed behind in the old part, whose last date is the day before.
    series = eight_tuesdays(activity, room)
    sessions = list(series.occurrences.order_by("starts_at"))

    services.occurrences_reschedule(
        occurrence=sessions[3], scope=Scope.FOLLOWING, starts=T(9, 30), ends=T(11), room=room
    )

    new = Series.objects.exclude(pk=series.pk).get()
    assert list(new.occurrences.order_by("starts_at").values_list("pk", flat=True)) == [o.pk for o in sessions[3:]]
    assert series.occurrences.count() == 3


def test_moving_this_and_following_from_the_first_session_changes_the_series_without_splitting(activity, room):
    series = eight_tuesdays(activity, room)
    first = series.occurrences.order_by("starts_at").first()

    services.occurrences_reschedule(occurrence=first, scope=Scope.FOLLOWING, starts=T(9, 30), ends=T(11), room=room)

    series.refresh_from_db()
    assert Series.objects.count() == 1
    assert (series.starts, series.ends, series.count) == (T(9, 30), T(11), 8)
    assert series.occurrences.count() == 8
    assert set(series.occurrences.values_list("after_hours_kind", flat=True)) == {ServiceKind.REGULAR}


def test_moving_all_leaves_detached_sessions_alone(activity, room, centre):
    series = eight_tuesdays(activity, room)
    sessions = list(series.occurrences.order_by("starts_at"))
    services.occurrences_reschedule(occurrence=sessions[5], scope=Scope.THIS, starts=T(18), ends=T(19), room=room)
    dance = room_save(centre=centre, name="舞蹈室", capacity=35)

    moved = services.occurrences_reschedule(
        occurrence=sessions[0], scope=Scope.ALL, starts=T(15), ends=T(16), room=dance
    )

    assert sorted(o.pk for o in moved) == sorted(o.pk for n, o in enumerate(sessions) if n != 5)
    series.refresh_from_db()
    assert (series.starts, series.ends, series.room) == (T(15), T(16), dance)
    detached = Occurrence.objects.get(pk=sessions[5].pk)
    assert (timezone.localtime(detached.starts_at).time(), detached.room) == (T(18), room)
    assert Series.objects.count() == 1


def test_a_move_that_clashes_changes_nothing(activity, room, centre, received, django_capture_on_commit_callbacks):
    series = eight_tuesdays(activity, room)
    talk = ActivityFactory(centre=centre, title="法律讲座：遗产继承", capacity=40)
    session(talk, date=D(2027, 4, 6), starts=T(14), ends=T(15), room=room)
    before, rows = snapshot(), series_rows()
    fourth = series.occurrences.order_by("starts_at")[3]

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ScheduleConflict) as refused:
        services.occurrences_reschedule(occurrence=fourth, scope=Scope.FOLLOWING, starts=T(14), ends=T(15), room=room)

    assert refused.value.messages == [
        "Tue 6 Apr 2027 14:00–15:00: 多功能活动室 is taken by “法律讲座：遗产继承” (14:00–15:00)."
    ]
    assert (snapshot(), series_rows()) == (before, rows)
    assert received == []


def test_a_move_onto_a_closed_day_or_out_of_hours_is_refused(activity, room, centre):
    single = session(activity, date=D(2027, 3, 9), room=room)
    date_exception_add(centre=centre, date=D(2027, 3, 10), is_closed=True)
    before = snapshot()

    with pytest.raises(ScheduleConflict) as closed:
        services.occurrences_reschedule(occurrence=single, starts=T(19), ends=T(20), room=room, date=D(2027, 3, 10))
    with pytest.raises(ScheduleConflict) as late:
        services.occurrences_reschedule(occurrence=single, starts=T(20), ends=T(21), room=room)

    assert closed.value.messages == ["Not on Wed 10 Mar 2027: the centre is closed."]
    assert late.value.messages == ["Not on Tue 9 Mar 2027: the centre is open only 08:30–20:30 that day."]
    assert snapshot() == before


def test_a_cancelled_or_started_session_cannot_be_moved(activity, room):
    single = session(activity, date=D(2027, 3, 9), room=room)
    services.occurrences_cancel(occurrence=single, reason="老师临时有事")
    past = Occurrence.objects.create(
        activity=activity,
        centre=activity.centre,
        room=room,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )

    with pytest.raises(ValidationError) as cancelled:
        services.occurrences_reschedule(occurrence=single, starts=T(18), ends=T(19), room=room)
    with pytest.raises(ValidationError) as started:
        services.occurrences_reschedule(occurrence=past, starts=T(18), ends=T(19), room=room)

    assert cancelled.value.messages == ["This session is cancelled; it cannot be moved."]
    assert started.value.messages == ["This session has started or is over; it can no longer be changed."]


# occurrences_cancel ----------------------------------------------------------------------------


def test_cancelling_needs_a_reason(activity, room, received, django_capture_on_commit_callbacks):
    single = session(activity, date=D(2027, 3, 9), room=room)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        services.occurrences_cancel(occurrence=single, reason="   ")

    assert refused.value.message_dict == {"reason": ["Say why the session is cancelled: residents will see it."]}
    assert snapshot() == before
    assert received == []


def test_cancelling_one_session_sends_one_signal_on_commit(
    activity, room, received, django_capture_on_commit_callbacks
):
    series = eight_tuesdays(activity, room)
    second = series.occurrences.order_by("starts_at")[1]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cancelled = services.occurrences_cancel(occurrence=second, reason=" 台风预警，暂停活动 ")
        assert received == []  # not before the commit
    for callback in callbacks:
        callback()

    second.refresh_from_db()
    assert cancelled == [second]
    assert (second.status, second.cancel_reason, second.cancelled_at is not None) == (
        "cancelled",
        "台风预警，暂停活动",
        True,
    )
    assert series.occurrences.live().count() == 7
    assert received == [("cancelled", [second.pk], "台风预警，暂停活动")]


def test_cancelling_this_and_following_includes_detached_sessions(
    activity, room, received, django_capture_on_commit_callbacks
):
    series = eight_tuesdays(activity, room)
    sessions = list(series.occurrences.order_by("starts_at"))
    services.occurrences_reschedule(occurrence=sessions[6], starts=T(18), ends=T(19), room=room)

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.occurrences_cancel(occurrence=sessions[4], reason="老师调离", scope=Scope.FOLLOWING)

    assert sorted(o.pk for o in cancelled) == [o.pk for o in sessions[4:]]
    assert list(Occurrence.objects.live().order_by("starts_at").values_list("pk", flat=True)) == [
        o.pk for o in sessions[:4]
    ]
    assert received == [("cancelled", [o.pk for o in sessions[4:]], "老师调离")]


def test_cancelling_all_cancels_every_coming_session(activity, room, received, django_capture_on_commit_callbacks):
    series = eight_tuesdays(activity, room)
    sessions = list(series.occurrences.order_by("starts_at"))
    services.occurrences_cancel(occurrence=sessions[2], reason="场地检修")

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.occurrences_cancel(occurrence=sessions[5], reason="项目结束", scope=Scope.ALL)

    assert sorted(o.pk for o in cancelled) == [o.pk for n, o in enumerate(sessions) if n != 2]
    assert Occurrence.objects.live().count() == 0
    assert Occurrence.objects.get(pk=sessions[2].pk).cancel_reason == "场地检修"
    assert received == [("cancelled", sorted(o.pk for o in cancelled), "项目结束")]


def test_cancelling_twice_is_refused(activity, room, received, django_capture_on_commit_callbacks):
    single = session(activity, date=D(2027, 3, 9), room=room)
    services.occurrences_cancel(occurrence=single, reason="老师临时有事")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        services.occurrences_cancel(occurrence=single, reason="又取消")

    assert refused.value.messages == ["This session is already cancelled."]
    assert Occurrence.objects.get().cancel_reason == "老师临时有事"
    assert received == []


def test_cancelling_all_when_nothing_is_left_sends_no_signal(
    activity, room, received, django_capture_on_commit_callbacks
):
    series = eight_tuesdays(activity, room, count=2)
    first, second = series.occurrences.order_by("starts_at")
    services.occurrences_cancel(occurrence=first, reason="场地检修", scope=Scope.ALL)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        services.occurrences_cancel(occurrence=first, reason="再次取消", scope=Scope.ALL)

    assert refused.value.messages == ["There are no coming sessions to cancel."]
    assert received == []


# week_copy ----------------------------------------------------------------------------------------


@pytest.fixture
def week(activity, room, centre):
    """Three sessions in the week of Monday 1 March 2027."""
    talk = ActivityFactory(centre=centre, title="健康讲座：高血压防治", capacity=40)
    return [
        session(activity, date=D(2027, 3, 2), starts=T(19), ends=T(20, 30), room=room),
        session(talk, date=D(2027, 3, 4), starts=T(9, 30), ends=T(11), room=room),
        session(talk, date=D(2027, 3, 5), starts=T(14, 30), ends=T(16), room=None),
    ]


def test_the_week_copy_preview_writes_nothing(week, centre):
    plan = services.week_copy(centre=centre, source_monday=D(2027, 3, 1), target_monday=D(2027, 3, 8), dry_run=True)

    assert [s.starts_at for s in plan.sessions] == [
        at(D(2027, 3, 9), T(19)),
        at(D(2027, 3, 11), T(9, 30)),
        at(D(2027, 3, 12), T(14, 30)),
    ]
    assert Occurrence.objects.count() == 3


def test_the_week_copy_makes_single_sessions_and_skips_closed_days(week, centre, room):
    date_exception_add(centre=centre, date=D(2027, 3, 11), is_closed=True, note="工作人员集中培训")

    plan = services.week_copy(centre=centre, source_monday=D(2027, 3, 1), target_monday=D(2027, 3, 8))

    assert [(s.date, s.reason) for s in plan.skipped] == [
        (D(2027, 3, 11), "健康讲座：高血压防治: the centre is closed (工作人员集中培训)")
    ]
    copies = list(Occurrence.objects.filter(starts_at__gte=at(D(2027, 3, 8), T(0))).order_by("starts_at"))
    assert [(o.activity.title, o.starts_at, o.room, o.series) for o in copies] == [
        ("青年夜校·摄影", at(D(2027, 3, 9), T(19)), room, None),
        ("健康讲座：高血压防治", at(D(2027, 3, 12), T(14, 30)), None, None),
    ]
    assert copies[0].is_after_hours


def test_a_week_copy_with_one_clash_copies_nothing(week, centre, room):
    blocker = ActivityFactory(centre=centre, title="邻里议事会", capacity=30)
    session(blocker, date=D(2027, 3, 11), starts=T(10), ends=T(12), room=room)
    before = snapshot()

    with pytest.raises(ScheduleConflict) as refused:
        services.week_copy(centre=centre, source_monday=D(2027, 3, 1), target_monday=D(2027, 3, 8))

    assert refused.value.messages == [
        "Thu 11 Mar 2027 09:30–11:00: 多功能活动室 is taken by “邻里议事会” (10:00–12:00)."
    ]
    assert snapshot() == before


def test_a_week_copy_needs_another_week_with_something_in_it(week, centre):
    with pytest.raises(ValidationError) as same:
        services.week_copy(centre=centre, source_monday=D(2027, 3, 1), target_monday=D(2027, 3, 1))
    with pytest.raises(ValidationError) as empty:
        services.week_copy(centre=centre, source_monday=D(2027, 5, 3), target_monday=D(2027, 5, 10))
    with pytest.raises(ValueError, match="Mondays"):
        services.week_copy(centre=centre, source_monday=D(2027, 3, 2), target_monday=D(2027, 3, 9))

    assert same.value.messages == ["Choose a different week to copy to."]
    assert empty.value.messages == ["There is nothing scheduled in that week to copy."]


# After-hours flags -----------------------------------------------------------------------------------


def test_after_hours_flags_follow_changes_to_the_weekly_hours(activity, room, centre):
    evening = session(activity, date=D(2027, 3, 9), starts=T(18), ends=T(19), room=room)
    morning = session(activity, date=D(2027, 3, 10), starts=T(9), ends=T(10), room=room)

    centre_hours_replace(centre=centre, periods=weekday_hours(closes=T(21)))
    evening.refresh_from_db()
    morning.refresh_from_db()
    assert (evening.after_hours_kind, evening.is_after_hours) == (ServiceKind.REGULAR, False)
    assert (morning.after_hours_kind, morning.is_after_hours) == (ServiceKind.REGULAR, False)

    centre_hours_replace(
        centre=centre,
        periods=weekday_hours(closes=T(17), appointment=(T(17), T(22))),
    )
    evening.refresh_from_db()
    assert (evening.after_hours_kind, evening.is_after_hours) == (ServiceKind.APPOINTMENT, True)


def test_after_hours_flags_follow_date_exceptions_and_their_removal(activity, room, centre):
    single = session(activity, date=D(2027, 3, 13), starts=T(10), ends=T(11), room=room)  # a Saturday
    assert single.after_hours_kind == ServiceKind.STAGGERED

    exception = date_exception_add(
        centre=centre, date=D(2027, 3, 13), is_closed=False, kind=ServiceKind.REGULAR, opens=T(8), closes=T(18)
    )
    single.refresh_from_db()
    assert (single.after_hours_kind, single.is_after_hours) == (ServiceKind.REGULAR, False)

    date_exception_delete(exception=exception)
    single.refresh_from_db()
    assert (single.after_hours_kind, single.is_after_hours) == (ServiceKind.STAGGERED, True)


# Partners and brands -----------------------------------------------------------------------------------


def test_partners_are_unique_by_name_in_a_centre(centre):
    services.partner_save(centre=centre, name=" 阳光志愿服务队 ", kind=Partner.Kind.VOLUNTEER_TEAM)

    with pytest.raises(ValidationError):
        services.partner_save(centre=centre, name="阳光志愿服务队", kind=Partner.Kind.RESIDENT_GROUP)
    other = services.partner_save(centre=open_centre(), name="阳光志愿服务队", kind=Partner.Kind.VOLUNTEER_TEAM)

    assert Partner.objects.filter(centre=centre).get().name == "阳光志愿服务队"
    assert other.pk


def test_a_partner_still_organising_cannot_be_deleted(centre):
    partner = PartnerFactory(centre=centre, name="泉州市青少年服务中心", kind=Partner.Kind.SOCIAL_ORGANISATION)
    activity = ActivityFactory(centre=centre, partner=partner)

    with pytest.raises(ValidationError) as refused:
        services.partner_delete(partner=partner)

    assert refused.value.messages == [
        "泉州市青少年服务中心 still organises activities. Choose another organiser for them first."
    ]
    services.activity_save(centre=centre, activity=activity, partner=None)
    services.partner_delete(partner=partner)
    assert not Partner.objects.exists()


def test_a_brand_gets_a_pinyin_address_and_its_district():
    street = StreetFactory(name="东湖街道", parent=DistrictFactory(name="丰泽区"))

    first = services.brand_save(area=street, name="红色邻里")
    second = services.brand_save(area=DistrictFactory(name="金东区"), name="红色邻里")

    assert (first.slug, first.district.name) == ("hongselinli", "丰泽区")
    assert (second.slug, second.district.name) == ("hongselinli-2", "金东区")
    with pytest.raises(ValidationError):
        services.brand_save(area=street.parent, name="红色邻里")
    assert Brand.objects.count() == 2


def test_an_activity_may_carry_only_a_brand_of_its_district(centre):
    own = BrandFactory(area=centre.district, name="幸福丰泽")
    foreign = BrandFactory(area=DistrictFactory(name="普陀区"), name="万里同心")

    activity = ActivityFactory(centre=centre, brand=own)
    with pytest.raises(ValidationError) as refused:
        services.activity_save(centre=centre, activity=activity, brand=foreign)

    assert refused.value.message_dict == {"brand": ["Choose a brand of this centre's district."]}
    assert Activity.objects.get().brand == own


# activity_save and activity_delete ---------------------------------------------------------------------


def test_an_activity_for_children_needs_their_ages(centre):
    with pytest.raises(ValidationError) as refused:
        services.activity_save(
            centre=centre, title="四点半课堂", service_function="childcare", audience=Audience.CHILDREN, capacity=30
        )

    assert refused.value.message_dict == {"min_age": ["Give the age range of the children."]}
    assert not Activity.objects.exists()

    activity = services.activity_save(
        centre=centre,
        title="四点半课堂",
        service_function="childcare",
        audience=Audience.CHILDREN,
        min_age=6,
        max_age=12,
        capacity=30,
    )
    assert activity.age_range_label == "ages 6–12"


def test_an_activity_age_range_must_be_in_order(centre):
    with pytest.raises(ValidationError) as refused:
        services.activity_save(
            centre=centre, title="老年大学·智能手机", service_function="eldercare", min_age=80, max_age=60, capacity=20
        )

    assert "max_age" in refused.value.message_dict
    assert not Activity.objects.exists()


def test_an_activity_with_another_centres_partner_or_unknown_fields_is_refused(centre):
    foreign = PartnerFactory(name="东湖街道志愿者协会")

    with pytest.raises(ValidationError) as refused:
        services.activity_save(
            centre=centre, title="邻里义剪", service_function="daily_life", partner=foreign, capacity=10
        )
    with pytest.raises(TypeError):
        services.activity_save(centre=centre, title="邻里义剪", service_function="daily_life", capacity=10, centre_id=3)
    with pytest.raises(ValidationError) as function:
        services.activity_save(centre=centre, title="邻里义剪", service_function="haircuts", capacity=10)

    assert refused.value.message_dict == {"partner": ["Choose one of this centre's partners."]}
    assert function.value.message_dict == {"service_function": ["Choose a service function."]}
    assert not Activity.objects.exists()


def test_raising_places_above_a_planned_rooms_capacity_is_refused(activity, room):
    session(activity, date=D(2027, 3, 9), room=room)

    with pytest.raises(ValidationError) as refused:
        services.activity_save(centre=activity.centre, activity=activity, capacity=41)

    assert refused.value.message_dict == {
        "capacity": ["多功能活动室, where sessions are planned, holds only 40 people."]
    }
    assert Activity.objects.get().capacity == 20


def test_an_activity_never_held_can_be_deleted_with_its_sessions(activity, room):
    session(activity, date=D(2027, 3, 9), room=room)

    services.activity_delete(activity=activity)

    assert not Activity.objects.exists()
    assert not Occurrence.objects.exists()


def test_an_activity_held_already_stays_on_record(activity, room):
    Occurrence.objects.create(
        activity=activity,
        centre=activity.centre,
        room=room,
        starts_at=timezone.now() - dt.timedelta(days=7),
        ends_at=timezone.now() - dt.timedelta(days=7) + dt.timedelta(hours=1),
    )

    with pytest.raises(ValidationError) as refused:
        services.activity_delete(activity=activity)

    assert refused.value.messages == [
        "“青年夜校·摄影” has been held already, so it stays on record. Cancel its coming sessions instead."
    ]
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_an_activity_whose_past_sessions_were_all_cancelled_can_be_deleted(activity, room):
    Occurrence.objects.create(
        activity=activity,
        centre=activity.centre,
        room=room,
        status=Occurrence.Status.CANCELLED,
        cancel_reason="暴雨",
        starts_at=timezone.now() - dt.timedelta(days=7),
        ends_at=timezone.now() - dt.timedelta(days=7) + dt.timedelta(hours=1),
    )

    services.activity_delete(activity=activity)

    assert not Activity.objects.exists()


# Posters ----------------------------------------------------------------------------------------------


def png(width=1200, height=1600, name="poster.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color=(200, 40, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_poster_is_re_encoded_with_a_thumbnail_and_removed_cleanly(activity, django_capture_on_commit_callbacks):
    services.activity_save(centre=activity.centre, activity=activity, poster=png())
    activity.refresh_from_db()
    first = activity.poster.path
    assert activity.poster.name.startswith(f"activities/{activity.centre_id}/")
    assert activity.poster_thumbnail.name.endswith("_thumb.jpg")
    with Image.open(activity.poster.path) as image:
        assert image.format == "JPEG"

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_save(centre=activity.centre, activity=activity, remove_poster=True)
    activity.refresh_from_db()

    assert activity.poster.name == ""
    assert activity.poster_thumbnail.name == ""
    assert not Path(first).exists()


def test_a_file_that_is_not_an_image_is_refused_as_a_poster(activity):
    fake = SimpleUploadedFile("poster.png", b"%PDF-1.4 not an image", content_type="image/png")

    with pytest.raises(ValidationError):
        services.activity_save(centre=activity.centre, activity=activity, poster=fake)

    activity.refresh_from_db()
    assert activity.poster.name == ""


def test_a_centre_without_rooms_plans_sessions_without_a_room():
    bare = CentreFactory()
    centre_hours_replace(centre=bare, periods=weekday_hours())
    activity = ActivityFactory(centre=bare)

    occurrence = services.occurrence_create(activity=activity, date=D(2027, 3, 9), starts=T(9), ends=T(10), room=None)

    assert occurrence.room is None
