"""A stand-in for the resident's booking page (``bookings:detail``), used by the rule tests
only while the real page is not there yet: every message the services send links to it."""

from django.http import HttpResponse
from django.urls import include, path


def _booking_page(request, code):
    return HttpResponse(code)


urlpatterns = [
    path("bookings/", include(([path("<str:code>/", _booking_page, name="detail")], "bookings"))),
]
