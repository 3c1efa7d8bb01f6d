"""iCalendar (RFC 5545) feeds a phone calendar can subscribe to: one per centre, one per
filtered calendar view (the same query string as the HTML calendar), and one file per
session to add it to a calendar by hand.

Every session is a VEVENT with a UID that stays the same when the session is moved or
cancelled, and a SEQUENCE and LAST-MODIFIED that grow with each change, so that a
subscribed calendar updates the event instead of adding a second one. Times are local
(``TZID=Asia/Shanghai``, with its VTIMEZONE); the text is in the language of the request.

A feed reaches from ``FEED_PAST_DAYS`` ago to ``FEED_FUTURE_DAYS`` ahead; the filters'
``start`` and ``end`` can only narrow that. It holds at most ``MAX_COMING_EVENTS`` coming
and ``MAX_PAST_EVENTS`` past sessions, the nearest to now, so that a feed of the whole
district stays a size a phone can take. Whatever the number of sessions, a feed costs the
same number of queries, and its bytes are cached while the data and the day stay the same.
"""

import datetime as dt
import functools
import uuid

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from icalendar import Calendar, Event, Timezone, vDuration

from centres.models import Centre, ServiceFunctionCode
from centres.page_cache import Rendered, cached_fragment, valid_until

from .filters import CalendarFilterForm, CalendarFilters
from .models import Audience, Occurrence
from .selectors import calendar_occurrences, occurrence_for_public_page

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Party-mass service centres//Activities calendar 1.0//ZH"
FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 180
MAX_COMING_EVENTS = 2000
MAX_PAST_EVENTS = 500
# How often a subscribed calendar should look again (REFRESH-INTERVAL, X-PUBLISHED-TTL).
REFRESH = dt.timedelta(hours=1)


@functools.cache
def _vtimezone(tzid: str) -> Timezone:
    # Slow to build (≈ 15 ms) and the same for every feed. From 2000: Asia/Shanghai has
    # had no daylight saving time since 1991, so one STANDARD part describes it.
    return Timezone.from_tzid(tzid, first_date=dt.date(2000, 1, 1), last_date=dt.date(2038, 1, 1))


def feed_dates(filters: CalendarFilters, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last date a feed covers: the default reach, narrowed by the
    filters' dates (which may leave nothing: then the first date is after the last)."""
    start = today - dt.timedelta(days=FEED_PAST_DAYS)
    end = today + dt.timedelta(days=FEED_FUTURE_DAYS)
    if filters.start is not None:
        start = max(start, filters.start)
    if filters.end is not None:
        end = min(end, filters.end)
    return start, end


def feed_occurrences(*, filters: CalendarFilters, now: dt.datetime) -> list[Occurrence]:
    """The sessions of a feed, in time order. Two queries whatever their number."""
    start, end = feed_dates(filters, timezone.localdate(now))
    if start > end:
        return []
    sessions = calendar_occurrences(filters=filters, start=start, end=end)
    past = list(sessions.filter(ends_at__lte=now).order_by("-starts_at", "-pk")[:MAX_PAST_EVENTS])
    coming = list(sessions.filter(ends_at__gt=now)[:MAX_COMING_EVENTS])
    return past[::-1] + coming


def describe_filters(filters: CalendarFilters) -> str:
    """The calendar's name: the centre's, or "Activities" and what the filters choose."""
    if filters.centre is not None:
        parts = [filters.centre.name]
    else:
        parts = [_("Activities")]
        area = filters.community or filters.street
        if area is not None:
            parts.append(area.name)
    if filters.function:
        parts.append(str(ServiceFunctionCode(filters.function).label))
    if filters.audience:
        parts.append(str(Audience(filters.audience).label))
    if filters.age is not None:
        parts.append(_("for a child of %(age)s") % {"age": filters.age})
    if filters.after_hours:
        parts.append(_("after hours"))
    return " · ".join(parts)


class FeedWriter:
    """Builds the VCALENDAR of a request: absolute links back to the sessions' pages, the
    UID domain, and the text that all sessions of one activity share, worked out once."""

    def __init__(self, request, now: dt.datetime | None = None):
        self.now = now or timezone.now()
        self.origin = f"{request.scheme}://{request.get_host()}"
        self.uid_domain = settings.CALENDAR_UID_DOMAIN or request.get_host().split(":")[0]
        self.zone = timezone.get_default_timezone()
        self.zone_name = timezone.get_default_timezone_name()
        self._activity_text: dict[int, list[str]] = {}

    def calendar(self, *, name: str, key: str, occurrences: list[Occurrence]) -> bytes:
        calendar = Calendar.new(
            prodid=PRODID,
            calscale="GREGORIAN",
            method="PUBLISH",
            name=name,
            refresh_interval=REFRESH,
            # Stable, so that a calendar app recognises the same subscription.
            uid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.uid_domain}{key}")),
        )
        calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
        calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
        calendar.add("X-WR-TIMEZONE", self.zone_name)
        calendar.add_component(_vtimezone(self.zone_name))
        for occurrence in occurrences:
            calendar.add_component(self.event(occurrence))
        return calendar.to_ical()

    def event(self, occurrence: Occurrence) -> Event:
        activity, centre = occurrence.activity, occurrence.centre
        url = self.origin + occurrence.get_absolute_url()
        last_modified = max(occurrence.updated_at, activity.updated_at, centre.updated_at)
        lines = []
        summary = activity.title
        if occurrence.is_cancelled:
            summary = _("Cancelled: %(title)s") % {"title": activity.title}
            if occurrence.cancel_reason:
                lines.append(_("This session is cancelled: %(reason)s") % {"reason": occurrence.cancel_reason})
            else:
                lines.append(_("This session is cancelled."))
        lines += self.activity_text(activity, centre)
        if occurrence.is_after_hours:
            lines.append(_("After-hours service: %(kind)s") % {"kind": occurrence.after_hours_label})
        lines.append(_("Details and booking: %(url)s") % {"url": url})
        place = [centre.name, occurrence.room.name if occurrence.room_id else "", centre.address]
        return Event.new(
            uid=f"occurrence-{occurrence.pk}@{self.uid_domain}",
            stamp=self.now,
            created=occurrence.created_at,
            last_modified=last_modified,
            # Grows with every change, from 0 for a session never changed.
            sequence=max(0, int((last_modified - occurrence.created_at).total_seconds())),
            start=timezone.localtime(occurrence.starts_at, self.zone),
            end=timezone.localtime(occurrence.ends_at, self.zone),
            summary=summary,
            location=", ".join(part for part in place if part),
            description="\n".join(lines),
            url=url,
            status="CANCELLED" if occurrence.is_cancelled else "CONFIRMED",
            categories=[activity.service_function_label],
        )

    def activity_text(self, activity, centre: Centre) -> list[str]:
        """Who it is for, who runs it and how to take part: the same for all its sessions.
        ``centre`` is the activity's, fetched with the session."""
        if activity.pk not in self._activity_text:
            lines = [activity.description.strip()] if activity.description.strip() else []
            audience = str(Audience(activity.audience).label)
            ages = activity.age_range_label
            if ages:
                audience = _("%(audience)s, %(ages)s") % {"audience": audience, "ages": ages}
            lines.append(_("For whom: %(audience)s") % {"audience": audience})
            organiser = activity.partner.name if activity.partner_id else centre.name
            lines.append(_("Organiser: %(name)s") % {"name": organiser})
            if activity.booking_required:
                lines.append(
                    _(
                        "How to take part: book a place on the session's page; booking opens "
                        "%(days)s days before the session."
                    )
                    % {"days": activity.booking_opens_days}
                )
            else:
                lines.append(_("How to take part: no booking needed, just come along."))
            self._activity_text[activity.pk] = lines
        return self._activity_text[activity.pk]


