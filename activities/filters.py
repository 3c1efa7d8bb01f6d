"""The calendars' filters, read from the query string so that a filtered calendar (and
its iCalendar feed) can be shared as a link."""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.models import Area, Centre, ServiceFunctionCode

from .models import Audience


class CalendarView:
    LIST = "list"
    WEEK = "week"
    MONTH = "month"
    CHOICES = [(LIST, _("List")), (WEEK, _("Week")), (MONTH, _("Month"))]


# How far a list or a feed reaches when no end date is given, and at most.
LIST_DAYS = 30
MAX_RANGE_DAYS = 366
# Dates the calendars page through; beyond them a month or week has no neighbour to link to.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)


@dataclass(frozen=True)
class CalendarFilters:
    street: Area | None = None
    community: Area | None = None
    centre: Centre | None = None
    function: str = ""
    audience: str = ""
    age: int | None = None
    after_hours: bool = False
    start: dt.date | None = None
    end: dt.date | None = None

    def apply(self, occurrences):
        """``occurrences`` narrowed to these filters (not to the dates: the views decide
        which range a list, a week, a month or a feed shows)."""
        if self.centre is not None:
            occurrences = occurrences.for_centre(self.centre)
        elif self.community is not None:
            occurrences = occurrences.in_area(self.community)
        elif self.street is not None:
            occurrences = occurrences.in_area(self.street)
        if self.function:
            occurrences = occurrences.with_function(self.function)
        if self.audience:
            occurrences = occurrences.for_audience(self.audience)
        if self.age is not None:
            occurrences = occurrences.for_age(self.age)
        if self.after_hours:
            occurrences = occurrences.after_hours()
        return occurrences


class CalendarFilterForm(forms.Form):
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
    centre = forms.ModelChoiceField(
        label=_("Centre"),
        queryset=Centre.objects.published().order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All centres"),
    )
    function = forms.ChoiceField(
        label=_("Service"),
        choices=[("", _("All services"))] + ServiceFunctionCode.choices[:-1],
        required=False,
    )
    audience = forms.ChoiceField(
        label=_("For whom"), choices=[("", _("Everyone and all groups"))] + Audience.choices[1:], required=False
    )
    age = forms.IntegerField(
        label=_("Child's age"),
        min_value=0,
        max_value=17,
        required=False,
        help_text=_("Shows what a child of this age may join."),
    )
    after_hours = forms.BooleanField(label=_("After-hours only (evenings, weekends, holidays)"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    view = forms.ChoiceField(choices=CalendarView.CHOICES, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, fixed_centre: Centre | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_centre = fixed_centre
        if fixed_centre is not None:
            for name in ("street", "community", "centre"):
                del self.fields[name]

    def _clean_date(self, name: str) -> dt.date | None:
        date = self.cleaned_data.get(name)
        if date is not None and not EARLIEST_DATE <= date <= LATEST_DATE:
            raise forms.ValidationError(
                _("Choose a date from %(first)s to %(last)s.") % {"first": EARLIEST_DATE.year, "last": LATEST_DATE.year}
            )
        return date

    def clean_start(self):
        return self._clean_date("start")

    def clean_end(self):
        return self._clean_date("end")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date must not be before the start date."))
        elif start and end and (end - start).days > MAX_RANGE_DAYS:
            self.add_error("end", _("Choose at most a year at a time."))
        return data

    def filters(self) -> CalendarFilters:
        """The filters to apply; a value that did not validate is simply left out (the
        form shows its error)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        community, street = data.get("community"), data.get("street")
        if community and street and community.parent_id != street.pk:
            community = None
        start = data.get("start")
        end = data.get("end") if "end" not in self.errors else None
        return CalendarFilters(
            street=street,
            community=community,
            centre=self.fixed_centre or data.get("centre"),
            function=data.get("function") or "",
            audience=data.get("audience") or "",
            age=data.get("age"),
            after_hours=bool(data.get("after_hours")),
            start=start,
            end=end,
        )


def default_start() -> dt.date:
    return timezone.localdate()
