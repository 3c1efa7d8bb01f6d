from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

mainland_mobile_validator = RegexValidator(
    regex=r"^1[3-9]\d{9}$",
    message=_("Enter an 11-digit mainland mobile number, such as 13812345678."),
)


def mask_phone(phone: str) -> str:
    """138****5678: what lists show of a phone number."""
    if len(phone) != 11:
        return phone
    return f"{phone[:3]}****{phone[-4:]}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone, password=None, **extra_fields):
        if not phone:
            raise ValueError("A user needs a phone number.")
        user = self.model(phone=phone, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", User.Role.DISTRICT_STAFF)
        return self.create_user(phone, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who logs in: residents and staff alike, told apart by ``role``.

    The role's scope is ``area`` (the street of street staff, the district of district
    staff, the community of a resident representative) or ``centres`` (centre staff).
    ``is_staff`` only opens Django's admin, which is kept for superusers.
    """

    class Role(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        CENTRE_STAFF = "centre_staff", _("Centre staff")
        STREET_STAFF = "street_staff", _("Street staff")
        DISTRICT_STAFF = "district_staff", _("District staff")
        REPRESENTATIVE = "representative", _("Resident representative")

    phone = models.CharField(_("mobile number"), max_length=11, unique=True, validators=[mainland_mobile_validator])
    name = models.CharField(_("name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    area = models.ForeignKey(
        "centres.Area",
        verbose_name=_("area in charge"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    centres = models.ManyToManyField(
        "centres.Centre", verbose_name=_("centres in charge"), blank=True, related_name="staff"
    )
    home_community = models.ForeignKey(
        "centres.Area",
        verbose_name=_("home community"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
    )
    email = models.EmailField(_("email address"), blank=True)
    # How the portal reaches this person: the inbox always; texts and emails as chosen,
    # written in their language.
    language = models.CharField(
        _("language of messages"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    notify_by_sms = models.BooleanField(_("text messages"), default=True)
    notify_by_email = models.BooleanField(_("emails"), default=False)
    wants_monthly_roundup = models.BooleanField(_("monthly round-up of activities"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name or self.masked_phone

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_portal_staff(self) -> bool:
        return self.role in {self.Role.CENTRE_STAFF, self.Role.STREET_STAFF, self.Role.DISTRICT_STAFF}

    def get_short_name(self):
        return self.name or self.masked_phone


class PhoneCode(models.Model):
    """A one-time code sent by SMS. Only its hash is kept."""

    class Purpose(models.TextChoices):
        SIGN_UP = "sign_up", _("Sign up")
        PASSWORD_RESET = "password_reset", _("Password reset")

    phone = models.CharField(max_length=11, validators=[mainland_mobile_validator])
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"])]

    def __str__(self):
        return f"{mask_phone(self.phone)} {self.purpose}"


class Notification(models.Model):
    """A message to one person: kept in their inbox in the portal, and sent by text
    message and email as they chose. The row is the outbox too: it is written in the
    transaction of what it tells, and a worker sends it after (``portal.notifications``).

    ``dedupe_key`` names a message that must go out at most once (a reminder of one
    booking, the round-up of one month): a second one with the same key is not written.
    """

    class Kind(models.TextChoices):
        BOOKING = "booking", _("Booking")
        REMINDER = "reminder", _("Reminder")
        OFFER = "offer", _("Waiting-list offer")
        CHANGE = "change", _("Change by the centre")
        APPOINTMENT = "appointment", _("Appointment")
        SUSPENSION = "suspension", _("Paused bookings")
        ROSTER = "roster", _("Tomorrow's rosters")
        ROUNDUP = "roundup", _("Monthly round-up")
        RATING = "rating", _("Rating")
        CASE = "case", _("Rectification of a bad rating")
        OTHER = "other", _("Other")

    class Delivery(models.TextChoices):
        PENDING = "pending", _("To be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")
        NONE = "none", _("Inbox only")

    recipient = models.ForeignKey(
        "portal.User", on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    text = models.CharField(_("message"), max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=100, blank=True)
    # Where the copies go, fixed when the message is written; empty: not by that channel.
    sms_to = models.CharField(max_length=11, blank=True)
    email_to = models.EmailField(blank=True)
    subject = models.CharField(max_length=120, blank=True)
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.NONE)
    sms_sent_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    # The outbox: due when ``send_after`` has passed and no worker holds a live claim.
    send_after = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            models.Index(fields=["send_after"], condition=models.Q(delivery="pending"), name="notification_outbox_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~models.Q(dedupe_key=""), name="notification_sent_once_per_key"
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(sms_to=""), name="notification_has_an_address"
            ),
        ]

    def __str__(self):
        return self.text[:40]


class Heartbeat(models.Model):
    """When a periodic process last showed it is alive (the beat scheduler: every minute)."""

    name = models.CharField(max_length=30, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"
