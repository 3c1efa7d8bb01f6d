"""Staff pages of bookings: a session's roster with check-in (ticks, a typed pass code,
or the phone's camera), walk-ins and bookings made for residents, the roster as a file;
the district's booking rules; booking suspensions and lifting them.

Sessions are looked up through the centre of the URL, itself looked up in the user's
scope (``CentreScheduleMixin``): centre and district staff manage, street staff look
(GET only: anything they send is a 404). Places are looked up through the session, so a
place of another session or centre is a 404 too.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from activities.models import Occurrence
from activities.permissions import CentreScheduleMixin
from centres.forms import add_service_errors
from centres.permissions import StaffAccessMixin, can_edit_centres, is_district_staff
from centres.staff_views import _centre_tabs
from portal.models import User
from portal.templatetags.portal_tags import when

from . import services
from .exports import csv_response, xlsx_response
from .forms import new_request_key
from .models import Booking, Place
from .services import BookingRefused
from .staff_forms import BookForResidentForm, BookingPolicyForm, CheckInCodeForm, SuspensionLiftForm, WalkInForm
from .staff_selectors import roster_for, roster_session, staff_suspensions, suspensions_in_force, suspensions_past

RESULT_KEY = "roster_result"
USED_KEYS = "roster_used_keys"
JSQR_PATH = "vendor/jsqr/jsQR.js"


def roster_url(centre, occurrence, anchor: str = "") -> str:
    url = reverse("bookings_staff:roster", kwargs={"slug": centre.slug, "pk": occurrence.pk})
    return f"{url}#{anchor}" if anchor else url


def _refusal_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _static_or_none(path: str) -> str | None:
    """The file's address, or None when the static files were collected without it (the
    manifest storage refuses names it does not know)."""
    try:
        return static(path)
    except ValueError:
        return None


# The roster.


class RosterMixin(CentreScheduleMixin):
    """A page or action of one session's roster."""

    read_only_ok = True

    def get_occurrence(self) -> Occurrence:
        try:
            return roster_session(centre=self.centre, pk=self.kwargs["pk"])
        except Occurrence.DoesNotExist as error:
            raise Http404 from error

    def setup_occurrence(self) -> None:
        self.occurrence = self.get_occurrence()


class RosterView(RosterMixin, TemplateView):
    template_name = "bookings/staff/roster.html"

    def get(self, request, *args, **kwargs):
        self.setup_occurrence()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        occurrence = self.occurrence
        now = timezone.now()
        result = self.request.session.pop(RESULT_KEY, None) if self.request.method == "GET" else None
        if result and result.get("occurrence") != occurrence.pk:
            result = None
        roster = roster_for(occurrence)
        can_manage = self.can_manage
        is_open = not occurrence.is_cancelled
        code_form = kwargs.setdefault("code_form", CheckInCodeForm())
        if self.request.method != "GET" or (result and result.get("kind") == "tick"):
            # Back from a tick (to that row) or a form with errors: the cursor stays there.
            code_form.fields["code"].widget.attrs.pop("autofocus", None)
        kwargs.setdefault("walk_in_form", WalkInForm())
        kwargs.setdefault("book_form", BookForResidentForm())
        kwargs.setdefault("request_key", new_request_key())
        return super().get_context_data(**kwargs) | {
            "section": "",
            "schedule_section": "week",
            "centre_tabs": _centre_tabs(self.centre),
            "occurrence": occurrence,
            "activity": occurrence.activity,
            "roster": roster,
            "is_course": occurrence.series_id is not None and occurrence.series.is_course,
            "result": result,
            "can_check_in": can_manage and is_open,
            "can_add": can_manage and is_open and occurrence.ends_at > now,
            "session_url": reverse("schedule:session", kwargs={"slug": self.centre.slug, "pk": occurrence.pk}),
            "jsqr_url": _static_or_none(JSQR_PATH),
        }


class RosterActionView(RosterMixin, View):
    """A POST that changes the roster, then back to the roster page."""

    http_method_names = ["post"]
    read_only_ok = False

    def remember(self, *, ok: bool, text: str, kind: str = "code") -> None:
        self.request.session[RESULT_KEY] = {"occurrence": self.occurrence.pk, "ok": ok, "text": text, "kind": kind}


