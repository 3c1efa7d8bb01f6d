"""The public calendars: across all centres (/activities/) and of one centre
(/centres/<slug>/activities/), in month, week and list views; a page per session; the
brands and projects.

Every filter and the view are in the query string, so a calendar can be shared as a
link, and every link on the page (views, previous/next, "N more", the feed) keeps them.
A bad value is shown as the form's error and left out, never a server error.
"""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from bookings.forms import new_request_key
from bookings.selectors import booking_panel, panel_needed
from centres import page_cache
from centres.models import Centre

from . import selectors
from .filters import LIST_DAYS, CalendarFilterForm, CalendarFilters
from .filters import CalendarView as Mode
from .models import Brand, Occurrence
from .selectors import CalendarDay, sessions_by_day

LIST_PAGE_SIZE = 30
MONTH_PER_DAY = 3
WEEK_PER_DAY = 8
BRAND_PAGE_SIZE = 30
OTHER_DATES = 10
MODES = {Mode.LIST, Mode.WEEK, Mode.MONTH}
# Headers that tell a phone from a computer, for the default view.
DEVICE_HEADERS = ("Sec-CH-UA-Mobile", "User-Agent")


def is_phone(request) -> bool:
    return request.headers.get("Sec-CH-UA-Mobile") == "?1" or "Mobi" in request.headers.get("User-Agent", "")


def chosen_mode(request) -> str | None:
    mode = request.GET.get("view")
    return mode if mode in MODES else None


def calendar_page_key(request) -> str:
    """What a calendar page depends on beyond its path and query: the kind of device,
    when no view is chosen (the default view is a list on a phone, a month otherwise)."""
    if chosen_mode(request):
        return ""
    return "phone" if is_phone(request) else "computer"


FILTER_NAMES = ("street", "community", "centre", "function", "audience", "age", "after_hours")


def active_filter_labels(form: CalendarFilterForm) -> list[str]:
    """What the calendar is narrowed to, in words ("Childcare", "Child's age: 7")."""
    data = getattr(form, "cleaned_data", {})
    labels = []
    for name in FILTER_NAMES:
        value = data.get(name)
        if name not in form.fields or value in (None, "", False):
            continue
        field = form.fields[name]
        if name == "after_hours":
            labels.append(_("After hours"))
        elif name == "age":
            labels.append(_("Child's age: %(age)s") % {"age": value})
        elif hasattr(field, "queryset"):
            labels.append(str(value))
        else:
            labels.append(str(dict(field.choices).get(value, value)))
    return labels


def month_start(date: dt.date) -> dt.date:
    return date.replace(day=1)


