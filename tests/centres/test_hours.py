"""CentreHours: what a centre's weekly periods and date exceptions mean for a date or a
moment. Pure: built from unsaved rows, no database."""

import datetime as dt
from zoneinfo import ZoneInfo

from centres.holidays import DayType
from centres.hours import CentreHours, OpenStatus, Slot
from centres.models import DateException, Day, OpeningPeriod, ServiceKind
from tests.centres.factories import weekday_hours

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = dt.time
REGULAR, EXTENDED, STAGGERED, APPOINTMENT = (
    ServiceKind.REGULAR,
    ServiceKind.EXTENDED,
    ServiceKind.STAGGERED,
    ServiceKind.APPOINTMENT,
)

TUESDAY = dt.date(2026, 11, 17)
FRIDAY = dt.date(2026, 11, 20)
SATURDAY = dt.date(2026, 11, 21)
MONDAY = dt.date(2026, 11, 23)
NATIONAL_DAY = dt.date(2026, 10, 1)  # Thursday; the holiday runs 1–7 October
MAKE_UP_SATURDAY = dt.date(2026, 2, 28)  # worked in lieu for the Spring Festival


def at(date, hour, minute=0, second=0):
    return dt.datetime.combine(date, T(hour, minute, second), tzinfo=SHANGHAI)


def hours(periods, exceptions=()):
    return CentreHours(
        [OpeningPeriod(**period) for period in periods],
        [DateException(**exception) for exception in exceptions],
    )


def period(day, opens, closes, kind=REGULAR):
    return {"day": day, "kind": kind, "opens": opens, "closes": closes}


def office_hours(**kwargs):
    """8:30–17:30 Monday to Friday, plus whatever ``weekday_hours`` is told."""
    return hours(weekday_hours(**kwargs))


# schedule_for


def test_an_ordinary_weekday_follows_its_weekly_periods_in_time_order():
    schedule = office_hours(evening_until=T(20, 30)).schedule_for(TUESDAY)

    assert schedule.national.type == DayType.WORKING_DAY
    assert schedule.slots == (Slot(REGULAR, T(8, 30), T(17, 30)), Slot(EXTENDED, T(17, 30), T(20, 30)))
    assert schedule.is_exception is False
    assert schedule.is_closed is False
    assert schedule.has_after_hours is True


def test_a_weekend_day_follows_the_weekend_periods():
    schedule = office_hours(weekend=(T(9), T(17))).schedule_for(SATURDAY)

    assert schedule.national.type == DayType.WEEKEND
    assert schedule.slots == (Slot(STAGGERED, T(9), T(17)),)


def test_a_weekend_day_without_periods_is_closed():
    schedule = office_hours().schedule_for(SATURDAY)

    assert schedule.slots == ()
    assert schedule.is_closed is True


def test_a_public_holiday_follows_the_holiday_periods_not_its_weekday():
    schedule = office_hours(holiday=(T(9), T(12))).schedule_for(NATIONAL_DAY)

    assert schedule.national.type == DayType.PUBLIC_HOLIDAY
    assert schedule.slots == (Slot(STAGGERED, T(9), T(12)),)


def test_a_public_holiday_without_holiday_periods_is_closed_even_on_a_working_weekday():
    schedule = office_hours().schedule_for(NATIONAL_DAY)

    assert NATIONAL_DAY.weekday() == 3
    assert schedule.slots == ()
    assert schedule.is_closed is True


def test_a_make_up_working_day_follows_the_monday_periods():
    centre = hours(
        [period(Day.MONDAY, T(8, 30), T(12))]
        + [period(day, T(8, 30), T(17, 30)) for day in (Day.TUESDAY, Day.WEDNESDAY, Day.THURSDAY, Day.FRIDAY)]
        + [period(Day.SATURDAY, T(14), T(16), STAGGERED)]
    )

    schedule = centre.schedule_for(MAKE_UP_SATURDAY)

    assert schedule.national.type == DayType.MAKE_UP_WORKING_DAY
    assert schedule.slots == (Slot(REGULAR, T(8, 30), T(12)),)


