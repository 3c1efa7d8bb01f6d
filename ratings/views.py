"""The resident's side of ratings (/ratings/): what they may rate, the rating form, and
their ratings with the centre's reply and the follow-up when it is allowed.

Bookings and appointments are looked up among the signed-in resident's own by pass
code, so anyone else's is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bookings.models import Appointment, Booking

from . import selectors
from .forms import RatingForm
from .models import ASPECTS, BAD_LEVELS, Rating
from .services import RatingRefused, rating_allowed, rating_create


@login_required
def rating_home(request):
    return render(
        request,
        "ratings/rating_home.html",
        {
            "bookings": selectors.rateable_bookings(request.user),
            "appointments": selectors.rateable_appointments(request.user),
            "rated": selectors.ratings_of_resident(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate_booking(request, code: str):
    try:
        booking = selectors.booking_of_resident(request.user, code)
    except Booking.DoesNotExist:
        raise Http404 from None
    return _rate(request, booking=booking)


@login_required
@require_http_methods(["GET", "POST"])
def rate_appointment(request, code: str):
    try:
        appointment = selectors.appointment_of_resident(request.user, code)
    except Appointment.DoesNotExist:
        raise Http404 from None
    return _rate(request, appointment=appointment)


def _earlier(booking, appointment) -> list[Rating]:
    """The ratings already given: none, the first, or the first and its follow-up."""
    lookup = {"booking": booking} if booking is not None else {"appointment": appointment}
    return list(Rating.objects.filter(**lookup).select_related("case").order_by("is_follow_up", "pk"))


def _rate(request, *, booking=None, appointment=None):
    ratings = _earlier(booking, appointment)
    earlier = ratings[0] if ratings else None
    case = getattr(earlier, "case", None) if earlier else None
    if request.method == "GET":
        # Rated already, waiting for the reply, past the time to rate…: told, no form.
        try:
            rating_allowed(resident=request.user, booking=booking, appointment=appointment, earlier=ratings)
        except RatingRefused as refused:
            messages.info(request, refused.messages[0])
            return redirect("ratings:home")
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rating = rating_create(
                resident=request.user,
                booking=booking,
                appointment=appointment,
                level=data["level"],
                comment=data["comment"],
                **{name: data[name] for name, _label in ASPECTS},
            )
        except RatingRefused as refused:
            form.add_error(None, refused.messages)
        else:
            if rating.level in BAD_LEVELS and not rating.is_follow_up:
                messages.success(
                    request,
                    _("Thank you for telling us. The centre will call you back and tell you what it changes."),
                )
            else:
                messages.success(request, _("Thank you for your rating."))
            return redirect("ratings:home")
    return render(
        request,
        "ratings/rating_form.html",
        {
            "form": form,
            "booking": booking,
            "appointment": appointment,
            "earlier": earlier,
            "case": case,
            "is_follow_up": earlier is not None,
        },
    )
