from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Area, ServiceFunctionCode
from .selectors import DirectoryFilters


class DirectoryFilterForm(forms.Form):
    """The directory's filters, read from the query string so a filtered list can be shared."""

    q = forms.CharField(label=_("Search by name or address"), required=False, max_length=50)
    street = forms.ModelChoiceField(
        label=_("Street / town"),
        queryset=Area.objects.streets().order_by("name"),
        required=False,
        empty_label=_("All streets and towns"),
    )
    community = forms.ModelChoiceField(
        label=_("Community / village"),
        queryset=Area.objects.communities().select_related("parent").order_by("parent__name", "name"),
        required=False,
        empty_label=_("All communities"),
    )
    function = forms.ChoiceField(
        label=_("Service"),
        choices=[("", _("All services"))] + ServiceFunctionCode.choices[:-1],
        required=False,
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    evenings = forms.BooleanField(label=_("Open in the evening"), required=False)
    weekends = forms.BooleanField(label=_("Open at weekends"), required=False)

    def filters(self) -> DirectoryFilters:
        """The filters to apply; a value that did not validate is simply left out."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        community = data.get("community")
        street = data.get("street")
        if community and street and community.parent_id != street.pk:
            community = None
        return DirectoryFilters(
            street=street,
            community=community,
            function=data.get("function", ""),
            open_now=bool(data.get("open_now")),
            evenings=bool(data.get("evenings")),
            weekends=bool(data.get("weekends")),
            text=data.get("q", ""),
        )
