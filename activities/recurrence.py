"""Series of sessions from RFC 5545 recurrence rules, fitted to the national calendar and
to a centre's opening hours.

A series' rule is stored without its end (``FREQ=WEEKLY;BYDAY=TU``); where it ends is a
last date or a number of sessions actually held, so "eight Tuesdays" stays eight when one
Tuesday is a public holiday. Dates are skipped, each with its reason, when they are public
holidays (if the series skips them), when the centre is closed, or when the session does
not fit in the centre's hours that day. A series that follows the working week can also
run on make-up working days (调休).
"""

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from dateutil.rrule import rrulestr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.holidays import DayType, national_day
from centres.hours import CentreHours, DaySchedule
from centres.models import ServiceKind

# However a series is set up, it never runs past this many sessions or this far ahead.
MAX_SESSIONS = 400
MAX_SPAN_DAYS = 731

WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class Repeat(StrEnum):
    """The kinds of repetition the scheduling form offers."""

    ONCE = "once"
    SCHOOL_DAYS = "school_days"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY_WEEKDAY = "monthly_weekday"
    MONTHLY_LAST_DAY = "monthly_last_day"


REPEAT_LABELS = {
    Repeat.ONCE: gettext_lazy("Once"),
    Repeat.SCHOOL_DAYS: gettext_lazy("Every school day (working days, not on public holidays)"),
    Repeat.DAILY: gettext_lazy("Every day"),
    Repeat.WEEKLY: gettext_lazy("Every week on the chosen days"),
    Repeat.MONTHLY_WEEKDAY: gettext_lazy("Every month on the same weekday (e.g. the first Saturday)"),
    Repeat.MONTHLY_LAST_DAY: gettext_lazy("Every month on its last day"),
}


def rule_for(repeat: str, *, first_date: dt.date, weekdays: list[int] | None = None) -> str:
    """The RFC 5545 rule (without its end) for a choice of the scheduling form."""
    if repeat == Repeat.SCHOOL_DAYS:
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if repeat == Repeat.DAILY:
        return "FREQ=DAILY"
    if repeat == Repeat.WEEKLY:
        days = sorted(set(weekdays or [first_date.weekday()]))
        return "FREQ=WEEKLY;BYDAY=" + ",".join(WEEKDAY_CODES[day] for day in days)
    if repeat == Repeat.MONTHLY_WEEKDAY:
        nth = (first_date.day - 1) // 7 + 1
        # The fifth of a weekday is not in every month: the last one is what staff mean.
        ordinal = -1 if nth == 5 else nth
        return f"FREQ=MONTHLY;BYDAY={ordinal}{WEEKDAY_CODES[first_date.weekday()]}"
    if repeat == Repeat.MONTHLY_LAST_DAY:
        return "FREQ=MONTHLY;BYMONTHDAY=-1"
    raise ValueError(f"No rule for {repeat!r}")


@dataclass(frozen=True)
class PlannedSession:
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    service_kind: str

    @property
    def is_after_hours(self) -> bool:
        return self.service_kind != ServiceKind.REGULAR


@dataclass(frozen=True)
class SkippedDate:
    date: dt.date
    reason: str


@dataclass
class Plan:
    sessions: list[PlannedSession] = field(default_factory=list)
    skipped: list[SkippedDate] = field(default_factory=list)


def aware(date: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, time))


def fit_session(schedule: DaySchedule, starts: dt.time, ends: dt.time) -> PlannedSession | SkippedDate:
    """A session on ``schedule``'s date, or why it cannot be held that day."""
    date = schedule.date
    if schedule.is_closed:
        reason = _("the centre is closed")
        if schedule.exception_note:
            reason = f"{reason} ({schedule.exception_note})"
        elif schedule.national.type == DayType.PUBLIC_HOLIDAY:
            # (A make-up working day carries its holiday's name too, but is no holiday.)
            reason = f"{reason} ({schedule.national.holiday_name})"
        return SkippedDate(date, reason)
    if not schedule.covers(starts, ends):
        return SkippedDate(
            date,
            _("the centre is open only %(hours)s that day") % {"hours": schedule.hours_label},
        )
    return PlannedSession(date, aware(date, starts), aware(date, ends), schedule.service_kind_for(starts, ends))


def service_kind_at(hours: CentreHours, starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """The service kind of an existing session, for hours that may have changed since it
    was planned: a session that no longer fits in the hours is after-hours."""
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    schedule = hours.schedule_for(local_start.date())
    kind = schedule.service_kind_for(local_start.time(), local_end.time())
    if kind == ServiceKind.REGULAR and not schedule.covers(local_start.time(), local_end.time()):
        return ServiceKind.EXTENDED
    return kind


def candidate_dates(*, rule: str, first_date: dt.date, last_date: dt.date, on_make_up_days: bool) -> list[dt.date]:
    dtstart = dt.datetime.combine(first_date, dt.time())
    dates = {
        moment.date()
        for moment in rrulestr(rule, dtstart=dtstart).between(
            dtstart, dt.datetime.combine(last_date, dt.time()), inc=True
        )
    }
    if on_make_up_days:
        day = first_date
        while day <= last_date:
            if national_day(day).type == DayType.MAKE_UP_WORKING_DAY:
                dates.add(day)
            day += dt.timedelta(days=1)
    return sorted(dates)


def plan_series(
    *,
    hours: CentreHours,
    rule: str,
    first_date: dt.date,
    until: dt.date | None,
    count: int | None,
    starts: dt.time,
    ends: dt.time,
    skip_public_holidays: bool = True,
    on_make_up_days: bool = False,
) -> Plan:
    """The sessions of a series, and the dates it skips with their reasons."""
    last_date = first_date + dt.timedelta(days=MAX_SPAN_DAYS)
    if until is not None:
        last_date = min(last_date, until)
    plan = Plan()
    limit = min(count or MAX_SESSIONS, MAX_SESSIONS)
    for date in candidate_dates(rule=rule, first_date=first_date, last_date=last_date, on_make_up_days=on_make_up_days):
        national = national_day(date)
        if skip_public_holidays and national.type == DayType.PUBLIC_HOLIDAY:
            plan.skipped.append(SkippedDate(date, _("public holiday (%(name)s)") % {"name": national.holiday_name}))
            continue
        fitted = fit_session(hours.schedule_for(date), starts, ends)
        if isinstance(fitted, SkippedDate):
            plan.skipped.append(fitted)
            continue
        plan.sessions.append(fitted)
        if len(plan.sessions) >= limit:
            break
    return plan
