from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .querysets import AreaQuerySet, CentreQuerySet


class Area(models.Model):
    """One level of the area hierarchy: district → street/town → community/village."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("District")
        STREET = "street", _("Street / town")
        COMMUNITY = "community", _("Community / village")

    PARENT_LEVEL = {Level.DISTRICT: None, Level.STREET: Level.DISTRICT, Level.COMMUNITY: Level.STREET}

    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("belongs to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    city = models.CharField(_("city"), max_length=30, blank=True, help_text=_("For districts only."))

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="area_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="area_unique_top_level_name"
            ),
            models.CheckConstraint(
                condition=Q(level="district", parent__isnull=True) | Q(~Q(level="district"), parent__isnull=False),
                name="area_parent_matches_level",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        expected = self.PARENT_LEVEL.get(self.level)
        if expected is None and self.parent_id:
            raise ValidationError({"parent": _("A district does not belong to another area.")})
        if expected is not None and (self.parent is None or self.parent.level != expected):
            raise ValidationError(
                {"parent": _("Choose the %(level)s this area belongs to.") % {"level": Area.Level(expected).label}}
            )


class ServiceFunctionCode(models.TextChoices):
    """The six standard service functions ("1+6+X"), plus the centre's own."""

    ELDERCARE = "eldercare", _("Elder care")
    CHILDCARE = "childcare", _("Childcare and early education")
    MEDICAL = "medical", _("Medical and health")
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")
    DAILY_LIFE = "daily_life", _("Daily-life services")
    AFFAIRS = "affairs", _("Convenience affairs")
    OWN = "own", _("The centre's own service")


def parse_reminder_hours(value: str) -> list[int]:
    """ "24, 2" → [24, 2]: the lead times of a centre's reminders, longest first."""
    hours = {int(part) for part in value.replace("，", ",").split(",") if part.strip()}
    return sorted(hours, reverse=True)


def reminder_hours_validator(value: str) -> None:
    try:
        hours = parse_reminder_hours(value)
    except ValueError:
        hours = None
    if hours is None or len(hours) > 3 or any(not 1 <= hour <= 168 for hour in hours):
        raise ValidationError(
            _("Give up to three numbers of hours from 1 to 168, separated by commas, such as 24,2."),
            code="reminder_hours",
        )


