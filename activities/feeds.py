"""iCalendar feeds (being built; see the feeds helper)."""

from django.http import Http404
from django.views import View


class _NotYet(View):
    def get(self, request, *args, **kwargs):
        raise Http404


CalendarFeedView = CentreFeedView = OccurrenceEventView = _NotYet
