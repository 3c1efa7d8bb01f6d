from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    """The figures of a month, in the order pages show them.

    Their exact definitions are in the docstring of ``stats.rollup``.
    """

    ACTIVITIES_HELD = "activities_held", _("Activities held")
    FEATURED_ACTIVITIES_HELD = "featured_activities_held", _("Featured activities held")
    AFTER_HOURS_SESSIONS = "after_hours_sessions", _("After-hours sessions")
    PLACES_BOOKED = "places_booked", _("Places booked")
    ATTENDANCES = "attendances", _("Attendances")
    RESIDENTS_SERVED = "residents_served", _("Residents served")
    PERSON_HOURS = "person_hours", _("Person-hours of service")
    FILL_RATE = "fill_rate", _("Fill rate")
    NO_SHOW_RATE = "no_show_rate", _("No-show rate")
    WAITING_LIST_DEMAND = "waiting_list_demand", _("Waiting-list demand")
    APPOINTMENTS_SERVED = "appointments_served", _("Appointments served")
    SATISFACTION = "satisfaction", _("Satisfaction")
    BAD_RATING_RATE = "bad_rating_rate", _("Bad-rating rate")
    CALLBACK_ON_TIME_RATE = "callback_on_time_rate", _("Call-backs on time")
    RECTIFICATION_ON_TIME_RATE = "rectification_on_time_rate", _("Rectified on time")


# [(name, label), ...] for pages to iterate over, in display order.
METRICS = Metric.choices
METRIC_NAMES = [name for name, _label in METRICS]
# Shares between 0 and 1 (shown as percentages) rather than counts.
RATE_METRICS = {
    Metric.FILL_RATE,
    Metric.NO_SHOW_RATE,
    Metric.SATISFACTION,
    Metric.BAD_RATING_RATE,
    Metric.CALLBACK_ON_TIME_RATE,
    Metric.RECTIFICATION_ON_TIME_RATE,
}


class MonthlyFigures(models.Model):
    """The figures of one month for one unit: a centre, or a community, street or district.

    Written only by ``stats.rollup.monthly_figures_compute``, which replaces a month's rows
    as a whole. Every level is computed from the bookings themselves, not by adding up
    the rows below it, so distinct counts and rates are right at each level.
    """

    class Level(models.TextChoices):
        CENTRE = "centre", _("Centre")
        COMMUNITY = "community", _("Community / village")
        STREET = "street", _("Street / town")
        DISTRICT = "district", _("District")

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("service centre"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monthly_figures",
    )
    # The community, street or district of the row (null for a centre's row).
    area = models.ForeignKey(
        "centres.Area",
        verbose_name=_("area"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monthly_figures",
    )
    # For scoping with one indexed column, whatever the level (street is null only for
    # a district's row).
    street = models.ForeignKey("centres.Area", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    district = models.ForeignKey("centres.Area", on_delete=models.CASCADE, related_name="+")

    activities_held = models.PositiveIntegerField(_("activities held"), default=0)
    featured_activities_held = models.PositiveIntegerField(_("featured activities held"), default=0)
    after_hours_sessions = models.PositiveIntegerField(_("after-hours sessions"), default=0)
    places_booked = models.PositiveIntegerField(_("places booked"), default=0)
    attendances = models.PositiveIntegerField(_("attendances"), default=0)
    residents_served = models.PositiveIntegerField(_("residents served"), default=0)
    person_hours = models.DecimalField(_("person-hours of service"), max_digits=12, decimal_places=2, default=0)
    fill_rate = models.DecimalField(_("fill rate"), max_digits=5, decimal_places=4, null=True, blank=True)
    no_show_rate = models.DecimalField(_("no-show rate"), max_digits=5, decimal_places=4, null=True, blank=True)
    waiting_list_demand = models.PositiveIntegerField(_("waiting-list demand"), default=0)
    appointments_served = models.PositiveIntegerField(_("appointments served"), default=0)
    satisfaction = models.DecimalField(_("satisfaction"), max_digits=5, decimal_places=4, null=True, blank=True)
    bad_rating_rate = models.DecimalField(_("bad-rating rate"), max_digits=5, decimal_places=4, null=True, blank=True)
    callback_on_time_rate = models.DecimalField(
        _("call-backs on time"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    rectification_on_time_rate = models.DecimalField(
        _("rectified on time"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    # {service function code: sessions held}
    by_function = models.JSONField(_("sessions by service function"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("monthly figures")
        verbose_name_plural = _("monthly figures")
        ordering = ["-month", "level"]
        constraints = [
            models.UniqueConstraint(fields=["month", "level", "centre"], name="monthlyfigures_unique_centre"),
            models.UniqueConstraint(fields=["month", "level", "area"], name="monthlyfigures_unique_area"),
            models.CheckConstraint(
                condition=(
                    Q(level="centre", centre__isnull=False, area__isnull=True)
                    | Q(~Q(level="centre"), centre__isnull=True, area__isnull=False)
                ),
                name="monthlyfigures_unit_matches_level",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "level", "month"]),
            models.Index(fields=["street", "level", "month"]),
            models.Index(fields=["centre", "month"]),
            models.Index(fields=["area", "month"]),
        ]

    def __str__(self):
        unit = self.centre if self.level == self.Level.CENTRE else self.area
        return f"{unit} {self.month:%Y-%m}"

    def metric_items(self):
        """(name, label, value) for each metric, in the order of ``METRICS``."""
        return [(name, label, getattr(self, name)) for name, label in METRICS]


class DistrictTarget(models.Model):
    """A monthly minimum the district sets for one metric across its centres."""

    district = models.ForeignKey(
        "centres.Area",
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="statistics_targets",
        limit_choices_to={"level": "district"},
    )
    metric = models.CharField(_("figure"), max_length=30, choices=Metric.choices)
    minimum = models.DecimalField(_("at least"), max_digits=12, decimal_places=2)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("district target")
        verbose_name_plural = _("district targets")
        ordering = ["district", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["district", "metric"], name="districttarget_unique_metric"),
        ]

    def __str__(self):
        return f"{self.district}: {self.get_metric_display()} ≥ {self.minimum}"