def test_a_closed_date_exception_overrides_weekday_and_holiday_periods():
    exceptions = [
        {"date": TUESDAY, "is_closed": True, "note": "消防演练"},
        {"date": NATIONAL_DAY, "is_closed": True, "note": "国庆闭馆"},
    ]
    centre = hours(weekday_hours(holiday=(T(9), T(12)), appointment=(T(8), T(22))), exceptions)

    for date, note in ((TUESDAY, "消防演练"), (NATIONAL_DAY, "国庆闭馆")):
        schedule = centre.schedule_for(date)
        assert schedule.slots == ()
        assert schedule.is_closed is True
        assert schedule.is_exception is True
        assert schedule.exception_note == note


def test_special_hours_replace_the_day_and_come_in_time_order():
    centre = hours(
        weekday_hours(),
        [
            {"date": SATURDAY, "is_closed": False, "kind": EXTENDED, "opens": T(19), "closes": T(21), "note": "电影夜"},
            {"date": SATURDAY, "is_closed": False, "kind": REGULAR, "opens": T(9), "closes": T(11), "note": "义诊"},
        ],
    )

    schedule = centre.schedule_for(SATURDAY)

    assert schedule.slots == (Slot(REGULAR, T(9), T(11)), Slot(EXTENDED, T(19), T(21)))
    assert schedule.is_exception is True
    assert schedule.exception_note == "电影夜; 义诊"
    assert centre.schedule_for(SATURDAY + dt.timedelta(days=7)).slots == ()


def test_week_gives_seven_days_from_the_start():
    week = office_hours(holiday=(T(9), T(12))).week(dt.date(2026, 9, 29))

    assert [day.date for day in week] == [dt.date(2026, 9, 29) + dt.timedelta(days=n) for n in range(7)]
    assert [day.national.type for day in week] == [DayType.WORKING_DAY, DayType.WORKING_DAY] + [
        DayType.PUBLIC_HOLIDAY
    ] * 5
    assert [len(day.slots) for day in week] == [1, 1, 1, 1, 1, 1, 1]
    assert week[2].slots == (Slot(STAGGERED, T(9), T(12)),)


# status_at


def test_open_exactly_at_opening_time_until_closing():
    status = office_hours().status_at(at(TUESDAY, 8, 30))

    assert status == OpenStatus(True, closes_at=at(TUESDAY, 17, 30), current_kind=REGULAR)


def test_closed_one_second_before_opening_with_the_opening_time():
    status = office_hours().status_at(at(TUESDAY, 8, 29, 59))

    assert status == OpenStatus(False, opens_at=at(TUESDAY, 8, 30))


def test_closed_exactly_at_closing_time_and_opens_next_morning():
    status = office_hours().status_at(at(TUESDAY, 17, 30))

    assert status == OpenStatus(False, opens_at=at(TUESDAY + dt.timedelta(days=1), 8, 30))


def test_extended_hours_right_after_regular_hours_run_the_closing_time_on():
    centre = office_hours(evening_until=T(20, 30))

    assert centre.status_at(at(TUESDAY, 10)) == OpenStatus(True, closes_at=at(TUESDAY, 20, 30), current_kind=REGULAR)
    assert centre.status_at(at(TUESDAY, 17, 30)) == OpenStatus(
        True, closes_at=at(TUESDAY, 20, 30), current_kind=EXTENDED
    )
    assert centre.status_at(at(TUESDAY, 20, 30)).is_open is False


def test_a_lunch_break_ends_the_morning_and_the_afternoon_is_the_next_opening():
    centre = hours(
        [period(Day.TUESDAY, T(8, 30), T(12)), period(Day.TUESDAY, T(14), T(17, 30))],
    )

    assert centre.status_at(at(TUESDAY, 11)) == OpenStatus(True, closes_at=at(TUESDAY, 12), current_kind=REGULAR)
    assert centre.status_at(at(TUESDAY, 12, 30)) == OpenStatus(False, opens_at=at(TUESDAY, 14))


def test_a_by_appointment_window_is_not_open_but_says_service_by_appointment():
    centre = office_hours(appointment=(T(7), T(22)))

    status = centre.status_at(at(TUESDAY, 19))

    assert status == OpenStatus(False, opens_at=at(TUESDAY + dt.timedelta(days=1), 8, 30), by_appointment_now=True)


def test_outside_every_window_there_is_no_appointment_service_either():
    centre = office_hours(appointment=(T(7), T(22)))

    assert centre.status_at(at(TUESDAY, 22, 30)).by_appointment_now is False
    assert centre.status_at(at(TUESDAY, 10)).by_appointment_now is False


