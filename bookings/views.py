"""The resident's side of booking: booking from a session's page, "My bookings", the
pass, cancelling, answering waiting-list offers, and the private calendar feed.

Every booking is looked up among the signed-in resident's own, so anyone else's pass
code is a 404. Actions are POSTs that a resent form cannot repeat: a second cancel or
decline finds the booking already closed and says so kindly.
"""

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from activities.models import Occurrence
from activities.selectors import occurrence_for_public_page
from activities.views import occurrence_page

from . import selectors
from .appointments import appointments_of_resident
from .family import family_of
from .feeds import CONTENT_TYPE, booking_feed, feed_token_renew
from .forms import SELF, BookingForm
from .models import Booking, FeedToken
from .services import (
    BookingRefused,
    booking_cancel,
    booking_create,
    cancel_deadline,
    offer_accept,
    offer_decline,
    suspension_message,
    what_is_booked,
)

PAST_PAGE_SIZE = 20
# A session found fully booked is remembered this long, so that the crowd still pressing
# "Book" after the last place went is answered without loading anything from the
# database. A place freed meanwhile goes to the waiting list anyway.
FULL_MARK_SECONDS = 2
# How long a sent booking form is remembered, so that sending it again (a double click,
# a reload) leads to the booking it made even while the session is marked full.
SENT_FORM_SECONDS = 600


def _full_mark(occurrence_pk: int) -> str:
    return f"bookings:full:{occurrence_pk}"


def _sent_form(user_id, request_key: str) -> str:
    return f"bookings:sent:{user_id}:{request_key}"


def _refusal_text(refusal: BookingRefused) -> str:
    return " ".join(refusal.messages)


def _own_booking(request, code: str) -> Booking:
    try:
        return selectors.booking_of_resident(request.user, code)
    except Booking.DoesNotExist:
        raise Http404 from None


# Booking from the session's page -------------------------------------------------------


def _people(resident, keys: list[str]) -> list:
    """The people ticked: ``None`` for the resident, or one of their family members. An
    id that is not one of theirs is a 404."""
    if all(key == SELF for key in keys):
        return [None] * len(keys)
    family = {str(dependant.pk): dependant for dependant in family_of(resident)}
    people = []
    for key in keys:
        if key == SELF:
            people.append(None)
        elif key in family:
            people.append(family[key])
        else:
            raise Http404
    return people


def _booked_message(bookings: list[Booking]) -> str:
    names = ", ".join(booking.person_name for booking in bookings)
    first = bookings[0]
    if first.status == Booking.Status.WAITING:
        return _("On the waiting list for %(what)s: %(names)s. We will tell you if a place frees up.") % {
            "what": what_is_booked(first),
            "names": names,
        }
    return _("Booked: %(what)s for %(names)s. Show the pass at the door.") % {
        "what": what_is_booked(first),
        "names": names,
    }


@require_POST
def booking_book(request, occurrence_pk: int):
    """Book the people ticked on a session's page (for a session of a course, the
    course). A refusal shows the page again with its reason and the same people ticked."""
    user_id, request_key = request.session.get(SESSION_KEY), request.POST.get("request_key", "")[:36]
    sent_key = _sent_form(user_id, request_key) if user_id and request_key else None
    known = cache.get_many([key for key in (sent_key, _full_mark(occurrence_pk)) if key])  # one round trip
    if sent_key in known:
        return redirect(known[sent_key])
    if not request.POST.get("join_waiting_list") and known.get(_full_mark(occurrence_pk)):
        messages.error(request, _("Sorry, it is fully booked. You can join the waiting list."))
        return redirect(reverse("activities:occurrence", kwargs={"pk": occurrence_pk}) + "#booking")
    try:
        occurrence = occurrence_for_public_page(pk=occurrence_pk)
    except Occurrence.DoesNotExist:
        raise Http404 from None
    if not request.user.is_authenticated:
        return redirect_to_login(occurrence.get_absolute_url())
    form = BookingForm(request.POST)
    ticked = frozenset(request.POST.getlist("people"))
    if not form.is_valid():
        refusal = " ".join(form.errors.get("people", [])) or _("Please try again.")
        return occurrence_page(request, occurrence, refusal=refusal, refusal_code="people", ticked=ticked)
    people = _people(request.user, form.cleaned_data["people"])
    if occurrence.series_id and occurrence.series.is_course:
        target = {"course": occurrence.series}
    else:
        target = {"occurrence": occurrence}
    try:
        bookings = booking_create(
            **target,
            resident=request.user,
            people=people,
            request_key=form.cleaned_data["request_key"],
            join_waiting_list=form.cleaned_data["join_waiting_list"],
        )
    except Booking.DoesNotExist:
        raise Http404 from None
    except BookingRefused as refusal:
        if refusal.code == "full" and selectors.places_left(occurrence) <= 0:
            cache.set(_full_mark(occurrence.pk), True, FULL_MARK_SECONDS)
        return occurrence_page(
            request, occurrence, refusal=_refusal_text(refusal), refusal_code=refusal.code, ticked=ticked
        )
    messages.success(request, _booked_message(bookings))
    destination = bookings[0].get_absolute_url() if len(bookings) == 1 else reverse("bookings:list")
    if request_key:
        cache.set(_sent_form(request.user.pk, request_key), destination, SENT_FORM_SECONDS)
    return redirect(destination)


# My bookings -----------------------------------------------------------------------


