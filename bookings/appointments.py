"""After-hours appointments: a centre cuts its by-appointment windows (evenings,
weekends, holidays) into slots; residents ask for a slot and say what they need; staff
confirm, propose another time or decline; on the day staff check people in.

Slots are computed from the centre's hours (``centres.hours``), never stored: for a date,
the periods of kind "by appointment" (date exceptions and public holidays included), cut
into whole slots of ``slot_minutes``. A slot's free places are ``places_per_slot`` less the
appointments that hold it (``APPOINTMENT_HOLDING_STATUSES``) starting at that moment.

Capacity is never check-then-act: every write that makes a slot less available takes
the row lock of the centre's ``AppointmentSetup`` (with a short lock timeout on
PostgreSQL), counts, and inserts or moves in the same transaction. The same lock makes a
double click or a resent form (same ``request_key``) find the appointment it made.

Services (writes) raise ``ValidationError`` with a plain sentence and change nothing when
they refuse; selectors (reads) are at the end.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, ProtectedError, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from centres.holidays import NationalDay
from centres.hours import CentreHours
from centres.models import Centre, DateException, OpeningPeriod, ServiceKind
from centres.page_cache import public_pages_changed
from portal.models import Notification
from portal.notifications import notification_send
from portal.templatetags.portal_tags import hhmm, when

from .codes import new_pass_code, normalise_code
from .locking import set_lock_timeout
from .models import APPOINTMENT_HOLDING_STATUSES, Appointment, AppointmentSetup, AppointmentTopic, Booking
from .reminders import reminders_drop_appointment, reminders_plan_appointment

LOCK_TIMEOUT = "5s"
MAX_COMING_APPOINTMENTS = 3
NEED_MAX_LENGTH = 500
STAFF_SOURCES = (Booking.Source.STAFF, Booking.Source.WALK_IN)
# How a form names a slot: its local start, to the minute (2026-11-22T19:00).
SLOT_FORMAT = "%Y-%m-%dT%H:%M"


def busy_message() -> str:
    return _("The centre is busy; please try again in a moment.")


def full_message() -> str:
    return _("This time is fully booked. Please choose another time.")


# --- Slots -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentSlot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    places: int
    free: int

    @property
    def is_full(self) -> bool:
        return self.free <= 0

    @property
    def value(self) -> str:
        """How a form names the slot (``SLOT_FORMAT``)."""
        return timezone.localtime(self.starts_at).strftime(SLOT_FORMAT)


@dataclass(frozen=True)
class AppointmentDay:
    date: dt.date
    national: NationalDay
    slots: list[AppointmentSlot]
    note: str = ""

    @property
    def free(self) -> int:
        return sum(max(slot.free, 0) for slot in self.slots)


def _aware(date: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, time))


def _hours(centre: Centre, first: dt.date, last: dt.date) -> CentreHours:
    return CentreHours(
        list(OpeningPeriod.objects.filter(centre=centre, kind=ServiceKind.APPOINTMENT)),
        list(DateException.objects.filter(centre=centre, date__gte=first, date__lte=last)),
    )


def slot_times(hours: CentreHours, date: dt.date, minutes: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """The whole slots of ``minutes`` in the date's by-appointment periods (back-to-back
    periods joined), as aware start and end moments."""
    windows: list[list[dt.time]] = []
    for period in hours.schedule_for(date).slots:
        if period.kind != ServiceKind.APPOINTMENT:
            continue
        if windows and period.opens <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], period.closes)
        else:
            windows.append([period.opens, period.closes])
    length = dt.timedelta(minutes=minutes)
    times = []
    for opens, closes in windows:
        starts, end = _aware(date, opens), _aware(date, closes)
        while starts + length <= end:
            times.append((starts, starts + length))
            starts += length
    return times


def last_bookable_date(setup: AppointmentSetup, today: dt.date) -> dt.date:
    """Slots can be booked from today up to this date: ``days_ahead`` days in all."""
    return today + dt.timedelta(days=setup.days_ahead - 1)


def _holding_counts(centre: Centre, starts: dt.datetime, ends: dt.datetime) -> dict[dt.datetime, int]:
    rows = (
        Appointment.objects.filter(
            centre=centre, status__in=APPOINTMENT_HOLDING_STATUSES, starts_at__gte=starts, starts_at__lt=ends
        )
        .values("starts_at")
        .annotate(held=Count("pk"))
        .order_by()
    )
    return {row["starts_at"]: row["held"] for row in rows}


def appointment_slots(
    *,
    centre: Centre,
    start_date: dt.date | None = None,
    days: int | None = None,
    now: dt.datetime | None = None,
    setup: AppointmentSetup | None = None,
    for_staff: bool = False,
) -> list[AppointmentDay]:
    """The days from ``start_date`` (default today) on which the centre has slots still
    to come, for ``days`` days (default: the set-up's ``days_ahead``, counted from today),
    with each slot's free places (full slots included, with 0 free).

    Residents see only slots at least ``notice_hours`` ahead; staff (``for_staff``) see
    every slot that has not started."""
    now = now or timezone.now()
    if setup is None:
        setup = AppointmentSetup.objects.filter(centre=centre).first()
    if setup is None:
        return []
    today = timezone.localdate(now)
    start_date = max(start_date or today, today)
    last = last_bookable_date(setup, today)
    if days is not None:
        last = min(last, start_date + dt.timedelta(days=days - 1))
    if last < start_date:
        return []
    earliest = now if for_staff else now + dt.timedelta(hours=setup.notice_hours)
    hours = _hours(centre, start_date, last)
    held = _holding_counts(centre, _aware(start_date, dt.time()), _aware(last + dt.timedelta(days=1), dt.time()))
    result = []
    date = start_date
    while date <= last:
        slots = [
            AppointmentSlot(starts, ends, setup.places_per_slot, setup.places_per_slot - held.get(starts, 0))
            for starts, ends in slot_times(hours, date, setup.slot_minutes)
            if starts >= earliest
        ]
        if slots:
            schedule = hours.schedule_for(date)
            result.append(AppointmentDay(date, schedule.national, slots, schedule.exception_note))
        date += dt.timedelta(days=1)
    return result


# --- Set-up and services offered ---------------------------------------------------------


def appointment_setup_save(*, centre: Centre, **fields) -> AppointmentSetup:
    """Create or change how the centre takes appointments."""
    setup = AppointmentSetup.objects.filter(centre=centre).first() or AppointmentSetup(centre=centre)
    for name, value in fields.items():
        setattr(setup, name, value)
    setup.full_clean()
    with transaction.atomic():
        setup.save()
        # The centre's public page links to the booking page while the set-up is published.
        public_pages_changed()
    return setup


def appointment_topic_save(*, centre: Centre, topic: AppointmentTopic | None = None, **fields) -> AppointmentTopic:
    if topic is None:
        topic = AppointmentTopic(centre=centre, position=centre.appointment_topics.count())
    elif topic.centre_id != centre.pk:
        raise ValidationError(_("This service belongs to another centre."))
    for name, value in fields.items():
        setattr(topic, name, value)
    topic.full_clean()
    with transaction.atomic():
        topic.save()
        public_pages_changed()
    return topic


def appointment_topic_delete(*, topic: AppointmentTopic) -> None:
    try:
        with transaction.atomic():
            topic.delete()
            public_pages_changed()
    except ProtectedError as error:
        raise ValidationError(
            _("Appointments were made for “%(name)s”, so it cannot be deleted. Untick “offered” instead.")
            % {"name": topic.name}
        ) from error


# --- Locking -------------------------------------------------------------------------------


def _lock_setup(centre: Centre) -> AppointmentSetup:
    """The centre's set-up, row-locked until the transaction ends: every change to the
    centre's slots goes one at a time. Raises ``ValidationError`` when there is none."""
    setup = AppointmentSetup.objects.select_for_update().filter(centre=centre).first()
    if setup is None:
        raise ValidationError(_("This centre does not take appointments."))
    return setup


def _holding_at(centre: Centre, starts_at: dt.datetime, exclude_pk: int | None = None) -> int:
    held = Appointment.objects.filter(centre=centre, starts_at=starts_at, status__in=APPOINTMENT_HOLDING_STATUSES)
    if exclude_pk is not None:
        held = held.exclude(pk=exclude_pk)
    return held.count()


def _locked(appointment: Appointment) -> Appointment:
    """The appointment as it is now, row-locked until the transaction ends."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("centre", "topic", "resident")
        .get(pk=appointment.pk)
    )


def _slot_end(centre: Centre, setup: AppointmentSetup, starts_at: dt.datetime) -> dt.datetime | None:
    """The end of the slot starting at ``starts_at``, or None when no slot starts then."""
    date = timezone.localdate(starts_at)
    for starts, ends in slot_times(_hours(centre, date, date), date, setup.slot_minutes):
        if starts == starts_at:
            return ends
    return None


def _check_slot(
    *, centre: Centre, setup: AppointmentSetup, starts_at: dt.datetime, now: dt.datetime, by_staff: bool
) -> dt.datetime:
    """Refuse a time that is not one of the centre's slots, has passed, is too soon (for
    residents) or too far ahead; return the slot's end."""
    ends_at = _slot_end(centre, setup, starts_at)
    if ends_at is None:
        raise ValidationError(
            _("This is not one of the centre's appointment times. Please choose a time from the list.")
        )
    if starts_at <= now:
        raise ValidationError(_("This time has passed. Please choose a later time."))
    if not by_staff and starts_at < now + dt.timedelta(hours=setup.notice_hours):
        raise ValidationError(
            ngettext(
                "Appointments must be made at least %(hours)s hour ahead. Please choose a later time.",
                "Appointments must be made at least %(hours)s hours ahead. Please choose a later time.",
                setup.notice_hours,
            )
            % {"hours": setup.notice_hours}
        )
    last = last_bookable_date(setup, timezone.localdate(now))
    if timezone.localdate(starts_at) > last:
        raise ValidationError(
            ngettext(
                "Appointments can be made up to %(days)s day ahead. Please choose an earlier time.",
                "Appointments can be made up to %(days)s days ahead. Please choose an earlier time.",
                setup.days_ahead,
            )
            % {"days": setup.days_ahead}
        )
    return ends_at