def next_month(date: dt.date) -> dt.date:
    return (date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(date: dt.date) -> dt.date:
    return (date.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


class CalendarPageView(TemplateView):
    """The calendar across all centres."""

    template_name = "activities/calendar.html"

    @staticmethod
    def page_cache_key(request) -> str:
        return calendar_page_key(request)

    def get_centre(self) -> Centre | None:
        return None

    def get(self, request, *args, **kwargs):
        self.centre = self.get_centre()
        self.today = timezone.localdate()
        form = CalendarFilterForm(request.GET or None, fixed_centre=self.centre)
        if form.is_bound:
            form.is_valid()
        filters = form.filters()
        start = filters.start or self.today
        mode = chosen_mode(request) or (Mode.LIST if is_phone(request) else Mode.MONTH)
        context = self.get_context_data(form=form, mode=mode, start=start)
        context.update(getattr(self, f"{mode}_context")(form, filters, start))
        response = self.render_to_response(context)
        if not chosen_mode(request):
            patch_vary_headers(response, DEVICE_HEADERS)
        response.valid_until = page_cache.valid_until(timezone.now(), [])
        return response

    # Links that keep the filters.

    def query(self, **changes) -> str:
        """The current query string with ``changes`` (a value of None removes the
        parameter) and without the page number."""
        query = self.request.GET.copy() if self.request.GET else QueryDict(mutable=True)
        query.pop("page", None)
        for name, value in changes.items():
            query.pop(name, None)
            if value is not None:
                query[name] = value.isoformat() if isinstance(value, dt.date) else value
        return query.urlencode()

    def url(self, **changes) -> str:
        query = self.query(**changes)
        return f"{self.request.path}?{query}" if query else self.request.path

    def day_list_url(self, date: dt.date) -> str:
        return self.url(view=Mode.LIST, start=date, end=date)

    def feed_url(self) -> str:
        if self.centre is not None:
            base = reverse("centres:feed", kwargs={"slug": self.centre.slug})
        else:
            base = reverse("activities:feed")
        # A subscription follows what is coming: the filters, not the dates on screen
        # (a fixed end date would leave the phone's calendar empty one day).
        query = self.query(view=None, start=None, end=None)
        return f"{base}?{query}" if query else base

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mode = kwargs["mode"]
        context.update(
            centre=self.centre,
            today=self.today,
            view_links=[
                {"mode": value, "label": label, "url": self.url(view=value), "current": value == mode}
                for value, label in Mode.CHOICES
            ],
            feed_url=self.feed_url(),
            reset_url=self.request.path,
            active_filters=active_filter_labels(kwargs["form"]),
            mode_query=f"view={mode}" if chosen_mode(self.request) else "",
            brands_url=reverse("activities:brands"),
        )
        return context

    # The three views.

    def list_context(self, form: CalendarFilterForm, filters: CalendarFilters, start: dt.date) -> dict:
        end = filters.end or start + dt.timedelta(days=LIST_DAYS)
        if end < start:
            # An end date alone before the default start (today).
            form.add_error("end", _("The end date must not be before the start date."))
            end = start + dt.timedelta(days=LIST_DAYS)
        sessions = selectors.calendar_occurrences(filters=filters, start=start, end=end)
        paginator = Paginator(sessions, LIST_PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        return {
            "range_start": start,
            "range_end": end,
            "days": sessions_by_day(page.object_list),
            "page_obj": page,
            "paginator": paginator,
            "query_without_page": self.query(),
            "later_url": self.url(start=end + dt.timedelta(days=1), end=None),
        }

    def week_context(self, form: CalendarFilterForm, filters: CalendarFilters, start: dt.date) -> dict:
        monday = start - dt.timedelta(days=start.weekday())
        sunday = monday + dt.timedelta(days=6)
        found = selectors.calendar_days(filters=filters, start=monday, end=sunday, per_day=WEEK_PER_DAY)
        days = []
        for offset in range(7):
            date = monday + dt.timedelta(days=offset)
            day = found.get(date) or CalendarDay(date)
            day.more_url = self.day_list_url(date)
            days.append(day)
        return {
            "range_start": monday,
            "range_end": sunday,
            "days": days,
            "total": sum(day.total for day in days),
            "previous_url": self.url(start=monday - dt.timedelta(days=7), end=None),
            "next_url": self.url(start=monday + dt.timedelta(days=7), end=None),
            "this_url": self.url(start=None, end=None),
        }

    def month_context(self, form: CalendarFilterForm, filters: CalendarFilters, start: dt.date) -> dict:
        first = month_start(start)
        last = next_month(first) - dt.timedelta(days=1)
        found = selectors.calendar_days(filters=filters, start=first, end=last, per_day=MONTH_PER_DAY)
        grid_start = first - dt.timedelta(days=first.weekday())
        grid_end = last + dt.timedelta(days=6 - last.weekday())
        weeks, week = [], []
        date = grid_start
        while date <= grid_end:
            day = found.get(date) or CalendarDay(date, in_month=first <= date <= last)
            day.more_url = self.day_list_url(date)
            week.append(day)
            if len(week) == 7:
                weeks.append(week)
                week = []
            date += dt.timedelta(days=1)
        return {
            "range_start": first,
            "range_end": last,
            "month": first,
            "weeks": weeks,
            "total": sum(day.total for day in found.values()),
            "previous_url": self.url(start=previous_month(first), end=None),
            "next_url": self.url(start=next_month(first), end=None),
            "this_url": self.url(start=None, end=None),
        }


class CentreCalendarView(CalendarPageView):
    """One centre's calendar: the same calendar with the centre fixed."""

    def get_centre(self) -> Centre:
        return get_object_or_404(
            Centre.objects.published().select_related("area", "street", "district"), slug=self.kwargs["slug"]
        )


CalendarView = CalendarPageView


# The booking panel (free places, the resident's own bookings) is true only at the moment
# it is rendered: it is drawn for every request, and a visitor's copy of the rest of the
# page, kept in the page cache, has this mark where the panel goes.
PANEL_MARK = "<!--booking-panel:6f1d0c-->"
# ``valid_until`` of a page that must not be kept as a whole.
NOT_KEPT = dt.datetime.min.replace(tzinfo=dt.UTC)


def is_visitor(request) -> bool:
    """A request ``visitor_page_cache`` may answer from the cache: no cookie but the CSRF one."""
    return request.method in ("GET", "HEAD") and not set(request.COOKIES) - {settings.CSRF_COOKIE_NAME}


class OccurrenceDetailView(TemplateView):
    """One session, with everything a resident needs to go, and its booking panel."""

    template_name = "activities/occurrence_detail.html"
    panel_template_name = "bookings/partials/booking_panel.html"

    def get(self, request, *args, **kwargs):
        try:
            occurrence = selectors.occurrence_for_public_page(pk=self.kwargs["pk"])
        except Occurrence.DoesNotExist:
            raise Http404 from None
        return self.page(occurrence)

    def page(self, occurrence: Occurrence, *, refusal: str = "", refusal_code: str = "", ticked=frozenset()):
        """The page; after a refused booking, with the refusal and the people ticked."""
        now = timezone.now()
        keep_until = page_cache.valid_until(now, [occurrence.ends_at])
        if not panel_needed(occurrence, now):
            response = self.render_to_response(self.page_context(occurrence, now))
            response.valid_until = keep_until
            return response
        panel = booking_panel(occurrence=occurrence, user=getattr(self.request, "user", None), now=now, ticked=ticked)
        panel_html = render_to_string(
            self.panel_template_name,
            {
                "panel": panel,
                "occurrence": occurrence,
                "refusal": refusal,
                "refusal_code": refusal_code,
                "request_key": new_request_key(),
                "login_url": f"{reverse('portal:login')}?{urlencode({'next': occurrence.get_absolute_url()})}",
            },
            request=self.request,
        )
        if is_visitor(self.request):

            def render() -> page_cache.Rendered:
                context = self.page_context(occurrence, now, booking_panel=mark_safe(PANEL_MARK))  # noqa: S308
                html = render_to_string(self.template_name, context, request=self.request)
                return page_cache.Rendered(html, keep_until)

            key = [self.request.path, sorted(self.request.GET.lists())]
            html = page_cache.cached_fragment("occurrence-page", *key, render=render).value
            html = html.replace(PANEL_MARK, panel_html, 1)
        else:
            context = self.page_context(occurrence, now, booking_panel=mark_safe(panel_html))  # noqa: S308
            html = render_to_string(self.template_name, context, request=self.request)
        response = HttpResponse(html)
        response.valid_until = NOT_KEPT
        return response

    def page_context(self, occurrence: Occurrence, now: dt.datetime, **extra) -> dict:
        activity = occurrence.activity
        date = timezone.localdate(occurrence.starts_at)
        booking_opens = date - dt.timedelta(days=activity.booking_opens_days)
        return self.get_context_data(
            occurrence=occurrence,
            activity=activity,
            centre=occurrence.centre,
            day=CalendarDay(date),
            is_past=occurrence.ends_at <= now,
            booking_opens=booking_opens,
            booking_open_now=booking_opens <= timezone.localdate(now),
            other_dates=list(selectors.other_upcoming_dates(occurrence=occurrence, now=now, limit=OTHER_DATES)),
            **extra,
        )


def occurrence_page(request, occurrence: Occurrence, **panel_state):
    """The session's page for another view (a refused booking shows it again)."""
    view = OccurrenceDetailView()
    view.setup(request, pk=occurrence.pk)
    return view.page(occurrence, **panel_state)


class BrandListView(TemplateView):
    template_name = "activities/brand_list.html"

    def get(self, request, *args, **kwargs):
        now = timezone.now()
        brands = list(selectors.brands_with_upcoming_counts(now=now))
        response = self.render_to_response(self.get_context_data(brands=brands))
        response.valid_until = page_cache.valid_until(now, [])
        return response


class BrandDetailView(TemplateView):
    template_name = "activities/brand_detail.html"

    def get(self, request, *args, **kwargs):
        try:
            brand = selectors.brand_for_public_page(slug=self.kwargs["slug"])
        except Brand.DoesNotExist:
            raise Http404 from None
        now = timezone.now()
        paginator = Paginator(selectors.brand_upcoming_occurrences(brand=brand, now=now), BRAND_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        context = self.get_context_data(
            brand=brand,
            centres=list(selectors.brand_centres(brand=brand)),
            days=sessions_by_day(page.object_list),
            today=timezone.localdate(now),
            page_obj=page,
            paginator=paginator,
            query_without_page="",
            calendar_url=reverse("activities:calendar"),
        )
        response = self.render_to_response(context)
        response.valid_until = page_cache.valid_until(now, [])
        return response
