"""Forms of the resident's side of booking."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

SELF = "self"


class BookingForm(forms.Form):
    """The session page's "Who is coming" form. ``people`` holds ``"self"`` and the ids
    of family members; the view turns them into people with the resident's own family,
    so an id that is not one of theirs is a 404."""

    people = forms.MultipleChoiceField(label=_("Who is coming"), required=False)
    request_key = forms.CharField(max_length=36, required=False, widget=forms.HiddenInput)
    join_waiting_list = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any value is taken here; the view looks each one up in the resident's family.
        self.fields["people"].valid_value = lambda value: True

    def clean_people(self) -> list[str]:
        people = self.cleaned_data["people"]
        if not people:
            raise forms.ValidationError(_("Tick who is coming: yourself, a family member, or both."), code="people")
        return list(dict.fromkeys(people))

    def clean_request_key(self) -> str:
        """The form's one-time key; a key that is not one the page made is dropped (the
        booking is still made, only not recognised if sent twice)."""
        key = self.cleaned_data["request_key"].strip()
        try:
            return str(uuid.UUID(key))
        except ValueError:
            return ""


def new_request_key() -> str:
    return str(uuid.uuid4())
