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
    return _with_hours_for(centres, timezone.localdate(now), 1).order_by("street__name", "name", "pk")


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


# The staff workspace. Each selector takes the queryset of centres the user may see
# (from ``centres.permissions``), so the scoping rules live in one place.


def _count_per_centre(rows: QuerySet):
    """Count ``rows`` of the outer centre in a correlated subquery: one query for the
    whole list, without the row multiplication of several joined ``Count``s."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    counted = rows.filter(centre=OuterRef("pk")).order_by().values("centre").annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def staff_dashboard_centres(*, centres: QuerySet[Centre], today: dt.date | None = None) -> QuerySet[Centre]:
    """The dashboard's centres, with what each row shows: where the centre is, how many
    functions, rooms and photos it lists, whether it has weekly hours, and how many date
    exceptions are coming. One query, whatever the number of centres."""
    from django.db.models import Exists, OuterRef

    from .models import CentrePhoto, OpeningPeriod, Room

    today = today or timezone.localdate()
    return (
        centres.select_related("area", "street", "district")
        .annotate(
            function_count=_count_per_centre(ServiceFunction.objects.all()),
            room_count=_count_per_centre(Room.objects.all()),
            photo_count=_count_per_centre(CentrePhoto.objects.all()),
            upcoming_exception_count=_count_per_centre(DateException.objects.filter(date__gte=today)),
            has_hours=Exists(OpeningPeriod.objects.filter(centre=OuterRef("pk"))),
        )
        .order_by("street__name", "name", "pk")
    )


def staff_centre_overview(*, centres: QuerySet[Centre], today: dt.date | None = None) -> QuerySet[Centre]:
    """Centres with everything the read-only staff overview shows: functions, rooms,
    photos, weekly periods and the date exceptions from ``today`` on."""
    today = today or timezone.localdate()
    return centres.select_related("area", "street", "district").prefetch_related(
        "functions",
        "rooms",
        "photos",
        "opening_periods",
        Prefetch("date_exceptions", queryset=DateException.objects.filter(date__gte=today), to_attr="upcoming"),
    )


def upcoming_date_exceptions(*, centre: Centre, today: dt.date | None = None) -> QuerySet[DateException]:
    today = today or timezone.localdate()
    return centre.date_exceptions.filter(date__gte=today).order_by("date", "opens")


def district_streets_with_communities(*, district: Area) -> QuerySet[Area]:
    """The streets of a district, each with its communities, and how many centres hang
    from each. Two queries."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    communities = Area.objects.communities().annotate(centre_count=Count("centres")).order_by("name")
    in_street = Centre.objects.filter(street=OuterRef("pk")).order_by().values("street").annotate(total=Count("pk"))
    return (
        Area.objects.streets()
        .filter(parent=district)
        .annotate(centre_count=Coalesce(Subquery(in_street.values("total"), output_field=IntegerField()), 0))
        .prefetch_related(Prefetch("children", queryset=communities))
        .order_by("name")
    )


def centre_area_choices(*, district: Area) -> QuerySet[Area]:
    """The streets and communities a centre of ``district`` may hang from, each street
    followed by its communities."""
    from django.db.models import Case, F, Q, When

    return (
        Area.objects.filter(Q(parent=district, level=Area.Level.STREET) | Q(parent__parent=district))
        .select_related("parent")
        .annotate(street_name=Case(When(level=Area.Level.STREET, then=F("name")), default=F("parent__name")))
        .order_by("street_name", "-level", "name")
    )
