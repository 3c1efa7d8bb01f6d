"""Staff scheduling: a centre's week grid, its activities and their sessions and series,
copying a week, its partner organisations, and (for district staff) brands.

Views parse input, call a service (``activities.services``) or a read below, and render
or redirect. Every object is looked up through the centre of the URL, which is itself
looked up in the user's scope, so anything else is a 404.
"""

import contextlib
import copy
import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, TemplateView

from centres.forms import add_service_errors
from centres.hours import DaySchedule
from centres.models import ServiceKind
from centres.staff_views import _centre_tabs

from . import services
from .filters import EARLIEST_DATE, LATEST_DATE
from .forms import (
    ActivityForm,
    BrandForm,
    PartnerForm,
    ScheduleForm,
    SessionCancelForm,
    SessionMoveForm,
    WeekCopyForm,
    monday_of,
)
from .models import Activity, Occurrence, Partner
from .permissions import BrandAccessMixin, CentreScheduleMixin, manageable_brands
from .recurrence import Repeat
from .selectors import staff_activities, staff_centre_sessions, staff_week_sessions


def _url(name: str, centre, **kwargs) -> str:
    return reverse(f"schedule:{name}", kwargs={"slug": centre.slug, **kwargs})


def _week_url(centre, monday: dt.date) -> str:
    return _url("week", centre) + "?" + urlencode({"week": monday.isoformat()})


class SchedulePage(CentreScheduleMixin):
    """A page of a centre's scheduling section."""

    section = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "section": "",
            "schedule_section": self.section,
            "centre_tabs": _centre_tabs(self.centre),
        }


# The week grid.


@dataclass
class GridDay:
    schedule: DaySchedule
    cells: list[tuple] = field(default_factory=list)  # (room or None, [sessions])
    is_past: bool = False
    is_today: bool = False


def _parse_week(value: str | None, today: dt.date) -> dt.date:
    """The Monday of the week asked for; this week for anything that is not a date of
    this century (so the previous and next links always exist)."""
    try:
        date = dt.date.fromisoformat(value or "")
    except ValueError:
        return monday_of(today)
    return monday_of(date) if EARLIEST_DATE <= date <= LATEST_DATE else monday_of(today)


class WeekView(SchedulePage, TemplateView):
    template_name = "activities/staff/week.html"
    read_only_ok = True
    section = "week"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        monday = _parse_week(self.request.GET.get("week"), today)
        rooms = list(self.centre.rooms.all())
        hours = services.hours_for(self.centre, monday, monday + dt.timedelta(days=6))
        by_day_room: dict = {}
        for occurrence in staff_week_sessions(centre=self.centre, monday=monday):
            key = (timezone.localdate(occurrence.starts_at), occurrence.room_id)
            by_day_room.setdefault(key, []).append(occurrence)
        days = []
        for schedule in hours.week(monday):
            day = GridDay(schedule, is_past=schedule.date < today, is_today=schedule.date == today)
            for room in [*rooms, None]:
                day.cells.append((room, by_day_room.get((schedule.date, room.pk if room else None), [])))
            days.append(day)
        return super().get_context_data(**kwargs) | {
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "rooms": rooms,
            "days": days,
            "previous_url": _week_url(self.centre, monday - dt.timedelta(days=7)),
            "next_url": _week_url(self.centre, monday + dt.timedelta(days=7)),
            "this_week_url": _week_url(self.centre, monday_of(today)),
            "is_this_week": monday == monday_of(today),
            "session_count": sum(len(sessions) for sessions in by_day_room.values()),
        }


# Activities.


class ActivityListView(SchedulePage, TemplateView):
    template_name = "activities/staff/activity_list.html"
    read_only_ok = True
    section = "activities"

    def get_context_data(self, **kwargs):
        activities = list(staff_activities(centre=self.centre, now=timezone.now()))
        return super().get_context_data(**kwargs) | {"activities": activities}


