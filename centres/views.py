from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.generic import TemplateView

from activities.selectors import centre_upcoming_week, sessions_by_day
from ratings.scoring_selectors import centre_published_star

from . import page_cache
from .filters import DirectoryFilterForm
from .hours import CentreHours
from .models import Centre
from .page_cache import Rendered, cached_fragment, earliest, valid_until
from .selectors import centre_directory, centre_for_public_page

DIRECTORY_PAGE_SIZE = 20


class CentreDirectoryView(TemplateView):
    """The directory. Its filters and results are rendered once per query and language
    and kept while true (see ``page_cache``); htmx requests get the results alone."""

    template_name = "centres/centre_list.html"

    def get(self, request, *args, **kwargs):
        query = sorted(request.GET.lists())
        results_key = query
        if request.GET.get("open_now"):
            # Which centres are open changes with any centre's hours, not only the listed ones'.
            results_key = [*query, ("minute", page_cache.minute_stamp())]
        results = cached_fragment("directory-results", results_key, render=self.render_results)
        if request.htmx and not request.htmx.boosted:
            response = HttpResponse(results.value)
        else:
            filters = cached_fragment("directory-filters", query, render=self.render_filters)
            response = self.render_to_response({"filters_html": filters.value, "results_html": results.value})
        response.valid_until = results.valid_until
        if request.GET.get("open_now"):
            response.valid_until = earliest(response.valid_until, page_cache.next_minute())
        return response

    def filter_form(self) -> DirectoryFilterForm:
        form = DirectoryFilterForm(self.request.GET or None)
        if form.is_bound:
            form.is_valid()
        return form

    def render_filters(self) -> Rendered:
        html = render_to_string("centres/partials/directory_filters.html", {"filter_form": self.filter_form()})
        return Rendered(html)

    def render_results(self) -> Rendered:
        now = timezone.now()
        paginator = Paginator(centre_directory(filters=self.filter_form().filters(), now=now), DIRECTORY_PAGE_SIZE)
        # A page past the end shows the last page, and one that is not a number the
        # first, rather than a 404 for a shared or hand-edited link.
        page = paginator.get_page(self.request.GET.get("page"))
        centres = list(page.object_list)
        changes = []
        for centre in centres:
            hours = CentreHours.for_centre(centre)
            centre.open_status = hours.status_at(now)
            changes.append(hours.next_change(now))
        query_without_page = self.request.GET.copy()
        query_without_page.pop("page", None)
        context = {
            "centres": centres,
            "page_obj": page,
            "paginator": paginator,
            "query_without_page": query_without_page.urlencode(),
        }
        html = render_to_string("centres/partials/centre_results.html", context)
        return Rendered(html, valid_until(now, changes))


class CentreDetailView(TemplateView):
    template_name = "centres/centre_detail.html"

    def get(self, request, *args, **kwargs):
        slug = self.kwargs["slug"]
        page = cached_fragment("centre-page", slug, render=lambda: self.render_main(slug))
        if page.value is None:
            raise Http404
        response = self.render_to_response(self.get_context_data(**kwargs) | page.value)
        response.valid_until = page.valid_until
        return response

    @staticmethod
    def render_main(slug: str) -> Rendered:
        try:
            centre = centre_for_public_page(slug=slug)
        except Centre.DoesNotExist:
            return Rendered(None, keep=False)
        now = timezone.now()
        hours = CentreHours.for_centre(centre)
        today = timezone.localdate(now)
        context = {
            "centre": centre,
            "hours": hours,
            "open_status": hours.status_at(now),
            "week": hours.week(today),
            "today": today,
            "upcoming_days": sessions_by_day(centre_upcoming_week(centre=centre, today=today)),
            "star": centre_published_star(centre=centre),
        }
        html = render_to_string("centres/partials/centre_main.html", context)
        return Rendered({"title": centre.name, "main_html": html}, valid_until(now, [hours.next_change(now)]))