class Centre(models.Model):
    class Kind(models.TextChoices):
        COMMUNITY = "community", _("Community centre")
        VILLAGE = "village", _("Village centre")
        STREET = "street", _("Street / town centre")
        PARK = "park", _("Industrial park centre")
        BUILDING = "building", _("Office building centre")
        COMMERCIAL = "commercial", _("Shopping area centre")
        ENTERPRISE = "enterprise", _("Enterprise centre")
        NEW_EMPLOYMENT = "new_employment", _("New employment groups station")

    # Kinds that belong directly to a street/town rather than to one community.
    STREET_LEVEL_KINDS = {Kind.STREET, Kind.PARK, Kind.BUILDING, Kind.COMMERCIAL, Kind.ENTERPRISE, Kind.NEW_EMPLOYMENT}

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("web address"), max_length=80, unique=True, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMUNITY)
    area = models.ForeignKey(
        Area,
        verbose_name=_("community or street"),
        on_delete=models.PROTECT,
        related_name="centres",
    )
    # Copied from ``area`` by the services so that scoping and filtering by street or
    # district is one indexed column, whichever level the centre hangs from.
    street = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", editable=False)
    address = models.CharField(_("address"), max_length=200)
    floor_area = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    is_published = models.BooleanField(_("shown to the public"), default=True)
    reminder_hours = models.CharField(
        _("reminders (hours before)"),
        max_length=20,
        default="24,2",
        blank=True,
        validators=[reminder_hours_validator],
        help_text=_(
            "When residents are reminded of what they booked: hours before it starts, such as 24,2. "
            "Leave empty for no reminders."
        ),
    )
    # Summaries of the opening hours, kept up to date by ``centre_hours_replace`` so the
    # directory can filter on them with an index.
    opens_evenings = models.BooleanField(default=False, editable=False)
    opens_weekends = models.BooleanField(default=False, editable=False)
    opens_all_year = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["district", "street"]),
            models.Index(fields=["is_published", "name"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("centres:detail", kwargs={"slug": self.slug})


class ServiceFunction(models.Model):
    """What the centre offers under one of the six functions, or an "X" of its own."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="functions")
    code = models.CharField(_("service function"), max_length=20, choices=ServiceFunctionCode.choices)
    name = models.CharField(
        _("name"),
        max_length=40,
        blank=True,
        help_text=_("Only for the centre's own services, e.g. family-tradition hall."),
    )
    description = models.TextField(_("what is offered and when"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("service function")
        verbose_name_plural = _("service functions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "code"],
                condition=~Q(code="own"),
                name="function_standard_once_per_centre",
                violation_error_message=_("The centre already lists this service function."),
            ),
            models.CheckConstraint(
                condition=~Q(code="own") | ~Q(name=""),
                name="function_own_has_name",
                violation_error_message=_("Give the centre's own service a name."),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.code == ServiceFunctionCode.OWN:
            return self.name
        return str(ServiceFunctionCode(self.code).label)

    def clean(self):
        if self.code == ServiceFunctionCode.OWN and not self.name.strip():
            raise ValidationError({"name": _("Give the centre's own service a name.")})


class Room(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=60)
    capacity = models.PositiveIntegerField(_("capacity (people)"), validators=[MinValueValidator(1)])
    purpose = models.CharField(_("what it is for"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("room or space")
        verbose_name_plural = _("rooms and spaces")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "name"],
                name="room_unique_name_in_centre",
                violation_error_message=_("The centre already has a room with this name."),
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self):
        return self.name


def centre_photo_path(instance, filename):
    return f"centres/{instance.centre_id}/{filename}"


class CentrePhoto(models.Model):
    """A photo, stored re-encoded (no EXIF) and resized, with its thumbnail."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=centre_photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=centre_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]

    def __str__(self):
        return self.caption or f"{self.centre} #{self.pk}"


class ServiceKind(models.TextChoices):
    """How a centre is open in a period. All but regular are after-hours service."""

    REGULAR = "regular", _("Regular hours")
    EXTENDED = "extended", _("Extended hours")
    STAGGERED = "staggered", _("Staggered weekend and holiday hours")
    APPOINTMENT = "appointment", _("By appointment")


class Day(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
    HOLIDAY = 7, _("Public holidays")


class OpeningPeriod(models.Model):
    """A weekly period: on ``day`` from ``opens`` to ``closes``, of one service kind.

    ``Day.HOLIDAY`` periods apply on national public holidays instead of the weekday's.
    """

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="opening_periods")
    day = models.PositiveSmallIntegerField(_("day"), choices=Day.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=ServiceKind.choices, default=ServiceKind.REGULAR)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening period")
        verbose_name_plural = _("opening hours")
        ordering = ["day", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=models.F("closes")), name="period_opens_before_closes"),
            models.UniqueConstraint(fields=["centre", "day", "opens"], name="period_unique_start"),
        ]

    def __str__(self):
        return f"{self.get_day_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.opens and self.closes and self.opens >= self.closes:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class DateException(models.Model):
    """The centre's own word on one date: closed all day, or open at special hours.

    A date may have several special-hours rows; a closed row stands alone.
    """

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="date_exceptions")
    date = models.DateField(_("date"))
    is_closed = models.BooleanField(_("closed all day"), default=False)
    kind = models.CharField(_("kind"), max_length=12, choices=ServiceKind.choices, default=ServiceKind.REGULAR)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("date exception")
        verbose_name_plural = _("date exceptions")
        ordering = ["date", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_closed=True, opens__isnull=True, closes__isnull=True)
                | Q(is_closed=False, opens__isnull=False, closes__isnull=False, opens__lt=models.F("closes")),
                name="exception_closed_or_hours",
                violation_error_message=_("Give the opening and closing times, or mark the day closed."),
            ),
        ]
        indexes = [models.Index(fields=["centre", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.note}"

    def clean(self):
        if self.is_closed:
            self.opens = self.closes = None
            return
        if self.opens is None or self.closes is None:
            raise ValidationError(_("Give the opening and closing times, or mark the day closed."))
        if self.opens >= self.closes:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})
