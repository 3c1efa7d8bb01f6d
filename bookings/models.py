"""Bookings: places at sessions and courses, waiting lists and their offers, passes,
check-in and no-shows, the district's booking rules, and after-hours appointments.

A ``Booking`` is one person's claim on one session or one course, through its whole
life: on the waiting list, offered a place, booked, cancelled. While it is offered or
booked it holds a ``Place`` at each session it covers (one for a session, one per session
for a course); a session's free places are its activity's capacity less its held places,
and the services count them under a lock on the session's row.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Occurrence, Series
from centres.models import Area, Centre, ServiceFunctionCode


class BookingPolicy(models.Model):
    """The booking rules a district sets for all its centres."""

    district = models.OneToOneField(
        Area, on_delete=models.CASCADE, related_name="booking_policy", limit_choices_to={"level": "district"}
    )
    max_active_bookings = models.PositiveSmallIntegerField(
        _("most coming bookings per resident"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Places and waiting-list entries for sessions still to come, the family's included."),
    )
    offer_hours = models.PositiveSmallIntegerField(
        _("hours to answer a waiting-list offer"), default=12, validators=[MinValueValidator(1), MaxValueValidator(72)]
    )
    no_show_limit = models.PositiveSmallIntegerField(
        _("no-shows that suspend booking"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    no_show_days = models.PositiveSmallIntegerField(
        _("counted over (days)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    suspension_days = models.PositiveSmallIntegerField(
        _("suspension (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("booking rules")
        verbose_name_plural = _("booking rules")

    def __str__(self):
        return str(self.district)


class Dependant(models.Model):
    """Someone a resident books for: a child, or an elder of the household. Only what
    a booking needs is kept."""

    class Relation(models.TextChoices):
        CHILD = "child", _("Child")
        ELDER = "elder", _("Elder in the household")
        OTHER = "other", _("Other family member")

    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dependants")
    name = models.CharField(_("name"), max_length=30)
    birth_date = models.DateField(_("date of birth"))
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices, default=Relation.CHILD)
    collectors = models.CharField(
        _("who may collect the child"),
        max_length=200,
        blank=True,
        help_text=_("Names and relations, e.g. mother Wang Li, grandfather Li Jun."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["birth_date", "pk"]

    def __str__(self):
        return self.name

    def age_on(self, date) -> int:
        years = date.year - self.birth_date.year
        if (date.month, date.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


ACTIVE_STATUSES = ("waiting", "offered", "confirmed")
HOLDING_STATUSES = ("offered", "confirmed")


class Booking(models.Model):
    """One person's claim on one session (``occurrence``) or one course (``course``)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("On the waiting list")
        OFFERED = "offered", _("Offered a place")
        CONFIRMED = "confirmed", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Offer declined")
        LAPSED = "lapsed", _("Offer lapsed")
        LEFT = "left", _("Left the waiting list")

    class Source(models.TextChoices):
        ONLINE = "online", _("Booked online")
        STAFF = "staff", _("Booked by staff")
        WALK_IN = "walk_in", _("Walk-in")

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, null=True, blank=True, related_name="bookings")
    course = models.ForeignKey(Series, on_delete=models.CASCADE, null=True, blank=True, related_name="bookings")
    # Copied from what is booked, so that scoping and lists need no joins.
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="bookings", editable=False)
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="bookings", editable=False)
    starts_at = models.DateTimeField(editable=False)
    ends_at = models.DateTimeField(editable=False)

    # Who holds the booking (None for a walk-in or someone staff booked without an
    # account) and who comes: the resident, or one of their family members.
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="bookings"
    )
    dependant = models.ForeignKey(Dependant, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings")
    person_name = models.CharField(_("name"), max_length=30)
    guest_phone = models.CharField(_("mobile number"), max_length=11, blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("pass code"), max_length=8, unique=True)
    # The form's one-time key: a double click or a resent form finds the booking it made.
    request_key = models.CharField(max_length=36, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    cancelled_by_centre = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurrence__isnull=False, course__isnull=True)
                | Q(occurrence__isnull=True, course__isnull=False),
                name="booking_one_session_or_one_course",
            ),
            models.UniqueConstraint(
                fields=["occurrence", "resident"],
                condition=Q(dependant__isnull=True, resident__isnull=False, status__in=ACTIVE_STATUSES),
                name="booking_once_per_resident_per_session",
            ),
            models.UniqueConstraint(
                fields=["occurrence", "dependant"],
                condition=Q(dependant__isnull=False, status__in=ACTIVE_STATUSES),
                name="booking_once_per_dependant_per_session",
            ),
            models.UniqueConstraint(
                fields=["course", "resident"],
                condition=Q(dependant__isnull=True, resident__isnull=False, status__in=ACTIVE_STATUSES),
                name="booking_once_per_resident_per_course",
            ),
            models.UniqueConstraint(
                fields=["course", "dependant"],
                condition=Q(dependant__isnull=False, status__in=ACTIVE_STATUSES),
                name="booking_once_per_dependant_per_course",
            ),
        ]
        indexes = [
            models.Index(fields=["occurrence", "status", "created_at"]),
            models.Index(fields=["course", "status", "created_at"]),
            models.Index(fields=["resident", "status", "ends_at"]),
            models.Index(fields=["status", "offer_expires_at"]),
        ]

    def __str__(self):
        return f"{self.person_name} · {self.activity_id} · {self.code}"

    def get_absolute_url(self):
        return reverse("bookings:detail", kwargs={"code": self.code})

    @property
    def is_course(self) -> bool:
        return self.course_id is not None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def holds_places(self) -> bool:
        return self.status in HOLDING_STATUSES

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


