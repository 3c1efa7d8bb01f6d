"""The monthly round-up for residents who asked for it (``User.wants_monthly_roundup``).

On the 1st (the beat runs ``monthly_roundup_send`` at 09:00) each of them gets one short
message, by text message too, so it stays under ``TEXT_LIMIT`` characters:

- the month's featured activities near them: activities with a brand or project
  (特色品牌项目) that have sessions still to come that month at the centres of their home
  community or of its street (the street's own centre, an industrial park…), soonest
  first. Someone without a home community, or whose community and street have none,
  gets the featured activities of the district most booked last month instead (the
  district of their community or, without one, the district where they booked most;
  everyone's when they never booked);
- the most popular projects of their community last month: the brands whose sessions at
  the community's centres had the most places booked (a place still held by a booking
  that was booked, as the monthly statistics count them);
- "see more" with the link to that month of the calendar, narrowed to their street.

Someone with no featured activity to be told of gets nothing. Only what fits is listed:
fewer activities and projects when the text would be too long.

Every resident's message has a key of the month and the person, so running it twice
sends nothing twice. The reads are a fixed number of aggregate queries, shared by all
the residents of a community (and of a district), whatever their number; the messages
are written in batched inserts into the notification outbox (``portal.notifications``),
whose sweep sends the texts and emails within the minute.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from bookings.models import Booking, Place
from portal.models import Notification, User
from portal.notifications import notification_build
from portal.templatetags.portal_tags import day_label

from .models import Occurrence

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A text message's worth; the link included.
TEXT_LIMIT = 300
# At most this many activities and projects are listed, fewer when the text is too long.
ACTIVITIES_SHOWN = 3
PROJECTS_SHOWN = 2
# A booked place: still held by a booking that was booked (cancelled only after the
# session started, as the monthly statistics count it).
BOOKED_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.CANCELLED)


@dataclass(frozen=True)
class Featured:
    """A featured activity with sessions in the month."""

    activity_id: int
    title: str
    centre: str
    area_id: int
    district_id: int
    district: str
    first: dt.datetime
    booked_last_month: int = 0


@dataclass(frozen=True)
class Project:
    name: str
    places: int


@dataclass(frozen=True)
class Roundup:
    """What one resident is told."""

    month: dt.date
    activities: tuple[Featured, ...]
    near: bool  # near them, or the district's most booked
    district: str  # of the most booked ("" for everyone's)
    community: str
    projects: tuple[Project, ...]
    street_id: int | None  # the calendar's filter


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month from the 1st at 00:00 to the next 1st at 00:00, Asia/Shanghai."""
    first = month.replace(day=1)
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=SHANGHAI),
        dt.datetime.combine(following, dt.time.min, tzinfo=SHANGHAI),
    )


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


# --- Reading ---------------------------------------------------------------------------------


