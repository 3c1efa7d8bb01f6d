"""Series fitted to the national calendar and the centre's hours: ``rule_for`` and
``plan_series``. ``plan_series`` is pure, so the 2026 holidays (which the services refuse
as past dates) are tested here directly, with hours built in memory."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from activities.recurrence import MAX_SESSIONS, MAX_SPAN_DAYS, Repeat, candidate_dates, plan_series, rule_for
from centres.holidays import DayType, national_day
from centres.hours import CentreHours
from centres.models import Day, ServiceKind

pytestmark = pytest.mark.usefixtures("english")

D = dt.date
T = dt.time


def period(day, opens, closes, kind=ServiceKind.REGULAR):
    return SimpleNamespace(day=day, kind=kind, opens=opens, closes=closes)


def closed(date, note=""):
    return SimpleNamespace(date=date, is_closed=True, kind=ServiceKind.REGULAR, opens=None, closes=None, note=note)


def hours(*, exceptions=(), weekend=True, holiday=True, evening=True):
    """Working days 08:30–17:30 with extended hours to 20:30; weekends 09:00–17:00 and
    public holidays 09:00–12:00 (staggered)."""
    periods = [period(day, T(8, 30), T(17, 30)) for day in range(5)]
    if evening:
        periods += [period(day, T(17, 30), T(20, 30), ServiceKind.EXTENDED) for day in range(5)]
    if weekend:
        periods += [period(day, T(9), T(17), ServiceKind.STAGGERED) for day in (Day.SATURDAY, Day.SUNDAY)]
    if holiday:
        periods += [period(Day.HOLIDAY, T(9), T(12), ServiceKind.STAGGERED)]
    return CentreHours(periods, list(exceptions))


def plan(
    rule, first_date, *, until=None, count=None, starts=dt.time(16), ends=dt.time(17), centre_hours=None, **options
):
    return plan_series(
        hours=centre_hours or hours(),
        rule=rule,
        first_date=first_date,
        until=until,
        count=count,
        starts=starts,
        ends=ends,
        **options,
    )


def dates(result):
    return [session.date for session in result.sessions]


def skipped(result):
    return {skip.date: skip.reason for skip in result.skipped}


def test_the_national_calendar_knows_the_2026_dates_these_tests_rely_on():
    assert national_day(D(2026, 10, 1)).type == DayType.PUBLIC_HOLIDAY
    assert national_day(D(2026, 10, 7)).type == DayType.PUBLIC_HOLIDAY
    assert national_day(D(2026, 9, 25)).type == DayType.PUBLIC_HOLIDAY
    assert national_day(D(2026, 9, 20)).type == DayType.MAKE_UP_WORKING_DAY
    assert national_day(D(2026, 10, 10)).type == DayType.MAKE_UP_WORKING_DAY
    assert national_day(D(2026, 10, 8)).type == DayType.WORKING_DAY
    assert national_day(D(2027, 10, 1)).type == DayType.WORKING_DAY  # no 2027 data: an ordinary Friday


# rule_for ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("repeat", "first_date", "weekdays", "rule"),
    [
        (Repeat.SCHOOL_DAYS, D(2026, 9, 1), None, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        (Repeat.DAILY, D(2026, 9, 1), None, "FREQ=DAILY"),
        (Repeat.WEEKLY, D(2026, 9, 1), None, "FREQ=WEEKLY;BYDAY=TU"),
        (Repeat.WEEKLY, D(2026, 9, 1), [3, 1, 3], "FREQ=WEEKLY;BYDAY=TU,TH"),
        (Repeat.WEEKLY, D(2026, 9, 1), [], "FREQ=WEEKLY;BYDAY=TU"),
        (Repeat.MONTHLY_WEEKDAY, D(2026, 8, 1), None, "FREQ=MONTHLY;BYDAY=1SA"),
        (Repeat.MONTHLY_WEEKDAY, D(2026, 9, 15), None, "FREQ=MONTHLY;BYDAY=3TU"),
        (Repeat.MONTHLY_WEEKDAY, D(2026, 9, 28), None, "FREQ=MONTHLY;BYDAY=4MO"),
        # The fifth Friday is not in every month: the last one is meant.
        (Repeat.MONTHLY_WEEKDAY, D(2026, 5, 29), None, "FREQ=MONTHLY;BYDAY=-1FR"),
        (Repeat.MONTHLY_LAST_DAY, D(2026, 1, 31), None, "FREQ=MONTHLY;BYMONTHDAY=-1"),
    ],
)
def test_rule_for_each_preset(repeat, first_date, weekdays, rule):
    assert rule_for(repeat, first_date=first_date, weekdays=weekdays) == rule


def test_rule_for_once_is_not_a_rule():
    with pytest.raises(ValueError, match="once"):
        rule_for(Repeat.ONCE, first_date=D(2026, 9, 1))


# School days, holidays and make-up days -----------------------------------------------


def test_school_days_over_a_term_skip_the_public_holidays_with_their_names():
    result = plan(rule_for(Repeat.SCHOOL_DAYS, first_date=D(2026, 9, 21)), D(2026, 9, 21), until=D(2026, 10, 9))

    assert dates(result) == [
        D(2026, 9, 21),
        D(2026, 9, 22),
        D(2026, 9, 23),
        D(2026, 9, 24),
        # 25 Sep: Mid-autumn Festival
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
        # 1–7 Oct: National Day
        D(2026, 10, 8),
        D(2026, 10, 9),
    ]
    assert skipped(result) == {
        D(2026, 9, 25): "public holiday (Mid-autumn Festival)",
        D(2026, 10, 1): "public holiday (National Day)",
        D(2026, 10, 2): "public holiday (National Day)",
        D(2026, 10, 5): "public holiday (National Day)",
        D(2026, 10, 6): "public holiday (National Day)",
        D(2026, 10, 7): "public holiday (National Day)",
    }


def test_school_days_run_on_make_up_working_days_when_asked():
    rule = rule_for(Repeat.SCHOOL_DAYS, first_date=D(2026, 9, 14))
    without = plan(rule, D(2026, 9, 14), until=D(2026, 10, 16))
    with_make_up = plan(rule, D(2026, 9, 14), until=D(2026, 10, 16), on_make_up_days=True)

    assert set(dates(with_make_up)) - set(dates(without)) == {D(2026, 9, 20), D(2026, 10, 10)}
    assert D(2026, 9, 20) not in dates(without)
    assert len(dates(with_make_up)) == len(dates(without)) + 2
    # A make-up Sunday keeps the working-day timetable, so 16:00–17:00 is regular service.
    sunday = next(s for s in with_make_up.sessions if s.date == D(2026, 9, 20))
    assert sunday.service_kind == ServiceKind.REGULAR
    assert sunday.starts_at == timezone.make_aware(dt.datetime(2026, 9, 20, 16))


def test_make_up_days_outside_the_series_dates_are_not_added():
    result = plan("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", D(2026, 9, 21), until=D(2026, 10, 9), on_make_up_days=True)

    assert D(2026, 9, 20) not in dates(result)
    assert D(2026, 10, 10) not in dates(result)


def test_a_series_that_does_not_skip_holidays_runs_in_the_holiday_hours():
    result = plan(
        "FREQ=DAILY", D(2026, 10, 1), until=D(2026, 10, 3), starts=T(9, 30), ends=T(11), skip_public_holidays=False
    )

    assert dates(result) == [D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 3)]
    assert {s.service_kind for s in result.sessions} == {ServiceKind.STAGGERED}
    assert all(s.is_after_hours for s in result.sessions)


def test_on_a_holiday_the_centre_has_no_hours_for_the_session_is_skipped_with_the_hours_in_the_reason():
    result = plan(
        "FREQ=DAILY", D(2026, 10, 1), until=D(2026, 10, 1), starts=T(14), ends=T(15), skip_public_holidays=False
    )

    assert dates(result) == []
    assert skipped(result) == {D(2026, 10, 1): "the centre is open only 09:00–12:00 that day"}


def test_a_holiday_when_the_centre_is_closed_names_the_holiday():
    result = plan(
        "FREQ=DAILY",
        D(2026, 10, 1),
        until=D(2026, 10, 1),
        skip_public_holidays=False,
        centre_hours=hours(holiday=False),
    )

    assert skipped(result) == {D(2026, 10, 1): "the centre is closed (National Day)"}


def test_a_make_up_day_when_the_centre_is_closed_on_mondays_does_not_name_a_holiday():
    # A make-up working day follows the Monday timetable; this centre is closed on Mondays.
    tuesday_to_friday = CentreHours([period(day, T(9), T(18)) for day in (1, 2, 3, 4)])
    result = plan(
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        D(2026, 9, 18),
        until=D(2026, 9, 22),
        on_make_up_days=True,
        centre_hours=tuesday_to_friday,
    )

    assert dates(result) == [D(2026, 9, 18), D(2026, 9, 22)]
    assert skipped(result) == {D(2026, 9, 20): "the centre is closed", D(2026, 9, 21): "the centre is closed"}


# Weekly, monthly, month ends -----------------------------------------------------------


def test_eight_tuesdays_stay_eight_when_one_tuesday_is_a_public_holiday():
    result = plan(
        rule_for(Repeat.WEEKLY, first_date=D(2026, 9, 15)), D(2026, 9, 15), count=8, starts=T(19), ends=T(20, 30)
    )

    assert dates(result) == [
        D(2026, 9, 15),
        D(2026, 9, 22),
        D(2026, 9, 29),
        D(2026, 10, 13),
        D(2026, 10, 20),
        D(2026, 10, 27),
        D(2026, 11, 3),
        D(2026, 11, 10),
    ]
    assert skipped(result) == {D(2026, 10, 6): "public holiday (National Day)"}
    assert all(s.service_kind == ServiceKind.EXTENDED for s in result.sessions)


def test_first_saturday_of_each_month_skips_national_day():
    first = D(2026, 8, 1)
    result = plan(
        rule_for(Repeat.MONTHLY_WEEKDAY, first_date=first), first, until=D(2026, 12, 31), starts=T(9), ends=T(11)
    )

    assert dates(result) == [D(2026, 8, 1), D(2026, 9, 5), D(2026, 11, 7), D(2026, 12, 5)]
    assert skipped(result) == {D(2026, 10, 3): "public holiday (National Day)"}
    assert {s.service_kind for s in result.sessions} == {ServiceKind.STAGGERED}


def test_last_friday_of_the_month_from_a_fifth_friday():
    first = D(2026, 5, 29)
    result = plan(rule_for(Repeat.MONTHLY_WEEKDAY, first_date=first), first, count=4, starts=T(15), ends=T(16))

    assert dates(result) == [D(2026, 5, 29), D(2026, 6, 26), D(2026, 7, 31), D(2026, 8, 28)]


def test_monthly_last_day_lands_on_every_month_end():
    first = D(2027, 1, 31)
    result = plan(rule_for(Repeat.MONTHLY_LAST_DAY, first_date=first), first, count=12, starts=T(9, 30), ends=T(11))

    assert dates(result) == [
        D(2027, 1, 31),
        D(2027, 2, 28),
        D(2027, 3, 31),
        D(2027, 4, 30),
        D(2027, 5, 31),
        D(2027, 6, 30),
        D(2027, 7, 31),
        D(2027, 8, 31),
        D(2027, 9, 30),
        D(2027, 10, 31),
        D(2027, 11, 30),
        D(2027, 12, 31),
    ]


def test_monthly_last_day_in_a_leap_year_is_the_29th_of_february():
    result = plan("FREQ=MONTHLY;BYMONTHDAY=-1", D(2028, 1, 31), count=2, starts=T(9, 30), ends=T(11))

    assert dates(result) == [D(2028, 1, 31), D(2028, 2, 29)]


def test_a_first_date_that_does_not_match_the_rule_starts_at_the_next_matching_date():
    result = plan("FREQ=WEEKLY;BYDAY=TU", D(2027, 3, 3), count=2)  # a Wednesday

    assert dates(result) == [D(2027, 3, 9), D(2027, 3, 16)]


# Ends: until and count ------------------------------------------------------------------


def test_until_includes_the_last_date():
    result = plan("FREQ=WEEKLY;BYDAY=MO", D(2027, 3, 1), until=D(2027, 3, 15))

    assert dates(result) == [D(2027, 3, 1), D(2027, 3, 8), D(2027, 3, 15)]


def test_count_is_the_number_of_sessions_held_and_until_still_bounds_it():
    exceptions = [closed(D(2027, 3, 8), note="消防检修")]
    by_count = plan("FREQ=WEEKLY;BYDAY=MO", D(2027, 3, 1), count=3, centre_hours=hours(exceptions=exceptions))
    both = plan("FREQ=WEEKLY;BYDAY=MO", D(2027, 3, 1), count=10, until=D(2027, 3, 15))

    assert dates(by_count) == [D(2027, 3, 1), D(2027, 3, 15), D(2027, 3, 22)]
    assert dates(both) == [D(2027, 3, 1), D(2027, 3, 8), D(2027, 3, 15)]


def test_until_before_the_first_date_plans_nothing():
    assert dates(plan("FREQ=DAILY", D(2027, 3, 10), until=D(2027, 3, 9))) == []


# Closed days and hours -------------------------------------------------------------------


def test_a_closed_date_exception_is_skipped_with_its_note():
    exceptions = [closed(D(2027, 3, 9), note="消防设施检修，暂停开放一天"), closed(D(2027, 3, 10))]
    result = plan(
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        D(2027, 3, 8),
        until=D(2027, 3, 12),
        centre_hours=hours(exceptions=exceptions),
    )

    assert dates(result) == [D(2027, 3, 8), D(2027, 3, 11), D(2027, 3, 12)]
    assert skipped(result) == {
        D(2027, 3, 9): "the centre is closed (消防设施检修，暂停开放一天)",
        D(2027, 3, 10): "the centre is closed",
    }


def test_days_the_centre_never_opens_are_skipped():
    result = plan("FREQ=DAILY", D(2027, 3, 5), until=D(2027, 3, 8), centre_hours=hours(weekend=False))

    assert dates(result) == [D(2027, 3, 5), D(2027, 3, 8)]
    assert skipped(result) == {D(2027, 3, 6): "the centre is closed", D(2027, 3, 7): "the centre is closed"}


def test_sessions_outside_the_hours_are_skipped_with_the_hours_in_the_reason():
    result = plan(
        "FREQ=DAILY", D(2027, 3, 5), until=D(2027, 3, 6), starts=T(17), ends=T(19), centre_hours=hours(evening=False)
    )

    assert dates(result) == []
    assert skipped(result) == {
        D(2027, 3, 5): "the centre is open only 08:30–17:30 that day",
        D(2027, 3, 6): "the centre is open only 09:00–17:00 that day",
    }


def test_a_session_across_back_to_back_periods_fits_and_is_extended_service():
    result = plan("FREQ=WEEKLY;BYDAY=MO", D(2027, 3, 1), count=1, starts=T(16), ends=T(18, 30))

    (session,) = result.sessions
    assert session.service_kind == ServiceKind.EXTENDED
    assert session.is_after_hours
    assert (session.starts_at, session.ends_at) == (
        timezone.make_aware(dt.datetime(2027, 3, 1, 16)),
        timezone.make_aware(dt.datetime(2027, 3, 1, 18, 30)),
    )


def test_a_session_over_a_lunch_break_does_not_fit():
    lunch = CentreHours([period(0, T(8, 30), T(12)), period(0, T(14, 30), T(17, 30))])
    result = plan("FREQ=WEEKLY;BYDAY=MO", D(2027, 3, 1), count=1, starts=T(11), ends=T(15), centre_hours=lunch)

    assert dates(result) == []
    assert skipped(result)[D(2027, 3, 1)] == "the centre is open only 08:30–12:00, 14:30–17:30 that day"


def test_a_special_hours_exception_replaces_the_weekly_hours():
    evening = SimpleNamespace(
        date=D(2027, 3, 6), is_closed=False, kind=ServiceKind.STAGGERED, opens=T(9), closes=T(21), note="邻里节"
    )
    result = plan(
        "FREQ=WEEKLY;BYDAY=SA",
        D(2027, 3, 6),
        until=D(2027, 3, 13),
        starts=T(19),
        ends=T(20),
        centre_hours=hours(exceptions=[evening]),
    )

    assert dates(result) == [D(2027, 3, 6)]
    assert skipped(result) == {D(2027, 3, 13): "the centre is open only 09:00–17:00 that day"}


# Limits ------------------------------------------------------------------------------------


def test_a_series_never_has_more_than_max_sessions():
    result = plan("FREQ=DAILY", D(2027, 1, 1), count=MAX_SESSIONS + 100, starts=T(9, 30), ends=T(11))

    assert len(result.sessions) == MAX_SESSIONS


def test_a_series_never_runs_further_than_max_span_days():
    first = D(2027, 1, 4)
    result = plan("FREQ=WEEKLY;BYDAY=MO", first, until=D(2035, 1, 1), starts=T(9, 30), ends=T(11))

    assert result.sessions[-1].date <= first + dt.timedelta(days=MAX_SPAN_DAYS)
    assert len(result.sessions) == MAX_SPAN_DAYS // 7 + 1


def test_candidate_dates_are_sorted_and_unique_with_make_up_days():
    found = candidate_dates(
        rule="FREQ=WEEKLY;BYDAY=SA,SU", first_date=D(2026, 9, 19), last_date=D(2026, 9, 20), on_make_up_days=True
    )

    assert found == [D(2026, 9, 19), D(2026, 9, 20)]