class Place(models.Model):
    """A booking's place at one session, and what happened there."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="places")
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="places")
    is_held = models.BooleanField(default=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    no_show = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(fields=["booking", "occurrence"], name="place_once_per_booking_and_session"),
        ]
        indexes = [
            models.Index(fields=["occurrence", "is_held"]),
            models.Index(fields=["no_show", "checked_in_at"]),
        ]

    def __str__(self):
        return f"{self.booking_id} @ {self.occurrence_id}"


class Suspension(models.Model):
    """New bookings refused in one district for a while, after repeated no-shows."""

    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspensions")
    district = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    no_shows = models.PositiveSmallIntegerField()
    within_days = models.PositiveSmallIntegerField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("booking suspension")
        verbose_name_plural = _("booking suspensions")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["resident", "district", "ends_at"])]

    def __str__(self):
        return f"{self.resident_id} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"


class FeedToken(models.Model):
    """The secret in the address of a resident's own calendar feed."""

    resident = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    token = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"feed of {self.resident_id}"


class AppointmentSetup(models.Model):
    """How a centre takes appointments in its by-appointment windows."""

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="appointment_setup")
    is_published = models.BooleanField(_("residents can book"), default=False)
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), default=30, validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    places_per_slot = models.PositiveSmallIntegerField(
        _("residents per slot"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    days_ahead = models.PositiveSmallIntegerField(
        _("bookable days ahead"), default=14, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    notice_hours = models.PositiveSmallIntegerField(
        _("book at least (hours before)"), default=2, validators=[MaxValueValidator(168)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("appointment set-up")
        verbose_name_plural = _("appointment set-ups")

    def __str__(self):
        return str(self.centre)


class AppointmentTopic(models.Model):
    """A service residents can book an appointment for, e.g. certificates, mediation."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="appointment_topics")
    name = models.CharField(_("name"), max_length=40)
    service_function = models.CharField(
        _("service function"), max_length=20, choices=ServiceFunctionCode.choices, default=ServiceFunctionCode.AFFAIRS
    )
    is_offered = models.BooleanField(_("offered"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("appointment service")
        verbose_name_plural = _("appointment services")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "name"],
                name="appointment_topic_unique_name",
                violation_error_message=_("The centre already offers appointments for this."),
            )
        ]

    def __str__(self):
        return self.name


APPOINTMENT_HOLDING_STATUSES = ("requested", "confirmed", "proposed")


class Appointment(models.Model):
    """A resident's appointment in one slot of a centre's by-appointment window."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the centre to confirm")
        CONFIRMED = "confirmed", _("Confirmed")
        PROPOSED = "proposed", _("The centre proposed another time")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Declined by the centre")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="appointments")
    topic = models.ForeignKey(AppointmentTopic, verbose_name=_("service"), on_delete=models.PROTECT)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="appointments"
    )
    person_name = models.CharField(_("name"), max_length=30)
    guest_phone = models.CharField(_("mobile number"), max_length=11, blank=True)
    need = models.TextField(_("what you need"), max_length=500)
    # The slot held: the one asked for, or the one the centre proposed.
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    requested_starts_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    staff_note = models.CharField(_("note from the centre"), max_length=200, blank=True)
    source = models.CharField(max_length=10, choices=Booking.Source.choices, default=Booking.Source.ONLINE)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("pass code"), max_length=8, unique=True)
    request_key = models.CharField(max_length=36, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    no_show = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="appointment_starts_before_ends"
            ),
        ]
        indexes = [
            models.Index(fields=["centre", "starts_at"]),
            models.Index(fields=["resident", "starts_at"]),
        ]

    def __str__(self):
        return f"{self.person_name} · {self.starts_at:%Y-%m-%d %H:%M} · {self.code}"

    def get_absolute_url(self):
        return reverse("bookings:appointment", kwargs={"code": self.code})

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


class Reminder(models.Model):
    """A reminder due before a booked session or an appointment: written in the same
    transaction as the booking (an outbox, not a far-future task), sent by the beat's
    sweep once due. At most one per booking, session and lead time (the constraint), and
    a sweep claims it under a row lock, so a second worker cannot send it again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To be sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not needed")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders")
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    appointment = models.ForeignKey(
        "bookings.Appointment", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    hours_before = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "occurrence", "hours_before"],
                condition=Q(booking__isnull=False),
                name="reminder_once_per_booking_session_and_time",
            ),
            models.UniqueConstraint(
                fields=["appointment", "hours_before"],
                condition=Q(appointment__isnull=False),
                name="reminder_once_per_appointment_and_time",
            ),
            models.CheckConstraint(
                condition=Q(booking__isnull=False, occurrence__isnull=False, appointment__isnull=True)
                | Q(booking__isnull=True, occurrence__isnull=True, appointment__isnull=False),
                name="reminder_of_a_booking_or_an_appointment",
            ),
        ]
        indexes = [models.Index(fields=["due_at"], condition=Q(status="pending"), name="reminder_due")]

    def __str__(self):
        return f"{self.hours_before}h {self.booking_id or self.appointment_id} {self.due_at:%Y-%m-%d %H:%M}"
