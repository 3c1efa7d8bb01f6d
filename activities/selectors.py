"""Reads of activities and sessions, with what the pages show already fetched, so a page
costs the same number of queries whatever the number of sessions."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from .filters import CalendarFilters
from .models import Occurrence
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