@login_required
def booking_list(request):
    """ "My bookings": offers to answer, what is coming, waiting lists, appointments, the
    private calendar link, and the past, page by page."""
    now = timezone.now()
    resident = request.user
    past = Paginator(selectors.past_bookings_of(resident, now), PAST_PAGE_SIZE).get_page(request.GET.get("page"))
    for booking in past.object_list:
        booking.attendance = selectors.attendance(booking)
    suspensions = selectors.suspensions_in_force(resident, now)
    for suspension in suspensions:
        suspension.message = suspension_message(suspension)
    token = selectors.feed_token_of(resident)
    feed_url = request.build_absolute_uri(reverse("bookings:feed", kwargs={"token": token.token})) if token else ""
    context = {
        "now": now,
        "offers": selectors.offers_of(resident, now),
        "coming": selectors.coming_bookings_of(resident, now),
        "waiting": selectors.waiting_of(resident, now),
        "appointments": list(appointments_of_resident(resident, since=now)),
        "past": past,
        "page_obj": past,
        "query_without_page": "",
        "suspensions": suspensions,
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
    }
    return render(request, "bookings/booking_list.html", context)


# The pass --------------------------------------------------------------------------


@login_required
def booking_detail(request, code: str):
    booking = _own_booking(request, code)
    now = timezone.now()
    context = {
        "booking": booking,
        "sessions": selectors.pass_sessions(booking),
        "now": now,
        "cancel_deadline": cancel_deadline(booking),
    }
    return render(request, "bookings/booking_detail.html", context)


# Cancelling, leaving a waiting list, answering an offer ---------------------------------


def _already_closed_message(booking: Booking) -> str:
    return {
        Booking.Status.LEFT: _("You have already left this waiting list."),
        Booking.Status.DECLINED: _("You have already declined this offer."),
        Booking.Status.LAPSED: _("This offer has lapsed: the place went to the next person."),
    }.get(booking.status, _("This booking is already cancelled."))


def _done_message(booking: Booking) -> str:
    if booking.status == Booking.Status.LEFT:
        return _("%(name)s has left the waiting list for %(what)s.") % {
            "name": booking.person_name,
            "what": what_is_booked(booking),
        }
    if booking.status == Booking.Status.DECLINED:
        return _("You declined the place offered at %(what)s. It goes to the next person.") % {
            "what": what_is_booked(booking)
        }
    return _("Cancelled: %(what)s for %(name)s. Thank you for freeing the place.") % {
        "what": what_is_booked(booking),
        "name": booking.person_name,
    }


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel_view(request, code: str):
    """GET asks "Cancel this booking?"; POST cancels it (or leaves the waiting list, or
    declines the offer)."""
    booking = _own_booking(request, code)
    if not booking.is_active:
        messages.info(request, _already_closed_message(booking))
        return redirect(booking)
    now = timezone.now()
    deadline = cancel_deadline(booking)
    if request.method == "GET":
        context = {"booking": booking, "sessions": selectors.pass_sessions(booking), "deadline": deadline, "now": now}
        return render(request, "bookings/booking_cancel.html", context)
    try:
        booking = booking_cancel(booking=booking, by=request.user)
    except BookingRefused as refusal:
        if refusal.code == "closed":
            booking.refresh_from_db(fields=["status"])
            messages.info(request, _already_closed_message(booking))
        else:
            messages.error(request, _refusal_text(refusal))
        return redirect(booking)
    messages.success(request, _done_message(booking))
    return redirect("bookings:list")


@login_required
@require_http_methods(["GET", "POST"])
def booking_accept(request, code: str):
    """Take the place offered from the waiting list. GET (after logging in) shows the pass,
    where the offer can be answered."""
    booking = _own_booking(request, code)
    if request.method == "GET":
        return redirect(booking)
    if booking.status == Booking.Status.CONFIRMED:
        messages.info(request, _("You have already accepted this place."))
        return redirect(booking)
    try:
        booking = offer_accept(booking=booking)
    except BookingRefused as refusal:
        messages.error(request, _refusal_text(refusal))
        return redirect(booking)
    messages.success(
        request,
        _("Booked: %(what)s for %(name)s. Show the pass at the door.")
        % {"what": what_is_booked(booking), "name": booking.person_name},
    )
    return redirect(booking)


@login_required
@require_http_methods(["GET", "POST"])
def booking_decline(request, code: str):
    """Decline the place offered; it passes to the next person on the list."""
    booking = _own_booking(request, code)
    if request.method == "GET":
        return redirect(booking)
    if booking.status != Booking.Status.OFFERED:
        if booking.is_active:
            messages.info(request, _("There is no open offer on this booking."))
        else:
            messages.info(request, _already_closed_message(booking))
        return redirect(booking)
    try:
        booking = offer_decline(booking=booking)
    except BookingRefused as refusal:
        messages.error(request, _refusal_text(refusal))
        return redirect(booking)
    messages.success(request, _done_message(booking))
    return redirect("bookings:list")


# The private calendar feed ------------------------------------------------------------


def booking_feed_view(request, token: str):
    """``/bookings/feed/<token>.ics``: the resident's own places, for a phone's calendar.
    Anyone with the link can read it; an unknown or replaced link is a 404."""
    try:
        feed_token = FeedToken.objects.select_related("resident").get(token=token)
    except FeedToken.DoesNotExist:
        raise Http404 from None
    if not feed_token.resident.is_active:
        raise Http404
    response = HttpResponse(booking_feed(request, feed_token.resident), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(False, "my-bookings.ics")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def booking_feed_renew(request):
    """Make the private calendar link (or a new one: the old link stops working)."""
    had_one = FeedToken.objects.filter(resident=request.user).exists()
    feed_token_renew(resident=request.user)
    if had_one:
        messages.success(request, _("Your calendar has a new link. The old link no longer works."))
    else:
        messages.success(request, _("Your calendar link is ready. Add it to your phone's calendar."))
    return redirect(f"{reverse('bookings:list')}#calendar-link")