def _featured(*, start, until, last_start, last_until, districts: set[int] | None) -> list[Featured]:
    """The featured activities with sessions to come in ``[start, until)`` at published
    centres of ``districts`` (None: everywhere), with the places booked at their sessions
    last month. Two aggregate queries."""
    sessions = (
        Occurrence.objects.live()
        .public()
        .filter(activity__brand__isnull=False, starts_at__gte=start, starts_at__lt=until)
    )
    if districts is not None:
        sessions = sessions.filter(centre__district_id__in=districts)
    rows = list(
        sessions.values(
            "activity_id",
            "activity__title",
            "centre__name",
            "centre__area_id",
            "centre__district_id",
            "centre__district__name",
        )
        .annotate(first=Min("starts_at"))
        .order_by()
    )
    if not rows:
        return []
    booked = dict(
        Place.objects.filter(
            is_held=True,
            booking__status__in=BOOKED_STATUSES,
            occurrence__status=Occurrence.Status.SCHEDULED,
            occurrence__starts_at__gte=last_start,
            occurrence__starts_at__lt=last_until,
            occurrence__activity__in=sessions.values("activity_id"),
        )
        .values("occurrence__activity_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("occurrence__activity_id", "n")
    )
    return [
        Featured(
            activity_id=row["activity_id"],
            title=row["activity__title"],
            centre=row["centre__name"],
            area_id=row["centre__area_id"],
            district_id=row["centre__district_id"],
            district=row["centre__district__name"],
            first=row["first"],
            booked_last_month=booked.get(row["activity_id"], 0),
        )
        for row in rows
    ]


def _popular_projects(*, communities: set[int], last_start, last_until) -> dict[int, tuple[Project, ...]]:
    """Per community id, its brands by places booked last month at its centres, most
    first. One aggregate query."""
    if not communities:
        return {}
    rows = (
        Place.objects.filter(
            is_held=True,
            booking__status__in=BOOKED_STATUSES,
            occurrence__status=Occurrence.Status.SCHEDULED,
            occurrence__starts_at__gte=last_start,
            occurrence__starts_at__lt=last_until,
            occurrence__activity__brand__isnull=False,
            occurrence__centre__area_id__in=communities,
        )
        .values("occurrence__centre__area_id", "occurrence__activity__brand__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: dict[int, list[Project]] = defaultdict(list)
    for row in rows:
        found[row["occurrence__centre__area_id"]].append(Project(row["occurrence__activity__brand__name"], row["n"]))
    return {
        community: tuple(sorted(projects, key=lambda p: (-p.places, p.name))[:PROJECTS_SHOWN])
        for community, projects in found.items()
    }


def _district_booked_most(residents: list[User]) -> dict[int, int]:
    """Per resident without a home community, the district where they booked most."""
    if not any(resident.home_community_id is None for resident in residents):
        return {}
    rows = (
        Booking.objects.filter(
            resident__wants_monthly_roundup=True, resident__is_active=True, resident__home_community__isnull=True
        )
        .values("resident_id", "centre__district_id")
        .annotate(n=Count("pk"))
        .order_by("resident_id", "-n", "centre__district_id")
    )
    districts: dict[int, int] = {}
    for row in rows:
        districts.setdefault(row["resident_id"], row["centre__district_id"])
    return districts


def roundups_for(*, month: dt.date, now: dt.datetime) -> list[tuple[User, Roundup]]:
    """Each resident who asked for the round-up and has something to be told, with what
    they are told. A fixed number of queries: five at most."""
    start, until = month_bounds(month)
    start = max(start, now)
    last_start, last_until = month_bounds(previous_month(month))
    residents = list(
        User.objects.filter(is_active=True, wants_monthly_roundup=True)
        .select_related("home_community__parent")
        .order_by("pk")
    )
    if not residents or start >= until:
        return []
    booked_in = _district_booked_most(residents)
    districts: set[int] | None = set()
    for resident in residents:
        community = resident.home_community
        district = community.parent.parent_id if community else booked_in.get(resident.pk)
        if district is None:
            districts = None  # someone is shown everyone's most booked
            break
        districts.add(district)
    featured = _featured(start=start, until=until, last_start=last_start, last_until=last_until, districts=districts)
    communities = {resident.home_community_id for resident in residents if resident.home_community_id}
    projects = _popular_projects(communities=communities, last_start=last_start, last_until=last_until)

    # One round-up per community (and per district, for those without one), shared by
    # all its residents.
    by_area: dict[int, list[Featured]] = defaultdict(list)
    by_district: dict[int | None, list[Featured]] = defaultdict(list)
    for activity in featured:
        by_area[activity.area_id].append(activity)
        by_district[activity.district_id].append(activity)
        by_district[None].append(activity)

    def most_booked(district: int | None, community=None) -> Roundup | None:
        found = sorted(by_district.get(district, []), key=lambda a: (-a.booked_last_month, a.first, a.title))
        if not found:
            return None
        return Roundup(
            month=month,
            activities=tuple(found[:ACTIVITIES_SHOWN]),
            near=False,
            district=found[0].district if district is not None else "",
            community=community.name if community else "",
            projects=projects.get(community.pk, ()) if community else (),
            street_id=None,
        )

    def near(community) -> Roundup | None:
        found = sorted(
            by_area.get(community.pk, []) + by_area.get(community.parent_id, []), key=lambda a: (a.first, a.title)
        )
        if not found:  # nothing near: the district's most booked
            return most_booked(community.parent.parent_id, community)
        return Roundup(
            month=month,
            activities=tuple(found[:ACTIVITIES_SHOWN]),
            near=True,
            district="",
            community=community.name,
            projects=projects.get(community.pk, ()),
            street_id=community.parent_id,
        )

    of_community: dict[int, Roundup | None] = {}
    of_district: dict[int | None, Roundup | None] = {}
    told = []
    for resident in residents:
        community = resident.home_community
        if community is not None:
            if community.pk not in of_community:
                of_community[community.pk] = near(community)
            roundup = of_community[community.pk]
        else:
            district = booked_in.get(resident.pk)
            if district not in of_district:
                of_district[district] = most_booked(district)
            roundup = of_district[district]
        if roundup is not None:
            told.append((resident, roundup))
    return told


# --- Writing ---------------------------------------------------------------------------------


def roundup_url(roundup: Roundup) -> str:
    """That month of the calendar, narrowed to the resident's street when the activities
    are near them."""
    query = {"view": "month", "start": roundup.month.isoformat()}
    if roundup.street_id is not None:
        query["street"] = roundup.street_id
    return reverse("activities:calendar") + "?" + urlencode(query)


def _activities_sentence(roundup: Roundup, activities: tuple[Featured, ...]) -> str:
    items = _("; ").join(
        _("%(title)s at %(centre)s from %(day)s")
        % {"title": activity.title, "centre": activity.centre, "day": day_label(activity.first)}
        for activity in activities
    )
    month = date_format(roundup.month, "YEAR_MONTH_FORMAT")
    if roundup.near:
        return _("%(month)s, featured activities near you: %(activities)s.") % {"month": month, "activities": items}
    if roundup.district:
        return _("%(month)s, the most booked featured activities in %(district)s: %(activities)s.") % {
            "month": month,
            "district": roundup.district,
            "activities": items,
        }
    return _("%(month)s, the most booked featured activities: %(activities)s.") % {"month": month, "activities": items}


def _projects_sentence(roundup: Roundup, projects: tuple[Project, ...]) -> str:
    items = _("; ").join(
        ngettext("%(name)s (%(count)s place booked)", "%(name)s (%(count)s places booked)", project.places)
        % {"name": project.name, "count": project.places}
        for project in projects
    )
    return _("Most popular projects in %(community)s last month: %(projects)s.") % {
        "community": roundup.community,
        "projects": items,
    }


def roundup_text(roundup: Roundup) -> str:
    """The message in the active language: as many of the activities and projects as
    fit in ``TEXT_LIMIT`` characters (at least one activity, and one project while there is
    room), then "see more" and the link."""
    link = settings.PORTAL_BASE_URL.rstrip("/") + roundup_url(roundup)
    see_more = _("See more: %(link)s") % {"link": link}
    # As many items as fit, activities before projects; the last project goes only when
    # one activity alone leaves no room for it.
    floor = 1 if roundup.projects else 0
    sizes = sorted(
        (
            (shown, projects)
            for shown in range(len(roundup.activities), 0, -1)
            for projects in range(len(roundup.projects), floor - 1, -1)
        ),
        key=lambda size: (-sum(size), -size[0]),
    )
    text = ""
    for shown, projects in [*sizes, (1, 0)]:
        sentences = [_activities_sentence(roundup, roundup.activities[:shown])]
        if projects:
            sentences.append(_projects_sentence(roundup, roundup.projects[:projects]))
        text = " ".join([*sentences, see_more])
        if len(text) <= TEXT_LIMIT:
            return text
    return text


def _key(month: dt.date, user_id: int) -> str:
    return f"roundup-{month:%Y-%m}-{user_id}"


def monthly_roundup_send(*, month: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Send the round-up of ``month`` (any day of it; by default the month of ``now`` in
    Asia/Shanghai, the month that starts on the 1st) to each resident who asked for it
    and has something to be told. Returns how many messages were written (none the
    second time)."""
    now = now or timezone.now()
    month = (month or now.astimezone(SHANGHAI).date()).replace(day=1)
    told = roundups_for(month=month, now=now)
    if not told:
        return 0
    sent_before = set(
        Notification.objects.filter(dedupe_key__startswith=f"roundup-{month:%Y-%m}-").values_list(
            "dedupe_key", flat=True
        )
    )
    # Written once per round-up and language, however many residents share it.
    rendered: dict[tuple[int, str, str], str] = {}

    def once(render, roundup: Roundup):
        def text() -> str:
            key = (id(roundup), render.__name__, get_language())
            if key not in rendered:
                rendered[key] = render(roundup)
            return rendered[key]

        return text

    messages = [
        notification_build(
            recipient=resident,
            kind=Notification.Kind.ROUNDUP,
            text=once(roundup_text, roundup),
            url=once(roundup_url, roundup),
            dedupe_key=_key(month, resident.pk),
        )
        for resident, roundup in told
        if _key(month, resident.pk) not in sent_before
    ]
    with transaction.atomic():
        # A run at the same moment may have written some: those are left out, not doubled.
        Notification.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)
    return len(messages)
