"""The week grid, planning sessions and series (check, then save), moving and cancelling
sessions, and copying a week."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Occurrence, Series
from centres.services import date_exception_add, room_save
from tests.activities.factories import ActivityFactory, next_weekday, open_centre, room_of, session
from tests.portal.factories import CentreStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return open_centre(name="丰泽社区党群服务中心", slug="fengze")


@pytest.fixture
def staff_client(client, centre):
    client.force_login(CentreStaffFactory(centres=[centre]))
    return client


@pytest.fixture
def room(centre):
    return room_of(centre)


def week_url(centre, monday=None):
    url = reverse("schedule:week", kwargs={"slug": centre.slug})
    return f"{url}?week={monday:%Y-%m-%d}" if monday else url


def plan_url(centre):
    return reverse("schedule:schedule_create", kwargs={"slug": centre.slug})


def monday_of(date):
    return date - dt.timedelta(days=date.weekday())


def series_data(activity, room, first_date, **changes):
    data = {
        "activity": activity.pk,
        "first_date": first_date.isoformat(),
        "starts": "19:00",
        "ends": "20:30",
        "room": room.pk if room else "",
        "repeat": "weekly",
        "weekdays": [str(first_date.weekday())],
        "ends_by": "count",
        "count": "8",
        "until": "",
        "skip_public_holidays": "on",
        "action": "save",
    }
    return data | changes


def local(occurrence):
    return (
        timezone.localtime(occurrence.starts_at).strftime("%Y-%m-%d %H:%M"),
        timezone.localtime(occurrence.ends_at).strftime("%H:%M"),
    )


# The week grid.


def test_the_grid_shows_the_week_by_day_and_room(staff_client, centre, room):
    hall = room_save(centre=centre, name="党建书吧", capacity=30)
    tuesday = next_weekday(1)
    yoga = ActivityFactory(centre=centre, title="瑜伽班")
    reading = ActivityFactory(centre=centre, title="读书会")
    walk = ActivityFactory(centre=centre, title="健步走")
    evening = session(yoga, date=tuesday, starts=dt.time(19), ends=dt.time(20, 30))
    session(reading, date=tuesday, starts=dt.time(9), ends=dt.time(10), room=hall)
    session(walk, date=tuesday + dt.timedelta(days=1), starts=dt.time(9), ends=dt.time(10), room=None)
    session(ActivityFactory(centre=open_centre()), date=tuesday, starts=dt.time(9), ends=dt.time(10), room=None)

    response = staff_client.get(week_url(centre, monday_of(tuesday)))

    assert response.status_code == 200
    assert [r.name for r in response.context["rooms"]] == ["党建书吧", "多功能活动室"]
    days = response.context["days"]
    assert [d.schedule.date for d in days] == [monday_of(tuesday) + dt.timedelta(days=n) for n in range(7)]
    tuesday_cells = {(room.name if room else None): [o.activity.title for o in s] for room, s in days[1].cells}
    assert tuesday_cells == {"党建书吧": ["读书会"], "多功能活动室": ["瑜伽班"], None: []}
    assert [o.activity.title for o in days[2].cells[2][1]] == ["健步走"]
    page = response.content.decode()
    session_url = reverse("schedule:session", kwargs={"slug": centre.slug, "pk": evening.pk})
    assert session_url in page
    assert "Extended hours" in page  # the evening session's after-hours badge
    assert [s.opens for s in days[1].schedule.slots] == [dt.time(8, 30), dt.time(17, 30)]
    assert "17:30–20:30" in page
    assert f"?date={tuesday:%Y-%m-%d}&amp;room={room.pk}" in page


def test_the_grid_says_which_days_are_closed_and_holidays(staff_client, centre):
    tuesday = next_weekday(1)
    date_exception_add(centre=centre, date=tuesday, is_closed=True, note="消防检查")

    response = staff_client.get(week_url(centre, monday_of(tuesday)))
    day = response.context["days"][1]
    assert day.schedule.is_closed
    assert "消防检查" in response.content.decode()

    national_day = staff_client.get(week_url(centre, dt.date(2026, 10, 1)))
    assert national_day.context["monday"] == dt.date(2026, 9, 28)
    assert national_day.context["days"][3].schedule.national.holiday_name
    assert national_day.context["days"][3].is_past


def test_a_cancelled_session_is_struck_through(staff_client, centre):
    tuesday = next_weekday(1)
    occurrence = session(ActivityFactory(centre=centre, title="合唱团"), date=tuesday)
    services.occurrences_cancel(occurrence=occurrence, reason="老师生病")

    page = staff_client.get(week_url(centre, monday_of(tuesday))).content.decode()

    assert "<s>合唱团</s>" in page


def test_the_grid_defaults_to_this_week_and_links_to_the_next_and_previous(staff_client, centre):
    today = timezone.localdate()

    response = staff_client.get(week_url(centre) + "?week=not-a-date")

    assert response.context["monday"] == monday_of(today)
    assert response.context["next_url"] == week_url(centre, monday_of(today) + dt.timedelta(days=7))
    assert response.context["previous_url"] == week_url(centre, monday_of(today) - dt.timedelta(days=7))


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31"])
def test_a_week_at_the_ends_of_the_calendar_shows_this_week(staff_client, centre, week):
    response = staff_client.get(week_url(centre) + f"?week={week}")

    assert response.status_code == 200
    assert response.context["monday"] == monday_of(timezone.localdate())


def test_the_grid_costs_a_fixed_number_of_queries(staff_client, centre, room, django_assert_max_num_queries):
    for number in range(3):
        room_save(centre=centre, name=f"活动室{number}", capacity=40)
    tuesday = next_weekday(1)
    for hour in range(9, 17):
        activity = ActivityFactory(centre=centre)
        session(activity, date=tuesday, starts=dt.time(hour), ends=dt.time(hour, 50))
        session(activity, date=tuesday + dt.timedelta(days=1), starts=dt.time(hour), ends=dt.time(hour, 50), room=None)

    # session, user, centre, rooms, opening periods, date exceptions, sessions
    with django_assert_max_num_queries(8):
        response = staff_client.get(week_url(centre, monday_of(tuesday)))
    assert response.context["session_count"] == 16


# Planning: check, then save.


def test_checking_a_series_shows_its_sessions_and_saves_nothing(staff_client, centre, room):
    activity = ActivityFactory(centre=centre, title="青年夜校·摄影")
    tuesday = next_weekday(1)

    response = staff_client.post(plan_url(centre), series_data(activity, room, tuesday, action="check"))

    assert response.status_code == 200
    preview = response.context["preview"]
    assert [item["session"].date for item in preview["sessions"]] == [tuesday + dt.timedelta(weeks=n) for n in range(8)]
    assert all(item["session"].is_after_hours for item in preview["sessions"])
    assert preview["clashes"] == []
    assert not Occurrence.objects.exists()
    assert not Series.objects.exists()


def test_checking_lists_the_dates_left_out_with_their_reasons(staff_client, centre, room):
    activity = ActivityFactory(centre=centre)
    friday = next_weekday(4)
    date_exception_add(centre=centre, date=friday + dt.timedelta(weeks=1), is_closed=True, note="消防检查")
    data = series_data(activity, room, friday, starts="10:00", ends="11:00", count="3", action="check")

    preview = staff_client.post(plan_url(centre), data).context["preview"]

    assert [item["session"].date for item in preview["sessions"]] == [
        friday,
        friday + dt.timedelta(weeks=2),
        friday + dt.timedelta(weeks=3),
    ]
    assert [(s.date, s.reason) for s in preview["skipped"]] == [
        (friday + dt.timedelta(weeks=1), "the centre is closed (消防检查)")
    ]
    assert "消防检查" in staff_client.post(plan_url(centre), data).content.decode()


def test_saving_a_series_plans_all_its_sessions(staff_client, centre, room):
    activity = ActivityFactory(centre=centre, title="青年夜校·摄影")
    tuesday = next_weekday(1)

    response = staff_client.post(plan_url(centre), series_data(activity, room, tuesday))

    assert response.status_code == 302
    assert response["Location"] == week_url(centre, monday_of(tuesday))
    series = Series.objects.get()
    assert (series.rule, series.count, series.room) == ("FREQ=WEEKLY;BYDAY=TU", 8, room)
    assert [local(o) for o in series.occurrences.order_by("starts_at")] == [
        (f"{tuesday + dt.timedelta(weeks=n):%Y-%m-%d} 19:00", "20:30") for n in range(8)
    ]
    assert all(o.is_after_hours for o in series.occurrences.all())


def test_saving_once_plans_one_session(staff_client, centre, room):
    activity = ActivityFactory(centre=centre)
    wednesday = next_weekday(2)
    data = series_data(activity, room, wednesday, repeat="once", starts="14:00", ends="15:30")

    response = staff_client.post(plan_url(centre), data)

    assert response.status_code == 302
    assert [local(o) for o in Occurrence.objects.all()] == [(f"{wednesday:%Y-%m-%d} 14:00", "15:30")]
    assert not Series.objects.exists()


def test_a_room_clash_names_the_other_activity_and_time_and_saves_nothing(staff_client, centre, room):
    tuesday = next_weekday(1)
    photography = ActivityFactory(centre=centre, title="青年夜校·摄影")
    services.series_create(
        activity=photography, rule="FREQ=WEEKLY;BYDAY=TU", first_date=tuesday, count=8,
        starts=dt.time(19), ends=dt.time(20, 30), room=room,
    )  # fmt: skip
    calligraphy = ActivityFactory(centre=centre, title="书法班")
    before = Occurrence.objects.count()
    data = series_data(calligraphy, room, tuesday + dt.timedelta(weeks=2), starts="20:00", ends="20:30", count="4")

    response = staff_client.post(plan_url(centre), data)

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 4
    assert "“青年夜校·摄影”" in errors[0]
    assert "19:00–20:30" in errors[0]
    assert "多功能活动室 is taken" in errors[0]
    assert Occurrence.objects.count() == before
    assert not calligraphy.occurrences.exists()
    assert Series.objects.count() == 1
    form = response.context["form"]
    assert (form["starts"].value(), form["count"].value(), form["activity"].value()) == (
        "20:00",
        "4",
        str(calligraphy.pk),
    )


def test_checking_shows_the_clashes_too(staff_client, centre, room):
    tuesday = next_weekday(1)
    session(ActivityFactory(centre=centre, title="合唱团"), date=tuesday, starts=dt.time(18), ends=dt.time(19, 30))
    activity = ActivityFactory(centre=centre)

    response = staff_client.post(plan_url(centre), series_data(activity, room, tuesday, count="2", action="check"))

    preview = response.context["preview"]
    assert [item["clashes"] for item in preview["sessions"]] == [True, False]
    assert "“合唱团”" in preview["clashes"][0].message
    assert "Room taken" in response.content.decode()


def test_a_closed_day_is_refused_and_nothing_saved(staff_client, centre, room):
    wednesday = next_weekday(2)
    date_exception_add(centre=centre, date=wednesday, is_closed=True, note="设备检修")
    activity = ActivityFactory(centre=centre)

    response = staff_client.post(
        plan_url(centre), series_data(activity, room, wednesday, repeat="once", starts="10:00", ends="11:00")
    )

    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert "the centre is closed" in error
    assert "设备检修" in error
    assert not Occurrence.objects.exists()


def test_a_session_outside_the_hours_is_refused(staff_client, centre, room):
    activity = ActivityFactory(centre=centre)
    data = series_data(activity, room, next_weekday(2), repeat="once", starts="21:00", ends="22:00")

    response = staff_client.post(plan_url(centre), data)

    [error] = response.context["form"].non_field_errors()
    assert "open only 08:30–20:30" in error
    assert not Occurrence.objects.exists()


def test_a_date_in_the_past_is_refused(staff_client, centre, room):
    activity = ActivityFactory(centre=centre)
    last_monday = next_weekday(0) - dt.timedelta(days=14)

    response = staff_client.post(
        plan_url(centre), series_data(activity, room, last_monday, repeat="once", starts="10:00", ends="11:00")
    )

    assert response.context["form"].non_field_errors() == ["Sessions can only be planned for the future."]
    assert not Occurrence.objects.exists()


def test_the_form_checks_what_was_typed(staff_client, centre, room):
    activity = ActivityFactory(centre=centre)
    data = series_data(activity, room, next_weekday(1), starts="21:00", ends="19:00", count="")

    form = staff_client.post(plan_url(centre), data).context["form"]

    assert form.errors == {
        "ends": ["The end time must be after the start time."],
        "count": ["Give the number of sessions."],
    }


def test_a_series_ending_on_a_date(staff_client, centre, room):
    activity = ActivityFactory(centre=centre)
    tuesday = next_weekday(1)
    last = tuesday + dt.timedelta(weeks=2)
    data = series_data(activity, room, tuesday, ends_by="until", until=last.isoformat(), count="")

    staff_client.post(plan_url(centre), data)

    assert Series.objects.get().until == last
    assert activity.occurrences.count() == 3


def test_the_room_must_hold_the_activity(staff_client, centre):
    small = room_save(centre=centre, name="调解室", capacity=6)
    activity = ActivityFactory(centre=centre, capacity=20)

    form = staff_client.post(plan_url(centre), series_data(activity, small, next_weekday(1))).context["form"]

    assert form.errors == {"room": ["调解室 holds 6 people, fewer than the 20 places of this activity."]}


def test_the_add_link_fills_in_the_date_and_room(staff_client, centre, room):
    activity = ActivityFactory(centre=centre)
    tuesday = next_weekday(1)

    response = staff_client.get(plan_url(centre) + f"?date={tuesday:%Y-%m-%d}&room={room.pk}&activity={activity.pk}")

    form = response.context["form"]
    assert form["first_date"].value() == tuesday
    assert str(form["room"].value()) == str(room.pk)
    assert str(form["activity"].value()) == str(activity.pk)
    assert form["weekdays"].value() == [str(tuesday.weekday())]


def test_school_days_default_to_make_up_working_days(staff_client, centre):
    form = staff_client.get(plan_url(centre) + "?repeat=school_days").context["form"]

    assert form["on_make_up_days"].value() is True


# One session: move or cancel.


def session_url(centre, occurrence, action=""):
    name = f"schedule:session_{action}" if action else "schedule:session"
    return reverse(name, kwargs={"slug": centre.slug, "pk": occurrence.pk})


@pytest.fixture
def series(centre, room):
    activity = ActivityFactory(centre=centre, title="青年夜校·摄影")
    return services.series_create(
        activity=activity, rule="FREQ=WEEKLY;BYDAY=TU", first_date=next_weekday(1), count=4,
        starts=dt.time(19), ends=dt.time(20, 30), room=room,
    )  # fmt: skip


def sessions_of(series):
    return list(Occurrence.objects.filter(activity=series.activity).order_by("starts_at"))


def test_the_session_page_offers_scope_for_a_series(staff_client, centre, series):
    first = sessions_of(series)[0]

    response = staff_client.get(session_url(centre, first))

    assert response.status_code == 200
    assert "scope" in response.context["move_form"].fields
    assert "scope" in response.context["cancel_form"].fields
    single = session(ActivityFactory(centre=centre), date=next_weekday(3), starts=dt.time(10), ends=dt.time(11))
    response = staff_client.get(session_url(centre, single))
    assert "scope" not in response.context["move_form"].fields
    assert "scope" not in response.context["cancel_form"].fields


def test_moving_one_session_to_another_date_and_room(staff_client, centre, series):
    hall = room_save(centre=centre, name="党建书吧", capacity=30)
    second = sessions_of(series)[1]
    thursday = timezone.localdate(second.starts_at) + dt.timedelta(days=2)
    data = {"move-date": thursday.isoformat(), "move-starts": "18:30", "move-ends": "20:00", "move-room": hall.pk,
            "move-scope": "this"}  # fmt: skip

    response = staff_client.post(session_url(centre, second, "move"), data)

    assert response.status_code == 302
    second.refresh_from_db()
    assert local(second) == (f"{thursday:%Y-%m-%d} 18:30", "20:00")
    assert (second.room, second.is_detached) == (hall, True)
    assert [o.room for o in sessions_of(series)].count(hall) == 1


def test_moving_this_and_the_following_sessions(staff_client, centre, series, room):
    sessions = sessions_of(series)
    data = {
        "move-date": "",
        "move-starts": "18:00",
        "move-ends": "20:00",
        "move-room": room.pk,
        "move-scope": "following",
    }
    # The date is needed by the form but ignored for more than one session.
    data["move-date"] = timezone.localdate(sessions[2].starts_at).isoformat()

    response = staff_client.post(session_url(centre, sessions[2], "move"), data)

    assert response.status_code == 302
    assert [local(o)[0][-5:] for o in sessions_of(series)] == ["19:00", "19:00", "18:00", "18:00"]


def test_moving_onto_another_activity_names_it_and_changes_nothing(staff_client, centre, series, room):
    first = sessions_of(series)[0]
    day = timezone.localdate(first.starts_at)
    session(ActivityFactory(centre=centre, title="合唱团"), date=day, starts=dt.time(15), ends=dt.time(16))
    data = {"move-date": day.isoformat(), "move-starts": "15:30", "move-ends": "17:00", "move-room": room.pk,
            "move-scope": "this"}  # fmt: skip

    response = staff_client.post(session_url(centre, first, "move"), data)

    assert response.status_code == 200
    [error] = response.context["move_form"].non_field_errors()
    assert "“合唱团”" in error and "15:00–16:00" in error
    first.refresh_from_db()
    assert local(first)[0].endswith("19:00")
    assert response.context["move_form"]["starts"].value() == "15:30"


def test_cancelling_a_session_needs_a_reason(staff_client, centre, series):
    first = sessions_of(series)[0]

    response = staff_client.post(session_url(centre, first, "cancel"), {"cancel-reason": "", "cancel-scope": "this"})

    assert response.context["cancel_form"].errors == {"reason": ["This field is required."]}
    first.refresh_from_db()
    assert first.status == "scheduled"


def test_cancelling_one_session_or_all_coming(staff_client, centre, series):
    sessions = sessions_of(series)

    staff_client.post(session_url(centre, sessions[1], "cancel"), {"cancel-reason": "场地维修", "cancel-scope": "this"})
    assert [o.status for o in sessions_of(series)] == ["scheduled", "cancelled", "scheduled", "scheduled"]

    response = staff_client.post(
        session_url(centre, sessions[2], "cancel"), {"cancel-reason": "老师调走", "cancel-scope": "following"}
    )
    assert response.status_code == 302
    assert [(o.status, o.cancel_reason) for o in sessions_of(series)] == [
        ("scheduled", ""),
        ("cancelled", "场地维修"),
        ("cancelled", "老师调走"),
        ("cancelled", "老师调走"),
    ]


def test_a_past_session_cannot_be_changed(staff_client, centre, room):
    activity = ActivityFactory(centre=centre)
    tomorrow_morning = timezone.localdate() + dt.timedelta(days=1)
    occurrence = session(activity, date=tomorrow_morning, starts=dt.time(10), ends=dt.time(11), room=None)
    Occurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=occurrence.starts_at - dt.timedelta(days=7), ends_at=occurrence.ends_at - dt.timedelta(days=7)
    )

    page = staff_client.get(session_url(centre, occurrence))
    assert page.context["can_move"] is False and page.context["can_cancel"] is False

    response = staff_client.post(
        session_url(centre, occurrence, "move"),
        {"move-date": tomorrow_morning.isoformat(), "move-starts": "10:00", "move-ends": "11:00", "move-room": ""},
    )
    assert response.context["move_form"].non_field_errors() == [
        "This session has started or is over; it can no longer be changed."
    ]
    response = staff_client.post(session_url(centre, occurrence, "cancel"), {"cancel-reason": "下雨"})
    assert response.context["cancel_form"].non_field_errors() == [
        "This session is over; it can no longer be cancelled."
    ]
    occurrence.refresh_from_db()
    assert occurrence.status == "scheduled"


# Copying a week.


def copy_url(centre):
    return reverse("schedule:week_copy", kwargs={"slug": centre.slug})


def test_copying_a_week_after_checking_it(staff_client, centre, room):
    source = next_weekday(0)
    target = source + dt.timedelta(weeks=2)
    session(
        ActivityFactory(centre=centre, title="太极"),
        date=source + dt.timedelta(days=1),
        starts=dt.time(9),
        ends=dt.time(10),
    )
    session(
        ActivityFactory(centre=centre, title="义剪"),
        date=source + dt.timedelta(days=5),
        starts=dt.time(10),
        ends=dt.time(11),
        room=None,
    )
    data = {"source": (source + dt.timedelta(days=3)).isoformat(), "target": target.isoformat()}

    check = staff_client.post(copy_url(centre), data | {"action": "check"})
    assert [s.date for s in check.context["preview"].sessions] == [
        target + dt.timedelta(days=1),
        target + dt.timedelta(days=5),
    ]
    assert [(planned.date, original.activity.title) for planned, original in check.context["copies"]] == [
        (target + dt.timedelta(days=1), "太极"),
        (target + dt.timedelta(days=5), "义剪"),
    ]
    assert Occurrence.objects.count() == 2

    response = staff_client.post(copy_url(centre), data | {"action": "copy"})

    assert response.status_code == 302
    assert response["Location"] == week_url(centre, target)
    copies = Occurrence.objects.filter(starts_at__date__gte=target).order_by("starts_at")
    assert [(o.activity.title, o.room) for o in copies] == [("太极", room), ("义剪", None)]


def test_copying_onto_a_clash_copies_nothing(staff_client, centre):
    source = next_weekday(0)
    target = source + dt.timedelta(weeks=1)
    session(ActivityFactory(centre=centre, title="太极"), date=source, starts=dt.time(9), ends=dt.time(10))
    session(ActivityFactory(centre=centre, title="合唱团"), date=target, starts=dt.time(9, 30), ends=dt.time(11))

    response = staff_client.post(
        copy_url(centre), {"source": source.isoformat(), "target": target.isoformat(), "action": "copy"}
    )

    [error] = response.context["form"].non_field_errors()
    assert "“合唱团”" in error
    assert Occurrence.objects.count() == 2


def test_copying_an_empty_week_says_so(staff_client, centre):
    source = next_weekday(0)

    response = staff_client.post(
        copy_url(centre),
        {"source": source.isoformat(), "target": (source + dt.timedelta(weeks=1)).isoformat(), "action": "check"},
    )

    assert response.context["form"].non_field_errors() == ["There is nothing scheduled in that week to copy."]