class ActivityFormView(SchedulePage, FormView):
    template_name = "activities/staff/activity_form.html"
    form_class = ActivityForm
    section = "activities"
    activity: Activity | None = None

    def setup_object(self):
        pk = self.kwargs.get("pk")
        if pk is not None:
            self.activity = get_object_or_404(self.centre.activities.all(), pk=pk)

    def get(self, request, *args, **kwargs):
        self.setup_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        # The form works on a copy, so a refused change does not show in the page heading.
        instance = Activity(centre=self.centre) if self.activity is None else copy.copy(self.activity)
        return super().get_form_kwargs() | {"centre": self.centre, "instance": instance}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"activity": self.activity}

    def form_valid(self, form):
        try:
            activity = services.activity_save(centre=self.centre, activity=form.instance, **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if self.activity is None:
            messages.success(
                self.request, _("“%(title)s” is created. Now plan its sessions.") % {"title": activity.title}
            )
            return HttpResponseRedirect(
                _url("schedule_create", self.centre) + "?" + urlencode({"activity": activity.pk})
            )
        messages.success(self.request, _("“%(title)s” is saved.") % {"title": activity.title})
        return HttpResponseRedirect(_url("activities", self.centre))


class ConfirmDeleteView(SchedulePage, TemplateView):
    template_name = "activities/staff/confirm_delete.html"
    list_url_name = ""
    question = ""
    done_message = ""

    def get_object(self):
        raise NotImplementedError

    def delete(self, obj) -> None:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "question": self.question,
            "thing": str(self.object),
            "back_url": _url(self.list_url_name, self.centre),
        }

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        description = str(obj)
        try:
            self.delete(obj)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.done_message % {"thing": description})
        return HttpResponseRedirect(_url(self.list_url_name, self.centre))


class ActivityDeleteView(ConfirmDeleteView):
    list_url_name = "activities"
    section = "activities"
    question = gettext_lazy("Delete this activity and all its planned sessions?")
    done_message = gettext_lazy("“%(thing)s” is deleted.")

    def get_object(self):
        return get_object_or_404(self.centre.activities.all(), pk=self.kwargs["pk"])

    def delete(self, obj):
        services.activity_delete(activity=obj)


# Planning sessions: once or a series.


class ScheduleCreateView(SchedulePage, FormView):
    """Plan a session or a series. "Check" shows what saving would do (nothing is
    written); "Save" writes it, or shows why not."""

    template_name = "activities/staff/schedule_form.html"
    form_class = ScheduleForm
    section = "week"

    def get_initial(self):
        query = self.request.GET
        initial = {"repeat": query.get("repeat", Repeat.WEEKLY.value), "count": 8, "skip_public_holidays": True}
        with contextlib.suppress(ValueError):
            initial["first_date"] = dt.date.fromisoformat(query.get("date", ""))
        if query.get("activity", "").isdigit():
            initial["activity"] = query["activity"]
        if query.get("room", "").isdigit():
            initial["room"] = query["room"]
        if initial.get("first_date"):
            initial["weekdays"] = [str(initial["first_date"].weekday())]
        return initial

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"centre": self.centre}

    def form_valid(self, form):
        arguments = form.service_arguments()
        if self.request.POST.get("action") == "check":
            return self._preview(form, arguments)
        try:
            if arguments["rule"] is None:
                arguments.pop("rule")
                occurrence = services.occurrence_create(date=arguments.pop("first_date"), **arguments)
                count, first = 1, occurrence.starts_at
            else:
                series = services.series_create(**arguments, is_course=form.cleaned_data["is_course"])
                sessions = list(series.occurrences.order_by("starts_at").values_list("starts_at", flat=True))
                count, first = len(sessions), sessions[0]
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            ngettext(
                "%(count)s session of “%(title)s” is planned.",
                "%(count)s sessions of “%(title)s” are planned.",
                count,
            )
            % {"count": count, "title": arguments["activity"].title},
        )
        return HttpResponseRedirect(_week_url(self.centre, monday_of(timezone.localdate(first))))

    def _preview(self, form, arguments):
        try:
            plan, clashes = services.schedule_plan(**arguments)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        clashing = {clash.planned.starts_at for clash in clashes}
        now = timezone.now()
        return self.render_to_response(
            self.get_context_data(
                form=form,
                preview={
                    "sessions": [
                        {
                            "session": s,
                            "kind_label": ServiceKind(s.service_kind).label if s.is_after_hours else "",
                            "clashes": s.starts_at in clashing,
                        }
                        for s in plan.sessions
                    ],
                    "skipped": plan.skipped,
                    "clashes": clashes,
                    "has_past": any(s.starts_at <= now for s in plan.sessions),
                },
            )
        )


