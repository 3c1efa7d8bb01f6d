"""Forms of the staff side of bookings: checking in by pass code, walk-ins, booking for a
resident, the district's booking rules and lifting a suspension. They check what was
typed; the services in ``bookings.services`` decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms import PhoneNumberField

from .models import BookingPolicy


class CheckInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Pass code"),
        max_length=200,  # a scanner may read a whole link; the code is found in it
        help_text=_("The 8 letters and digits on the pass, e.g. ABCD-EFGH."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "inputmode": "text",
                "autofocus": True,
                "class": "form-control form-control-lg checkin-code",
            }
        ),
    )


class WalkInForm(forms.Form):
    person_name = forms.CharField(label=_("Name"), max_length=30)
    phone = PhoneNumberField(
        required=False, help_text=_("Optional. If they have an account with this number, the visit is added to it.")
    )

    def clean_person_name(self):
        name = self.cleaned_data["person_name"].strip()
        if not name:
            raise ValidationError(_("Give the name of the person coming."))
        return name


class BookForResidentForm(forms.Form):
    """A booking staff make for someone: a resident found by their mobile number, or
    someone without a phone, by name."""

    phone = PhoneNumberField(
        required=False,
        help_text=_("The mobile number the resident signed up with. Leave empty for someone without a phone."),
    )
    person_name = forms.CharField(
        label=_("Name"),
        max_length=30,
        required=False,
        help_text=_("Needed when the person has no account on the portal."),
    )
    join_waiting_list = forms.BooleanField(label=_("If it is full, put them on the waiting list"), required=False)

    def clean(self):
        cleaned = super().clean()
        cleaned["person_name"] = (cleaned.get("person_name") or "").strip()
        if not self.errors and not cleaned.get("phone") and not cleaned["person_name"]:
            raise ValidationError(_("Give the resident's mobile number, or the name of someone without a phone."))
        return cleaned


class BookingPolicyForm(forms.ModelForm):
    class Meta:
        model = BookingPolicy
        fields = ["max_active_bookings", "offer_hours", "no_show_limit", "no_show_days", "suspension_days"]
        help_texts = {
            "offer_hours": _(
                "When a place frees up, the first person on the waiting list is offered it and has this long "
                "to accept (never later than the session's start)."
            ),
            "no_show_limit": _(
                "A booked place not used and not cancelled counts as a no-show, once the session is over."
            ),
            "no_show_days": _("No-shows older than this are not counted."),
            "suspension_days": _(
                "How long online booking is paused. Staff can still book for the resident, and can lift the pause."
            ),
        }
        widgets = {name: forms.NumberInput(attrs={"inputmode": "numeric"}) for name in fields}


class SuspensionLiftForm(forms.Form):
    lift_reason = forms.CharField(
        label=_("Reason for lifting"),
        max_length=200,
        help_text=_("For example: was in hospital; the centre's mistake."),
    )

    def clean_lift_reason(self):
        reason = self.cleaned_data["lift_reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the suspension is lifted."))
        return reason
