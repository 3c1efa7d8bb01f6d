"""The form for a family member. It checks what was typed; ``bookings.family`` decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Dependant


class DependantForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=Dependant._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For example 2018-09-01."),
    )
    relation = forms.ChoiceField(label=_("Relation"), choices=Dependant.Relation.choices)
    collectors = forms.CharField(
        label=_("Who may collect the child"),
        required=False,
        max_length=Dependant._meta.get_field("collectors").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only the people named here may collect the child, e.g. mother Wang Li, grandfather Li Jun. "
            "Leave empty for an adult."
        ),
    )

    @classmethod
    def initial_from(cls, dependant: Dependant) -> dict:
        return {
            "name": dependant.name,
            "birth_date": dependant.birth_date,
            "relation": dependant.relation,
            "collectors": dependant.collectors,
        }
