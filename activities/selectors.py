"""Reads of activities and sessions, with what the pages show already fetched, so a page
costs the same number of queries whatever the number of sessions."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from centres.holidays import DayType, national_day
from centres.models import Centre

from .filters import CalendarFilters
from .models import Activity, Brand, Occurrence
from .recurrence import aware


def public_occurrences() -> QuerySet[Occurrence]:
    """Sessions residents may see, with their activity, organiser, brand, centre and room."""
    return Occurrence.objects.public().select_related(
        "activity", "activity__partner", "activity__brand", "centre", "centre__area", "room"
    )


def calendar_occurrences(*, filters: CalendarFilters, start: dt.date, end: dt.date) -> QuerySet[Occurrence]:
    """The sessions that match ``filters`` and take place from ``start`` to ``end``
    (both dates included, in Asia/Shanghai), in time order."""
    sessions = filters.apply(public_occurrences())
    return sessions.between(aware(start, dt.time()), aware(end + dt.timedelta(days=1), dt.time())).order_by(
        "starts_at", "centre__name", "pk"
    )


def occurrence_for_public_page(*, pk: int) -> Occurrence:
    """One session of a published centre. Raises ``Occurrence.DoesNotExist``."""
    return public_occurrences().select_related("centre__street", "series").get(pk=pk)


def centre_upcoming_week(*, centre, today: dt.date | None = None) -> QuerySet[Occurrence]:
    """The centre's sessions from today for seven days, cancelled ones included."""
    today = today or timezone.localdate()
    return calendar_occurrences(filters=CalendarFilters(centre=centre), start=today, end=today + dt.timedelta(days=6))


@dataclass
class CalendarDay:
    """One day of a calendar: how many sessions it has, and the first few (or all)."""

    date: dt.date
    total: int = 0
    sessions: list[Occurrence] = field(default_factory=list)
    in_month: bool = True
    more_url: str = ""

    @property
    def more(self) -> int:
        return self.total - len(self.sessions)

    @property
    def holiday_name(self) -> str:
        """The public holiday's name, or "make-up working day" (调休)."""
        national = national_day(self.date)
        if national.type == DayType.PUBLIC_HOLIDAY:
            return national.holiday_name or ""
        if national.type == DayType.MAKE_UP_WORKING_DAY:
            return gettext("make-up working day")
        return ""


def sessions_by_day(occurrences) -> list[CalendarDay]:
    """``occurrences`` (in time order) grouped by their local date."""
    days: dict[dt.date, CalendarDay] = {}
    for occurrence in occurrences:
        date = timezone.localdate(occurrence.starts_at)
        day = days.setdefault(date, CalendarDay(date))
        day.sessions.append(occurrence)
        day.total += 1
    return list(days.values())


def calendar_days(
    *, filters: CalendarFilters, start: dt.date, end: dt.date, per_day: int
) -> dict[dt.date, CalendarDay]:
    """For each day from ``start`` to ``end`` that has sessions matching ``filters``:
    their number and the first ``per_day`` of them, in two queries however busy the days
    are (a window over the local date numbers the sessions of each day; only the first
    few are fetched in full)."""
    local_date = TruncDate("starts_at", tzinfo=timezone.get_current_timezone())
    by_day = {"partition_by": [local_date]}
    ranked = (
        filters.apply(Occurrence.objects.public())
        .filter(starts_at__gte=aware(start, dt.time()), starts_at__lt=aware(end + dt.timedelta(days=1), dt.time()))
        .annotate(
            day=local_date,
            rank=Window(RowNumber(), order_by=[F("starts_at").asc(), F("centre__name").asc(), F("pk").asc()], **by_day),
            day_total=Window(Count("pk"), **by_day),
        )
        .filter(rank__lte=per_day)
        .order_by()
        .values_list("pk", "day", "day_total")
    )
    days: dict[dt.date, CalendarDay] = {}
    day_of: dict[int, dt.date] = {}
    for pk, day, total in ranked:
        days.setdefault(day, CalendarDay(day, total))
        day_of[pk] = day
    if day_of:
        for occurrence in public_occurrences().filter(pk__in=day_of).order_by("starts_at", "centre__name", "pk"):
            days[day_of[occurrence.pk]].sessions.append(occurrence)
    return days


def other_upcoming_dates(*, occurrence: Occurrence, now: dt.datetime, limit: int = 10) -> QuerySet[Occurrence]:
    """The activity's other sessions still to come, cancelled ones included."""
    return (
        Occurrence.objects.filter(activity_id=occurrence.activity_id)
        .upcoming(now)
        .exclude(pk=occurrence.pk)
        .select_related("room")
        .order_by("starts_at", "pk")[:limit]
    )


def brands_with_upcoming_counts(*, now: dt.datetime) -> QuerySet[Brand]:
    """Every brand with its district and ``upcoming``, the number of its sessions still
    to come at published centres (not cancelled), by district."""
    upcoming = Q(
        activities__occurrences__ends_at__gt=now,
        activities__occurrences__status=Occurrence.Status.SCHEDULED,
        activities__occurrences__centre__is_published=True,
    )
    return (
        Brand.objects.select_related("district", "area")
        .annotate(upcoming=Count("activities__occurrences", filter=upcoming))
        .order_by("district__name", "name")
    )


def brand_for_public_page(*, slug: str) -> Brand:
    """Raises ``Brand.DoesNotExist``."""
    return Brand.objects.select_related("area", "district").get(slug=slug)


def brand_centres(*, brand: Brand) -> QuerySet[Centre]:
    """The published centres that run one of the brand's activities."""
    return (
        Centre.objects.published()
        .filter(pk__in=Activity.objects.filter(brand=brand).values("centre_id"))
        .select_related("area", "street")
        .order_by("name")
    )


def brand_upcoming_occurrences(*, brand: Brand, now: dt.datetime) -> QuerySet[Occurrence]:
    """The brand's sessions still to come at published centres, cancelled ones included."""
    return public_occurrences().filter(activity__brand=brand).upcoming(now).order_by("starts_at", "centre__name", "pk")


# The staff scheduling pages.


def staff_centre_sessions(*, centre) -> QuerySet[Occurrence]:
    return Occurrence.objects.for_centre(centre).select_related("activity", "room", "series")


def staff_week_sessions(*, centre, monday: dt.date) -> list[Occurrence]:
    """The centre's sessions of the week from ``monday``, cancelled ones included."""
    start = aware(monday, dt.time())
    return list(
        Occurrence.objects.for_centre(centre)
        .between(start, aware(monday + dt.timedelta(days=7), dt.time()))
        .select_related("activity", "room")
        .order_by("starts_at", "pk")
    )


def staff_activities(*, centre, now: dt.datetime) -> QuerySet[Activity]:
    """The centre's activities with their next session and number of coming sessions."""
    coming = Q(occurrences__status=Occurrence.Status.SCHEDULED, occurrences__starts_at__gt=now)
    return (
        centre.activities.select_related("partner", "brand")
        .annotate(
            next_starts_at=Min("occurrences__starts_at", filter=coming),
            coming_count=Count("occurrences", filter=coming),
        )
        .order_by("title")
    )