class PlaceActionView(RosterActionView):
    def get_place(self) -> Place:
        return get_object_or_404(
            Place.objects.filter(occurrence=self.occurrence, is_held=True).select_related("booking"),
            pk=self.kwargs["place_pk"],
        )


class PlaceCheckInView(PlaceActionView):
    def post(self, request, *args, **kwargs):
        self.setup_occurrence()
        place = self.get_place()
        try:
            services.place_check_in(place=place, by=request.user)
        except BookingRefused as error:
            self.remember(ok=False, text=_refusal_text(error), kind="tick")
        else:
            self.remember(ok=True, text=_("%(name)s checked in ✓") % {"name": place.booking.person_name}, kind="tick")
        return HttpResponseRedirect(roster_url(self.centre, self.occurrence, f"place-{place.pk}"))


class PlaceCheckInUndoView(PlaceActionView):
    def post(self, request, *args, **kwargs):
        self.setup_occurrence()
        place = self.get_place()
        services.place_check_in_undo(place=place)
        self.remember(
            ok=True, text=_("%(name)s is no longer checked in.") % {"name": place.booking.person_name}, kind="tick"
        )
        return HttpResponseRedirect(roster_url(self.centre, self.occurrence, f"place-{place.pk}"))


class CodeCheckInView(RosterActionView):
    def post(self, request, *args, **kwargs):
        self.setup_occurrence()
        form = CheckInCodeForm(request.POST)
        if not form.is_valid():
            self.remember(ok=False, text=_("Type the code on the pass."))
        else:
            try:
                place = services.check_in_by_code(
                    occurrence=self.occurrence, code=code_from_scan(form.cleaned_data["code"]), by=request.user
                )
            except BookingRefused as error:
                self.remember(ok=False, text=_refusal_text(error))
            else:
                self.remember(ok=True, text=_("%(name)s checked in ✓") % {"name": place.booking.person_name})
        return HttpResponseRedirect(roster_url(self.centre, self.occurrence, "check-in"))


def code_from_scan(text: str) -> str:
    """The pass code in what was typed or read from a QR image: the code itself, or the
    last part of a link to the pass."""
    text = text.strip()
    if "/" in text:
        parts = [part for part in text.split("?")[0].split("#")[0].split("/") if part]
        text = parts[-1] if parts else ""
    return text


class RosterFormView(RosterView):
    """Adds someone to the roster from a form; a refusal shows on the form."""

    http_method_names = ["post"]
    read_only_ok = False
    form_class = None
    context_name = ""

    def post(self, request, *args, **kwargs):
        self.setup_occurrence()
        form = self.form_class(request.POST)
        key = request.POST.get("request_key", "")[:36]
        used = request.session.get(USED_KEYS, [])
        if key and key in used:
            # The same form sent twice (a double click, or back and send again).
            return HttpResponseRedirect(roster_url(self.centre, self.occurrence))
        if form.is_valid():
            try:
                message = self.act(form, key)
            except ValidationError as error:
                add_service_errors(form, error)
            except Booking.DoesNotExist:
                form.add_error(None, _("This centre is hidden from the public, so it takes no bookings yet."))
            else:
                if key:
                    request.session[USED_KEYS] = [*used[-19:], key]
                messages.success(request, message)
                return HttpResponseRedirect(roster_url(self.centre, self.occurrence))
        return self.render_to_response(self.get_context_data(**{self.context_name: form}))

    def act(self, form, key: str) -> str:
        raise NotImplementedError


class WalkInView(RosterFormView):
    form_class = WalkInForm
    context_name = "walk_in_form"

    def act(self, form, key: str) -> str:
        booking = services.walk_in_add(
            occurrence=self.occurrence,
            by=self.request.user,
            person_name=form.cleaned_data["person_name"],
            phone=form.cleaned_data["phone"],
        )
        return _("%(name)s came without booking and is checked in ✓") % {"name": booking.person_name}


