from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET
from django.views.generic import FormView, ListView, TemplateView

from centres.models import Area, ServiceFunctionCode
from centres.selectors import centres_near

from . import health
from .forms import (
    AccountForm,
    LoginForm,
    NotificationPreferencesForm,
    PasswordChangeForm,
    PasswordResetByCodeForm,
    SignUpForm,
    StaffAccountForm,
    StaffRoleFilterForm,
    add_service_errors,
)
from .models import PhoneCode, mask_phone
from .notifications import notification_preferences_save
from .permissions import managed_district, staff_accounts_visible_to
from .selectors import staff_account_list
from .services import (
    code_ttl_minutes,
    password_reset_with_code,
    phone_code_send,
    resident_sign_up,
    staff_account_create,
    staff_account_set_active,
    staff_account_update,
    user_password_change,
    user_profile_update,
)


@require_GET
@never_cache
def healthz(request):
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"} | {
        name: "ok" if ok else "unreachable" for name, ok in checks.items()
    }
    return JsonResponse(body, status=200 if healthy else 503)


def _is_id(value: str) -> bool:
    # str.isdigit() also accepts "²" and other scripts' digits, which int() refuses.
    return value.isascii() and value.isdigit()


def home(request):
    community = None
    if request.user.is_authenticated and request.user.home_community_id:
        community = request.user.home_community
    elif _is_id(request.GET.get("community", "")):
        community = Area.objects.communities().filter(pk=request.GET["community"]).first()
    return render(
        request,
        "portal/home.html",
        {
            "community": community,
            "nearby_centres": centres_near(community=community),
            "functions": ServiceFunctionCode.choices[:-1],
        },
    )


# Accounts ------------------------------------------------------------------------------

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _code_sent_message(phone: str) -> str:
    return _("We have sent a 6-digit code to %(phone)s. It is valid for %(minutes)d minutes.") % {
        "phone": mask_phone(phone),
        "minutes": code_ttl_minutes(),
    }


