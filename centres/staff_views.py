"""The staff workspace: a dashboard, each centre's profile, functions, hours, date
exceptions, rooms and photos, and (for district staff) areas and new centres.

Views parse input, call a selector or a service, and render or redirect. Who may open
what is decided by ``StaffAccessMixin`` and the scoped querysets of
``centres.permissions``; a page outside the user's scope is a 404.
"""

import copy
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from . import services
from .forms import (
    AreaRenameForm,
    BaseOpeningHoursFormSet,
    CentreCreateForm,
    CentrePhotoForm,
    CentreProfileForm,
    CommunityForm,
    DateExceptionForm,
    RoomForm,
    ServiceFunctionForm,
    StreetForm,
    add_service_errors,
    opening_hours_formset,
)
from .holidays import DayType, national_day
from .hours import CentreHours
from .models import Area, Day, Room, ServiceFunction
from .permissions import (
    StaffAccessMixin,
    can_create_centres,
    can_edit_centres,
    can_manage_areas,
    can_manage_centre,
    manageable_areas,
    viewable_centres_as_staff,
)
from .selectors import (
    district_streets_with_communities,
    staff_centre_overview,
    staff_dashboard_centres,
    upcoming_date_exceptions,
)


def _centre_url(name: str, centre, **kwargs) -> str:
    return reverse(f"staff:{name}", kwargs={"slug": centre.slug, **kwargs})


CENTRE_TABS = [
    ("overview", gettext_lazy("Overview"), "centre_overview"),
    ("profile", gettext_lazy("Profile"), "centre_profile"),
    ("functions", gettext_lazy("Services"), "functions"),
    ("hours", gettext_lazy("Weekly hours"), "hours"),
    ("exceptions", gettext_lazy("Special dates"), "exceptions"),
    ("rooms", gettext_lazy("Rooms"), "rooms"),
    ("photos", gettext_lazy("Photos"), "photos"),
]


def _centre_tabs(centre) -> list[tuple]:
    return [(key, label, _centre_url(url_name, centre)) for key, label, url_name in CENTRE_TABS]


class DashboardView(StaffAccessMixin, TemplateView):
    template_name = "staff/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        centres = list(staff_dashboard_centres(centres=viewable_centres_as_staff(user)))
        return super().get_context_data(**kwargs) | {
            "centres": centres,
            "can_edit": can_edit_centres(user),
            "can_manage_areas": can_manage_areas(user),
            "can_create_centres": can_create_centres(user),
            "district": user.area if can_manage_areas(user) else None,
        }


# One centre.


class CentrePageMixin(StaffAccessMixin):
    """A page about one centre that only its managers may open."""

    centre_access = "manage"
    section = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "section": self.section,
            "can_manage": True,
            "centre_tabs": _centre_tabs(self.centre),
        }


class CentreOverviewView(StaffAccessMixin, TemplateView):
    """Everything about a centre on one page, read-only. Street staff see this only."""

    template_name = "staff/centre_overview.html"
    centre_access = "view"

    def scoped_centres(self):
        return staff_centre_overview(centres=super().scoped_centres(), today=timezone.localdate())

    def get_context_data(self, **kwargs):
        centre = self.centre
        periods_by_day = {day: [] for day in Day.values}
        for period in centre.opening_periods.all():
            periods_by_day[period.day].append(period)
        timetable = [(Day(day).label, periods_by_day[day]) for day in Day.values]
        hours = CentreHours(list(centre.opening_periods.all()), list(centre.upcoming))
        today = timezone.localdate()
        return super().get_context_data(**kwargs) | {
            "section": "overview",
            "can_manage": can_manage_centre(self.request.user, centre),
            "centre_tabs": _centre_tabs(centre),
            "timetable": timetable,
            "week": hours.week(today),
            "today": today,
        }