class BookForResidentView(RosterFormView):
    form_class = BookForResidentForm
    context_name = "book_form"

    def act(self, form, key: str) -> str:
        phone, name = form.cleaned_data["phone"], form.cleaned_data["person_name"]
        resident = User.objects.filter(phone=phone, is_active=True).first() if phone else None
        if phone and resident is None and not name:
            raise ValidationError(
                {"person_name": _("No one has signed up with this number. Give the person's name to book anyway.")}
            )
        occurrence = self.occurrence
        target = (
            {"course": occurrence.series}
            if occurrence.series_id is not None and occurrence.series.is_course
            else {"occurrence": occurrence}
        )
        join = form.cleaned_data["join_waiting_list"]
        try:
            [booking] = services.booking_create(
                **target,
                resident=resident,
                guest_name="" if resident else name,
                guest_phone="" if resident else phone,
                source=Booking.Source.STAFF,
                booked_by=self.request.user,
                request_key=key if resident else "",
                join_waiting_list=join,
            )
        except BookingRefused as error:
            if error.code == "full" and not join:
                raise BookingRefused(
                    _refusal_text(error) + " " + _("Tick “If it is full, put them on the waiting list” to add them."),
                    code="full",
                ) from error
            raise
        if booking.status == Booking.Status.WAITING:
            return _("%(name)s is on the waiting list, number %(position)s.") % {
                "name": booking.person_name,
                "position": services.waiting_position(booking),
            }
        return _("Booked: %(name)s. Pass code %(code)s.") % {"name": booking.person_name, "code": booking.code_display}


class RosterExportView(RosterMixin, View):
    """The roster as a file: CSV or an Excel workbook."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        self.setup_occurrence()
        occurrence = self.occurrence
        roster = roster_for(occurrence)
        header = [
            _("Name"),
            _("For whom"),
            _("Mobile number"),
            _("How booked"),
            _("Pass code (last 4)"),
            _("Checked in at"),
            _("No-show"),
        ]
        rows = [
            [
                row.booking.person_name,
                row.for_whom,
                row.phone,
                row.booking.get_source_display(),
                row.code_end,
                when(row.place.checked_in_at),
                _("Yes") if row.place.no_show else "",
            ]
            for row in roster.rows
        ]
        day = timezone.localtime(occurrence.starts_at)
        filename = f"{occurrence.activity.title} {day:%Y-%m-%d %H%M}"
        if kwargs["format"] == "xlsx":
            return xlsx_response(filename=filename, title=_("Roster"), header=header, rows=rows)
        return csv_response(filename=filename, header=header, rows=rows)


# The district's booking rules.


class BookingPolicyView(StaffAccessMixin, FormView):
    permission = staticmethod(is_district_staff)
    template_name = "bookings/staff/booking_policy.html"
    form_class = BookingPolicyForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": services.booking_policy_for(self.request.user.area)}

    def form_valid(self, form):
        try:
            services.booking_policy_save(district=self.request.user.area, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The booking rules are saved. They apply from now on."))
        return HttpResponseRedirect(reverse("bookings_staff:booking_policy"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"district": self.request.user.area}


# Suspensions.


class SuspensionListView(StaffAccessMixin, TemplateView):
    template_name = "bookings/staff/suspension_list.html"

    def get_context_data(self, **kwargs):
        user, now = self.request.user, timezone.now()
        in_force = suspensions_in_force(user=user, now=now)
        bound = kwargs.pop("bound_form", None)
        for suspension in in_force:
            suspension.lift_form = (
                bound[1] if bound and bound[0] == suspension.pk else SuspensionLiftForm(prefix=f"s{suspension.pk}")
            )
        return super().get_context_data(**kwargs) | {
            "in_force": in_force,
            "past": suspensions_past(user=user, now=now),
            "can_lift": can_edit_centres(user),
        }


class SuspensionLiftView(SuspensionListView):
    http_method_names = ["post"]
    permission = staticmethod(can_edit_centres)

    def post(self, request, *args, **kwargs):
        suspension = get_object_or_404(staff_suspensions(user=request.user), pk=kwargs["pk"])
        form = SuspensionLiftForm(request.POST, prefix=f"s{suspension.pk}")
        name = suspension.resident.name or suspension.resident.masked_phone
        if suspension.lifted_at is not None:
            messages.info(request, _("The suspension of %(name)s was already lifted.") % {"name": name})
            return HttpResponseRedirect(reverse("bookings_staff:suspensions"))
        if form.is_valid():
            try:
                services.suspension_lift(
                    suspension=suspension, by=request.user, reason=form.cleaned_data["lift_reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s can book online again.") % {"name": name})
                return HttpResponseRedirect(reverse("bookings_staff:suspensions"))
        return self.render_to_response(self.get_context_data(bound_form=(suspension.pk, form)))