def _when(appointment: Appointment) -> str:
    return f"{when(appointment.starts_at)}–{hhmm(appointment.ends_at)}"


def _tell(appointment: Appointment, text, words: Callable[[], dict]) -> None:
    """Tell the person the appointment is for (their inbox, text message and email as
    they chose), or send a text message alone to a guest's phone. ``text`` is lazy and
    ``words`` a function, so both are written in the recipient's language."""
    notification_send(
        recipient=appointment.resident,
        kind=Notification.Kind.APPOINTMENT,
        text=lambda: str(text) % words(),
        url=appointment.get_absolute_url,
        phone="" if appointment.resident_id else appointment.guest_phone,
    )


def _words(appointment: Appointment) -> dict:
    return {"centre": appointment.centre.name, "when": _when(appointment), "topic": appointment.topic.name}


# --- Asking for an appointment -------------------------------------------------------------


def appointment_request(
    *,
    centre: Centre,
    resident,
    topic: AppointmentTopic,
    starts_at: dt.datetime,
    need: str,
    request_key: str = "",
    person_name: str = "",
    guest_phone: str = "",
    source: str = Booking.Source.ONLINE,
    booked_by=None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Ask for (or, for staff, book) the slot starting at ``starts_at``.

    A resident's own request waits for the centre to confirm it; an appointment staff make
    (``source`` staff or walk-in, ``booked_by`` the staff member) is confirmed at once, may
    be at a centre whose set-up is not published and within the notice period. ``resident``
    is None for someone staff book without an account: then ``person_name`` is required.
    Given the same ``request_key`` again, returns the appointment it made."""
    now = now or timezone.now()
    by_staff = source in STAFF_SOURCES
    need = (need or "").strip()
    person_name = (person_name or "").strip()
    if resident is not None:
        person_name = person_name or resident.name or resident.masked_phone
    if not person_name:
        raise ValidationError(_("Please give the name of the person who is coming."))
    if not need:
        raise ValidationError(_("Please say what you need, so that the centre can prepare."))
    if len(need) > NEED_MAX_LENGTH:
        raise ValidationError(
            _("Please say what you need in %(count)s characters or fewer.") % {"count": NEED_MAX_LENGTH}
        )
    if topic is None or topic.centre_id != centre.pk or not topic.is_offered:
        raise ValidationError(_("Please choose one of the services this centre offers by appointment."))
    starts_at = starts_at.replace(second=0, microsecond=0)
    try:
        with transaction.atomic():
            set_lock_timeout(LOCK_TIMEOUT)
            setup = _lock_setup(centre)
            if request_key:
                earlier = Appointment.objects.filter(request_key=request_key, centre=centre)
                earlier = (
                    earlier.filter(resident=resident)
                    if resident is not None
                    else earlier.filter(resident__isnull=True, booked_by=booked_by)
                )
                found = earlier.first()
                if found is not None:
                    return found
            if not setup.is_published and not by_staff:
                raise ValidationError(_("This centre does not take appointments online at the moment."))
            ends_at = _check_slot(centre=centre, setup=setup, starts_at=starts_at, now=now, by_staff=by_staff)
            if resident is not None:
                _check_resident(resident, starts_at, ends_at, now)
            if _holding_at(centre, starts_at) >= setup.places_per_slot:
                raise ValidationError(full_message())
            appointment = _insert(
                Appointment(
                    centre=centre,
                    topic=topic,
                    resident=resident,
                    person_name=person_name[:30],
                    guest_phone="" if resident is not None else guest_phone,
                    need=need,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    requested_starts_at=starts_at,
                    status=Appointment.Status.CONFIRMED if by_staff else Appointment.Status.REQUESTED,
                    source=source,
                    booked_by=booked_by,
                    request_key=request_key,
                    created_at=now,
                )
            )
            appointment.centre = centre
            if by_staff:
                text = gettext_lazy(
                    "%(centre)s has booked an appointment for you: %(when)s, %(topic)s. Your pass code is %(code)s."
                )
            else:
                text = gettext_lazy(
                    "Your appointment request at %(centre)s for %(when)s (%(topic)s) has been received. "
                    "The centre will confirm it."
                )
            _tell(appointment, text, lambda: _words(appointment) | {"code": appointment.code_display})
            if appointment.status == Appointment.Status.CONFIRMED:
                reminders_plan_appointment(appointment=appointment, now=now)
            return appointment
    except OperationalError as error:
        raise ValidationError(busy_message()) from error


def _check_resident(resident, starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> None:
    coming = Appointment.objects.filter(resident=resident, status__in=APPOINTMENT_HOLDING_STATUSES, ends_at__gt=now)
    clash = coming.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).select_related("centre").first()
    if clash is not None:
        raise ValidationError(
            _("You already have an appointment at this time: %(when)s at %(centre)s.")
            % {"when": _when(clash), "centre": clash.centre.name}
        )
    if coming.count() >= MAX_COMING_APPOINTMENTS:
        raise ValidationError(
            ngettext(
                "You already have %(count)s appointment coming up. Please cancel one before making another.",
                "You already have %(count)s appointments coming up. Please cancel one before making another.",
                MAX_COMING_APPOINTMENTS,
            )
            % {"count": MAX_COMING_APPOINTMENTS}
        )


def _insert(appointment: Appointment) -> Appointment:
    """Save with a new pass code, drawing again in the (unlikely) case it is taken."""
    for _attempt in range(5):
        appointment.code = new_pass_code()
        try:
            with transaction.atomic():
                appointment.save()
            return appointment
        except IntegrityError:
            if not Appointment.objects.filter(code=appointment.code).exists():
                raise
    raise RuntimeError("Could not draw a free pass code.")


# --- The centre's answer and the resident's ------------------------------------------------


def _refuse_unless(appointment: Appointment, statuses: tuple, message: str) -> None:
    if appointment.status not in statuses:
        raise ValidationError(message)


def _refuse_if_started(appointment: Appointment, now: dt.datetime) -> None:
    if appointment.starts_at <= now:
        raise ValidationError(_("This appointment has started or is over, so it can no longer be changed."))


def appointment_confirm(*, appointment: Appointment, by, note: str = "") -> Appointment:
    with transaction.atomic():
        appointment = _locked(appointment)
        _refuse_unless(
            appointment, (Appointment.Status.REQUESTED,), _("Only a request waiting for an answer can be confirmed.")
        )
        _refuse_if_started(appointment, timezone.now())
        appointment.status = Appointment.Status.CONFIRMED
        appointment.staff_note = (note or "").strip()[:200]
        appointment.save(update_fields=["status", "staff_note", "updated_at"])
        text = gettext_lazy(
            "Your appointment at %(centre)s on %(when)s (%(topic)s) is confirmed. Your pass code is %(code)s."
        )
        _tell(appointment, text, lambda: _words(appointment) | {"code": appointment.code_display})
        reminders_plan_appointment(appointment=appointment)
    return appointment


def appointment_propose(*, appointment: Appointment, by, starts_at: dt.datetime, note: str) -> Appointment:
    """Offer the resident another time: the new slot is held at once (under the capacity
    check), the old one freed, and the resident accepts or declines."""
    now = timezone.now()
    starts_at = starts_at.replace(second=0, microsecond=0)
    try:
        with transaction.atomic():
            set_lock_timeout(LOCK_TIMEOUT)
            setup = _lock_setup(appointment.centre)
            appointment = _locked(appointment)
            _refuse_unless(
                appointment,
                APPOINTMENT_HOLDING_STATUSES,
                _("This appointment is cancelled or declined; another time can no longer be proposed."),
            )
            if appointment.checked_in_at is not None:
                raise ValidationError(_("This person has already checked in."))
            if starts_at == appointment.starts_at:
                raise ValidationError(_("Please choose a time other than the one already held."))
            centre = appointment.centre
            ends_at = _check_slot(centre=centre, setup=setup, starts_at=starts_at, now=now, by_staff=True)
            if _holding_at(centre, starts_at, exclude_pk=appointment.pk) >= setup.places_per_slot:
                raise ValidationError(full_message())
            appointment.starts_at, appointment.ends_at = starts_at, ends_at
            appointment.status = Appointment.Status.PROPOSED
            appointment.staff_note = (note or "").strip()[:200]
            appointment.save(update_fields=["starts_at", "ends_at", "status", "staff_note", "updated_at"])
            reminders_drop_appointment(appointment=appointment)
            text = gettext_lazy(
                "%(centre)s proposes another time for your appointment (%(topic)s): %(when)s. "
                "Please accept or decline it."
            )
            _tell(appointment, text, lambda: _words(appointment))
            return appointment
    except OperationalError as error:
        raise ValidationError(busy_message()) from error


def appointment_accept_proposal(*, appointment: Appointment) -> Appointment:
    with transaction.atomic():
        appointment = _locked(appointment)
        _refuse_unless(appointment, (Appointment.Status.PROPOSED,), _("There is no proposed time to answer."))
        _refuse_if_started(appointment, timezone.now())
        appointment.status = Appointment.Status.CONFIRMED
        appointment.save(update_fields=["status", "updated_at"])
        text = gettext_lazy(
            "Your appointment at %(centre)s on %(when)s (%(topic)s) is confirmed. Your pass code is %(code)s."
        )
        _tell(appointment, text, lambda: _words(appointment) | {"code": appointment.code_display})
        reminders_plan_appointment(appointment=appointment)
    return appointment


def appointment_decline_proposal(*, appointment: Appointment) -> Appointment:
    """The resident does not want the proposed time: the appointment is cancelled."""
    with transaction.atomic():
        appointment = _locked(appointment)
        _refuse_unless(appointment, (Appointment.Status.PROPOSED,), _("There is no proposed time to answer."))
        appointment.status = Appointment.Status.CANCELLED
        appointment.save(update_fields=["status", "updated_at"])
        reminders_drop_appointment(appointment=appointment)
        text = gettext_lazy(
            "You declined the time %(centre)s proposed (%(when)s). Your appointment request is cancelled."
        )
        _tell(appointment, text, lambda: _words(appointment))
    return appointment


def appointment_cancel(*, appointment: Appointment, by, reason: str = "", by_centre: bool = False) -> Appointment:
    """Cancel, by the resident or (``by_centre``) by the centre's staff, before it starts."""
    reason = (reason or "").strip()
    if by_centre and not reason:
        raise ValidationError(_("Please say why, so that the resident understands."))
    with transaction.atomic():
        appointment = _locked(appointment)
        _refuse_unless(appointment, APPOINTMENT_HOLDING_STATUSES, _("This appointment is already cancelled."))
        if appointment.checked_in_at is not None:
            raise ValidationError(_("This person has already checked in."))
        _refuse_if_started(appointment, timezone.now())
        appointment.status = Appointment.Status.CANCELLED
        fields = ["status", "updated_at"]
        if by_centre:
            appointment.staff_note = reason[:200]
            fields.append("staff_note")
            text = gettext_lazy("%(centre)s has cancelled your appointment on %(when)s (%(topic)s). Reason: %(reason)s")
        else:
            text = gettext_lazy("Your appointment at %(centre)s on %(when)s (%(topic)s) is cancelled.")
        appointment.save(update_fields=fields)
        reminders_drop_appointment(appointment=appointment)
        _tell(appointment, text, lambda: _words(appointment) | {"reason": reason})
    return appointment


def appointment_decline(*, appointment: Appointment, by, reason: str) -> Appointment:
    """The centre cannot help with this request: it is declined, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please say why, so that the resident understands."))
    with transaction.atomic():
        appointment = _locked(appointment)
        _refuse_unless(
            appointment,
            (Appointment.Status.REQUESTED, Appointment.Status.PROPOSED),
            _("Only a request waiting for an answer can be declined. Cancel a confirmed appointment instead."),
        )
        appointment.status = Appointment.Status.DECLINED
        appointment.staff_note = reason[:200]
        appointment.save(update_fields=["status", "staff_note", "updated_at"])
        reminders_drop_appointment(appointment=appointment)
        text = gettext_lazy(
            "%(centre)s cannot take your appointment request for %(when)s (%(topic)s). Reason: %(reason)s"
        )
        _tell(appointment, text, lambda: _words(appointment) | {"reason": reason})
    return appointment


# --- Check-in ------------------------------------------------------------------------------


def appointment_check_in(*, appointment: Appointment, by, now: dt.datetime | None = None) -> Appointment:
    """The person has come, on the day of the appointment. A request the centre had not
    answered yet is confirmed by checking in."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.DECLINED):
            raise ValidationError(_("This appointment is cancelled or declined."))
        if appointment.status == Appointment.Status.PROPOSED:
            raise ValidationError(_("The resident has not accepted the proposed time yet."))
        if appointment.checked_in_at is not None:
            raise ValidationError(
                _("%(name)s already checked in at %(time)s.")
                % {"name": appointment.person_name, "time": hhmm(appointment.checked_in_at)}
            )
        day = timezone.localdate(appointment.starts_at)
        if day != timezone.localdate(now):
            raise ValidationError(
                _("This appointment is on %(date)s, not today.") % {"date": when(appointment.starts_at)}
            )
        was_requested = appointment.status == Appointment.Status.REQUESTED
        appointment.status = Appointment.Status.CONFIRMED
        appointment.checked_in_at, appointment.checked_in_by, appointment.no_show = now, by, False
        appointment.save(update_fields=["status", "checked_in_at", "checked_in_by", "no_show", "updated_at"])
        if was_requested:
            text = gettext_lazy("You have checked in for your appointment at %(centre)s (%(when)s).")
            _tell(appointment, text, lambda: _words(appointment))
    return appointment


def appointment_check_in_undo(*, appointment: Appointment, by) -> Appointment:
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.checked_in_at is None:
            raise ValidationError(_("This person has not checked in."))
        appointment.checked_in_at, appointment.checked_in_by = None, None
        appointment.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    return appointment


def appointment_check_in_by_code(*, centre: Centre, date: dt.date, code: str, by) -> Appointment:
    """Check in whoever shows the pass ``code`` (typed or scanned) on ``date``."""
    code = normalise_code(code)
    appointment = Appointment.objects.filter(centre=centre, code=code).first() if code else None
    if appointment is None:
        raise ValidationError(_("No appointment at this centre has this pass code. Please check the code."))
    if timezone.localdate(appointment.starts_at) != date:
        raise ValidationError(_("This pass is for %(when)s, not for this day.") % {"when": _when(appointment)})
    return appointment_check_in(appointment=appointment, by=by)


# --- Selectors ------------------------------------------------------------------------------


def appointments_of_resident(resident, *, since: dt.datetime | None = None) -> QuerySet[Appointment]:
    """The resident's appointments (every status), soonest first; with ``since``, only
    those ending after it."""
    appointments = Appointment.objects.filter(resident=resident).select_related("centre", "topic")
    if since is not None:
        appointments = appointments.filter(ends_at__gt=since)
    return appointments.order_by("starts_at", "pk")


def appointment_day_roster(centre: Centre, date: dt.date) -> QuerySet[Appointment]:
    """Everyone with an appointment at the centre on ``date`` (every status), by time."""
    return (
        Appointment.objects.filter(
            centre=centre,
            starts_at__gte=_aware(date, dt.time()),
            starts_at__lt=_aware(date + dt.timedelta(days=1), dt.time()),
        )
        .select_related("topic", "resident", "checked_in_by", "booked_by")
        .order_by("starts_at", "person_name", "pk")
    )


def appointment_days_ahead(centre: Centre, today: dt.date, days: int) -> dict[dt.date, int]:
    """For the roster's day list: the number of appointments holding a slot per date."""
    counts: dict[dt.date, int] = {}
    rows = Appointment.objects.filter(
        centre=centre,
        status__in=APPOINTMENT_HOLDING_STATUSES,
        starts_at__gte=_aware(today, dt.time()),
        starts_at__lt=_aware(today + dt.timedelta(days=days), dt.time()),
    ).values_list("starts_at", flat=True)
    for starts_at in rows:
        date = timezone.localdate(starts_at)
        counts[date] = counts.get(date, 0) + 1
    return counts


def published_setup(centre: Centre) -> AppointmentSetup | None:
    """The centre's set-up if residents may book and at least one service is offered."""
    return (
        AppointmentSetup.objects.filter(centre=centre, is_published=True, centre__appointment_topics__is_offered=True)
        .distinct()
        .first()
    )