class CentreProfileView(CentrePageMixin, FormView):
    template_name = "staff/centre_profile.html"
    form_class = CentreProfileForm
    section = "profile"

    def get_form_kwargs(self):
        # The form works on a copy, so a refused change does not show in the page header.
        return super().get_form_kwargs() | {"instance": copy.copy(self.centre), "district": self.centre.district}

    def form_valid(self, form):
        try:
            services.centre_update(centre=form.instance, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The centre's profile is saved."))
        return HttpResponseRedirect(_centre_url("centre_overview", form.instance))


# Service functions.


class FunctionListView(CentrePageMixin, TemplateView):
    template_name = "staff/function_list.html"
    section = "functions"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"functions": list(self.centre.functions.all())}


class FunctionFormView(CentrePageMixin, FormView):
    template_name = "staff/function_form.html"
    form_class = ServiceFunctionForm
    section = "functions"
    function: ServiceFunction | None = None

    def get_form_kwargs(self):
        instance = self.function or ServiceFunction(centre=self.centre)
        return super().get_form_kwargs() | {"centre": self.centre, "instance": instance}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"function": self.function}

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in ("code", "name", "description")}
        if self.function is None:
            fields["position"] = self.centre.functions.count()
        try:
            services.service_function_save(centre=self.centre, function=self.function, **fields)
        except ValidationError as error:
            add_service_errors(form, error, field="code")
            return self.form_invalid(form)
        except IntegrityError:
            form.add_error(
                "code", _("This service is already listed for this centre. Edit the existing entry instead.")
            )
            return self.form_invalid(form)
        messages.success(self.request, _("The service is saved."))
        return HttpResponseRedirect(_centre_url("functions", self.centre))


class FunctionUpdateView(FunctionFormView):
    def get(self, request, *args, **kwargs):
        self.function = get_object_or_404(self.centre.functions.all(), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.function = get_object_or_404(self.centre.functions.all(), pk=kwargs["pk"])
        return super().post(request, *args, **kwargs)


# Deleting something of a centre: a confirmation page, and the deletion on POST.


class CentreChildDeleteView(CentrePageMixin, TemplateView):
    template_name = "staff/confirm_delete.html"
    related_name = ""
    list_url_name = ""
    question = ""
    done_message = ""

    def get_object(self):
        return get_object_or_404(getattr(self.centre, self.related_name).all(), pk=self.kwargs["pk"])

    def delete(self, obj) -> None:
        raise NotImplementedError

    def describe(self, obj) -> str:
        return str(obj)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "question": self.question,
            "thing": self.describe(self.object),
            "back_url": _centre_url(self.list_url_name, self.centre),
        }

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        description = self.describe(obj)
        try:
            self.delete(obj)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.done_message % {"thing": description})
        return HttpResponseRedirect(_centre_url(self.list_url_name, self.centre))


class FunctionDeleteView(CentreChildDeleteView):
    related_name = "functions"
    list_url_name = "functions"
    section = "functions"
    question = gettext_lazy("Remove this service from the centre's list?")
    done_message = gettext_lazy("%(thing)s is removed.")

    def describe(self, obj):
        return obj.display_name

    def delete(self, obj):
        services.service_function_delete(function=obj)


# Weekly opening hours.


class OpeningHoursView(CentrePageMixin, TemplateView):
    template_name = "staff/hours_form.html"
    section = "hours"

    def get(self, request, *args, **kwargs):
        initial = BaseOpeningHoursFormSet.initial_from(self.centre.opening_periods.all())
        formset = opening_hours_formset(extra=3 if initial else 6)(initial=initial, prefix="hours")
        return self.render_to_response(self.get_context_data(formset=formset))

    def post(self, request, *args, **kwargs):
        formset = opening_hours_formset()(request.POST, prefix="hours")
        if formset.is_valid():
            try:
                services.centre_hours_replace(centre=self.centre, periods=formset.periods())
            except ValidationError as error:
                return self.render_to_response(self.get_context_data(formset=formset, hours_errors=error.messages))
            messages.success(request, _("The opening hours are saved."))
            return HttpResponseRedirect(_centre_url("hours", self.centre))
        return self.render_to_response(self.get_context_data(formset=formset))


