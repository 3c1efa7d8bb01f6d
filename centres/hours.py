"""Opening hours as data: what a centre's weekly periods and date exceptions mean for a
given date or moment. Pure functions over model instances (or anything shaped like
them), so a page that prefetched the rows asks the database nothing more.

For a date, the first rule that applies wins:
1. the centre's own date exceptions (closed all day, or special hours);
2. on a national public holiday, the centre's "public holidays" periods;
3. on a make-up working day (a weekend day worked in lieu, 调休), the centre's Monday
   periods: the working-day timetable;
4. the periods of that weekday.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from .holidays import DayType, NationalDay, national_day
from .models import Day, ServiceKind

EVENING_STARTS = dt.time(18, 0)
LOOK_AHEAD_DAYS = 14


@dataclass(frozen=True)
class Slot:
    kind: str
    opens: dt.time
    closes: dt.time

    @property
    def is_after_hours(self) -> bool:
        return self.kind != ServiceKind.REGULAR

    @property
    def is_walk_in(self) -> bool:
        return self.kind != ServiceKind.APPOINTMENT

    @property
    def kind_label(self) -> str:
        return ServiceKind(self.kind).label

    def covers(self, moment: dt.time) -> bool:
        return self.opens <= moment < self.closes


@dataclass(frozen=True)
class DaySchedule:
    date: dt.date
    national: NationalDay
    slots: tuple[Slot, ...]
    exception_note: str = ""
    is_exception: bool = False

    @property
    def is_closed(self) -> bool:
        return not self.slots

    @property
    def is_by_appointment_only(self) -> bool:
        return bool(self.slots) and not any(slot.is_walk_in for slot in self.slots)

    @property
    def has_after_hours(self) -> bool:
        return any(slot.is_after_hours for slot in self.slots)

    def covers(self, starts: dt.time, ends: dt.time) -> bool:
        """Whether the centre is open (in any kind of period, back-to-back periods joined)
        for the whole of ``starts``–``ends``."""
        reached = starts
        for slot in self.slots:
            if slot.opens <= reached < slot.closes:
                reached = slot.closes
            if reached >= ends:
                return True
        return False

    def service_kind_for(self, starts: dt.time, ends: dt.time) -> str:
        """The kind of service a session ``starts``–``ends`` is: regular when it lies in
        regular periods alone, otherwise the after-hours kind it overlaps (by
        appointment before staggered before extended)."""
        overlapping = {slot.kind for slot in self.slots if slot.opens < ends and starts < slot.closes}
        for kind in (ServiceKind.APPOINTMENT, ServiceKind.STAGGERED, ServiceKind.EXTENDED):
            if kind in overlapping:
                return kind
        return ServiceKind.REGULAR

    @property
    def hours_label(self) -> str:
        """The day's opening times, back-to-back periods joined: "08:30–20:30"."""
        spans: list[list[dt.time]] = []
        for slot in self.slots:
            if spans and slot.opens <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], slot.closes)
            else:
                spans.append([slot.opens, slot.closes])
        return ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in spans)


@dataclass(frozen=True)
class OpenStatus:
    """What "open now" says: open until when, or when it opens next."""

    is_open: bool
    closes_at: dt.datetime | None = None
    opens_at: dt.datetime | None = None
    by_appointment_now: bool = False
    current_kind: str | None = None