def _origin_key(request) -> tuple[str, str]:
    # The links in a feed are absolute: the host and scheme are part of what it says.
    return (request.scheme, request.get_host())


def _query_key(request) -> list:
    return [*_origin_key(request), request.path, sorted(request.GET.lists())]


def _filters(request, centre: Centre | None = None) -> CalendarFilters:
    """The filters of the query string; a value that does not validate is left out, as
    the HTML calendar does."""
    form = CalendarFilterForm(request.GET or None, fixed_centre=centre)
    if form.is_bound:
        form.is_valid()
    return form.filters()


def _feed_response(rendered: Rendered) -> HttpResponse:
    if rendered.value is None:
        raise Http404
    response = HttpResponse(rendered.value, content_type=CONTENT_TYPE)
    response.valid_until = rendered.valid_until
    return response


class CalendarFeedView(View):
    """``/activities/calendar.ics?<filters>``: the sessions of a filtered calendar."""

    # For ``visitor_page_cache``: a copy of the whole response is kept per host as well.
    page_cache_key = staticmethod(_origin_key)

    def get(self, request, *args, **kwargs):
        return _feed_response(cached_fragment("ics-feed", *_query_key(request), render=self.render))

    def fixed_centre(self) -> Centre | None:
        return None

    def render(self) -> Rendered:
        try:
            centre = self.fixed_centre()
        except Centre.DoesNotExist:
            return Rendered(None, keep=False)
        writer = FeedWriter(self.request)
        filters = _filters(self.request, centre)
        ics = writer.calendar(
            name=describe_filters(filters),
            key=self.request.get_full_path(),
            occurrences=feed_occurrences(filters=filters, now=writer.now),
        )
        # The feed's dates move on at midnight; any change to the data moves the version.
        return Rendered(ics, valid_until(writer.now, []))


class CentreFeedView(CalendarFeedView):
    """``/centres/<slug>/calendar.ics``: a published centre's sessions (the filters of
    its calendar apply too)."""

    def fixed_centre(self) -> Centre:
        return Centre.objects.published().get(slug=self.kwargs["slug"])


class OccurrenceEventView(View):
    """``/activities/<pk>/event.ics``: one session of a published centre, as a file to
    open with a calendar app."""

    def get(self, request, *args, **kwargs):
        rendered = cached_fragment("ics-event", *_query_key(request), render=self.render)
        if rendered.value is None:
            raise Http404
        ics, filename = rendered.value
        response = HttpResponse(ics, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response

    def render(self) -> Rendered:
        try:
            occurrence = occurrence_for_public_page(pk=self.kwargs["pk"])
        except Occurrence.DoesNotExist:
            return Rendered(None, keep=False)
        writer = FeedWriter(self.request)
        ics = writer.calendar(name=occurrence.activity.title, key=self.request.path, occurrences=[occurrence])
        starts = timezone.localtime(occurrence.starts_at, writer.zone)
        return Rendered((ics, f"{occurrence.activity.title} {starts:%Y-%m-%d}.ics"))