# Date exceptions.


NATIONAL_CALENDAR_DAYS = 120


def national_days_ahead(today: dt.date) -> list:
    """Public holidays and make-up working days of the coming months, from the national
    calendar: the dates a centre most often overrides."""
    days = (national_day(today + dt.timedelta(days=offset)) for offset in range(NATIONAL_CALENDAR_DAYS))
    return [day for day in days if day.type in {DayType.PUBLIC_HOLIDAY, DayType.MAKE_UP_WORKING_DAY}]


class DateExceptionListView(CentrePageMixin, FormView):
    template_name = "staff/exception_list.html"
    form_class = DateExceptionForm
    section = "exceptions"

    def get_initial(self):
        """``?date=2026-10-01`` fills in the date, for the links of the national calendar."""
        try:
            return {"date": dt.date.fromisoformat(self.request.GET.get("date", ""))}
        except ValueError:
            return {}

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        exceptions = list(upcoming_date_exceptions(centre=self.centre, today=today))
        for exception in exceptions:
            exception.national = national_day(exception.date)
        return super().get_context_data(**kwargs) | {
            "exceptions": exceptions,
            "national_days": national_days_ahead(today),
        }

    def form_valid(self, form):
        try:
            services.date_exception_add(centre=self.centre, **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The date is added."))
        return HttpResponseRedirect(_centre_url("exceptions", self.centre))


class DateExceptionDeleteView(CentreChildDeleteView):
    related_name = "date_exceptions"
    list_url_name = "exceptions"
    section = "exceptions"
    question = gettext_lazy("Remove this date? The centre then follows its weekly hours on it.")
    done_message = gettext_lazy("%(thing)s is removed.")

    def describe(self, obj):
        if obj.is_closed:
            text = _("%(date)s: closed all day") % {"date": f"{obj.date:%Y-%m-%d}"}
        else:
            text = _("%(date)s: open %(opens)s–%(closes)s") % {
                "date": f"{obj.date:%Y-%m-%d}",
                "opens": f"{obj.opens:%H:%M}",
                "closes": f"{obj.closes:%H:%M}",
            }
        return f"{text} {obj.note}".strip()

    def delete(self, obj):
        services.date_exception_delete(exception=obj)


# Rooms.


class RoomListView(CentrePageMixin, TemplateView):
    template_name = "staff/room_list.html"
    section = "rooms"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"rooms": list(self.centre.rooms.all())}


class RoomFormView(CentrePageMixin, FormView):
    template_name = "staff/room_form.html"
    form_class = RoomForm
    section = "rooms"
    room: Room | None = None

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"centre": self.centre, "instance": self.room or Room(centre=self.centre)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"room": self.room}

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in ("name", "capacity", "purpose")}
        try:
            services.room_save(centre=self.centre, room=self.room, **fields)
        except ValidationError as error:
            add_service_errors(form, error, field="name")
            return self.form_invalid(form)
        except IntegrityError:
            form.add_error("name", _("This centre already has a room with this name. Choose another name."))
            return self.form_invalid(form)
        messages.success(self.request, _("The room is saved."))
        return HttpResponseRedirect(_centre_url("rooms", self.centre))