@dataclass
class CentreHours:
    periods: list = field(default_factory=list)
    exceptions: list = field(default_factory=list)

    def __post_init__(self):
        self._periods_by_day = defaultdict(list)
        for period in self.periods:
            self._periods_by_day[period.day].append(Slot(period.kind, period.opens, period.closes))
        self._exceptions_by_date = defaultdict(list)
        for exception in self.exceptions:
            self._exceptions_by_date[exception.date].append(exception)

    @classmethod
    def for_centre(cls, centre) -> "CentreHours":
        """From a centre whose ``opening_periods`` and ``date_exceptions`` were prefetched."""
        return cls(list(centre.opening_periods.all()), list(centre.date_exceptions.all()))

    def schedule_for(self, date: dt.date) -> DaySchedule:
        national = national_day(date)
        exceptions = self._exceptions_by_date.get(date)
        if exceptions:
            note = "; ".join(e.note for e in exceptions if e.note)
            if any(e.is_closed for e in exceptions):
                return DaySchedule(date, national, (), note, is_exception=True)
            slots = tuple(sorted((Slot(e.kind, e.opens, e.closes) for e in exceptions), key=lambda s: s.opens))
            return DaySchedule(date, national, slots, note, is_exception=True)
        slots = self._periods_by_day.get(weekly_day_for(national), [])
        return DaySchedule(date, national, tuple(sorted(slots, key=lambda s: s.opens)))

    def week(self, start: dt.date) -> list[DaySchedule]:
        return [self.schedule_for(start + dt.timedelta(days=offset)) for offset in range(7)]

    def status_at(self, moment: dt.datetime) -> OpenStatus:
        local = timezone.localtime(moment)
        today = self.schedule_for(local.date())
        by_appointment_now = False
        for slot in today.slots:
            if not slot.covers(local.time()):
                continue
            if slot.is_walk_in:
                closes = self._walk_in_end(today, slot)
                return OpenStatus(True, closes_at=_aware(local.date(), closes), current_kind=slot.kind)
            by_appointment_now = True
        return OpenStatus(False, opens_at=self.next_opening(local), by_appointment_now=by_appointment_now)

    def next_opening(self, after: dt.datetime) -> dt.datetime | None:
        local = timezone.localtime(after)
        for offset in range(LOOK_AHEAD_DAYS + 1):
            date = local.date() + dt.timedelta(days=offset)
            for slot in self.schedule_for(date).slots:
                if not slot.is_walk_in:
                    continue
                starts = _aware(date, slot.opens)
                if starts > local:
                    return starts
        return None

    def next_change(self, after: dt.datetime) -> dt.datetime | None:
        """The next moment any period opens or closes: when "open now" may change."""
        local = timezone.localtime(after)
        for offset in range(LOOK_AHEAD_DAYS + 1):
            date = local.date() + dt.timedelta(days=offset)
            moments = sorted(
                _aware(date, moment) for slot in self.schedule_for(date).slots for moment in (slot.opens, slot.closes)
            )
            for moment in moments:
                if moment > local:
                    return moment
        return None

    @staticmethod
    def _walk_in_end(day: DaySchedule, current: Slot) -> dt.time:
        """Where back-to-back walk-in slots (regular then extended) run on, the real end."""
        end = current.closes
        for slot in day.slots:
            if slot.is_walk_in and slot.opens <= end < slot.closes:
                end = slot.closes
        return end

    # Weekly summaries: what the centre promises in an ordinary week.

    @property
    def covers_evenings(self) -> bool:
        return any(
            slot.is_walk_in and slot.closes > EVENING_STARTS
            for day in range(Day.MONDAY, Day.SATURDAY)
            for slot in self._periods_by_day.get(day, [])
        )

    @property
    def covers_weekends(self) -> bool:
        return any(slot.is_walk_in for day in (Day.SATURDAY, Day.SUNDAY) for slot in self._periods_by_day.get(day, []))

    @property
    def covers_all_year(self) -> bool:
        """365 days, never closed: some service, at least by appointment, every day of the year."""
        return all(self._periods_by_day.get(day) for day in Day.values)


def weekly_day_for(national: NationalDay) -> int:
    """Which of the weekly timetables a date follows when the centre says nothing special."""
    if national.type == DayType.PUBLIC_HOLIDAY:
        return Day.HOLIDAY
    if national.type == DayType.MAKE_UP_WORKING_DAY:
        return Day.MONDAY
    return national.date.weekday()


def _aware(date: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, time))
