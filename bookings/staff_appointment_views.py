"""Staff appointment pages of one centre (/staff/centres/<slug>/appointments/…): the
set-up and the services offered, the roster of one day with its answers (confirm,
propose another time, decline, cancel), check-in by ticking the roster or typing the
pass code, booking on a resident's behalf, and the roster as CSV or Excel.

Centre staff manage their own centres and district staff every centre of their district;
street staff look at the centres of their street (GET only: anything they send is a 404).
Every appointment is looked up through the centre of the URL, so anything else is a 404.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from activities.permissions import CentreScheduleMixin
from centres.forms import add_service_errors
from centres.staff_views import _centre_tabs
from portal.templatetags.portal_tags import hhmm, when

from . import appointments as services
from .appointment_forms import (
    AppointmentSetupForm,
    AppointmentTopicForm,
    CheckInCodeForm,
    ConfirmForm,
    ProposeForm,
    ReasonForm,
    StaffBookForm,
    slot_choices,
)
from .exports import csv_response, xlsx_response
from .forms import new_request_key
from .models import APPOINTMENT_HOLDING_STATUSES, Appointment, AppointmentSetup, AppointmentTopic, Booking
from .staff_selectors import holder_phone

# The days a roster URL can name (``staff_appointment_urls.RosterDateConverter``).
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)


def _url(name: str, centre, **kwargs) -> str:
    return reverse(f"bookings_staff:{name}", kwargs={"slug": centre.slug, **kwargs})


def day_url(centre, date: dt.date) -> str:
    return _url("appointment_day", centre, date=date)


class AppointmentStaffMixin(CentreScheduleMixin):
    """An appointment page of one centre. Its managers may use it; with ``read_only_ok``
    street staff may look at it (GET only)."""

    def get_setup(self) -> AppointmentSetup | None:
        return AppointmentSetup.objects.filter(centre=self.centre).first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "section": "appointments",
            "centre_tabs": _centre_tabs(self.centre),
        }


# --- Set-up and services ----------------------------------------------------------------------


class AppointmentSetupView(AppointmentStaffMixin, FormView):
    template_name = "bookings/appointments/staff_setup.html"
    form_class = AppointmentSetupForm
    read_only_ok = True

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.get_setup() or AppointmentSetup(centre=self.centre)}

    def form_valid(self, form):
        try:
            services.appointment_setup_save(centre=self.centre, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The appointment set-up is saved."))
        return HttpResponseRedirect(_url("appointment_setup", self.centre))

    def get_context_data(self, **kwargs):
        setup = self.get_setup()
        today = timezone.localdate()
        days = []
        if setup is not None:
            counts = services.appointment_days_ahead(self.centre, today, setup.days_ahead)
            slot_days = {
                day.date for day in services.appointment_slots(centre=self.centre, setup=setup, for_staff=True)
            }
            for offset in range(setup.days_ahead):
                date = today + dt.timedelta(days=offset)
                if date in slot_days or counts.get(date):
                    days.append({"date": date, "count": counts.get(date, 0), "url": day_url(self.centre, date)})
        return super().get_context_data(**kwargs) | {
            "setup": setup,
            "topics": list(self.centre.appointment_topics.order_by("position", "pk")),
            "days": days,
            "today_url": day_url(self.centre, today),
            "is_public": setup is not None and services.published_setup(self.centre) is not None,
        }


class AppointmentTopicFormView(AppointmentStaffMixin, FormView):
    template_name = "bookings/appointments/staff_topic_form.html"
    form_class = AppointmentTopicForm

    def get_topic(self) -> AppointmentTopic | None:
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(AppointmentTopic.objects.filter(centre=self.centre), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        self.topic = self.get_topic()
        kwargs = super().get_form_kwargs()
        if self.topic is not None:
            kwargs["instance"] = self.topic
        else:
            kwargs["initial"] = {"position": self.centre.appointment_topics.count()}
        return kwargs

    def form_valid(self, form):
        try:
            services.appointment_topic_save(centre=self.centre, topic=self.topic, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("“%(name)s” is saved.") % {"name": form.cleaned_data["name"]})
        return HttpResponseRedirect(_url("appointment_setup", self.centre))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"topic": self.topic}


class AppointmentTopicDeleteView(AppointmentStaffMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        topic = get_object_or_404(AppointmentTopic.objects.filter(centre=self.centre), pk=kwargs["pk"])
        try:
            services.appointment_topic_delete(topic=topic)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("“%(name)s” is deleted.") % {"name": topic.name})
        return HttpResponseRedirect(_url("appointment_setup", self.centre))


# --- The roster of a day ----------------------------------------------------------------------


class AppointmentDayView(AppointmentStaffMixin, TemplateView):
    """Who has an appointment on one day, with the answers and check-in; and the form to
    book for a resident on that day (POST)."""

    template_name = "bookings/appointments/staff_day.html"
    read_only_ok = True

    def setup_day(self):
        self.date = self.kwargs["date"]
        self.setup = self.get_setup()
        now = timezone.now()
        if self.setup is None:
            self.days = []
        else:
            self.days = services.appointment_slots(centre=self.centre, setup=self.setup, now=now, for_staff=True)
        self.today_slots = [day for day in self.days if day.date == self.date]

    def book_form(self, data=None) -> StaffBookForm:
        return StaffBookForm(
            data, centre=self.centre, days=self.today_slots, initial={"request_key": new_request_key()}
        )

    def get(self, request, *args, **kwargs):
        self.setup_day()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_day()
        if self.setup is None:
            raise Http404
        form = self.book_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.appointment_request(
                    centre=self.centre,
                    resident=data["resident"],
                    person_name=data["name"],
                    topic=data["topic"],
                    starts_at=data["slot"],
                    need=data["need"],
                    request_key=data["request_key"],
                    source=Booking.Source.STAFF,
                    booked_by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is booked for %(time)s. Pass code: %(code)s.")
                    % {
                        "name": appointment.person_name,
                        "time": hhmm(appointment.starts_at),
                        "code": appointment.code_display,
                    },
                )
                return HttpResponseRedirect(day_url(self.centre, timezone.localdate(appointment.starts_at)))
        return self.render_to_response(self.get_context_data(book_form=form))

    def get_context_data(self, **kwargs):
        now = timezone.now()
        roster = list(services.appointment_day_roster(self.centre, self.date))
        holding = [a for a in roster if a.status in APPOINTMENT_HOLDING_STATUSES]
        for appointment in roster:
            appointment.phone_masked = holder_phone(appointment)
            appointment.is_coming = appointment.starts_at > now
            appointment.can_check_in = (
                appointment.status in (Appointment.Status.REQUESTED, Appointment.Status.CONFIRMED)
                and appointment.checked_in_at is None
                and timezone.localdate(appointment.starts_at) == timezone.localdate(now)
            )
        today = timezone.localdate(now)
        return super().get_context_data(**kwargs) | {
            "date": self.date,
            "is_today": self.date == today,
            "setup": self.setup,
            "active": holding,
            "closed": [a for a in roster if a.status not in APPOINTMENT_HOLDING_STATUSES],
            "checked_in": sum(1 for a in holding if a.checked_in_at),
            "day_slots": self.today_slots[0].slots if self.today_slots else [],
            "propose_choices": slot_choices(self.days),
            "code_form": kwargs.get("code_form") or CheckInCodeForm(),
            "book_form": kwargs.get("book_form") or self.book_form(),
            "previous_url": day_url(self.centre, self.date - dt.timedelta(days=1)) if self.date > EARLIEST_DATE else "",
            "next_url": day_url(self.centre, self.date + dt.timedelta(days=1)) if self.date < LATEST_DATE else "",
            "today_url": day_url(self.centre, today),
            "setup_url": _url("appointment_setup", self.centre),
        }


class AppointmentActionView(AppointmentStaffMixin, View):
    """A POST on one appointment of the centre; back to its day's roster with a message."""

    http_method_names = ["post"]
    form_class = None

    def act(self, appointment: Appointment, data: dict) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        appointment = get_object_or_404(
            Appointment.objects.filter(centre=self.centre).select_related("centre", "topic"), pk=kwargs["pk"]
        )
        back = day_url(self.centre, timezone.localdate(appointment.starts_at))
        data = {}
        if self.form_class is not None:
            form = self.get_form(appointment)
            if not form.is_valid():
                for errors in form.errors.values():
                    for message in errors:
                        messages.error(request, message)
                return HttpResponseRedirect(back)
            data = form.cleaned_data
        try:
            done = self.act(appointment, data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return HttpResponseRedirect(back)

    def get_form(self, appointment):
        return self.form_class(self.request.POST)


class AppointmentConfirmView(AppointmentActionView):
    form_class = ConfirmForm

    def act(self, appointment, data):
        services.appointment_confirm(appointment=appointment, by=self.request.user, note=data["note"])
        return _("%(name)s's appointment is confirmed.") % {"name": appointment.person_name}


class AppointmentProposeView(AppointmentActionView):
    form_class = ProposeForm

    def get_form(self, appointment):
        return ProposeForm(self.request.POST, days=[])

    def act(self, appointment, data):
        moved = services.appointment_propose(
            appointment=appointment, by=self.request.user, starts_at=data["slot"], note=data["note"]
        )
        return _("%(name)s is offered %(when)s and will be asked to accept it.") % {
            "name": appointment.person_name,
            "when": when(moved.starts_at),
        }


class AppointmentDeclineView(AppointmentActionView):
    form_class = ReasonForm

    def act(self, appointment, data):
        services.appointment_decline(appointment=appointment, by=self.request.user, reason=data["reason"])
        return _("%(name)s's request is declined.") % {"name": appointment.person_name}


class AppointmentCancelView(AppointmentActionView):
    form_class = ReasonForm

    def act(self, appointment, data):
        services.appointment_cancel(
            appointment=appointment, by=self.request.user, reason=data["reason"], by_centre=True
        )
        return _("%(name)s's appointment is cancelled.") % {"name": appointment.person_name}


class AppointmentCheckInView(AppointmentActionView):
    def act(self, appointment, data):
        services.appointment_check_in(appointment=appointment, by=self.request.user)
        return _("%(name)s is checked in.") % {"name": appointment.person_name}


class AppointmentCheckInUndoView(AppointmentActionView):
    def act(self, appointment, data):
        services.appointment_check_in_undo(appointment=appointment, by=self.request.user)
        return _("%(name)s's check-in is undone.") % {"name": appointment.person_name}


class AppointmentCheckInCodeView(AppointmentStaffMixin, View):
    """Check in by the typed (or scanned) pass code, on the roster's day."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        date = kwargs["date"]
        form = CheckInCodeForm(request.POST)
        if form.is_valid():
            try:
                appointment = services.appointment_check_in_by_code(
                    centre=self.centre, date=date, code=form.cleaned_data["code"], by=request.user
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("%(name)s is checked in (%(time)s, %(topic)s).")
                    % {
                        "name": appointment.person_name,
                        "time": hhmm(appointment.starts_at),
                        "topic": appointment.topic.name,
                    },
                )
        else:
            for message in form.errors.get("code", []):
                messages.error(request, message)
        return HttpResponseRedirect(day_url(self.centre, date))


# --- Export -----------------------------------------------------------------------------------


def roster_rows(roster) -> tuple[list[str], list[list]]:
    header = [
        _("Time"),
        _("Name"),
        _("Mobile number"),
        _("Service"),
        _("What they need"),
        _("Status"),
        _("Pass code"),
        _("Booked"),
        _("Checked in"),
    ]
    rows = []
    for appointment in roster:
        rows.append(
            [
                f"{hhmm(appointment.starts_at)}–{hhmm(appointment.ends_at)}",
                appointment.person_name,
                holder_phone(appointment),
                appointment.topic.name,
                appointment.need,
                appointment.get_status_display(),
                appointment.code_display,
                appointment.get_source_display(),
                hhmm(appointment.checked_in_at),
            ]
        )
    return header, rows


class AppointmentExportView(AppointmentStaffMixin, View):
    read_only_ok = True
    file_format = "csv"

    def get(self, request, *args, **kwargs):
        date = kwargs["date"]
        header, rows = roster_rows(services.appointment_day_roster(self.centre, date))
        filename = f"{self.centre.slug}-appointments-{date.isoformat()}"
        if self.file_format == "xlsx":
            return xlsx_response(filename=filename, title=date.isoformat(), header=header, rows=rows)
        return csv_response(filename=filename, header=header, rows=rows)
