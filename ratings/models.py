"""Residents' satisfaction ratings (好差评) and the rectification of bad ones.

A ``Rating`` is one resident's verdict on one booking they attended or one appointment
they were served at, on the national five-level scale, with optional aspects and a
comment. A bad rating (the two lowest levels) opens a ``RectificationCase`` for the
centre: a call-back within ``RatingPolicy.callback_working_days`` and a rectification
reply within ``reply_working_days`` (working days follow the national calendar and its
make-up days), escalated to the street and then the district when overdue. After the
reply the resident may rate once more (a follow-up rating). A centre may appeal a rating
it believes malicious; district staff decide.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.models import Area, Centre


class Level(models.IntegerChoices):
    """The national five-level scale of government service ratings."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)

ASPECTS = [
    ("attitude", _("Staff attitude")),
    ("content", _("Content of the service")),
    ("environment", _("Environment")),
    ("timeliness", _("Timeliness")),
]


def _aspect(label):
    return models.PositiveSmallIntegerField(label, choices=Level.choices, null=True, blank=True)


class RatingPolicy(models.Model):
    """The district's deadlines for answering bad ratings, in working days."""

    district = models.OneToOneField(
        Area, on_delete=models.CASCADE, related_name="rating_policy", limit_choices_to={"level": "district"}
    )
    callback_working_days = models.PositiveSmallIntegerField(
        _("call back within (working days)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    reply_working_days = models.PositiveSmallIntegerField(
        _("rectification reply within (working days)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        verbose_name = _("rating rules")
        verbose_name_plural = _("rating rules")

    def __str__(self):
        return str(self.district)


class Rating(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="ratings")
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, null=True, blank=True, related_name="ratings"
    )
    appointment = models.ForeignKey(
        "bookings.Appointment", on_delete=models.CASCADE, null=True, blank=True, related_name="ratings"
    )
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings")
    level = models.PositiveSmallIntegerField(_("overall"), choices=Level.choices)
    attitude = _aspect(_("staff attitude"))
    content = _aspect(_("content of the service"))
    environment = _aspect(_("environment"))
    timeliness = _aspect(_("timeliness"))
    comment = models.TextField(_("comment"), max_length=500, blank=True)
    # The one further rating a resident may give after the centre's rectification reply.
    is_follow_up = models.BooleanField(default=False)
    # A rating the district found malicious on the centre's appeal: kept, but not counted.
    is_excluded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "is_follow_up"],
                condition=Q(booking__isnull=False),
                name="rating_once_per_booking",
            ),
            models.UniqueConstraint(
                fields=["appointment", "is_follow_up"],
                condition=Q(appointment__isnull=False),
                name="rating_once_per_appointment",
            ),
            models.CheckConstraint(
                condition=Q(booking__isnull=False, appointment__isnull=True)
                | Q(booking__isnull=True, appointment__isnull=False),
                name="rating_of_a_booking_or_an_appointment",
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_on_the_scale"),
        ]
        indexes = [models.Index(fields=["centre", "created_at"])]

    def __str__(self):
        return f"{self.centre_id} {self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RectificationCase(models.Model):
    """What a centre owes a resident who rated it badly."""

    class Status(models.TextChoices):
        AWAITING_CALLBACK = "callback", _("Waiting for the call-back")
        AWAITING_REPLY = "reply", _("Waiting for the rectification reply")
        REPLIED = "replied", _("Rectification replied")
        WITHDRAWN = "withdrawn", _("Rating found malicious on appeal")

    class Escalation(models.TextChoices):
        CENTRE = "centre", _("Centre")
        STREET = "street", _("Street / town")
        DISTRICT = "district", _("District")

    class Appeal(models.TextChoices):
        NONE = "", _("No appeal")
        PENDING = "pending", _("Appeal waiting for the district")
        UPHELD = "upheld", _("Appeal upheld: the rating is not counted")
        REJECTED = "rejected", _("Appeal rejected")

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="case")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="rectification_cases")
    street = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWAITING_CALLBACK)
    opened_at = models.DateTimeField(default=timezone.now)
    callback_due_at = models.DateTimeField()
    reply_due_at = models.DateTimeField()
    called_back_at = models.DateTimeField(null=True, blank=True)
    called_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    callback_note = models.TextField(_("what the resident said on the call-back"), max_length=1000, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply = models.TextField(_("rectification reply"), max_length=2000, blank=True)
    escalated_to = models.CharField(max_length=10, choices=Escalation.choices, default=Escalation.CENTRE)
    escalated_at = models.DateTimeField(null=True, blank=True)
    appeal = models.CharField(max_length=10, choices=Appeal.choices, default=Appeal.NONE, blank=True)
    appeal_reason = models.TextField(_("why the rating is believed malicious"), max_length=1000, blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_decided_at = models.DateTimeField(null=True, blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appeal_decision_note = models.TextField(max_length=1000, blank=True)

    class Meta:
        verbose_name = _("rectification case")
        verbose_name_plural = _("rectification cases")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["centre", "status"]),
            models.Index(fields=["district", "street", "status"]),
            models.Index(fields=["status", "callback_due_at"]),
            models.Index(fields=["status", "reply_due_at"]),
        ]

    def __str__(self):
        return f"{self.centre_id} {self.status}"