@sensitive_post_parameters("password", "password_confirm")
@never_cache
def sign_up(request):
    """One page: phone and "send code", then code, name and password, then "sign up"."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = SignUpForm()
    if request.method == "POST":
        sending = "send_code" in request.POST
        form = SignUpForm(request.POST, sending_code=sending)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if sending:
                    phone_code_send(phone=data["phone"], purpose=PhoneCode.Purpose.SIGN_UP)
                else:
                    user = resident_sign_up(
                        phone=data["phone"],
                        code=data["code"],
                        password=data["password"],
                        name=data["name"],
                        language=translation.get_language(),
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not sending:
                    login(request, user, backend=MODEL_BACKEND)
                    messages.success(request, _("Welcome! Your account is ready and you are logged in."))
                    return redirect("portal:home")
                messages.success(request, _code_sent_message(data["phone"]))
                form = SignUpForm(initial=form.values_to_keep())
    return render(request, "registration/sign_up.html", {"form": form})


@sensitive_post_parameters("new_password", "new_password_confirm")
@never_cache
def password_reset(request):
    """Like signing up: phone and "send code", then code and new password. It never says
    whether a number is registered."""
    form = PasswordResetByCodeForm()
    if request.method == "POST":
        sending = "send_code" in request.POST
        form = PasswordResetByCodeForm(request.POST, sending_code=sending)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if sending:
                    phone_code_send(phone=data["phone"], purpose=PhoneCode.Purpose.PASSWORD_RESET)
                else:
                    password_reset_with_code(phone=data["phone"], code=data["code"], new_password=data["new_password"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not sending:
                    messages.success(request, _("Your password has been changed. Please log in with the new password."))
                    return redirect("portal:login")
                messages.success(
                    request,
                    _(
                        "If %(phone)s has an account, we have sent a 6-digit code to it. "
                        "It is valid for %(minutes)d minutes."
                    )
                    % {"phone": mask_phone(data["phone"]), "minutes": code_ttl_minutes()},
                )
                form = PasswordResetByCodeForm(initial=form.values_to_keep())
    return render(request, "registration/password_reset.html", {"form": form})


class PortalLoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def account(request):
    """The user's own details: name and home community."""
    user = request.user
    if request.method == "POST":
        form = AccountForm(request.POST)
        if form.is_valid():
            try:
                user_profile_update(
                    user=user, name=form.cleaned_data["name"], home_community=form.cleaned_data["home_community"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your details have been saved."))
                return redirect("portal:account")
    else:
        form = AccountForm(initial={"name": user.name, "home_community": user.home_community_id})
    return render(request, "portal/account.html", {"form": form})


@login_required
def notification_preferences(request):
    """How the portal tells the user things: language, text messages, emails, round-up."""
    user = request.user
    if request.method == "POST":
        form = NotificationPreferencesForm(request.POST)
        if form.is_valid():
            notification_preferences_save(user=user, **form.cleaned_data)
            messages.success(request, _("Your choices are saved."))
            return redirect("portal:notification_preferences")
    else:
        form = NotificationPreferencesForm(
            initial={
                "language": user.language,
                "notify_by_sms": user.notify_by_sms,
                "notify_by_email": user.notify_by_email,
                "email": user.email,
                "wants_monthly_roundup": user.wants_monthly_roundup,
            }
        )
    return render(request, "portal/notification_preferences.html", {"form": form})


@sensitive_post_parameters("old_password", "new_password", "new_password_confirm")
@login_required
def password_change(request):
    if request.method == "POST":
        form = PasswordChangeForm(request.POST)
        if form.is_valid():
            try:
                user_password_change(
                    user=request.user,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                update_session_auth_hash(request, request.user)
                messages.success(request, _("Your password has been changed."))
                return redirect("portal:account")
    else:
        form = PasswordChangeForm()
    return render(request, "portal/password_change.html", {"form": form})


# Staff accounts ------------------------------------------------------------------------


class StaffAccountsAccessMixin(LoginRequiredMixin):
    """District staff only; to everyone else logged in these pages do not exist."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.district = managed_district(request.user)
        if self.district is None:
            raise Http404
        # The account in the URL, looked up among those this user manages: else a 404.
        self.account = None
        if "pk" in kwargs:
            self.account = get_object_or_404(staff_accounts_visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class StaffAccountListView(StaffAccountsAccessMixin, ListView):
    template_name = "staff_accounts/user_list.html"
    context_object_name = "accounts"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = StaffRoleFilterForm(self.request.GET or None)
        role = self.filter_form.cleaned_data["role"] if self.filter_form.is_valid() else ""
        return staff_account_list(user=self.request.user, role=role)

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(**kwargs) | {
            "filter_form": self.filter_form,
            "district": self.district,
            "query_without_page": query.urlencode(),
        }


class StaffAccountFormMixin(StaffAccountsAccessMixin):
    template_name = "staff_accounts/user_form.html"
    form_class = StaffAccountForm
    success_url = reverse_lazy("staff_accounts:list")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"district": self.district, "creating": self.account is None}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"account": self.account, "district": self.district}

    def form_valid(self, form):
        try:
            self.save(form, **form.scope())
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"area": form.area_field()})
            return self.form_invalid(form)
        return super().form_valid(form)


@method_decorator(sensitive_post_parameters("password", "password_confirm"), name="dispatch")
class StaffAccountCreateView(StaffAccountFormMixin, FormView):
    def save(self, form, *, area, centres):
        data = form.cleaned_data
        user = staff_account_create(
            created_by=self.request.user,
            phone=data["phone"],
            name=data["name"],
            role=data["role"],
            area=area,
            centres=centres,
            password=data["password"],
        )
        messages.success(self.request, _("An account for %(name)s has been created.") % {"name": user.name})


class StaffAccountUpdateView(StaffAccountFormMixin, FormView):
    def get_initial(self):
        return StaffAccountForm.initial_for(self.account)

    def save(self, form, *, area, centres):
        data = form.cleaned_data
        user = staff_account_update(
            updated_by=self.request.user,
            user=self.account,
            name=data["name"],
            role=data["role"],
            area=area,
            centres=centres,
        )
        messages.success(self.request, _("The account of %(name)s has been saved.") % {"name": user.name})


class StaffAccountSetActiveView(StaffAccountsAccessMixin, TemplateView):
    """GET asks to confirm; POST deactivates or reactivates."""

    template_name = "staff_accounts/user_set_active.html"
    is_active = False

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"account": self.account, "is_active": self.is_active}

    def post(self, request, *args, **kwargs):
        account = self.account
        try:
            staff_account_set_active(changed_by=request.user, user=account, is_active=self.is_active)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if self.is_active:
                message = _("The account of %(name)s can be used again.")
            else:
                message = _("The account of %(name)s has been deactivated. This person can no longer log in.")
            messages.success(request, message % {"name": account.name or account.masked_phone})
        return redirect("staff_accounts:list")
