"""Writing ratings: a resident rates a session they attended or an appointment they were
served at, once; a bad rating opens the centre's rectification case in the same
transaction and tells the centre's staff. After the centre's reply the resident may rate
once more (a follow-up rating).

Two submits of the same form at the same moment make one rating: the unique constraints
on (booking, is_follow_up) and (appointment, is_follow_up) refuse the second, which is
answered like any other second rating.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.models import Appointment, Booking, Place
from portal.models import Notification, User
from portal.notifications import notification_send
from portal.templatetags.portal_tags import day_label

from .cases import case_url
from .models import ASPECTS, BAD_LEVELS, RATE_WITHIN_DAYS, Level, Rating, RatingPolicy, RectificationCase
from .working_days import add_working_days

COMMENT_MAX_LENGTH = 500
DEFAULT_CALLBACK_WORKING_DAYS = 1
DEFAULT_REPLY_WORKING_DAYS = 15

ALREADY_RATED = gettext_lazy("You have already rated this. Thank you.")
ALREADY_RATED_AGAIN = gettext_lazy("You have already rated this again after the centre's reply. Thank you.")
NOT_REPLIED_YET = gettext_lazy(
    "You can rate this again once the centre has replied to your rating. We will send you a message."
)
SESSION_NOT_ATTENDED = gettext_lazy("You can rate a session once it has ended and you were checked in there.")
APPOINTMENT_NOT_SERVED = gettext_lazy("You can rate an appointment once you were checked in there.")
TOO_LATE = gettext_lazy("The time to rate this has passed: a rating is given within %(days)s days.")
TOO_LATE_AGAIN = gettext_lazy(
    "The time to rate this again has passed: it is given within %(days)s days of the centre's reply."
)
NOT_YOURS = gettext_lazy("This is not one of your bookings.")
CHOOSE_LEVEL = gettext_lazy("Please choose how satisfied you are.")
COMMENT_TOO_LONG = gettext_lazy("Please keep the comment under %(count)s characters.")


class RatingRefused(ValidationError):
    """A rating the rules do not allow; its message says why, in the user's language."""


def _refuse(message, code: str = "refused"):
    raise RatingRefused(str(message), code=code)


def _used_at(resident: User, booking: Booking | None, appointment: Appointment | None, now: dt.datetime):
    """When the resident last used what they rate: the end of the last session of the
    booking they were checked in at, or of the appointment they were served at."""
    if (booking or appointment).resident_id != resident.pk:
        _refuse(NOT_YOURS, "not_yours")
    if booking is not None:
        last_end = Place.objects.filter(
            booking=booking, checked_in_at__isnull=False, occurrence__ends_at__lte=now
        ).aggregate(last=Max("occurrence__ends_at"))["last"]
        if last_end is None:
            _refuse(SESSION_NOT_ATTENDED, "not_attended")
        return last_end
    if appointment.checked_in_at is None:
        _refuse(APPOINTMENT_NOT_SERVED, "not_attended")
    return appointment.ends_at


def _is_follow_up(ratings: list[Rating]) -> bool:
    """Whether a new rating of what ``ratings`` (the earlier ones) rate is the follow-up:
    refused unless it is the first rating or the one follow-up after the case's reply."""
    if not ratings:
        return False
    if any(rating.is_follow_up for rating in ratings):
        _refuse(ALREADY_RATED_AGAIN, "already_rated")
    [first] = ratings
    case = getattr(first, "case", None)
    if case is None or case.status == RectificationCase.Status.WITHDRAWN:
        _refuse(ALREADY_RATED, "already_rated")
    if case.status != RectificationCase.Status.REPLIED:
        _refuse(NOT_REPLIED_YET, "not_replied")
    return True


