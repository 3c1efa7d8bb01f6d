import datetime as dt

from django.utils import translation

from centres.holidays import DayType, NationalDay, national_day


def test_national_day_is_a_public_holiday_named_national_day():
    day = national_day(dt.date(2026, 10, 1))

    assert day.type == DayType.PUBLIC_HOLIDAY
    assert day.is_working_day is False
    with translation.override("en"):
        assert str(day.holiday_name) == "National Day"


def test_a_weekend_day_inside_a_holiday_is_a_public_holiday():
    day = national_day(dt.date(2026, 10, 3))  # a Saturday in the National Day week

    assert day.type == DayType.PUBLIC_HOLIDAY
    with translation.override("en"):
        assert str(day.holiday_name) == "National Day"


def test_a_saturday_worked_in_lieu_is_a_make_up_working_day():
    day = national_day(dt.date(2026, 2, 28))

    assert day.date.weekday() == 5
    assert day.type == DayType.MAKE_UP_WORKING_DAY
    assert day.is_working_day is True
    with translation.override("en"):
        assert str(day.holiday_name) == "Spring Festival"


def test_an_ordinary_saturday_is_a_weekend():
    assert national_day(dt.date(2026, 11, 21)) == NationalDay(dt.date(2026, 11, 21), DayType.WEEKEND)
    assert national_day(dt.date(2026, 11, 21)).is_working_day is False


def test_an_ordinary_weekday_is_a_working_day():
    assert national_day(dt.date(2026, 11, 17)) == NationalDay(dt.date(2026, 11, 17), DayType.WORKING_DAY)
    assert national_day(dt.date(2026, 11, 17)).is_working_day is True


def test_a_year_the_calendar_does_not_know_falls_back_to_weekdays_and_weekends():
    # 2030-01-01 is New Year's Day in reality, but the package has no data for 2030 yet.
    assert national_day(dt.date(2030, 1, 1)) == NationalDay(dt.date(2030, 1, 1), DayType.WORKING_DAY)
    assert national_day(dt.date(2030, 1, 5)) == NationalDay(dt.date(2030, 1, 5), DayType.WEEKEND)
    assert national_day(dt.date(2030, 1, 6)) == NationalDay(dt.date(2030, 1, 6), DayType.WEEKEND)
