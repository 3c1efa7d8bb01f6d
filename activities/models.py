"""Activities (what a centre offers) and their occurrences (each dated session).

An activity may be scheduled by one or more series, each an RFC 5545 recurrence rule
with the time of day and room of its sessions; the series' occurrences are rows of their
own, so that one session can be moved or cancelled without touching the others.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from centres.models import Area, Centre, Room, ServiceFunctionCode, ServiceKind

from .querysets import ActivityQuerySet, OccurrenceQuerySet


class Partner(models.Model):
    """An organisation that runs activities at a centre."""

    class Kind(models.TextChoices):
        SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
        VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
        RESIDENT_GROUP = "resident_group", _("Resident group")
        VENUE_UNIT = "venue_unit", _("Unit that lends its venue")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    contact = models.CharField(_("contact"), max_length=100, blank=True, help_text=_("Only staff see this."))
    description = models.TextField(_("what they do"), blank=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "name"],
                name="partner_unique_name_in_centre",
                violation_error_message=_("The centre already has a partner with this name."),
            ),
        ]

    def __str__(self):
        return self.name


class Brand(models.Model):
    """A brand or project ("one community, one brand", a district brand) that groups
    activities across centres."""

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="brands",
        help_text=_("The district, street/town or community the brand belongs to."),
    )
    # The area's district, copied by the services so scoping is one column.
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", editable=False)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("brand or project")
        verbose_name_plural = _("brands and projects")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="brand_unique_name_in_district",
                violation_error_message=_("The district already has a brand with this name."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("activities:brand", kwargs={"slug": self.slug})


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    CHILDREN = "children", _("Children")
    YOUNG_ADULTS = "young_adults", _("Young adults")
    ELDERS = "elders", _("Elders")
    PARTY_MEMBERS = "party_members", _("Party members")
    NEW_EMPLOYMENT = "new_employment", _("New employment groups")


def poster_path(instance, filename):
    return f"activities/{instance.centre_id}/{filename}"


class Activity(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    service_function = models.CharField(_("service function"), max_length=20, choices=ServiceFunctionCode.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        help_text=_("Leave empty when the centre runs it itself."),
    )
    audience = models.CharField(_("for whom"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    min_age = models.PositiveSmallIntegerField(
        _("youngest age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("oldest age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1), MaxValueValidator(10000)])
    booking_required = models.BooleanField(
        _("booking needed"), default=True, help_text=_("Untick for drop-in activities.")
    )
    booking_opens_days = models.PositiveSmallIntegerField(
        _("booking opens (days before)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    booking_closes_minutes = models.PositiveIntegerField(
        _("booking closes (minutes before)"), default=60, validators=[MaxValueValidator(7 * 24 * 60)]
    )
    cancel_until_minutes = models.PositiveIntegerField(
        _("cancel up to (minutes before)"), default=120, validators=[MaxValueValidator(7 * 24 * 60)]
    )
    brand = models.ForeignKey(
        Brand,
        verbose_name=_("brand or project"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    poster = models.ImageField(_("poster"), upload_to=poster_path, blank=True)
    poster_thumbnail = models.ImageField(upload_to=poster_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=models.F("max_age")),
                name="activity_age_range_in_order",
                violation_error_message=_("The youngest age must not be above the oldest age."),
            ),
            models.CheckConstraint(
                condition=~Q(audience="children") | Q(min_age__isnull=False, max_age__isnull=False),
                name="activity_children_have_ages",
                violation_error_message=_("Give the age range of the children."),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.audience == Audience.CHILDREN and (self.min_age is None or self.max_age is None):
            raise ValidationError({"min_age": _("Give the age range of the children.")})
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValidationError({"max_age": _("The youngest age must not be above the oldest age.")})

    @property
    def organiser_name(self) -> str:
        return self.partner.name if self.partner_id else self.centre.name

    @property
    def service_function_label(self) -> str:
        return ServiceFunctionCode(self.service_function).label

    @property
    def age_range_label(self) -> str:
        from django.utils.translation import gettext

        if self.min_age is not None and self.max_age is not None:
            return gettext("ages %(min)s–%(max)s") % {"min": self.min_age, "max": self.max_age}
        if self.min_age is not None:
            return gettext("aged %(min)s and over") % {"min": self.min_age}
        if self.max_age is not None:
            return gettext("up to age %(max)s") % {"max": self.max_age}
        return ""


class Series(models.Model):
    """A repeating schedule of an activity: an RFC 5545 rule (without its end), the time
    of day, the room, and where it ends (a date or a number of sessions held)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="series")
    rule = models.CharField(_("repeats"), max_length=200, help_text="RFC 5545 RRULE, without COUNT or UNTIL")
    first_date = models.DateField(_("first date"))
    until = models.DateField(_("last date"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("number of sessions"), null=True, blank=True)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, null=True, blank=True)
    skip_public_holidays = models.BooleanField(_("skip public holidays"), default=True)
    on_make_up_days = models.BooleanField(
        _("also on make-up working days"),
        default=False,
        help_text=_("For series that follow the working week, such as after-school care."),
    )
    is_course = models.BooleanField(
        _("book as a course"),
        default=False,
        help_text=_("One booking takes a place at every session, such as an eight-week evening class."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["first_date", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(starts__lt=models.F("ends")), name="series_starts_before_ends"),
            models.CheckConstraint(condition=Q(until__isnull=False) | Q(count__isnull=False), name="series_has_an_end"),
        ]

    def __str__(self):
        return f"{self.activity} ({self.rule})"

    @property
    def rrule(self) -> str:
        """The whole RFC 5545 rule, with its end."""
        end = f";COUNT={self.count}" if self.count else f";UNTIL={self.until:%Y%m%d}"
        return self.rule + end


class Occurrence(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="occurrences")
    series = models.ForeignKey(Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="occurrences")
    # Copied from the activity: the calendars filter and scope by centre on this table alone.
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="occurrences", editable=False)
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, null=True, blank=True, related_name="occurrences"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # True once staff changed this session on its own: series edits leave it alone.
    is_detached = models.BooleanField(default=False)
    # From the centre's opening hours, kept up to date by the services whenever the
    # session or the hours change (never ticked by hand).
    after_hours_kind = models.CharField(max_length=12, choices=ServiceKind.choices, default=ServiceKind.REGULAR)
    is_after_hours = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="occurrence_starts_before_ends"
            ),
            # On PostgreSQL, migration 0002 adds the exclusion constraint that keeps two
            # scheduled sessions out of one room at the same time.
        ]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["centre", "starts_at"]),
            models.Index(fields=["activity", "starts_at"]),
        ]

    def __str__(self):
        return f"{self.activity} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("activities:occurrence", kwargs={"pk": self.pk})

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def after_hours_label(self) -> str:
        return ServiceKind(self.after_hours_kind).label if self.is_after_hours else ""
