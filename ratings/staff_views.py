"""Staff pages of ratings: the ratings of the user's centres (residents masked), the open
rectification cases with their deadlines and the forms to answer them, each centre's
rates, and (district staff) appeals to decide and the district's deadlines.

Cases are looked up in ``cases_visible_to(user)`` and each action checks its predicate
from ``ratings.permissions``: anything else is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from centres.forms import add_service_errors
from centres.permissions import StaffAccessMixin, viewable_centres_as_staff

from . import cases as services
from .case_selectors import CentreRates, centre_rating_rates, mask_name, mask_phone, staff_cases, staff_ratings
from .models import RectificationCase
from .permissions import (
    can_answer_case,
    can_decide_appeal,
    can_set_rating_policy,
    cases_visible_to,
    may_see_ratings_as_staff,
)
from .staff_forms import AppealDecisionForm, AppealForm, CallbackForm, RatingPolicyForm, ReplyForm

Status, Appeal = RectificationCase.Status, RectificationCase.Appeal
_RANK = {"district": 0, "street": 1, "centre": 2}


def _masked(person) -> dict:
    return {"name": mask_name(person.name), "phone": mask_phone(person.phone)}


class RatingsStaffView(StaffAccessMixin, TemplateView):
    permission = staticmethod(may_see_ratings_as_staff)
    template_name = "ratings/staff/ratings.html"

    def get_context_data(self, **kwargs):
        user, now = self.request.user, timezone.now()
        my_centres = set(user.centres.values_list("pk", flat=True)) if user.role == user.Role.CENTRE_STAFF else set()
        is_district = can_set_rating_policy(user)
        cases = sorted(
            staff_cases(user, open_only=True)[:200], key=lambda c: (_RANK[c.escalated_to], c.callback_due_at)
        )
        for case in cases:
            case.resident_masked = _masked(case.rating.resident)
            case.callback_overdue = case.status == Status.AWAITING_CALLBACK and case.callback_due_at < now
            case.reply_overdue = case.status in (Status.AWAITING_CALLBACK, Status.AWAITING_REPLY) and (
                case.reply_due_at < now
            )
            answers = case.centre_id in my_centres
            case.callback_form = (
                CallbackForm(prefix=f"c{case.pk}") if answers and case.status == Status.AWAITING_CALLBACK else None
            )
            case.reply_form = (
                ReplyForm(prefix=f"r{case.pk}") if answers and case.status == Status.AWAITING_REPLY else None
            )
            case.appeal_form = (
                AppealForm(prefix=f"a{case.pk}")
                if answers and case.appeal == Appeal.NONE and case.status != Status.WITHDRAWN
                else None
            )
            case.decide_form = (
                AppealDecisionForm(prefix=f"d{case.pk}")
                if is_district and case.appeal == Appeal.PENDING and case.district_id == user.area_id
                else None
            )
        ratings = staff_ratings(user)
        for rating in ratings:
            rating.resident_masked = _masked(rating.resident)
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


class CaseActionView(StaffAccessMixin, View):
    """A POST on one case, then back to the ratings page at that case."""

    http_method_names = ["post"]
    permission = staticmethod(may_see_ratings_as_staff)
    form_class = None
    prefix_letter = ""

    def allowed(self, user, case) -> bool:
        return can_answer_case(user, case)

    def act(self, case, data) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        case = get_object_or_404(cases_visible_to(request.user), pk=kwargs["pk"])
        if not self.allowed(request.user, case):
            raise Http404
        form = self.form_class(request.POST, prefix=f"{self.prefix_letter}{case.pk}")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        else:
            try:
                messages.success(request, self.act(case, form.cleaned_data))
            except ValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
        return HttpResponseRedirect(f"{reverse('ratings_staff:list')}#case-{case.pk}")


class CaseCallbackView(CaseActionView):
    form_class, prefix_letter = CallbackForm, "c"

    def act(self, case, data):
        services.case_record_callback(case=case, by=self.request.user, note=data["note"])
        return _("The call-back is recorded. The rectification reply is due next.")


class CaseReplyView(CaseActionView):
    form_class, prefix_letter = ReplyForm, "r"

    def act(self, case, data):
        services.case_reply(case=case, by=self.request.user, reply=data["reply"])
        return _("The reply is sent. The resident has been told and may rate once more.")


class CaseAppealView(CaseActionView):
    form_class, prefix_letter = AppealForm, "a"

    def act(self, case, data):
        services.case_appeal(case=case, by=self.request.user, reason=data["reason"])
        return _("The appeal is sent to the district.")


class CaseDecideView(CaseActionView):
    form_class, prefix_letter = AppealDecisionForm, "d"

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
