"""Reads of areas and centres, with everything a page shows already fetched, so a page
costs the same number of queries whatever the number of centres."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .hours import CentreHours
from .models import Area, Centre, DateException, ServiceFunction


@dataclass(frozen=True)
class DirectoryFilters:
    street: Area | None = None
    community: Area | None = None
    function: str = ""
    open_now: bool = False
    evenings: bool = False
    weekends: bool = False
    text: str = ""


def _with_hours_for(queryset: QuerySet, start: dt.date, days: int) -> QuerySet:
    return queryset.prefetch_related(
        "opening_periods",
        Prefetch(
            "date_exceptions",
            queryset=DateException.objects.filter(date__gte=start, date__lt=start + dt.timedelta(days=days + 14)),
        ),
    )


def centre_directory(*, filters: DirectoryFilters, now: dt.datetime | None = None) -> QuerySet[Centre]:
    now = now or timezone.now()
    centres = Centre.objects.published().select_related("area", "street", "district")
    if filters.community:
        centres = centres.in_area(filters.community)
    elif filters.street:
        centres = centres.in_area(filters.street)
    if filters.function:
        centres = centres.with_function(filters.function)
    if filters.evenings:
        centres = centres.open_evenings()
    if filters.weekends:
        centres = centres.open_weekends()
    if filters.open_now:
        centres = centres.open_at(now)
    if filters.text:
        centres = centres.search(filters.text)
    centres = centres.prefetch_related(
        Prefetch("functions", queryset=ServiceFunction.objects.order_by("position", "id"))
    )
    return _with_hours_for(centres, timezone.localdate(now), 1).order_by("street__name", "name")


def centre_for_public_page(*, slug: str, today: dt.date | None = None) -> Centre:
    """One published centre with its functions, rooms, photos and the hours of the
    coming fortnight. Raises ``Centre.DoesNotExist``."""
    today = today or timezone.localdate()
    centres = Centre.objects.published().select_related("area", "street", "district")
    centres = centres.prefetch_related("functions", "rooms", "photos")
    return _with_hours_for(centres, today, 7).get(slug=slug)


def centres_near(*, community: Area | None, limit: int = 6) -> list[Centre]:
    """Centres of the resident's own street first (their community's first of all)."""
    centres = Centre.objects.published().select_related("area", "street")
    if community is not None:
        centres = centres.filter(street_id=community.parent_id)
    centres = _with_hours_for(centres.prefetch_related("functions"), timezone.localdate(), 1)
    ordered = sorted(centres[:50], key=lambda c: (c.area_id != getattr(community, "pk", None), c.name))[:limit]
    now = timezone.now()
    for centre in ordered:
        centre.open_status = CentreHours.for_centre(centre).status_at(now)
    return ordered


def hours_of(centre: Centre) -> CentreHours:
    return CentreHours.for_centre(centre)


def streets_with_communities() -> QuerySet[Area]:
    communities = Area.objects.communities().order_by("name")
    return (
        Area.objects.streets()
        .select_related("parent")
        .prefetch_related(Prefetch("children", queryset=communities))
        .order_by("parent__name", "name")
    )