def test_after_friday_closing_opens_on_monday_morning():
    status = office_hours().status_at(at(FRIDAY, 18))

    assert status == OpenStatus(False, opens_at=at(MONDAY, 8, 30))


def test_before_a_holiday_opens_on_the_first_working_day_after_it():
    # 1–7 October are public holidays (3–4 October is the weekend inside them).
    status = office_hours().status_at(at(dt.date(2026, 9, 30), 18))

    assert status == OpenStatus(False, opens_at=at(dt.date(2026, 10, 8), 8, 30))


def test_during_a_holiday_the_next_opening_skips_to_a_make_up_working_day():
    # After National Day, Saturday 10 October is worked in lieu: the Monday timetable.
    status = office_hours().status_at(at(dt.date(2026, 10, 9), 18))

    assert status == OpenStatus(False, opens_at=at(dt.date(2026, 10, 10), 8, 30))


def test_a_closed_exception_makes_the_next_opening_skip_that_day():
    centre = hours(weekday_hours(), [{"date": dt.date(2026, 11, 18), "is_closed": True}])

    status = centre.status_at(at(TUESDAY, 18))

    assert status == OpenStatus(False, opens_at=at(dt.date(2026, 11, 19), 8, 30))


def test_a_centre_without_any_hours_is_closed_and_never_opens():
    assert CentreHours().status_at(at(TUESDAY, 10)) == OpenStatus(False)


def test_the_answer_is_in_shanghai_time_for_a_utc_moment_across_midnight():
    # A breakfast canteen, 7:00–9:00 on working days. 23:00 UTC on Sunday is 7:00 on
    # Monday in Shanghai.
    centre = hours([period(day, T(7), T(9)) for day in range(Day.MONDAY, Day.SATURDAY)])
    sunday_night_utc = dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC)

    status = centre.status_at(sunday_night_utc)

    assert status == OpenStatus(True, closes_at=at(MONDAY, 9), current_kind=REGULAR)
    assert status.closes_at.utcoffset() == dt.timedelta(hours=8)
    assert status.closes_at == dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)


def test_a_utc_moment_before_shanghai_midnight_opens_on_the_shanghai_morning():
    centre = hours([period(day, T(7), T(9)) for day in range(Day.MONDAY, Day.SATURDAY)])
    friday_evening_utc = dt.datetime(2026, 11, 20, 15, 59, tzinfo=dt.UTC)  # Friday 23:59 in Shanghai

    assert centre.status_at(friday_evening_utc) == OpenStatus(False, opens_at=at(MONDAY, 7))


# Weekly summaries


def test_covers_evenings_when_a_working_day_has_walk_in_service_after_six():
    assert office_hours(evening_until=T(20, 30)).covers_evenings is True
    assert hours([period(Day.FRIDAY, T(18), T(18, 30), EXTENDED)]).covers_evenings is True


def test_does_not_cover_evenings_when_closing_at_six_or_by_appointment_only():
    assert office_hours().covers_evenings is False
    assert office_hours(closes=T(18)).covers_evenings is False
    assert office_hours(appointment=(T(18), T(21))).covers_evenings is False


def test_weekend_or_holiday_evenings_are_not_working_day_evenings():
    centre = hours([period(Day.SATURDAY, T(18), T(21), STAGGERED), period(Day.HOLIDAY, T(18), T(21), STAGGERED)])

    assert centre.covers_evenings is False


def test_covers_weekends_with_walk_in_service_on_saturday_or_sunday():
    assert office_hours(weekend=(T(9), T(17))).covers_weekends is True
    assert hours([period(Day.SUNDAY, T(9), T(11), STAGGERED)]).covers_weekends is True


def test_does_not_cover_weekends_with_appointments_only_or_weekdays_only():
    assert office_hours().covers_weekends is False
    assert hours([period(Day.SATURDAY, T(9), T(17), APPOINTMENT)]).covers_weekends is False


def test_covers_all_year_with_some_service_every_day_including_holidays():
    assert office_hours(appointment=(T(8), T(22))).covers_all_year is True
    assert office_hours(weekend=(T(9), T(17)), holiday=(T(9), T(12))).covers_all_year is True


def test_does_not_cover_all_year_when_any_day_or_the_holidays_have_nothing():
    assert office_hours(weekend=(T(9), T(17))).covers_all_year is False
    assert office_hours(holiday=(T(9), T(12))).covers_all_year is False
    assert CentreHours().covers_all_year is False