def rating_allowed(
    *,
    resident: User,
    booking: Booking | None = None,
    appointment: Appointment | None = None,
    now: dt.datetime | None = None,
    earlier: list[Rating] | None = None,
) -> bool:
    """Check that the resident may rate the booking or appointment now; returns whether
    it would be their follow-up rating. Raises ``RatingRefused`` with the reason: not
    theirs, not used, rated already, waiting for the reply, or past the time to rate.
    ``earlier``: its ratings with their cases, the first first, when the caller has them."""
    now = now or timezone.now()
    used_at = _used_at(resident, booking, appointment, now)
    if earlier is None:
        of_it = {"booking": booking} if booking is not None else {"appointment": appointment}
        earlier = list(Rating.objects.filter(**of_it).select_related("case").order_by("pk"))
    ratings = earlier
    is_follow_up = _is_follow_up(ratings)
    window = dt.timedelta(days=RATE_WITHIN_DAYS)
    if is_follow_up and ratings[0].case.replied_at < now - window:
        _refuse(TOO_LATE_AGAIN % {"days": RATE_WITHIN_DAYS}, "too_late")
    if not is_follow_up and used_at < now - window:
        _refuse(TOO_LATE % {"days": RATE_WITHIN_DAYS}, "too_late")
    return is_follow_up


def _level(value, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            _refuse(CHOOSE_LEVEL, "level")
        return None
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = None
    if level not in Level.values:
        _refuse(CHOOSE_LEVEL, "level")
    return level


def rating_create(
    *,
    resident: User,
    booking: Booking | None = None,
    appointment: Appointment | None = None,
    level: int,
    attitude: int | None = None,
    content: int | None = None,
    environment: int | None = None,
    timeliness: int | None = None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Rating:
    """The resident's rating of one booking they attended or one appointment they were
    served at (exactly one of the two), or their one follow-up rating after the centre
    replied to a bad one. Raises ``RatingRefused`` with the reason, changing nothing."""
    if (booking is None) == (appointment is None):
        raise ValueError("Rate one booking or one appointment.")
    now = now or timezone.now()
    is_follow_up = rating_allowed(resident=resident, booking=booking, appointment=appointment, now=now)
    centre = (booking or appointment).centre
    fields = {"level": _level(level, required=True)}
    values = {"attitude": attitude, "content": content, "environment": environment, "timeliness": timeliness}
    for name, _label in ASPECTS:
        fields[name] = _level(values[name], required=False)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        _refuse(COMMENT_TOO_LONG % {"count": COMMENT_MAX_LENGTH}, "comment")
    with transaction.atomic():
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    centre=centre,
                    booking=booking,
                    appointment=appointment,
                    resident=resident,
                    comment=comment,
                    is_follow_up=is_follow_up,
                    created_at=now,
                    **fields,
                )
        except IntegrityError:  # the same form sent twice at once: the other one made it
            _refuse(ALREADY_RATED_AGAIN if is_follow_up else ALREADY_RATED, "already_rated")
        if rating.level in BAD_LEVELS and not is_follow_up:
            case_open(rating=rating, now=now)
    return rating


def case_open(*, rating: Rating, now: dt.datetime | None = None) -> RectificationCase:
    """The rectification case of a bad rating, with the deadlines of the centre's
    district, and a message to each active member of the centre's staff."""
    now = now or timezone.now()
    centre = rating.centre
    policy = RatingPolicy.objects.filter(district_id=centre.district_id).first()
    callback_days = policy.callback_working_days if policy else DEFAULT_CALLBACK_WORKING_DAYS
    reply_days = policy.reply_working_days if policy else DEFAULT_REPLY_WORKING_DAYS
    with transaction.atomic():
        case = RectificationCase.objects.create(
            rating=rating,
            centre=centre,
            street_id=centre.street_id,
            district_id=centre.district_id,
            opened_at=now,
            callback_due_at=add_working_days(now, callback_days),
            reply_due_at=add_working_days(now, reply_days),
        )
        staff = User.objects.filter(centres=centre, role=User.Role.CENTRE_STAFF, is_active=True).order_by("pk")
        for member in staff:
            notification_send(
                recipient=member,
                kind=Notification.Kind.CASE,
                text=lambda case=case: case_opened_text(case),
                url=lambda case=case: case_url(case),
                dedupe_key=f"rating-case-{case.pk}-{member.pk}",
            )
    return case


def case_opened_text(case: RectificationCase) -> str:
    """The message to the centre's staff, in the active language."""
    return _(
        "A resident rated %(centre)s “%(level)s”. Please call them back by %(callback)s and reply with "
        "the rectification by %(reply)s."
    ) % {
        "centre": case.centre.name,
        "level": Level(case.rating.level).label,
        "callback": day_label(case.callback_due_at),
        "reply": day_label(case.reply_due_at),
    }
