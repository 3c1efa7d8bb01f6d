"""Forms for signing up, logging in, resetting a password, the user's own details and
staff accounts. Forms check what was typed; the services decide."""

import re
import unicodedata
from itertools import groupby

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms.models import ModelChoiceIterator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from centres.models import Area, Centre

from .models import User, mainland_mobile_validator
from .permissions import STAFF_ACCOUNT_ROLES
from .selectors import centres_of_district, communities_for_choice, street_label, streets_of_district


def normalize_phone(value: str) -> str:
    """What people type → 13812345678: full-width digits, spaces, dashes and +86 allowed."""
    value = unicodedata.normalize("NFKC", value or "")
    value = re.sub(r"[\s\-()]", "", value)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value


def add_service_errors(form: forms.Form, exc: ValidationError, *, rename: dict | None = None) -> None:
    """Show a service's refusal on the form: next to its field, or above the form."""
    rename = rename or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        field = rename.get(field, field)
        form.add_error(field if field in form.fields else None, errors)


class PhoneNumberField(forms.CharField):
    default_validators = [mainland_mobile_validator]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("11 digits, such as 13812345678."))
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalize_phone(super().to_python(value))

    def widget_attrs(self, widget):
        return super().widget_attrs(widget) | {"inputmode": "tel", "autocomplete": "tel"}


class CodeField(forms.CharField):
    default_validators = [
        RegexValidator(r"^\d{6}$", _("Enter the 6-digit code from the text message."), code="invalid")
    ]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Verification code"))
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("The 6 digits in the text message we sent you."))
        super().__init__(**kwargs)

    def to_python(self, value):
        return re.sub(r"\s", "", unicodedata.normalize("NFKC", super().to_python(value)))

    def widget_attrs(self, widget):
        return super().widget_attrs(widget) | {"inputmode": "numeric", "autocomplete": "one-time-code"}


def password_field(label, *, autocomplete="new-password", help_text=""):
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


NEW_PASSWORD_HELP = _("At least 8 characters. Not only numbers, and not a common password.")


class CodeRequestMixin:
    """A page with a "send code" button and a final button, both in one form.

    When ``sending_code`` is true, only the phone number is checked; the other fields
    are kept as typed (passwords excepted) but not required yet.
    """

    code_field = "code"
    password_fields = ("password", "password_confirm")

    def __init__(self, *args, sending_code=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending_code = sending_code
        if sending_code:
            for field in (self.code_field, *self.password_fields):
                self.fields[field].required = False

    def clean(self):
        cleaned_data = super().clean()
        if self.sending_code:
            # Only the number matters for sending a code: a half-typed code or an overlong
            # name must not stop it. What else was typed is kept as typed.
            for name in [name for name in self._errors if name != "phone"]:
                del self._errors[name]
        else:
            first, again = (cleaned_data.get(field) for field in self.password_fields)
            if first and again and first != again:
                self.add_error(self.password_fields[1], _("The two passwords are different. Please type them again."))
        return cleaned_data

    def values_to_keep(self) -> dict:
        """What was typed, for the next page, without the passwords."""
        return {
            name: self.cleaned_data.get(name, self.data.get(name, ""))
            for name in self.fields
            if name not in self.password_fields
        }


class SignUpForm(CodeRequestMixin, forms.Form):
    phone = PhoneNumberField()
    code = CodeField()
    name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        required=False,
        help_text=_("Optional. Centre staff will see it when you book."),
    )
    password = password_field(_("Password"), help_text=NEW_PASSWORD_HELP)
    password_confirm = password_field(_("Password again"))


class PasswordResetByCodeForm(CodeRequestMixin, forms.Form):
    password_fields = ("new_password", "new_password_confirm")

    phone = PhoneNumberField()
    code = CodeField()
    new_password = password_field(_("New password"), help_text=NEW_PASSWORD_HELP)
    new_password_confirm = password_field(_("New password again"))


class LoginForm(forms.Form):
    """Log in with a mobile number and password, for ``LoginView``.

    It authenticates with ``phone=...`` (the user model's USERNAME_FIELD), which is the
    key django-axes reads the number from: that is what lets axes lock a number and
    address pair after repeated failures.
    """

    phone = PhoneNumberField(help_text="")
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": _("Wrong mobile number or password. Please check both and try again."),
    }

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"autocomplete": "username", "autofocus": True})

    def clean(self):
        cleaned_data = super().clean()
        phone, password = cleaned_data.get("phone"), cleaned_data.get("password")
        if phone and password:
            self.user_cache = authenticate(self.request, phone=phone, password=password)
            if self.user_cache is None:
                raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        return cleaned_data

    def get_user(self):
        return self.user_cache


class GroupedModelChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for label, objects in groupby(self.queryset, key=self.field.group_label):
            yield (label, [self.choice(obj) for obj in objects])


