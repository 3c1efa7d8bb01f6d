from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RatingPolicy


class CallbackForm(forms.Form):
    note = forms.CharField(
        label=_("What the resident said on the call-back"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Rectification reply to the resident"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The resident reads it under My ratings and may rate once more."),
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you believe the rating is malicious"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Uphold: the rating is not counted")), ("no", _("Reject: the rating counts"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class RatingPolicyForm(forms.ModelForm):
    class Meta:
        model = RatingPolicy
        fields = ["callback_working_days", "reply_working_days"]
