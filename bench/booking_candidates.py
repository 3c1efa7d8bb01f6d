"""Candidate changes to the booking endpoint, measured by ``bench/booking.py --candidate
NAME`` without editing the app: the portal's URLs, with ``/bookings/book/<pk>/`` answered
by one of the views below (``bench/booking_candidate_settings.py`` points ROOT_URLCONF
here; ``BENCH_BOOKING_CANDIDATE`` names the view).

- ``full_mark``: the portal's own view, but once a session is known to be full (a mark
  in the cache for 2 s, set when the view refused and the places are all held), a POST
  that does not ask for the waiting list is answered at once with a small page saying it
  is fully booked, before the session, the user or the session's page are loaded.
- ``minimal``: the floor of any booking done by a Django view on this machine: the
  signed-in user, then lock the session's row, count its held places, insert the booking
  and its place, commit, redirect to the pass. None of the portal's rules (window,
  suspension, limit, clash, age, duplicates, waiting list, inbox): not a proposal, a
  measure of what is left when the rules cost nothing.
"""

import os

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import Occurrence
from bench.urls import urlpatterns as bench_urlpatterns
from bookings import views
from bookings.codes import new_pass_code
from bookings.models import Booking, Place
from bookings.services import held_places

CANDIDATE = os.environ.get("BENCH_BOOKING_CANDIDATE", "full_mark")
FULL_MARK_SECONDS = 2


def _full_key(occurrence_pk: int) -> str:
    return f"bench-booking-full:{occurrence_pk}"


def _fully_booked_page(occurrence_pk: int) -> HttpResponse:
    message = escape(_("Sorry, it is fully booked. You can join the waiting list."))
    link = reverse("activities:occurrence", kwargs={"pk": occurrence_pk})
    return HttpResponse(
        f'<!doctype html><meta charset="utf-8"><p id="booking-refusal">{message}</p><a href="{link}">{link}</a>'
    )


def _is_full(occurrence_pk: int) -> bool:
    occurrence = Occurrence.objects.select_related("activity").filter(pk=occurrence_pk).first()
    return occurrence is not None and held_places([occurrence_pk]).get(occurrence_pk, 0) >= occurrence.activity.capacity


@require_POST
def full_mark_book(request, occurrence_pk: int):
    if not request.POST.get("join_waiting_list") and cache.get(_full_key(occurrence_pk)):
        return _fully_booked_page(occurrence_pk)
    response = views.booking_book(request, occurrence_pk=occurrence_pk)
    if response.status_code == 200 and _is_full(occurrence_pk):
        cache.set(_full_key(occurrence_pk), True, FULL_MARK_SECONDS)
    return response


@require_POST
def minimal_book(request, occurrence_pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("activities:occurrence", kwargs={"pk": occurrence_pk}))
    try:
        booking = _minimal_write(request, occurrence_pk)
    except IntegrityError:  # booked already (the warm-up's first resident)
        return HttpResponse(f'<p id="booking-refusal">{escape(_("This person already has a booking here."))}</p>')
    if booking is None:
        return _fully_booked_page(occurrence_pk)
    return redirect(booking)


def _minimal_write(request, occurrence_pk: int) -> Booking | None:
    with transaction.atomic():
        occurrence = (
            Occurrence.objects.select_for_update(of=("self",))
            .select_related("activity")
            .filter(pk=occurrence_pk)
            .first()
        )
        if occurrence is None:
            raise Http404
        held = Place.objects.filter(occurrence=occurrence, is_held=True).count()
        if held >= occurrence.activity.capacity:
            return None
        now = timezone.now()
        booking = Booking.objects.create(
            occurrence=occurrence,
            activity=occurrence.activity,
            centre_id=occurrence.centre_id,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
            resident=request.user,
            person_name=request.user.name,
            code=new_pass_code(),
            request_key=request.POST.get("request_key", "")[:36],
            created_at=now,
            confirmed_at=now,
        )
        Place.objects.create(booking=booking, occurrence=occurrence)
    return booking


CANDIDATES = {"full_mark": full_mark_book, "minimal": minimal_book}

urlpatterns = [
    path("bookings/book/<int:occurrence_pk>/", CANDIDATES[CANDIDATE]),
    *bench_urlpatterns,
]
