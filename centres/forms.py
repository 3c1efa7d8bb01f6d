"""Forms of the staff workspace. They validate what was typed and hand ``cleaned_data``
to a service in ``centres.services``; the service has the last word, and what it
refuses comes back onto the form through ``add_service_errors``."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Area, Centre, Day, Room, ServiceFunction, ServiceFunctionCode, ServiceKind
from .selectors import centre_area_choices
from .services import RESERVED_SLUGS

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form: forms.BaseForm, error: ValidationError, field: str | None = None) -> None:
    """Put a service's ``ValidationError`` on ``form``: errors about a field the form has
    go under that field, everything else at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error)


class AreaChoiceField(forms.ModelChoiceField):
    """Streets and communities, each shown with its street so two communities of the same
    name in different streets can be told apart."""

    def label_from_instance(self, area):
        if area.level == Area.Level.COMMUNITY:
            return f"{area.parent.name} · {area.name}"
        return _("%(street)s (the street / town itself)") % {"street": area.name}


class CentreProfileForm(forms.ModelForm):
    """The public profile of a centre. ``district`` limits where it may hang from."""

    area = AreaChoiceField(
        label=_("Community or street"),
        queryset=Area.objects.none(),
        help_text=_("Only the communities and streets of the centre's district are listed."),
    )

    class Meta:
        model = Centre
        fields = [
            "name",
            "kind",
            "area",
            "address",
            "floor_area",
            "phone",
            "introduction",
            "is_published",
            "reminder_hours",
        ]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 6}),
            "floor_area": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "introduction": _("A few plain sentences for residents: what the centre offers and for whom."),
            "is_published": _("Untick to hide the centre from the public directory while you prepare it."),
        }

    def __init__(self, *args, district: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = centre_area_choices(district=district)


class CentreCreateForm(CentreProfileForm):
    web_address = forms.SlugField(
        label=_("Web address (optional)"),
        required=False,
        max_length=60,
        help_text=_(
            "Letters, numbers and hyphens, e.g. guangnan. It becomes part of the centre's page address. "
            "Left empty, one is made up from the name."
        ),
    )

    field_order = ["name", "web_address"]

    def clean_web_address(self):
        web_address = self.cleaned_data["web_address"].lower()
        if web_address in RESERVED_SLUGS:
            raise ValidationError(_("This web address is reserved. Choose another one."))
        if web_address and Centre.objects.filter(slug=web_address).exists():
            raise ValidationError(_("Another centre already has this web address. Choose another one."))
        return web_address


class ServiceFunctionForm(forms.ModelForm):
    """One of the six standard functions, or one of the centre's own ("X")."""

    class Meta:
        model = ServiceFunction
        fields = ["code", "name", "description"]
        labels = {"code": _("Which service"), "name": _("Name of the centre's own service")}
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "name": _("Only for the centre's own service, e.g. family-tradition hall. Leave empty otherwise."),
            "description": _("What residents can get and when, e.g. lunch for elders every working day 11:00–12:30."),
        }

    def __init__(self, *args, centre: Centre, **kwargs):
        self.centre = centre
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        # An own service without a name is refused by ServiceFunction.clean().
        code = cleaned.get("code")
        if code and code != ServiceFunctionCode.OWN:
            cleaned["name"] = ""
            listed = self.centre.functions.filter(code=code)
            if self.instance.pk:
                listed = listed.exclude(pk=self.instance.pk)
            if listed.exists():
                self.add_error(
                    "code",
                    _("%(function)s is already listed for this centre. Edit the existing entry instead.")
                    % {"function": ServiceFunctionCode(code).label},
                )
        return cleaned


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "capacity", "purpose"]
        widgets = {"capacity": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"})}
        help_texts = {
            "name": _("E.g. multi-purpose hall, reading room, children's room."),
            "capacity": _("How many people the room holds at most."),
        }

    def __init__(self, *args, centre: Centre, **kwargs):
        self.centre = centre
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        rooms = self.centre.rooms.filter(name__iexact=name)
        if self.instance.pk:
            rooms = rooms.exclude(pk=self.instance.pk)
        if rooms.exists():
            raise ValidationError(
                _("This centre already has a room called %(name)s. Choose another name.") % {"name": name}
            )
        return name


# Weekly opening hours: a formset of rows, each one period on one day or on a group of
# days ("Monday to Friday" saves as five periods).

WORKING_DAYS = "working_days"
WEEKEND = "weekend"
DAY_GROUPS = {
    WORKING_DAYS: [Day.MONDAY, Day.TUESDAY, Day.WEDNESDAY, Day.THURSDAY, Day.FRIDAY],
    WEEKEND: [Day.SATURDAY, Day.SUNDAY],
}


def _day_choices():
    return [
        ("", _("— choose —")),
        (WORKING_DAYS, _("Monday to Friday")),
        (WEEKEND, _("Saturday and Sunday")),
        *[(str(value), label) for value, label in Day.choices],
    ]


class OpeningPeriodForm(forms.Form):
    """One row of the weekly timetable. A row left completely empty is ignored."""

    day = forms.ChoiceField(label=_("Day"), choices=_day_choices, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of service"), choices=ServiceKind.choices, initial=ServiceKind.REGULAR, required=False
    )
    opens = forms.TimeField(label=_("Opens"), widget=TIME_WIDGET, required=False)
    closes = forms.TimeField(label=_("Closes"), widget=TIME_WIDGET, required=False)

    def clean(self):
        cleaned = super().clean()
        day, opens, closes = cleaned.get("day"), cleaned.get("opens"), cleaned.get("closes")
        entered = [name for name in ("day", "opens", "closes") if self.data.get(self.add_prefix(name))]
        cleaned["is_blank"] = not entered and not self.errors
        if cleaned["is_blank"] or cleaned.get("DELETE"):
            return cleaned
        if not day:
            self.add_error("day", _("Choose the day."))
        if opens is None and "opens" not in self.errors:
            self.add_error("opens", _("Enter the opening time, e.g. 08:30."))
        if closes is None and "closes" not in self.errors:
            self.add_error("closes", _("Enter the closing time, e.g. 17:30."))
        if opens and closes and opens >= closes:
            self.add_error("closes", _("Closing time must be after opening time."))
        cleaned["kind"] = cleaned.get("kind") or ServiceKind.REGULAR
        return cleaned

    def periods(self) -> list[dict]:
        """The periods this row stands for, in the shape ``centre_hours_replace`` takes."""
        cleaned = getattr(self, "cleaned_data", {})
        if not cleaned or cleaned.get("is_blank", True) or cleaned.get("DELETE"):
            return []
        day = cleaned["day"]
        days = DAY_GROUPS[day] if day in DAY_GROUPS else [int(day)]
        return [
            {"day": d, "kind": cleaned["kind"], "opens": cleaned["opens"], "closes": cleaned["closes"]} for d in days
        ]


class BaseOpeningHoursFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")

    def periods(self) -> list[dict]:
        return [period for form in self.forms for period in form.periods()]

    @staticmethod
    def initial_from(periods) -> list[dict]:
        """Rows for saved periods; the same period on all five working days, or on both
        weekend days, becomes one row again."""
        by_slot: dict[tuple, set[int]] = {}
        for period in periods:
            by_slot.setdefault((period.kind, period.opens, period.closes), set()).add(period.day)
        rows = []
        for (kind, opens, closes), days in by_slot.items():
            for group, members in DAY_GROUPS.items():
                if days.issuperset(members):
                    rows.append((members[0], opens, {"day": group, "kind": kind, "opens": opens, "closes": closes}))
                    days -= set(members)
            rows += [(day, opens, {"day": str(day), "kind": kind, "opens": opens, "closes": closes}) for day in days]
        return [row for _first_day, _opens, row in sorted(rows, key=lambda r: (r[0], r[1]))]


def opening_hours_formset(*, extra: int = 3):
    return forms.formset_factory(
        OpeningPeriodForm,
        formset=BaseOpeningHoursFormSet,
        extra=extra,
        can_delete=True,
        max_num=120,
        validate_max=True,
    )


class DateExceptionForm(forms.Form):
    """A date on which the centre does not follow its weekly timetable."""

    CLOSED, OPEN = "closed", "open"

    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    status = forms.ChoiceField(
        label=_("On this date the centre is"),
        choices=[(CLOSED, _("Closed all day")), (OPEN, _("Open at special hours"))],
        widget=forms.RadioSelect,
        initial=CLOSED,
    )
    kind = forms.ChoiceField(
        label=_("Kind of service"),
        choices=ServiceKind.choices,
        initial=ServiceKind.REGULAR,
        required=False,
        help_text=_("Only for special hours."),
    )
    opens = forms.TimeField(
        label=_("Opens"), widget=TIME_WIDGET, required=False, help_text=_("Only for special hours.")
    )
    closes = forms.TimeField(
        label=_("Closes"), widget=TIME_WIDGET, required=False, help_text=_("Only for special hours.")
    )
    note = forms.CharField(
        label=_("Note for residents"),
        max_length=100,
        required=False,
        help_text=_("E.g. National Day: open for the neighbourhood market; make-up working day."),
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate():
            raise ValidationError(_("This date has passed. Choose today or a later date."))
        return date

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == self.OPEN:
            opens, closes = cleaned.get("opens"), cleaned.get("closes")
            if opens is None and "opens" not in self.errors:
                self.add_error("opens", _("Enter the opening time, e.g. 09:00."))
            if closes is None and "closes" not in self.errors:
                self.add_error("closes", _("Enter the closing time, e.g. 17:00."))
            if opens and closes and opens >= closes:
                self.add_error("closes", _("Closing time must be after opening time."))
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        if data["status"] == self.CLOSED:
            return {"date": data["date"], "is_closed": True, "note": data["note"]}
        return {
            "date": data["date"],
            "is_closed": False,
            "kind": data.get("kind") or ServiceKind.REGULAR,
            "opens": data["opens"],
            "closes": data["closes"],
            "note": data["note"],
        }


class CentrePhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("A JPEG, PNG or WebP photo of at most 10 MB."),
    )
    caption = forms.CharField(
        label=_("Caption"),
        max_length=100,
        required=False,
        help_text=_("What the photo shows, e.g. the reading room. Read out to blind visitors."),
    )


# Areas of a district: streets/towns and communities/villages.


class _AreaNameMixin:
    """Refuses a name already used by another area under the same parent."""

    def _check_name_free(self, name: str, parent: Area | None, exclude_pk: int | None = None) -> None:
        if parent is None:
            return
        taken = Area.objects.filter(parent=parent, name=name)
        if exclude_pk:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            self.add_error(
                "name", _("%(parent)s already has an area called %(name)s.") % {"parent": parent.name, "name": name}
            )


class StreetForm(_AreaNameMixin, forms.Form):
    name = forms.CharField(label=_("Name of the street or town"), max_length=60, help_text=_("E.g. 多湖街道."))

    def __init__(self, *args, district: Area, **kwargs):
        self.district = district
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name"):
            cleaned["name"] = cleaned["name"].strip()
            self._check_name_free(cleaned["name"], self.district)
        return cleaned


class CommunityForm(_AreaNameMixin, forms.Form):
    parent = forms.ModelChoiceField(label=_("Street or town it belongs to"), queryset=Area.objects.none())
    name = forms.CharField(label=_("Name of the community or village"), max_length=60, help_text=_("E.g. 光南社区."))

    def __init__(self, *args, district: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Area.objects.streets().filter(parent=district).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") and cleaned.get("parent"):
            cleaned["name"] = cleaned["name"].strip()
            self._check_name_free(cleaned["name"], cleaned["parent"])
        return cleaned


class AreaRenameForm(_AreaNameMixin, forms.Form):
    name = forms.CharField(label=_("New name"), max_length=60)

    def __init__(self, *args, area: Area, **kwargs):
        self.area = area
        kwargs.setdefault("initial", {"name": area.name})
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name"):
            cleaned["name"] = cleaned["name"].strip()
            self._check_name_free(cleaned["name"], self.area.parent, exclude_pk=self.area.pk)
        return cleaned