class GroupedModelChoiceField(forms.ModelChoiceField):
    """A select with the choices under headings (``<optgroup>``)."""

    iterator = GroupedModelChoiceIterator

    def __init__(self, *args, group_label, **kwargs):
        self.group_label = group_label
        super().__init__(*args, **kwargs)


class AccountForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    home_community = GroupedModelChoiceField(
        label=_("Your community"),
        queryset=communities_for_choice(),
        group_label=street_label,
        required=False,
        empty_label=_("Not chosen"),
        help_text=_("We show the centres near your community first."),
    )


class PasswordChangeForm(forms.Form):
    old_password = password_field(_("Current password"), autocomplete="current-password")
    new_password = password_field(_("New password"), help_text=NEW_PASSWORD_HELP)
    new_password_confirm = password_field(_("New password again"))

    def clean(self):
        cleaned_data = super().clean()
        first, again = cleaned_data.get("new_password"), cleaned_data.get("new_password_confirm")
        if first and again and first != again:
            self.add_error("new_password_confirm", _("The two passwords are different. Please type them again."))
        return cleaned_data


STAFF_ROLE_CHOICES = [(role.value, role.label) for role in STAFF_ACCOUNT_ROLES]


class StaffRoleFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All roles")), *STAFF_ROLE_CHOICES], required=False)


class StaffAccountForm(forms.Form):
    """Create (with phone and initial password) or edit a staff or representative account.

    Without JavaScript every scope field is shown; only the one that fits the role is used.
    """

    phone = PhoneNumberField()
    name = forms.CharField(label=_("Name"), max_length=50)
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES, widget=forms.RadioSelect)
    centres = forms.ModelMultipleChoiceField(
        label=_("Centres (for centre staff)"),
        queryset=Centre.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    street = forms.ModelChoiceField(
        label=_("Street or town (for street staff)"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("Not chosen"),
    )
    community = GroupedModelChoiceField(
        label=_("Community (for resident representatives)"),
        queryset=Area.objects.none(),
        group_label=street_label,
        required=False,
        empty_label=_("Not chosen"),
    )
    password = password_field(
        _("Initial password"),
        help_text=format_lazy(
            "{} {}", _("Tell it to the person; they should change it after logging in."), NEW_PASSWORD_HELP
        ),
    )
    password_confirm = password_field(_("Initial password again"))

    def __init__(self, *args, district: Area, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.creating = creating
        self.fields["centres"].queryset = centres_of_district(district)
        self.fields["street"].queryset = streets_of_district(district)
        self.fields["community"].queryset = communities_for_choice(district=district)
        if not creating:
            for field in ("phone", "password", "password_confirm"):
                del self.fields[field]

    @classmethod
    def initial_for(cls, user: User) -> dict:
        return {
            "name": user.name,
            "role": user.role,
            "centres": list(user.centres.all()),
            "street": user.area if user.role == User.Role.STREET_STAFF else None,
            "community": user.area if user.role == User.Role.REPRESENTATIVE else None,
        }

    def clean(self):
        cleaned_data = super().clean()
        if self.creating:
            first, again = cleaned_data.get("password"), cleaned_data.get("password_confirm")
            if first and again and first != again:
                self.add_error("password_confirm", _("The two passwords are different. Please type them again."))
        return cleaned_data

    def scope(self) -> dict:
        """The ``area`` and ``centres`` the chosen role takes; the other fields are ignored."""
        role = self.cleaned_data["role"]
        if role == User.Role.CENTRE_STAFF:
            return {"area": None, "centres": list(self.cleaned_data["centres"])}
        area = {
            User.Role.STREET_STAFF: self.cleaned_data.get("street"),
            User.Role.REPRESENTATIVE: self.cleaned_data.get("community"),
            User.Role.DISTRICT_STAFF: self.district,
        }[role]
        return {"area": area, "centres": []}

    def area_field(self) -> str | None:
        """The field that shows an error about the area of the chosen role."""
        return {User.Role.STREET_STAFF: "street", User.Role.REPRESENTATIVE: "community"}.get(
            self.cleaned_data.get("role")
        )


class NotificationPreferencesForm(forms.Form):
    """How the portal tells someone things. The inbox in the portal is always on."""

    language = forms.ChoiceField(
        label=_("Language of my messages"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )
    notify_by_sms = forms.BooleanField(
        label=_("Send me text messages as well"),
        required=False,
        help_text=_("To your mobile number. Reminders come 24 and 2 hours before, unless the centre sets other times."),
    )
    notify_by_email = forms.BooleanField(label=_("Send me emails as well"), required=False)
    email = forms.EmailField(label=_("Email address"), required=False, max_length=254)
    wants_monthly_roundup = forms.BooleanField(
        label=_("Send me a monthly round-up"),
        required=False,
        help_text=_("On the first of each month: the coming month's featured activities and what is popular nearby."),
    )

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("notify_by_email") and not cleaned_data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Give the email address to send emails to."))
        return cleaned_data