# One session: move or cancel.


class SessionView(SchedulePage, TemplateView):
    template_name = "activities/staff/session.html"
    read_only_ok = True
    section = "week"

    def get_occurrence(self) -> Occurrence:
        return get_object_or_404(staff_centre_sessions(centre=self.centre), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.occurrence = self.get_occurrence()
        return super().get(request, *args, **kwargs)

    def move_form(self, data=None):
        occurrence = self.occurrence
        starts, ends = timezone.localtime(occurrence.starts_at), timezone.localtime(occurrence.ends_at)
        return SessionMoveForm(
            data,
            centre=self.centre,
            in_series=occurrence.series_id is not None,
            initial={"date": starts.date(), "starts": starts.time(), "ends": ends.time(), "room": occurrence.room_id},
        )

    def cancel_form(self, data=None):
        return SessionCancelForm(data, in_series=self.occurrence.series_id is not None)

    def get_context_data(self, **kwargs):
        occurrence = self.occurrence
        now = timezone.now()
        kwargs.setdefault("move_form", self.move_form())
        kwargs.setdefault("cancel_form", self.cancel_form())
        return super().get_context_data(**kwargs) | {
            "occurrence": occurrence,
            "activity": occurrence.activity,
            "can_move": not occurrence.is_cancelled and occurrence.starts_at > now,
            "can_cancel": occurrence.ends_at > now
            and (not occurrence.is_cancelled or occurrence.series_id is not None),
            "week_url": _week_url(self.centre, monday_of(timezone.localdate(occurrence.starts_at))),
        }


class SessionMoveView(SessionView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.occurrence = self.get_occurrence()
        form = self.move_form(request.POST)
        if form.is_valid():
            try:
                moved = services.occurrences_reschedule(occurrence=self.occurrence, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    ngettext("%(count)s session is moved.", "%(count)s sessions are moved.", len(moved))
                    % {"count": len(moved)},
                )
                return HttpResponseRedirect(_url("session", self.centre, pk=self.occurrence.pk))
        self.occurrence = self.get_occurrence()
        return self.render_to_response(self.get_context_data(move_form=form))


class SessionCancelView(SessionView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.occurrence = self.get_occurrence()
        form = self.cancel_form(request.POST)
        if form.is_valid():
            try:
                cancelled = services.occurrences_cancel(
                    occurrence=self.occurrence,
                    reason=form.cleaned_data["reason"],
                    scope=form.cleaned_data.get("scope") or services.Scope.THIS,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    ngettext("%(count)s session is cancelled.", "%(count)s sessions are cancelled.", len(cancelled))
                    % {"count": len(cancelled)},
                )
                return HttpResponseRedirect(_url("session", self.centre, pk=self.occurrence.pk))
        self.occurrence = self.get_occurrence()
        return self.render_to_response(self.get_context_data(cancel_form=form))


# Copying a week.


class WeekCopyView(SchedulePage, FormView):
    template_name = "activities/staff/week_copy.html"
    form_class = WeekCopyForm
    section = "copy"

    def get_initial(self):
        source = _parse_week(self.request.GET.get("week"), timezone.localdate())
        return {"source": source, "target": source + dt.timedelta(days=7)}

    def form_valid(self, form):
        source, target = form.cleaned_data["source"], form.cleaned_data["target"]
        self.weeks = (source, target)
        dry_run = self.request.POST.get("action") == "check"
        try:
            plan = services.week_copy(centre=self.centre, source_monday=source, target_monday=target, dry_run=dry_run)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if dry_run:
            return self.render_to_response(self.get_context_data(form=form, preview=plan, copies=self._copies(plan)))
        messages.success(
            self.request,
            ngettext("%(count)s session is copied.", "%(count)s sessions are copied.", len(plan.sessions))
            % {"count": len(plan.sessions)},
        )
        for skipped in plan.skipped:
            messages.warning(
                self.request, _("Not copied, %(date)s: %(reason)s") % {"date": skipped.date, "reason": skipped.reason}
            )
        return HttpResponseRedirect(_week_url(self.centre, target))

    def _copies(self, plan) -> list[tuple]:
        """Each planned copy with the session it copies (the plan itself knows only times)."""
        source, target = self.weeks
        originals: dict = {}
        for occurrence in staff_week_sessions(centre=self.centre, monday=source):
            if not occurrence.is_cancelled:
                originals.setdefault(occurrence.starts_at, []).append(occurrence)
        shift = target - source
        copies = []
        for planned in plan.sessions:
            candidates = originals.get(planned.starts_at - shift) or [None]
            copies.append((planned, candidates.pop(0)))
        return copies


# Partners.


class PartnerListView(SchedulePage, TemplateView):
    template_name = "activities/staff/partner_list.html"
    section = "partners"

    def get_context_data(self, **kwargs):
        partners = list(self.centre.partners.annotate(activity_count=Count("activities")).order_by("name"))
        return super().get_context_data(**kwargs) | {"partners": partners}


class PartnerFormView(SchedulePage, FormView):
    template_name = "activities/staff/partner_form.html"
    form_class = PartnerForm
    section = "partners"
    partner = None

    def setup_object(self):
        if "pk" in self.kwargs:
            self.partner = get_object_or_404(self.centre.partners.all(), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.setup_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        instance = copy.copy(self.partner) if self.partner else Partner(centre=self.centre)
        return super().get_form_kwargs() | {"instance": instance}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"partner": self.partner}

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            partner = services.partner_save(centre=self.centre, partner=form.instance, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(partner)s is saved.") % {"partner": partner.name})
        return HttpResponseRedirect(_url("partners", self.centre))


class PartnerDeleteView(ConfirmDeleteView):
    list_url_name = "partners"
    section = "partners"
    question = gettext_lazy("Delete this partner organisation?")
    done_message = gettext_lazy("%(thing)s is deleted.")

    def get_object(self):
        return get_object_or_404(self.centre.partners.all(), pk=self.kwargs["pk"])

    def delete(self, obj):
        services.partner_delete(partner=obj)


# Brands (district staff).


class BrandListView(BrandAccessMixin, TemplateView):
    template_name = "activities/staff/brand_list.html"

    def get_context_data(self, **kwargs):
        brands = list(
            manageable_brands(self.request.user)
            .select_related("area")
            .annotate(activity_count=Count("activities"))
            .order_by("name")
        )
        return super().get_context_data(**kwargs) | {"brands": brands, "district": self.request.user.area}


class BrandFormView(BrandAccessMixin, FormView):
    template_name = "activities/staff/brand_form.html"
    form_class = BrandForm
    brand = None

    def setup_object(self):
        if "pk" in self.kwargs:
            self.brand = self.get_brand()

    def get(self, request, *args, **kwargs):
        self.setup_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_object()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        if self.brand is None:
            return {"area": self.request.user.area_id}
        return {"name": self.brand.name, "area": self.brand.area_id, "description": self.brand.description}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"district": self.request.user.area}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"brand": self.brand}

    def form_valid(self, form):
        brand = copy.copy(self.brand) if self.brand else None
        try:
            brand = services.brand_save(brand=brand, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(brand)s is saved.") % {"brand": brand.name})
        return HttpResponseRedirect(reverse("schedule:brands"))


class BrandDeleteView(BrandAccessMixin, TemplateView):
    template_name = "activities/staff/brand_confirm_delete.html"

    def get(self, request, *args, **kwargs):
        self.brand = self.get_brand()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "brand": self.brand,
            "activity_count": self.brand.activities.count(),
        }

    def post(self, request, *args, **kwargs):
        brand = self.get_brand()
        services.brand_delete(brand=brand)
        messages.success(request, _("%(brand)s is deleted.") % {"brand": brand.name})
        return HttpResponseRedirect(reverse("schedule:brands"))