class RoomUpdateView(RoomFormView):
    def get(self, request, *args, **kwargs):
        self.room = get_object_or_404(self.centre.rooms.all(), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.room = get_object_or_404(self.centre.rooms.all(), pk=kwargs["pk"])
        return super().post(request, *args, **kwargs)


class RoomDeleteView(CentreChildDeleteView):
    related_name = "rooms"
    list_url_name = "rooms"
    section = "rooms"
    question = gettext_lazy("Delete this room?")
    done_message = gettext_lazy("%(thing)s is deleted.")

    def delete(self, obj):
        services.room_delete(room=obj)


# Photos.


class PhotoListView(CentrePageMixin, FormView):
    template_name = "staff/photo_list.html"
    form_class = CentrePhotoForm
    section = "photos"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"photos": list(self.centre.photos.all())}

    def form_valid(self, form):
        try:
            services.centre_photo_add(
                centre=self.centre, upload=form.cleaned_data["image"], caption=form.cleaned_data["caption"]
            )
        except ValidationError as error:
            add_service_errors(form, error, field="image")
            return self.form_invalid(form)
        messages.success(self.request, _("The photo is added."))
        return HttpResponseRedirect(_centre_url("photos", self.centre))


class PhotoDeleteView(CentreChildDeleteView):
    template_name = "staff/photo_confirm_delete.html"
    related_name = "photos"
    list_url_name = "photos"
    section = "photos"
    question = gettext_lazy("Delete this photo?")
    done_message = gettext_lazy("The photo %(thing)s is deleted.")

    def describe(self, obj):
        return obj.caption or f"#{obj.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"photo": self.object}

    def delete(self, obj):
        services.centre_photo_delete(photo=obj)


# District staff: areas and new centres.


class DistrictPageMixin(StaffAccessMixin):
    permission = staticmethod(can_manage_areas)

    @property
    def district(self) -> Area:
        return self.request.user.area


class AreaListView(DistrictPageMixin, TemplateView):
    template_name = "staff/area_list.html"

    def get_context_data(self, **kwargs):
        streets = list(district_streets_with_communities(district=self.district))
        return super().get_context_data(**kwargs) | {"district": self.district, "streets": streets}


class AreaFormView(DistrictPageMixin, FormView):
    template_name = "staff/area_form.html"
    heading = ""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"district": self.district}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"heading": self.heading, "district": self.district}

    def save(self, data) -> Area:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            area = self.save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, field="name")
            return self.form_invalid(form)
        messages.success(self.request, _("%(area)s is saved.") % {"area": area.name})
        return HttpResponseRedirect(reverse("staff:areas"))


class StreetCreateView(AreaFormView):
    form_class = StreetForm
    heading = gettext_lazy("New street or town")

    def save(self, data):
        return services.area_create(name=data["name"], level=Area.Level.STREET, parent=self.district)


class CommunityCreateView(AreaFormView):
    form_class = CommunityForm
    heading = gettext_lazy("New community or village")

    def get_initial(self):
        street = self.request.GET.get("street", "")
        return {"parent": street} if street.isdigit() else {}

    def save(self, data):
        return services.area_create(name=data["name"], level=Area.Level.COMMUNITY, parent=data["parent"])


class AreaRenameView(AreaFormView):
    form_class = AreaRenameForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and can_manage_areas(request.user):
            self.area = get_object_or_404(manageable_areas(request.user).select_related("parent"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["district"]
        return kwargs | {"area": self.area}

    def get_context_data(self, **kwargs):
        heading = _("Rename %(area)s") % {"area": self.area.name}
        return super().get_context_data(**kwargs) | {"heading": heading, "area": self.area}

    def save(self, data):
        # A copy, so that a refused name does not show up in the page heading.
        return services.area_update(area=copy.copy(self.area), name=data["name"], city=self.area.city)


class CentreCreateView(StaffAccessMixin, FormView):
    template_name = "staff/centre_create.html"
    form_class = CentreCreateForm
    permission = staticmethod(can_create_centres)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"district": self.request.user.area}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"district": self.request.user.area}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data.pop("web_address")
        try:
            centre = services.centre_create(slug=form.cleaned_data["web_address"], **data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(centre)s is created. Now add its services and opening hours.") % {"centre": centre.name},
        )
        return HttpResponseRedirect(_centre_url("centre_overview", centre))
