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
# A rating is given within this many days of the session's end (or the appointment's), a
# rating after the centre's reply within this many days of the reply.
RATE_WITHIN_DAYS = 30

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


# --- The star-rating cycle (申报 → 考核 → 分档) ---------------------------------------------


class Cycle(models.Model):
    """One round of the district's star rating of its centres, e.g. "2026 annual".

    Draft (criteria and levels are set) → open (centres apply) → scoring (street staff and
    representatives score, computed criteria are filled) → review (district staff set
    the final levels) → published (fixed). ``cycle_*`` services in ``ratings/cycle.py``
    move it on; nothing is scored before scoring opens, nothing changes after publishing.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Open for applications")
        SCORING = "scoring", _("Being scored")
        REVIEW = "review", _("District rating")
        PUBLISHED = "published", _("Published")

    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="rating_cycles")
    name = models.CharField(_("name"), max_length=60)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    previous = models.ForeignKey(
        "self", verbose_name=_("compared with"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("star-rating cycle")
        verbose_name_plural = _("star-rating cycles")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="cycle_name_once_per_district"),
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="cycle_period_in_order"),
        ]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    class Source(models.TextChoices):
        COMPUTED = "computed", _("Computed from the portal's data")
        STREET = "street", _("Scored by street staff")
        REPRESENTATIVES = "representatives", _("Scored by residents' representatives")
        SELF = "self", _("Self-assessed with evidence")

    class Measure(models.TextChoices):
        SATISFACTION = "satisfaction", _("Residents' satisfaction")
        ACTIVITIES_AGAINST_TARGET = "activities", _("Activities held against the target")
        RESIDENTS_SERVED = "residents", _("Residents served")
        AFTER_HOURS = "after_hours", _("After-hours coverage")
        ON_TIME_RECTIFICATION = "rectification", _("Bad ratings rectified on time")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=80)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    source = models.CharField(_("scored by"), max_length=16, choices=Source.choices)
    measure = models.CharField(_("computed from"), max_length=16, choices=Measure.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="computed", measure__gt="") | (~Q(source="computed") & Q(measure="")),
                name="criterion_measure_only_when_computed",
            ),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_has_points"),
        ]

    def __str__(self):
        return self.name


class StarLevel(models.Model):
    """A band of total scores and the reward it carries."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="levels")
    stars = models.PositiveSmallIntegerField(_("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    min_score = models.DecimalField(_("from a total of"), max_digits=7, decimal_places=2)
    reward = models.DecimalField(_("reward (yuan)"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("star level")
        verbose_name_plural = _("star levels")
        ordering = ["-stars"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "stars"], name="star_level_once_per_cycle"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="star_level_one_to_five"),
        ]

    def __str__(self):
        return f"{self.stars}★ ≥ {self.min_score}"


class Application(models.Model):
    """A centre's application (申报) in a cycle, and where the cycle left it."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="applications")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="star_applications")
    applied_stars = models.PositiveSmallIntegerField(
        _("level applied for"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    self_assessment = models.TextField(_("self-assessment"), max_length=5000, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    total = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    proposed_stars = models.PositiveSmallIntegerField(null=True, blank=True)
    final_stars = models.PositiveSmallIntegerField(null=True, blank=True)
    final_reason = models.TextField(_("reason for a level other than the proposal"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["centre__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "centre"], name="application_once_per_cycle_and_centre"),
        ]

    def __str__(self):
        return f"{self.centre} ({self.cycle})"


def evidence_path(evidence, filename: str) -> str:
    return f"star-ratings/{evidence.application.cycle_id}/{evidence.application.centre_id}/{filename}"


class Evidence(models.Model):
    """A file that backs a self-assessment: an image or a PDF, checked on upload."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    caption = models.CharField(_("what it shows"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.caption or self.file.name


class Score(models.Model):
    """Points one scorer (or the portal, for a computed criterion) gave one criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="star_scores"
    )
    points = models.DecimalField(max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    note = models.CharField(max_length=500, blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "scorer"],
                condition=Q(scorer__isnull=False),
                name="score_once_per_scorer",
            ),
            models.UniqueConstraint(
                fields=["application", "criterion"], condition=Q(scorer__isnull=True), name="score_computed_once"
            ),
        ]

    def __str__(self):
        return f"{self.application_id} {self.criterion_id} {self.points}"


class RepresentativeAssignment(models.Model):
    """A residents' representative invited by the district to score one centre."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="assignments")
    representative = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "representative", "centre"], name="representative_assigned_once"),
        ]

    def __str__(self):
        return f"{self.representative_id} → {self.centre_id}"


class AuditEntry(models.Model):
    """Who changed what in a cycle, when, and the values before and after."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["cycle", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject}"
