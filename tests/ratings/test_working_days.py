"""Deadlines in working days follow the national calendar: public holidays are off,
make-up working days (调休) count, and the deadline is the end of the day in Shanghai."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from centres.holidays import DayType, national_day
from ratings.working_days import add_working_days

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def end_of(year, month, day) -> dt.datetime:
    return dt.datetime(year, month, day, 23, 59, 59, tzinfo=SHANGHAI)


def test_the_calendar_of_the_2026_national_day_holiday_is_as_the_tests_assume():
    assert [national_day(dt.date(2026, 10, d)).type for d in range(1, 8)] == [DayType.PUBLIC_HOLIDAY] * 7
    assert national_day(dt.date(2026, 9, 30)).type == DayType.WORKING_DAY
    assert national_day(dt.date(2026, 10, 8)).type == DayType.WORKING_DAY
    assert national_day(dt.date(2026, 10, 10)).type == DayType.MAKE_UP_WORKING_DAY
    assert national_day(dt.date(2026, 10, 11)).type == DayType.WEEKEND


def test_one_working_day_on_an_ordinary_tuesday_is_wednesday_night():
    assert add_working_days(at(2026, 11, 17), 1) == end_of(2026, 11, 18)


def test_one_working_day_from_friday_is_monday_night():
    assert add_working_days(at(2026, 11, 20, 21), 1) == end_of(2026, 11, 23)


def test_the_day_counts_in_shanghai_whatever_the_time_zone_of_the_start():
    # 2026-11-17 23:30 in Shanghai is 15:30 UTC the same day; 16:30 UTC is already the 18th.
    assert add_working_days(dt.datetime(2026, 11, 17, 15, 30, tzinfo=dt.UTC), 1) == end_of(2026, 11, 18)
    assert add_working_days(dt.datetime(2026, 11, 17, 16, 30, tzinfo=dt.UTC), 1) == end_of(2026, 11, 19)


def test_the_national_day_holiday_is_skipped():
    # Wednesday 30 September: 1–7 October are off, Thursday 8 October is the first working day.
    assert add_working_days(at(2026, 9, 30), 1) == end_of(2026, 10, 8)


def test_the_make_up_saturday_after_the_national_day_counts():
    # 8 Oct (Thu), 9 Oct (Fri), 10 Oct (the make-up Saturday).
    assert add_working_days(at(2026, 9, 30), 3) == end_of(2026, 10, 10)
    # Sunday 11 October is off again: the fourth is Monday 12.
    assert add_working_days(at(2026, 9, 30), 4) == end_of(2026, 10, 12)


def test_a_bad_rating_on_a_holiday_counts_from_the_next_working_day():
    assert add_working_days(at(2026, 10, 3), 1) == end_of(2026, 10, 8)


def test_fifteen_working_days_across_the_national_day():
    # From 29 Sep: 30 Sep, 8, 9, 10 (make-up), 12–16, 19–23 Oct, then 26 Oct is the 15th.
    assert add_working_days(at(2026, 9, 29), 15) == end_of(2026, 10, 26)


def test_the_spring_festival_with_its_make_up_saturdays():
    # Friday 13 Feb 2026: Saturday 14 Feb is a make-up working day, 15–23 Feb are off.
    assert add_working_days(at(2026, 2, 13), 1) == end_of(2026, 2, 14)
    assert add_working_days(at(2026, 2, 13), 2) == end_of(2026, 2, 24)
    # 24–27 Feb and the make-up Saturday 28 Feb.
    assert add_working_days(at(2026, 2, 14), 5) == end_of(2026, 2, 28)


@pytest.mark.parametrize("days", [0, -1])
def test_fewer_than_one_working_day_is_an_error(days):
    with pytest.raises(ValueError, match="days must be at least 1"):
        add_working_days(at(2026, 11, 17), days)
