"""Deadlines counted in working days of the national calendar.

Public holidays are days off, make-up working days (调休) are working days, weekends
otherwise off (``centres.holidays.national_day``). A deadline of N working days is the
end of the Nth working day after the day something happened, 23:59:59 Asia/Shanghai:
a bad rating given on Friday evening with one working day to call back is due by Monday
night (or the Tuesday after a Monday holiday).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from centres.holidays import national_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)


def nth_working_day_after(day: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``day`` (``day`` itself does not count)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    found = 0
    while found < days:
        day += dt.timedelta(days=1)
        if national_day(day).is_working_day:
            found += 1
    return day


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 Asia/Shanghai) of the ``days``-th working day after the day of
    ``start`` (an aware datetime)."""
    day = nth_working_day_after(start.astimezone(SHANGHAI).date(), days)
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)
