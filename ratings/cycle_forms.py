"""Forms of the district's star-rating cycle pages. They only parse input; the
services in ratings/cycle.py and ratings/cycle_assignments.py decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Criterion, Cycle


class CycleForm(forms.Form):
    """Plain fields: the service checks the rules (a period in order, a name once)."""

    name = forms.CharField(label=_("name"), max_length=60, help_text=_("For example: 2026 annual."))
    period_start = forms.DateField(label=_("period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("period to"), widget=forms.DateInput(attrs={"type": "date"}))
    budget = forms.DecimalField(label=_("budget (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal(0))
    previous = forms.ModelChoiceField(
        label=_("compared with"),
        queryset=None,
        required=False,
        help_text=_("The results will show who went up or down."),
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["previous"].queryset = Cycle.objects.filter(district=district, status=Cycle.Status.PUBLISHED)


class CriterionForm(forms.Form):
    """Plain fields: the service checks the rules (a measure only when computed)."""

    name = forms.CharField(label=_("name"), max_length=80)
    max_points = forms.DecimalField(label=_("maximum points"), max_digits=6, decimal_places=2, min_value=0)
    source = forms.ChoiceField(label=_("scored by"), choices=Criterion.Source.choices)
    measure = forms.ChoiceField(
        label=_("computed from"),
        choices=[("", "—"), *Criterion.Measure.choices],
        required=False,
        help_text=_("Only for criteria computed from the portal's data."),
    )


class StarLevelForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("stars"), coerce=int, choices=[(n, f"{n}★") for n in range(5, 0, -1)])
    min_score = forms.DecimalField(label=_("from a total of"), max_digits=7, decimal_places=2, min_value=0)
    reward = forms.DecimalField(label=_("reward (yuan)"), max_digits=10, decimal_places=2, min_value=0)


class AssignmentForm(forms.Form):
    representative = forms.ModelChoiceField(label=_("Representative"), queryset=None)
    centre = forms.ModelChoiceField(label=_("Centre to score"), queryset=None)

    def __init__(self, *args, representatives, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = representatives
        self.fields["centre"].queryset = centres


class FinalLevelForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Final level"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("No star"))] + [(n, f"{n}★") for n in range(5, 0, -1)],
    )
    reason = forms.CharField(
        label=_("Reason for a level other than the proposal"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
