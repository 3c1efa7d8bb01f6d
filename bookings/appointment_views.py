"""Residents' appointment pages: a centre's free appointment times with the request form
(/bookings/appointments/centres/<slug>/), and an appointment's own page with its pass
(/bookings/appointments/<code>/), where the resident answers a proposed time or cancels.

An appointment's page is for the resident who made it and for staff who may see its
centre; to anyone else it does not exist (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from centres.forms import add_service_errors
from centres.holidays import national_day
from centres.models import Centre
from centres.permissions import can_manage_centre, viewable_centres_as_staff

from . import appointments as services
from .appointment_forms import AppointmentRequestForm
from .codes import normalise_code
from .forms import new_request_key
from .models import APPOINTMENT_HOLDING_STATUSES, Appointment


class AppointmentSlotsView(TemplateView):
    """The centre's free appointment times. Anyone may look; asking for one needs a login."""

    template_name = "bookings/appointments/slots.html"

    def dispatch(self, request, *args, **kwargs):
        self.centre = get_object_or_404(
            Centre.objects.published().select_related("street", "area"), slug=kwargs["slug"]
        )
        self.setup = services.published_setup(self.centre)
        if self.setup is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None) -> AppointmentRequestForm:
        return AppointmentRequestForm(data, centre=self.centre, initial={"request_key": new_request_key()})

    def get_context_data(self, **kwargs):
        form = kwargs.get("form") or self.get_form()
        days = services.appointment_slots(centre=self.centre, setup=self.setup)
        return super().get_context_data(**kwargs) | {
            "centre": self.centre,
            "setup": self.setup,
            "days": days,
            "has_free": any(not slot.is_full for day in days for slot in day.slots),
            "form": form,
            "chosen_slot": form["slot"].value() or "",
            "login_next": self.request.get_full_path(),
        }

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = self.get_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.appointment_request(
                    centre=self.centre,
                    resident=request.user,
                    topic=data["topic"],
                    starts_at=data["slot"],
                    need=data["need"],
                    request_key=data["request_key"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if appointment.status == Appointment.Status.REQUESTED:
                    messages.success(
                        request, _("Your request is sent. The centre will confirm it, and you will get a message.")
                    )
                return HttpResponseRedirect(appointment.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form), status=200)


def _visible_appointments(user):
    """Appointments the user may look at: their own, and those of centres they see as staff."""
    return Appointment.objects.filter(Q(resident=user) | Q(centre__in=viewable_centres_as_staff(user)))


class AppointmentDetailView(LoginRequiredMixin, TemplateView):
    template_name = "bookings/appointments/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        appointment = get_object_or_404(
            _visible_appointments(user).select_related("centre", "topic"), code=normalise_code(kwargs["code"])
        )
        now = timezone.now()
        is_owner = appointment.resident_id == user.pk
        is_coming = appointment.starts_at > now
        return super().get_context_data(**kwargs) | {
            "appointment": appointment,
            "centre": appointment.centre,
            "national": national_day(timezone.localdate(appointment.starts_at)),
            "is_owner": is_owner,
            "is_staff_view": not is_owner,
            "can_manage": not is_owner and can_manage_centre(user, appointment.centre),
            "is_coming": is_coming,
            "moved": appointment.requested_starts_at and appointment.requested_starts_at != appointment.starts_at,
            "can_answer": is_owner and is_coming and appointment.status == Appointment.Status.PROPOSED,
            "can_cancel": is_owner
            and is_coming
            and appointment.status in APPOINTMENT_HOLDING_STATUSES
            and appointment.checked_in_at is None,
            "shows_pass": appointment.status in APPOINTMENT_HOLDING_STATUSES,
        }


def _own_appointment(request, code: str) -> Appointment:
    return get_object_or_404(
        Appointment.objects.filter(resident=request.user).select_related("centre", "topic"),
        code=normalise_code(code),
    )


def _answer(request, code: str, action, done: str):
    appointment = _own_appointment(request, code)
    try:
        action(appointment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return HttpResponseRedirect(appointment.get_absolute_url())


@login_required
@require_POST
def appointment_accept(request, code):
    return _answer(
        request,
        code,
        lambda appointment: services.appointment_accept_proposal(appointment=appointment),
        _("You accepted the new time. Your appointment is confirmed."),
    )


@login_required
@require_POST
def appointment_decline_proposal(request, code):
    return _answer(
        request,
        code,
        lambda appointment: services.appointment_decline_proposal(appointment=appointment),
        _("You declined the new time. Your request is cancelled; you can choose another time."),
    )


@login_required
@require_POST
def appointment_cancel(request, code):
    return _answer(
        request,
        code,
        lambda appointment: services.appointment_cancel(appointment=appointment, by=request.user),
        _("Your appointment is cancelled."),
    )
