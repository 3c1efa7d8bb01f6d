"""The district's star-rating cycle pages: the cycles, a cycle by its state (criteria,
levels, the next step, representatives; a draft's criteria and levels corrected, a
removal confirmed on a page of its own), the district rating (区级评定), the results
with their exports, an application with its evidence and every scorer's points, the
recomputing of the computed scores while scoring, and the audit trail (paged, and as CSV).

Only district staff of the cycle's district see them; for anyone else they are a 404.
Views parse input, call a selector or a service, and render or redirect; a refusal of a
service is shown as a message."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.exports import csv_response
from portal.models import User

from . import cycle as services
from .application_selectors import application_detail, computed_state, cycle_applications
from .audit_selectors import audit_csv_header, audit_csv_rows, audit_page
from .computed import computed_scores_refresh
from .cycle_assignments import representative_assign
from .cycle_exports import ranking_csv, ranking_xlsx
from .cycle_forms import AssignmentForm, CriterionForm, CycleForm, FinalLevelForm, StarLevelForm
from .cycle_selectors import (
    cycle_assignments,
    cycle_for,
    cycle_ranking,
    cycle_review,
    cycles_of,
    district_centres,
    district_representatives,
    review_stamp,
)
from .models import Criterion, Cycle

STEPS = {
    Cycle.Status.DRAFT: ("open", services.cycle_open, gettext_lazy("Open for applications")),
    Cycle.Status.OPEN: ("start_scoring", services.cycle_start_scoring, gettext_lazy("Start scoring")),
    Cycle.Status.SCORING: ("start_review", services.cycle_start_review, gettext_lazy("Start the district rating")),
    Cycle.Status.REVIEW: ("publish", services.cycle_publish, gettext_lazy("Publish the results")),
}


def district_staff_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role != User.Role.DISTRICT_STAFF or request.user.area_id is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _refusal_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _show_errors(request, form, error: ValidationError) -> None:
    try:
        form.add_error(None, error)
    except (ValueError, AttributeError):
        messages.error(request, _refusal_text(error))


def _cycle_url(cycle, name="cycle") -> str:
    return reverse(f"star_ratings:{name}", kwargs={"pk": cycle.pk})


@district_staff_only
def cycle_list(request):
    cycles = cycles_of(request.user).select_related("previous")
    return render(request, "ratings/cycle/cycle_list.html", {"cycles": cycles})


@district_staff_only
def cycle_create(request):
    district = request.user.area
    form = CycleForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(district=district, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(request, _("The cycle is created. Add its criteria and star levels."))
            return redirect(_cycle_url(cycle))
    return render(request, "ratings/cycle/cycle_form.html", {"form": form})


def _cycle_page(request, cycle, *, criterion_form=None, level_form=None, assignment_form=None):
    context = {
        "cycle": cycle,
        "criteria": list(cycle.criteria.all()),
        "levels": list(cycle.levels.all()),
        "step": STEPS.get(cycle.status),
        "is_draft": cycle.status == Cycle.Status.DRAFT,
        "assigning": cycle.status in (Cycle.Status.OPEN, Cycle.Status.SCORING),
        "application_count": cycle.applications.count(),
    }
    if not context["is_draft"]:
        context["applications"] = cycle_applications(cycle)
    if cycle.status == Cycle.Status.SCORING and any(
        criterion.source == Criterion.Source.COMPUTED for criterion in context["criteria"]
    ):
        context["computed"] = computed_state(cycle)
    if context["is_draft"]:
        context["criterion_form"] = criterion_form or CriterionForm(prefix="criterion")
        context["level_form"] = level_form or StarLevelForm(prefix="level")
    if context["assigning"] or cycle.status != Cycle.Status.DRAFT:
        context["assignments"] = cycle_assignments(cycle)
    if context["assigning"]:
        context["assignment_form"] = assignment_form or AssignmentForm(
            prefix="assign", representatives=district_representatives(cycle), centres=district_centres(cycle)
        )
    return render(request, "ratings/cycle/cycle_detail.html", context)


@district_staff_only
def cycle_detail(request, pk):
    return _cycle_page(request, cycle_for(request.user, pk))


@district_staff_only
@require_POST
def criterion_add(request, pk):
    cycle = cycle_for(request.user, pk)
    form = CriterionForm(request.POST, prefix="criterion")
    if form.is_valid():
        try:
            services.criterion_add(cycle=cycle, by=request.user, **form.cleaned_data)
        except services.CycleRefused as error:
            messages.error(request, _refusal_text(error))
            return redirect(_cycle_url(cycle))
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(request, _("The criterion is added."))
            return redirect(_cycle_url(cycle))
    return _cycle_page(request, cycle, criterion_form=form)


def _criterion_url(criterion, name) -> str:
    return reverse(f"star_ratings:{name}", kwargs={"pk": criterion.cycle_id, "criterion_pk": criterion.pk})


def _cycle_and_criterion(request, pk, criterion_pk):
    """The cycle and one of its criteria; another cycle's criterion is a 404."""
    cycle = cycle_for(request.user, pk)
    return cycle, get_object_or_404(cycle.criteria.all(), pk=criterion_pk)


