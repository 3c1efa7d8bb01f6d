"""Forms of the staff scheduling pages. They validate what was typed and hand
``cleaned_data`` to a service in ``activities.services``; what the service refuses comes
back onto the form through ``centres.forms.add_service_errors``."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from centres.forms import DATE_WIDGET, TIME_WIDGET
from centres.models import Area, Day, ServiceFunctionCode

from .models import Activity, Brand, Partner
from .recurrence import MAX_SESSIONS, REPEAT_LABELS, Repeat
from .services import Scope

WEEKDAY_CHOICES = [(str(day), Day(day).label) for day in range(Day.MONDAY, Day.SUNDAY + 1)]


class NoRoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, room):
        return _("%(room)s (%(count)s people)") % {"room": room.name, "count": room.capacity}


def room_field(centre, **kwargs) -> NoRoomChoiceField:
    return NoRoomChoiceField(
        label=_("Room"),
        queryset=centre.rooms.all(),
        required=False,
        empty_label=_("No room / outdoors"),
        **kwargs,
    )


# Partners and brands.


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "contact", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class BrandAreaField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        if area.level == Area.Level.DISTRICT:
            return _("%(district)s (the whole district)") % {"district": area.name}
        if area.level == Area.Level.COMMUNITY:
            return f"{area.parent.name} · {area.name}"
        return area.name


class BrandForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    area = BrandAreaField(
        label=_("Area"),
        queryset=Area.objects.none(),
        help_text=_("The district, street/town or community the brand belongs to."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, district: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            Area.objects.filter(Q(pk=district.pk) | Q(parent=district) | Q(parent__parent=district))
            .select_related("parent")
            .order_by("level", "name")
        )


# Activities.


class ActivityForm(forms.ModelForm):
    """All of an activity. Organisers are the centre's partners, brands those of its
    district, service functions those the centre lists (and the activity's own)."""

    poster = forms.ImageField(
        label=_("Poster"), required=False, help_text=_("A photo or picture, JPEG or PNG; it is resized for the web.")
    )
    remove_poster = forms.BooleanField(label=_("Remove the current poster"), required=False)

    class Meta:
        model = Activity
        fields = [
            "title",
            "description",
            "service_function",
            "partner",
            "audience",
            "min_age",
            "max_age",
            "capacity",
            "booking_required",
            "booking_opens_days",
            "booking_closes_minutes",
            "cancel_until_minutes",
            "brand",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "min_age": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "max_age": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "capacity": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
        }

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = centre.partners.all()
        self.fields["partner"].empty_label = _("The centre itself")
        self.fields["brand"].queryset = Brand.objects.filter(district_id=centre.district_id)
        codes = {function.code for function in centre.functions.all()}
        if self.instance.service_function:
            codes.add(self.instance.service_function)
        if not codes:
            # A centre that lists no services yet may still plan: every function is offered.
            codes = set(ServiceFunctionCode.values)
        self.fields["service_function"].choices = [("", "---------")] + [
            (value, label) for value, label in ServiceFunctionCode.choices if value in codes
        ]
        if not self.instance.poster:
            del self.fields["remove_poster"]

    def service_arguments(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["poster"] = self.cleaned_data.get("poster") or None
        data["remove_poster"] = self.cleaned_data.get("remove_poster", False)
        return data


# Scheduling.


class ScheduleForm(forms.Form):
    """Once, or a repeating series, of an activity: what ``schedule_plan`` previews and
    ``occurrence_create`` / ``series_create`` save."""

    ENDS_ON_DATE = "until"
    ENDS_AFTER_COUNT = "count"

    activity = forms.ModelChoiceField(label=_("Activity"), queryset=Activity.objects.none())
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        choices=[(repeat.value, label) for repeat, label in REPEAT_LABELS.items()],
        widget=forms.RadioSelect,
        initial=Repeat.WEEKLY.value,
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On these days"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "weekday-choice"}),
        help_text=_("For “every week”. None ticked: the weekday of the first date."),
    )
    first_date = forms.DateField(label=_("Date (first date of a series)"), widget=DATE_WIDGET)
    starts = forms.TimeField(label=_("Starts"), widget=TIME_WIDGET)
    ends = forms.TimeField(label=_("Ends"), widget=TIME_WIDGET)
    ends_by = forms.ChoiceField(
        label=_("The series ends"),
        choices=[(ENDS_AFTER_COUNT, _("after a number of sessions")), (ENDS_ON_DATE, _("on a date"))],
        widget=forms.RadioSelect,
        initial=ENDS_AFTER_COUNT,
        required=False,
    )
    count = forms.IntegerField(
        label=_("Number of sessions"),
        required=False,
        min_value=1,
        max_value=MAX_SESSIONS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    until = forms.DateField(label=_("Last date"), required=False, widget=DATE_WIDGET)
    skip_public_holidays = forms.BooleanField(label=_("Skip public holidays"), required=False, initial=True)
    on_make_up_days = forms.BooleanField(
        label=_("Also on make-up working days (调休)"),
        required=False,
        help_text=_("For series that follow the working week, such as after-school care."),
    )
    is_course = forms.BooleanField(
        label=_("Book as a course"),
        required=False,
        help_text=_("One booking takes a place at every session, such as an eight-week evening class."),
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = centre.activities.all()
        self.fields["room"] = room_field(centre)
        self.order_fields(["activity", "first_date", "starts", "ends", "room"])
        if self.initial.get("repeat") == Repeat.SCHOOL_DAYS and "on_make_up_days" not in self.initial:
            self.initial["on_make_up_days"] = True

    @property
    def is_series(self) -> bool:
        return self.cleaned_data.get("repeat") != Repeat.ONCE

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and starts >= ends:
            self.add_error("ends", _("The end time must be after the start time."))
        if data.get("repeat") and data["repeat"] != Repeat.ONCE:
            if data.get("ends_by") == self.ENDS_ON_DATE:
                data["count"] = None
                if not data.get("until"):
                    self.add_error("until", _("Give the last date of the series."))
                elif data.get("first_date") and data["until"] < data["first_date"]:
                    self.add_error("until", _("The last date must not be before the first date."))
            else:
                data["until"] = None
                if not data.get("count") and "count" not in self.errors:
                    self.add_error("count", _("Give the number of sessions."))
        return data

    def service_arguments(self) -> dict:
        """Arguments for ``schedule_plan`` and ``series_create`` (``rule`` is None for once)."""
        from .recurrence import rule_for

        data = self.cleaned_data
        common = {
            "activity": data["activity"],
            "first_date": data["first_date"],
            "starts": data["starts"],
            "ends": data["ends"],
            "room": data["room"],
        }
        if not self.is_series:
            return common | {"rule": None}
        weekdays = [int(day) for day in data["weekdays"]]
        return common | {
            "rule": rule_for(data["repeat"], first_date=data["first_date"], weekdays=weekdays),
            "until": data["until"],
            "count": data["count"],
            "skip_public_holidays": data["skip_public_holidays"],
            "on_make_up_days": data["on_make_up_days"],
        }


SCOPE_LABELS = {
    Scope.THIS: _("This session only"),
    Scope.FOLLOWING: _("This and the following sessions of the series"),
    Scope.ALL: _("All coming sessions of the series"),
}


def scope_field(label):
    return forms.ChoiceField(
        label=label,
        choices=[(scope.value, text) for scope, text in SCOPE_LABELS.items()],
        widget=forms.RadioSelect,
        initial=Scope.THIS.value,
    )


class SessionMoveForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET, help_text=_("Only for this session on its own."))
    starts = forms.TimeField(label=_("Starts"), widget=TIME_WIDGET)
    ends = forms.TimeField(label=_("Ends"), widget=TIME_WIDGET)
    scope = scope_field(_("Change"))

    prefix = "move"

    def __init__(self, *args, centre, in_series: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"] = room_field(centre)
        self.order_fields(["date", "starts", "ends", "room", "scope"])
        if not in_series:
            del self.fields["scope"]

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["starts"] >= data["ends"]:
            self.add_error("ends", _("The end time must be after the start time."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        scope = Scope(data.get("scope") or Scope.THIS)
        return {
            "scope": scope,
            "starts": data["starts"],
            "ends": data["ends"],
            "room": data["room"],
            "date": data["date"] if scope == Scope.THIS else None,
        }


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Residents with a place see it and get a message."),
    )
    scope = scope_field(_("Cancel"))

    prefix = "cancel"

    def __init__(self, *args, in_series: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not in_series:
            del self.fields["scope"]


class WeekCopyForm(forms.Form):
    source = forms.DateField(label=_("Copy the week of"), widget=DATE_WIDGET, help_text=_("Any day of that week."))
    target = forms.DateField(label=_("To the week of"), widget=DATE_WIDGET, help_text=_("Any day of that week."))

    def clean(self):
        data = super().clean()
        for name in ("source", "target"):
            if data.get(name):
                data[name] = monday_of(data[name])
        if data.get("source") and data.get("target") and data["source"] == data["target"]:
            self.add_error("target", _("Choose a different week to copy to."))
        return data


def monday_of(date: dt.date) -> dt.date:
    return date - dt.timedelta(days=date.weekday())
