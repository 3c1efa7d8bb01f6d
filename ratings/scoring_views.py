"""Applying (申报) and scoring (考核) in a star-rating cycle.

Centre staff apply for their centres while a cycle is open and add evidence; while it is
being scored, street staff, representatives and centre staff each see only their own
scoring forms. Views parse input, call a selector or a service and render or redirect;
a page outside the user's scope is a 404. Evidence files are served only through
``EvidenceFileView``, which checks who asks.
"""

import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from centres.forms import add_service_errors
from centres.permissions import StaffAccessMixin

from . import cycle as cycle_services
from . import evidence as evidence_services
from .models import Application, Cycle, Evidence
from .scoring_forms import ApplicationForm, ScoreForm
from .scoring_selectors import (
    evidence_visible_to,
    is_applicant,
    is_scorer,
    own_centres_in_open_cycles,
    scoring_form_for,
    scoring_list,
)

FILE_ERRORS = {"too_large", "too_many", "not_accepted"}


class ScoringAccessMixin(StaffAccessMixin):
    permission = staticmethod(is_scorer)


class HomeView(ScoringAccessMixin, TemplateView):
    """What the user has to do: applications to make, forms to score."""

    template_name = "ratings/scoring/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(**kwargs) | {
            "to_apply": own_centres_in_open_cycles(user),
            "to_score": scoring_list(user),
        }


class ApplicationMixin(StaffAccessMixin):
    """One of the user's own centres in one open cycle of its district."""

    permission = staticmethod(is_applicant)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_applicant(request.user):
            self.cycle = get_object_or_404(Cycle, pk=kwargs["cycle"], status=Cycle.Status.OPEN)
            self.centre = get_object_or_404(
                request.user.centres.select_related("district"), slug=kwargs["slug"], district_id=self.cycle.district_id
            )
            self.application = Application.objects.filter(cycle=self.cycle, centre=self.centre).first()
        return super().dispatch(request, *args, **kwargs)

    def page_url(self) -> str:
        return reverse("star_scoring:apply", kwargs={"cycle": self.cycle.pk, "slug": self.centre.slug})


class ApplyView(ApplicationMixin, FormView):
    template_name = "ratings/scoring/apply.html"
    form_class = ApplicationForm

    def get_initial(self):
        if self.application is None:
            return {}
        return {
            "applied_stars": self.application.applied_stars,
            "self_assessment": self.application.self_assessment,
        }

    def get_context_data(self, **kwargs):
        evidence = list(self.application.evidence.all()) if self.application else []
        return super().get_context_data(**kwargs) | {
            "cycle": self.cycle,
            "centre": self.centre,
            "application": self.application,
            "evidence": evidence,
            "criteria": list(self.cycle.criteria.all()),
            "levels": list(self.cycle.levels.all()),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            # One step: a refused file leaves the application as it was.
            with transaction.atomic():
                application = cycle_services.application_submit(
                    cycle=self.cycle,
                    centre=self.centre,
                    by=self.request.user,
                    applied_stars=data["applied_stars"],
                    self_assessment=data["self_assessment"],
                )
                if data.get("file"):
                    evidence_services.evidence_add(
                        application=application, by=self.request.user, upload=data["file"], caption=data["caption"]
                    )
        except ValidationError as error:
            about_the_file = getattr(error, "code", None) in FILE_ERRORS
            add_service_errors(form, error, "file" if about_the_file else None)
            return self.form_invalid(form)
        messages.success(self.request, _("The application is saved."))
        return HttpResponseRedirect(self.page_url())


class EvidenceDeleteView(ApplicationMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if self.application is None:
            raise Http404
        evidence = get_object_or_404(Evidence, pk=kwargs["pk"], application=self.application)
        try:
            evidence_services.evidence_delete(evidence=evidence, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The file is removed."))
        return HttpResponseRedirect(self.page_url())


class ScoreView(ScoringAccessMixin, FormView):
    """One application's criteria that the user scores, with its self-assessment and
    evidence."""

    template_name = "ratings/scoring/score.html"
    form_class = ScoreForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_scorer(request.user):
            self.scoring = scoring_form_for(request.user, kwargs["pk"])
            if self.scoring is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"criteria": self.scoring.criteria, "given": self.scoring.given}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "application": self.scoring.application,
            "cycle": self.scoring.application.cycle,
            "centre": self.scoring.application.centre,
            "evidence": self.scoring.evidence,
        }

    def form_valid(self, form):
        application = self.scoring.application
        try:
            with transaction.atomic():
                for criterion, points, note in form.scores():
                    cycle_services.score_set(
                        application=application, criterion=criterion, by=self.request.user, points=points, note=note
                    )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your scores for %(centre)s are saved.") % {"centre": application.centre.name})
        return HttpResponseRedirect(reverse("star_scoring:home"))


class EvidenceFileView(StaffAccessMixin, View):
    """An evidence file, for those who may see it; a 404 for everyone else."""

    permission = staticmethod(lambda user: user.is_active)

    def get(self, request, *args, **kwargs):
        evidence = evidence_visible_to(request.user, kwargs["pk"])
        if evidence is None:
            raise Http404
        content_type = mimetypes.guess_type(evidence.file.name)[0] or "application/octet-stream"
        response = FileResponse(evidence.file.open("rb"), content_type=content_type)
        response["Content-Disposition"] = "inline"
        response["Cache-Control"] = "private, no-store"
        return response