def _fixed_criteria(request, cycle):
    messages.error(request, services.CRITERIA_FIXED)
    return redirect(_cycle_url(cycle))


@district_staff_only
def criterion_edit(request, pk, criterion_pk):
    cycle, criterion = _cycle_and_criterion(request, pk, criterion_pk)
    is_draft = cycle.status == Cycle.Status.DRAFT
    if request.method != "POST" and not is_draft:
        return _fixed_criteria(request, cycle)
    initial = {field: getattr(criterion, field) for field in ("name", "max_points", "source", "measure")}
    form = CriterionForm(request.POST or None, initial=initial, prefix="criterion")
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_update(criterion=criterion, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            # What was typed stays in the form, with the refusal above it or at its field.
            _show_errors(request, form, error)
            if getattr(error, "code", None) == "state":
                is_draft = False  # the cycle opened meanwhile: no Save button
        else:
            messages.success(request, _("The criterion is saved."))
            return redirect(_cycle_url(cycle))
    return render(
        request,
        "ratings/cycle/criterion_form.html",
        {"cycle": cycle, "criterion": criterion, "form": form, "is_draft": is_draft},
    )


@district_staff_only
def criterion_remove(request, pk, criterion_pk):
    """A page asking to confirm, and its POST that removes the criterion."""
    cycle, criterion = _cycle_and_criterion(request, pk, criterion_pk)
    if request.method != "POST":
        if cycle.status != Cycle.Status.DRAFT:
            return _fixed_criteria(request, cycle)
        return render(
            request,
            "ratings/cycle/confirm_remove.html",
            {
                "cycle": cycle,
                "title": _("Remove the criterion “%(name)s”?") % {"name": criterion.name},
                "action": _criterion_url(criterion, "criterion_remove"),
            },
        )
    try:
        services.criterion_remove(criterion=criterion, by=request.user)
    except ValidationError as error:
        messages.error(request, _refusal_text(error))
    else:
        messages.success(request, _("The criterion “%(name)s” is removed.") % {"name": criterion.name})
    return redirect(_cycle_url(cycle))


@district_staff_only
@require_POST
def criterion_move(request, pk, criterion_pk):
    cycle, criterion = _cycle_and_criterion(request, pk, criterion_pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, _("Choose whether to move the criterion up or down."))
        return redirect(_cycle_url(cycle))
    try:
        services.criterion_move(criterion=criterion, by=request.user, up=direction == "up")
    except ValidationError as error:
        messages.error(request, _refusal_text(error))
    return redirect(f"{_cycle_url(cycle)}#criteria")


@district_staff_only
def star_level_remove(request, pk, stars):
    """A page asking to confirm, and its POST that removes the star level."""
    cycle = cycle_for(request.user, pk)
    level = get_object_or_404(cycle.levels.all(), stars=stars)
    if request.method != "POST":
        if cycle.status != Cycle.Status.DRAFT:
            messages.error(request, services.LEVELS_FIXED)
            return redirect(_cycle_url(cycle))
        return render(
            request,
            "ratings/cycle/confirm_remove.html",
            {
                "cycle": cycle,
                "title": _("Remove the %(stars)s★ level?") % {"stars": level.stars},
                "action": reverse("star_ratings:level_remove", kwargs={"pk": cycle.pk, "stars": level.stars}),
            },
        )
    try:
        services.star_level_remove(level=level, by=request.user)
    except ValidationError as error:
        messages.error(request, _refusal_text(error))
    else:
        messages.success(request, _("The %(stars)s★ level is removed.") % {"stars": level.stars})
    return redirect(_cycle_url(cycle))


@district_staff_only
@require_POST
def star_level_set(request, pk):
    cycle = cycle_for(request.user, pk)
    form = StarLevelForm(request.POST, prefix="level")
    if form.is_valid():
        try:
            services.star_level_set(cycle=cycle, by=request.user, **form.cleaned_data)
        except services.CycleRefused as error:
            messages.error(request, _refusal_text(error))
            return redirect(_cycle_url(cycle))
        except ValidationError as error:
            _show_errors(request, form, error)
        else:
            messages.success(request, _("The star level is saved."))
            return redirect(_cycle_url(cycle))
    return _cycle_page(request, cycle, level_form=form)


@district_staff_only
@require_POST
def cycle_step(request, pk):
    cycle = cycle_for(request.user, pk)
    step = STEPS.get(cycle.status)
    if step is None or request.POST.get("step") != step[0]:
        messages.error(request, _("The cycle has already moved on. Check its state and try again."))
        return redirect(_cycle_url(cycle))
    if step[0] == "publish" and request.POST.get("confirm") != "yes":
        messages.error(
            request, _("Tick the box to confirm that the final levels and the budget are checked, then publish.")
        )
        return redirect(_cycle_url(cycle, "review"))
    try:
        cycle = step[1](cycle=cycle, by=request.user)
    except ValidationError as error:
        messages.error(request, _refusal_text(error))
    else:
        messages.success(request, _("Done: the cycle is now “%(status)s”.") % {"status": cycle.get_status_display()})
    if cycle.status == Cycle.Status.REVIEW:
        return redirect(_cycle_url(cycle, "review"))
    if cycle.status == Cycle.Status.PUBLISHED:
        return redirect(_cycle_url(cycle, "results"))
    return redirect(_cycle_url(cycle))


@district_staff_only
@require_POST
def assignment_add(request, pk):
    cycle = cycle_for(request.user, pk)
    form = AssignmentForm(
        request.POST, prefix="assign", representatives=district_representatives(cycle), centres=district_centres(cycle)
    )
    if form.is_valid():
        try:
            representative_assign(cycle=cycle, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _refusal_text(error))
        else:
            messages.success(request, _("The representative is invited to score this centre."))
        return redirect(_cycle_url(cycle))
    return _cycle_page(request, cycle, assignment_form=form)


REVIEW_CACHE_SECONDS = 600


def _review_table(request, cycle, refused: tuple[int, int | None, str, str] | None = None) -> str:
    """The budget check and the table of all applications, rendered once per change of
    the cycle (see ``review_stamp``) and language; the CSRF token stays outside it.

    After a refused final level, ``refused`` is (application id, stars, reason, problem):
    that row is drawn with what was typed and the problem, uncached."""
    if refused is not None:
        application_pk, stars, reason, problem = refused
        review = cycle_review(cycle)
        for row in review.rows:
            if row.application.pk == application_pk:
                row.application.final_stars, row.application.final_reason, row.problem = stars, reason, problem
        html = render_to_string(
            "ratings/cycle/_review_table.html", {"cycle": cycle, "review": review, "editable": True}
        )
        return mark_safe(html)  # noqa: S308 (rendered by the template engine, which escaped it)
    key = f"star-review:{cycle.pk}:{review_stamp(cycle)}:{get_language()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "ratings/cycle/_review_table.html",
            {"cycle": cycle, "review": cycle_review(cycle), "editable": cycle.status == Cycle.Status.REVIEW},
        )
        cache.set(key, html, REVIEW_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 (rendered by the template engine, which escaped it)


@district_staff_only
def cycle_review_page(request, pk):
    cycle = cycle_for(request.user, pk)
    if cycle.status not in (Cycle.Status.REVIEW, Cycle.Status.PUBLISHED):
        messages.info(request, _("The district rating starts after the scoring."))
        return redirect(_cycle_url(cycle))
    return _review_response(request, cycle)


def _review_response(request, cycle, refused=None):
    context = {
        "cycle": cycle,
        "table": _review_table(request, cycle, refused),
        "editable": cycle.status == Cycle.Status.REVIEW,
        "step": STEPS.get(cycle.status),
    }
    return render(request, "ratings/cycle/review.html", context)


@district_staff_only
@require_POST
def final_level(request, pk):
    """One row of the review table: its level and reason, named after the application."""
    cycle = cycle_for(request.user, pk)
    application_pk = request.POST.get("application", "")
    if not application_pk.isdigit():
        raise Http404
    application = get_object_or_404(cycle.applications.select_related("centre", "cycle"), pk=application_pk)
    form = FinalLevelForm(request.POST, prefix=str(application.pk))
    if not form.is_valid():
        messages.error(request, _("Choose a level from 1 to 5 stars, or none."))
        return redirect(f"{_cycle_url(cycle, 'review')}#application-{application.pk}")
    stars, reason = form.cleaned_data["stars"], form.cleaned_data["reason"]
    try:
        services.final_level_set(application=application, by=request.user, stars=stars, reason=reason)
    except ValidationError as error:
        problem = _refusal_text(error)
        messages.error(request, _("%(centre)s: %(problem)s") % {"centre": application.centre.name, "problem": problem})
        if cycle.status != Cycle.Status.REVIEW:
            return redirect(_cycle_url(cycle, "review"))
        # The page again, with what was typed in the row (nothing entered is lost).
        return _review_response(request, cycle, refused=(application.pk, stars, reason, problem))
    messages.success(request, _("%(centre)s: the final level is saved.") % {"centre": application.centre.name})
    return redirect(f"{_cycle_url(cycle, 'review')}#application-{application.pk}")


def _published(request, pk):
    cycle = cycle_for(request.user, pk)
    if cycle.status != Cycle.Status.PUBLISHED:
        raise Http404
    return cycle


@district_staff_only
def cycle_results(request, pk):
    cycle = _published(request, pk)
    rows = cycle_ranking(cycle)
    return render(
        request,
        "ratings/cycle/results.html",
        {"cycle": cycle, "rows": rows, "rewards": sum((row.reward for row in rows), 0)},
    )


@district_staff_only
def cycle_results_export(request, pk, fmt):
    cycle = _published(request, pk)
    rows = cycle_ranking(cycle)
    if fmt == "csv":
        return ranking_csv(cycle, rows)
    if fmt == "xlsx":
        return ranking_xlsx(cycle, rows)
    raise Http404


@district_staff_only
@require_POST
def computed_recompute(request, pk):
    """Fill the computed criteria again from the portal's figures as they are now (the
    service audits who asked and each changed score); refused outside the scoring."""
    cycle = cycle_for(request.user, pk)
    try:
        changed = computed_scores_refresh(cycle=cycle, by=request.user)
    except ValidationError as error:
        messages.error(request, _refusal_text(error))
    else:
        messages.success(
            request,
            ngettext(
                "The computed scores are recomputed: %(count)d score changed.",
                "The computed scores are recomputed: %(count)d scores changed.",
                changed,
            )
            % {"count": changed},
        )
    return redirect(f"{_cycle_url(cycle)}#computed")


@district_staff_only
def application_page(request, pk, application_pk):
    cycle = cycle_for(request.user, pk)
    detail = application_detail(cycle, application_pk)
    return render(request, "ratings/cycle/application.html", {"cycle": cycle, "detail": detail})


@district_staff_only
def cycle_audit(request, pk):
    cycle = cycle_for(request.user, pk)
    page = audit_page(cycle, request.GET.get("page"))
    return render(
        request,
        "ratings/cycle/audit.html",
        {"cycle": cycle, "page_obj": page, "entries": page.object_list, "total": page.paginator.count},
    )


@district_staff_only
def cycle_audit_export(request, pk):
    cycle = cycle_for(request.user, pk)
    return csv_response(
        filename=f"star-ratings-{cycle.pk}-audit-{cycle.name}",
        header=audit_csv_header(),
        rows=list(audit_csv_rows(cycle)),
    )
