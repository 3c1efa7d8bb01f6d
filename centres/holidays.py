"""The national calendar: public holidays and their make-up working days (调休).

The dates come from the ``chinesecalendar`` package, which follows the State Council's
yearly notice. For a year the package does not know yet, every date is an ordinary
weekday or weekend; centres override single dates with their own date exceptions.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import chinese_calendar
from django.utils.translation import gettext_lazy as _

HOLIDAY_NAMES = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _("Victory Day"),
}


class DayType(StrEnum):
    WORKING_DAY = "working_day"
    WEEKEND = "weekend"
    PUBLIC_HOLIDAY = "public_holiday"
    MAKE_UP_WORKING_DAY = "make_up_working_day"


@dataclass(frozen=True)
class NationalDay:
    date: dt.date
    type: DayType
    holiday_name: str | None = None

    @property
    def is_working_day(self) -> bool:
        return self.type in {DayType.WORKING_DAY, DayType.MAKE_UP_WORKING_DAY}


@lru_cache(maxsize=2048)
def national_day(date: dt.date) -> NationalDay:
    is_weekend = date.weekday() >= 5
    try:
        is_rest_day, name = chinese_calendar.get_holiday_detail(date)
    except NotImplementedError:
        return NationalDay(date, DayType.WEEKEND if is_weekend else DayType.WORKING_DAY)
    label = HOLIDAY_NAMES.get(name, name) if name else None
    if is_rest_day and name:
        return NationalDay(date, DayType.PUBLIC_HOLIDAY, label)
    if not is_rest_day and is_weekend:
        return NationalDay(date, DayType.MAKE_UP_WORKING_DAY, label)
    return NationalDay(date, DayType.WEEKEND if is_weekend else DayType.WORKING_DAY)
