"""Forms of the appointment pages, for residents and for staff. They check what was typed
and hand ``cleaned_data`` to a service in ``bookings.appointments``; what the service
refuses comes back onto the form through ``centres.forms.add_service_errors``."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import PhoneNumberField
from portal.models import User
from portal.templatetags.portal_tags import day_label, hhmm

from .appointments import NEED_MAX_LENGTH, SLOT_FORMAT, AppointmentDay
from .models import AppointmentSetup, AppointmentTopic


class SlotField(forms.CharField):
    """A slot named by its local start (``2026-11-22T19:00``), as an aware datetime.
    Whether it is a real slot is the service's to say."""

    default_error_messages = {
        "invalid": _("Please choose a time from the list."),
        "required": _("Please choose a time."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = dt.datetime.strptime(value, SLOT_FORMAT)  # noqa: DTZ007 (made aware below)
        except ValueError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error
        if not 2000 <= parsed.year <= 2099:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return timezone.make_aware(parsed)


def slot_choices(days: list[AppointmentDay], *, free_only: bool = True) -> list[tuple]:
    """Slots grouped by day, for a select: ``[(day label, [(value, "19:00–19:30 (2 free)")])]``."""
    groups = []
    for day in days:
        options = []
        for slot in day.slots:
            if free_only and slot.is_full:
                continue
            label = _("%(starts)s–%(ends)s (%(free)s free)") % {
                "starts": hhmm(slot.starts_at),
                "ends": hhmm(slot.ends_at),
                "free": slot.free,
            }
            options.append((slot.value, label))
        if options:
            groups.append((day_label(day.date), options))
    return groups


class TopicChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("Please choose one of the services this centre offers by appointment."),
        "required": _("Please choose what the appointment is about."),
    }

    def label_from_instance(self, topic):
        return topic.name


def _topic_field(centre) -> TopicChoiceField:
    return TopicChoiceField(
        label=_("What is it about?"),
        queryset=AppointmentTopic.objects.filter(centre=centre, is_offered=True).order_by("position", "pk"),
        empty_label=_("Choose a service"),
    )


def _need_field() -> forms.CharField:
    return forms.CharField(
        label=_("What you need"),
        max_length=NEED_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A sentence or two, so that the right person is there. For example: a residence certificate."),
        error_messages={"required": _("Please say what you need, so that the centre can prepare.")},
    )


class AppointmentRequestForm(forms.Form):
    """A resident asks for a slot. The slots are radio buttons the template draws."""

    slot = SlotField(label=_("Time"))
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=36, required=False)

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"] = _topic_field(centre)
        self.fields["need"] = _need_field()
        self.order_fields(["slot", "topic", "need", "request_key"])


class AppointmentSetupForm(forms.ModelForm):
    class Meta:
        model = AppointmentSetup
        fields = ["is_published", "slot_minutes", "places_per_slot", "days_ahead", "notice_hours"]
        help_texts = {
            "is_published": _("Residents see the free times and can ask for one on the centre's page."),
            "slot_minutes": _("The by-appointment hours are cut into slots of this length."),
            "places_per_slot": _("How many residents staff can serve in one slot."),
            "days_ahead": _("How far ahead residents can book, today included."),
            "notice_hours": _("Residents cannot book a slot that starts sooner than this."),
        }


class AppointmentTopicForm(forms.ModelForm):
    class Meta:
        model = AppointmentTopic
        fields = ["name", "service_function", "is_offered", "position"]
        labels = {"position": _("Order in the list")}  # the model field has no translatable name
        help_texts = {
            "name": _("What residents can book, e.g. certificates, mediation, legal advice."),
            "is_offered": _("Untick to stop new appointments for it; the ones made stay."),
            "position": _("Services are listed in this order, smallest first."),
        }


class StaffSlotForm(forms.Form):
    """A form whose slot is chosen from a select of free slots."""

    def __init__(self, *args, days: list[AppointmentDay], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].widget = forms.Select(choices=[("", _("Choose a time")), *slot_choices(days)])


class ProposeForm(StaffSlotForm):
    slot = SlotField(label=_("Another time"))
    note = forms.CharField(
        label=_("Note to the resident"),
        max_length=200,
        required=False,
        help_text=_("For example: the lawyer is only here on Saturday mornings."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("The resident sees it in the message they get."),
        error_messages={"required": _("Please say why, so that the resident understands.")},
    )


class ConfirmForm(forms.Form):
    note = forms.CharField(label=_("Note to the resident"), max_length=200, required=False)


class CheckInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Pass code"),
        max_length=20,
        help_text=_("The 8 characters on the resident's pass, e.g. K7QM-3XPA."),
        error_messages={"required": _("Type the code on the resident's pass.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class StaffBookForm(StaffSlotForm):
    """Staff book on a resident's behalf: a registered resident found by their mobile
    number, or only a name, for someone without a phone."""

    slot = SlotField(label=_("Time"))
    phone = PhoneNumberField(
        label=_("Resident's mobile number"),
        required=False,
        help_text=_("If the resident is registered on the portal. Leave it empty for someone without a phone."),
    )
    name = forms.CharField(label=_("Name"), max_length=30, required=False)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=36, required=False)

    prefix = "book"

    def __init__(self, *args, centre, days, **kwargs):
        super().__init__(*args, days=days, **kwargs)
        self.fields["topic"] = _topic_field(centre)
        self.fields["need"] = _need_field()
        self.fields["need"].label = _("What they need")
        self.order_fields(["phone", "name", "slot", "topic", "need", "request_key"])

    def clean(self):
        data = super().clean()
        phone, name = data.get("phone"), (data.get("name") or "").strip()
        data["resident"] = None
        if phone:
            resident = User.objects.filter(phone=phone, is_active=True).first()
            if resident is None:
                self.add_error(
                    "phone",
                    _("Nobody is registered with this mobile number. Leave it empty and give the name only."),
                )
            data["resident"] = resident
        elif not name and "phone" not in self.errors:
            self.add_error("name", _("Give the resident's mobile number, or the name of someone without a phone."))
        data["name"] = name
        return data
