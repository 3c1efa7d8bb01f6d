"""The portal's URLs plus ``/bench/baseline``: the cheapest page Django can serve with one
query, through the same middleware, workers and database as the real pages."""

from django.http import HttpResponse
from django.urls import path

from centres.models import Centre
from portal.urls import urlpatterns as portal_urlpatterns


def baseline(request):
    count = Centre.objects.count()
    return HttpResponse(f"{count}\n", content_type="text/plain")


urlpatterns = [path("bench/baseline", baseline, name="bench-baseline"), *portal_urlpatterns]
