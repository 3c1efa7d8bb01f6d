"""Staff pages of ratings: the ratings of the user's centres (residents masked), the open
rectification cases with their deadlines and the forms to answer them, each centre's
rates, and (district staff) appeals to decide and the district's deadlines.

Each case has a page of its own (what was rated, when, the deadlines, the answers, the
appeal, and its forms). Cases are looked up in ``cases_visible_to(user)`` and each action
checks its predicate from ``ratings.permissions``: anything else is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from centres.forms import add_service_errors
from centres.permissions import StaffAccessMixin, viewable_centres_as_staff

from . import cases as services
from .case_selectors import (
    CentreRates,
    centre_rating_rates,
    given_aspects,
    mask_name,
    mask_phone,
    resident_contact,
    staff_case,
    staff_cases,
    staff_ratings,
)
from .models import RectificationCase
from .permissions import can_answer_case, can_decide_appeal, can_set_rating_policy, may_see_ratings_as_staff
from .staff_forms import AppealDecisionForm, AppealForm, CallbackForm, RatingPolicyForm, ReplyForm

Status, Appeal = RectificationCase.Status, RectificationCase.Appeal
CASES_PER_PAGE = 50
# Each action's form, with a prefix of its own per case so a list of cases keeps them apart.
ACTION_FORMS = {
    "callback": (CallbackForm, "c"),
    "reply": (ReplyForm, "r"),
    "appeal": (AppealForm, "a"),
    "decide": (AppealDecisionForm, "d"),
}


def _masked(person) -> dict:
    return {"name": mask_name(person.name), "phone": mask_phone(person.phone)}


def _action_form(action: str, case, data=None):
    form_class, letter = ACTION_FORMS[action]
    return form_class(data, prefix=f"{letter}{case.pk}")


def _with_deadlines(case, now) -> None:
    case.callback_overdue = case.status == Status.AWAITING_CALLBACK and case.callback_due_at < now
    case.reply_overdue = case.status in (Status.AWAITING_CALLBACK, Status.AWAITING_REPLY) and case.reply_due_at < now


def _case_forms(case, *, answers: bool, decides: bool, refused=None) -> dict:
    """The action forms the case offers the user. ``refused`` (action, bound form) takes
    its action's place whatever the case has become, so the typed text is not lost."""
    offered = {
        "callback": answers and case.status == Status.AWAITING_CALLBACK,
        "reply": answers and case.status == Status.AWAITING_REPLY,
        "appeal": answers and case.appeal == Appeal.NONE and case.status != Status.WITHDRAWN,
        "decide": decides and case.appeal == Appeal.PENDING,
    }
    forms = {action: _action_form(action, case) if offer else None for action, offer in offered.items()}
    if refused is not None:
        action, form = refused
        forms[action] = form
    return forms


class RatingsStaffView(StaffAccessMixin, TemplateView):
    permission = staticmethod(may_see_ratings_as_staff)
    template_name = "ratings/staff/ratings.html"

    def get_context_data(self, **kwargs):
        user, now = self.request.user, timezone.now()
        my_centres = set(user.centres.values_list("pk", flat=True)) if user.role == user.Role.CENTRE_STAFF else set()
        is_district = can_set_rating_policy(user)
        cases = Paginator(staff_cases(user, open_only=True), CASES_PER_PAGE).get_page(self.request.GET.get("page"))
        for case in cases:
            case.resident_masked = _masked(case.rating.resident)
            case.aspects = given_aspects(case.rating)
            _with_deadlines(case, now)
            case.forms = _case_forms(
                case,
                answers=case.centre_id in my_centres,
                decides=is_district and case.district_id == user.area_id,
            )
        ratings = staff_ratings(user)
        for rating in ratings:
            rating.resident_masked = _masked(rating.resident)
            rating.aspects = given_aspects(rating)
        centres = list(viewable_centres_as_staff(user).order_by("name").only("pk", "name"))
        rates = centre_rating_rates([centre.pk for centre in centres])
        for centre in centres:
            centre.rates = rates.get(centre.pk, CentreRates())
        return super().get_context_data(**kwargs) | {
            "cases": cases,
            "ratings": ratings,
            "centres": centres,
            "can_set_policy": is_district,
            "now": now,
        }


class CaseView(StaffAccessMixin, TemplateView):
    """One case with everything about it and the forms the user may answer it with."""

    permission = staticmethod(may_see_ratings_as_staff)
    template_name = "ratings/staff/case.html"

    def get_case(self) -> RectificationCase:
        case = staff_case(self.request.user, self.kwargs["pk"])
        if case is None:
            raise Http404
        return case

    def get(self, request, *args, **kwargs):
        self.case = self.get_case()
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, *, refused=None, **kwargs):
        user, case = self.request.user, self.case
        answers = can_answer_case(user, case)
        _with_deadlines(case, timezone.now())
        return super().get_context_data(**kwargs) | {
            "case": case,
            "resident": resident_contact(case, answers=answers),
            "aspects": given_aspects(case.rating),
            "forms": _case_forms(case, answers=answers, decides=can_decide_appeal(user, case), refused=refused),
        }


class CaseActionView(CaseView):
    """A POST on one case: done, back to the ratings page at that case; refused, the case
    page again with the form as it was sent, its errors and why. A GET (the language
    switch or a reload of a refused answer) goes to the case page."""

    action = ""

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(reverse("ratings_staff:case", args=[self.get_case().pk]))

    def allowed(self, user, case) -> bool:
        return can_answer_case(user, case)

    def act(self, case, data) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        self.case = self.get_case()
        if not self.allowed(request.user, self.case):
            raise Http404
        form = _action_form(self.action, self.case, request.POST)
        if form.is_valid():
            try:
                done = self.act(self.case, form.cleaned_data)
            except ValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
                # A colleague may have answered meanwhile: show the case as it is now.
                self.case = self.get_case()
            else:
                messages.success(request, done)
                return HttpResponseRedirect(reverse("ratings_staff:case", kwargs={"pk": self.case.pk}))
        else:
            messages.error(request, _("Nothing was saved. Please correct the form below."))
        return self.render_to_response(self.get_context_data(refused=(self.action, form)))


class CaseCallbackView(CaseActionView):
    action = "callback"

    def act(self, case, data):
        services.case_record_callback(case=case, by=self.request.user, note=data["note"])
        return _("The call-back is recorded. The rectification reply is due next.")


class CaseReplyView(CaseActionView):
    action = "reply"

    def act(self, case, data):
        services.case_reply(case=case, by=self.request.user, reply=data["reply"])
        return _("The reply is sent. The resident has been told and may rate once more.")


class CaseAppealView(CaseActionView):
    action = "appeal"

    def act(self, case, data):
        services.case_appeal(case=case, by=self.request.user, reason=data["reason"])
        return _("The appeal is sent to the district.")


class CaseDecideView(CaseActionView):
    action = "decide"

    def allowed(self, user, case):
        return can_decide_appeal(user, case)

    def act(self, case, data):
        services.case_appeal_decide(case=case, by=self.request.user, upheld=data["upheld"], note=data["note"])
        return _("The decision on the appeal is saved and the centre has been told.")


class RatingPolicyView(StaffAccessMixin, FormView):
    permission = staticmethod(can_set_rating_policy)
    template_name = "ratings/staff/rating_policy.html"
    form_class = RatingPolicyForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": services.rating_policy_for(self.request.user.area)}

    def form_valid(self, form):
        try:
            services.rating_policy_save(district=self.request.user.area, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The deadlines are saved. They apply to bad ratings from now on."))
        return HttpResponseRedirect(reverse("ratings_staff:policy"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"district": self.request.user.area}
