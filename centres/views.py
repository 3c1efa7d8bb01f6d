from django.http import Http404
from django.utils import timezone
from django.views.generic import DetailView, ListView

from .filters import DirectoryFilterForm
from .hours import CentreHours
from .models import Centre
from .selectors import centre_directory, centre_for_public_page


class CentreDirectoryView(ListView):
    template_name = "centres/centre_list.html"
    context_object_name = "centres"
    paginate_by = 20

    def get_queryset(self):
        self.now = timezone.now()
        self.filter_form = DirectoryFilterForm(self.request.GET or None)
        if self.filter_form.is_bound:
            self.filter_form.is_valid()
        return centre_directory(filters=self.filter_form.filters(), now=self.now)

    def paginate_queryset(self, queryset, page_size):
        """A page past the end shows the last page, and one that is not a number the first,
        rather than a 404 for a shared or hand-edited link."""
        paginator = self.get_paginator(
            queryset, page_size, orphans=self.get_paginate_orphans(), allow_empty_first_page=self.get_allow_empty()
        )
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return ["centres/partials/centre_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for centre in context["centres"]:
            centre.open_status = CentreHours.for_centre(centre).status_at(self.now)
        query = self.request.GET.copy()
        query.pop("page", None)
        context |= {"filter_form": self.filter_form, "query_without_page": query.urlencode()}
        return context


class CentreDetailView(DetailView):
    template_name = "centres/centre_detail.html"
    context_object_name = "centre"

    def get_object(self, queryset=None):
        try:
            return centre_for_public_page(slug=self.kwargs["slug"])
        except Centre.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        hours = CentreHours.for_centre(self.object)
        today = timezone.localdate(now)
        context |= {
            "hours": hours,
            "open_status": hours.status_at(now),
            "week": hours.week(today),
            "today": today,
        }
        return context
