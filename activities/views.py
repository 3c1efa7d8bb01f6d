"""Public calendar pages (being built; see the calendar helper)."""

from django.http import Http404
from django.views import View


class _NotYet(View):
    def get(self, request, *args, **kwargs):
        raise Http404


CalendarView = CentreCalendarView = OccurrenceDetailView = BrandListView = BrandDetailView = _NotYet
