"""Writes to activities, their series and sessions, partners and brands.

Scheduling keeps two rules whoever saves and however many save at once:

- no two scheduled sessions share a room at the same time: the writer locks the rooms it
  is about to fill (in id order), looks for clashes, and writes, in one transaction; on
  PostgreSQL an exclusion constraint (migration 0002) backs this up for any other writer;
- a session is held only when the centre is open for all of it, and whether it is
  after-hours service follows from the centre's hours for that day.

A refused change raises ``ScheduleConflict`` (a ``ValidationError``) whose messages name
each clash or closed day, and nothing is saved.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from centres.hours import CentreHours
from centres.models import Area, Centre, DateException, OpeningPeriod, Room, ServiceFunctionCode
from centres.page_cache import public_pages_changed
from portal.images import prepare_image
from portal.templatetags.portal_tags import full_date

from .models import Activity, Brand, Occurrence, Partner, Series
from .recurrence import Plan, PlannedSession, SkippedDate, aware, fit_session, plan_series, service_kind_at
from .signals import capacity_raised, occurrences_cancelled, occurrences_moved

LOCK_TIMEOUT = "5s"


class Scope(StrEnum):
    """Which sessions of a series a change applies to."""

    THIS = "this"
    FOLLOWING = "following"
    ALL = "all"


class ScheduleConflict(ValidationError):
    """A scheduling change refused because of room clashes or days the centre is closed."""


@dataclass(frozen=True)
class Clash:
    planned: PlannedSession
    other: Occurrence

    @property
    def message(self) -> str:
        other_starts, other_ends = timezone.localtime(self.other.starts_at), timezone.localtime(self.other.ends_at)
        if other_starts.date() == timezone.localdate(self.planned.starts_at):
            other_time = f"{other_starts:%H:%M}–{other_ends:%H:%M}"
        else:
            other_time = describe_when(self.other.starts_at, self.other.ends_at)
        return _("%(when)s: %(room)s is taken by “%(activity)s” (%(time)s).") % {
            "when": describe_when(self.planned.starts_at, self.planned.ends_at),
            "room": self.other.room.name,
            "activity": self.other.activity.title,
            "time": other_time,
        }


def describe_when(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    starts, ends = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return f"{full_date(starts.date())} {starts:%H:%M}–{ends:%H:%M}"


def _skipped_message(skipped: SkippedDate) -> str:
    return _("Not on %(date)s: %(reason)s.") % {
        "date": full_date(skipped.date),
        "reason": skipped.reason,
    }


# Partners and brands.


def partner_save(*, centre: Centre, partner: Partner | None = None, **fields) -> Partner:
    partner = partner or Partner(centre=centre)
    for name, value in fields.items():
        setattr(partner, name, value)
    partner.name = partner.name.strip()
    partner.full_clean()
    partner.save()
    public_pages_changed()
    return partner


def partner_delete(*, partner: Partner) -> None:
    try:
        with transaction.atomic():
            partner.delete()
    except ProtectedError as error:
        raise ValidationError(
            _("%(partner)s still organises activities. Choose another organiser for them first.")
            % {"partner": partner.name}
        ) from error
    public_pages_changed()


def _unique_brand_slug(name: str, exclude_pk: int | None = None) -> str:
    base = slugify("".join(lazy_pinyin(name)))[:60] or "brand"
    slug, counter = base, 2
    while Brand.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def _district_of(area: Area) -> Area:
    while area.parent_id is not None:
        area = area.parent
    return area


def brand_save(*, area: Area, name: str, description: str = "", brand: Brand | None = None) -> Brand:
    brand = brand or Brand()
    renamed = brand.pk is None or brand.name != name.strip()
    brand.name = name.strip()
    brand.area = area
    brand.district = _district_of(area)
    brand.description = description
    if renamed:
        brand.slug = _unique_brand_slug(brand.name, brand.pk)
    brand.full_clean()
    brand.save()
    public_pages_changed()
    return brand


def brand_delete(*, brand: Brand) -> None:
    brand.delete()
    public_pages_changed()


# Activities.

ACTIVITY_FIELDS = {
    "title",
    "description",
    "service_function",
    "partner",
    "audience",
    "min_age",
    "max_age",
    "capacity",
    "booking_required",
    "booking_opens_days",
    "booking_closes_minutes",
    "cancel_until_minutes",
    "brand",
}


def activity_save(
    *, centre: Centre, activity: Activity | None = None, poster=None, remove_poster: bool = False, **fields
) -> Activity:
    """Create or change an activity. ``poster`` is an uploaded image, checked and
    re-encoded like centre photos."""
    unknown = set(fields) - ACTIVITY_FIELDS
    if unknown:
        raise TypeError(f"activity_save() cannot set {sorted(unknown)}")
    activity = activity or Activity(centre=centre)
    for name, value in fields.items():
        setattr(activity, name, value)
    if activity.partner is not None and activity.partner.centre_id != centre.pk:
        raise ValidationError({"partner": _("Choose one of this centre's partners.")})
    if activity.brand is not None and activity.brand.district_id != centre.district_id:
        raise ValidationError({"brand": _("Choose a brand of this centre's district.")})
    if activity.service_function not in ServiceFunctionCode.values:
        raise ValidationError({"service_function": _("Choose a service function.")})
    activity.full_clean(exclude=["poster", "poster_thumbnail"])
    capacity_before = None
    if activity.pk:
        _check_capacity_fits_rooms(activity)
        capacity_before = Activity.objects.filter(pk=activity.pk).values_list("capacity", flat=True).first()
    old_files = []
    if poster is not None:
        prepared = prepare_image(poster)
        old_files = [activity.poster, activity.poster_thumbnail] if activity.poster else []
        activity.poster.save(prepared.image.name, prepared.image, save=False)
        activity.poster_thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
    elif remove_poster and activity.poster:
        old_files = [activity.poster, activity.poster_thumbnail]
        activity.poster = activity.poster_thumbnail = ""
    with transaction.atomic():
        activity.save()
        public_pages_changed()
        if capacity_before is not None and activity.capacity > capacity_before:
            transaction.on_commit(lambda: capacity_raised.send(sender=Activity, activity_id=activity.pk))
        for old in old_files:
            transaction.on_commit(lambda old=old: old.storage.delete(old.name) if old.name else None)
    return activity


def _check_capacity_fits_rooms(activity: Activity) -> None:
    rooms = Room.objects.filter(
        occurrences__activity=activity,
        occurrences__status=Occurrence.Status.SCHEDULED,
        occurrences__ends_at__gt=timezone.now(),
        capacity__lt=activity.capacity,
    ).distinct()
    small = rooms.first()
    if small is not None:
        raise ValidationError(
            {
                "capacity": _("%(room)s, where sessions are planned, holds only %(count)s people.")
                % {"room": small.name, "count": small.capacity}
            }
        )


def activity_delete(*, activity: Activity) -> None:
    """Delete an activity that has never been held; one with past sessions stays, for the
    record (cancel its coming sessions instead)."""
    if activity.occurrences.live().filter(starts_at__lt=timezone.now()).exists():
        raise ValidationError(
            _("“%(title)s” has been held already, so it stays on record. Cancel its coming sessions instead.")
            % {"title": activity.title}
        )
    files = [activity.poster, activity.poster_thumbnail] if activity.poster else []
    with transaction.atomic():
        activity.delete()
        public_pages_changed()
        for old in files:
            transaction.on_commit(lambda old=old: old.storage.delete(old.name) if old.name else None)


# Scheduling.


def hours_for(centre: Centre, start: dt.date, end: dt.date) -> CentreHours:
    return CentreHours(
        list(OpeningPeriod.objects.filter(centre=centre)),
        list(DateException.objects.filter(centre=centre, date__gte=start, date__lte=end)),
    )


def _check_room(activity: Activity, room: Room | None) -> None:
    if room is None:
        return
    if room.centre_id != activity.centre_id:
        raise ValidationError({"room": _("Choose one of this centre's rooms.")})
    if room.capacity < activity.capacity:
        raise ValidationError(
            {
                "room": _("%(room)s holds %(count)s people, fewer than the %(places)s places of this activity.")
                % {"room": room.name, "count": room.capacity, "places": activity.capacity}
            }
        )


def find_clashes(*, room: Room | None, sessions: Iterable[PlannedSession], ignore: Iterable[int] = ()) -> list[Clash]:
    """The scheduled sessions in ``room`` that overlap any of ``sessions``, and clashes
    among ``sessions`` themselves. One query."""
    sessions = sorted(sessions, key=lambda s: s.starts_at)
    if room is None or not sessions:
        return []
    existing = list(
        Occurrence.objects.in_room_overlapping(room, sessions[0].starts_at, max(s.ends_at for s in sessions))
        .exclude(pk__in=list(ignore))
        .select_related("activity", "room")
        .order_by("starts_at")
    )
    clashes = []
    for planned in sessions:
        for other in existing:
            if other.starts_at < planned.ends_at and planned.starts_at < other.ends_at:
                clashes.append(Clash(planned, other))
    return clashes


def _lock_rooms(rooms: Iterable[Room | None]) -> None:
    """Take the rooms' row locks, in id order so two writers never wait on each other
    in a circle; wait at most ``LOCK_TIMEOUT``."""
    ids = sorted({room.pk for room in rooms if room is not None})
    if not ids:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    try:
        list(Room.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    except OperationalError as error:
        raise ValidationError(_("Someone else is changing this room's schedule. Please try again.")) from error


def _raise_conflicts(clashes: list[Clash], skipped: list[SkippedDate] = ()) -> None:
    messages = [clash.message for clash in clashes] + [_skipped_message(s) for s in skipped]
    if messages:
        raise ScheduleConflict(messages)


def _save_guarded(write):
    """Run ``write()`` and turn a violation of the room exclusion constraint (another
    writer that got past the lock) into a clear refusal."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        if "occurrence_no_room_overlap" in str(error):
            raise ScheduleConflict(
                _("The room was booked by someone else meanwhile. Please check the times and try again.")
            ) from error
        raise


def schedule_plan(
    *,
    activity: Activity,
    rule: str | None,
    first_date: dt.date,
    starts: dt.time,
    ends: dt.time,
    room: Room | None,
    until: dt.date | None = None,
    count: int | None = None,
    skip_public_holidays: bool = True,
    on_make_up_days: bool = False,
) -> tuple[Plan, list[Clash]]:
    """What saving this schedule would do: the sessions, the dates skipped and the room
    clashes. Nothing is written (the preview of the scheduling form)."""
    _check_within_reach(first_date, "first_date")
    if starts >= ends:
        raise ValidationError({"ends": _("The end time must be after the start time.")})
    _check_room(activity, room)
    if rule is None:
        last = first_date
    else:
        if until is None and count is None:
            raise ValidationError(_("Say when the series ends: a last date or a number of sessions."))
        if until is not None and until < first_date:
            raise ValidationError({"until": _("The last date must not be before the first date.")})
        last = until or first_date + dt.timedelta(days=731)
    hours = hours_for(activity.centre, first_date, last)
    if rule is None:
        fitted = fit_session(hours.schedule_for(first_date), starts, ends)
        plan = Plan(sessions=[fitted]) if isinstance(fitted, PlannedSession) else Plan(skipped=[fitted])
    else:
        plan = plan_series(
            hours=hours,
            rule=rule,
            first_date=first_date,
            until=until,
            count=count,
            starts=starts,
            ends=ends,
            skip_public_holidays=skip_public_holidays,
            on_make_up_days=on_make_up_days,
        )
    return plan, find_clashes(room=room, sessions=plan.sessions)


def _new_occurrence(activity: Activity, planned: PlannedSession, room: Room | None, series=None) -> Occurrence:
    return Occurrence(
        activity=activity,
        series=series,
        centre_id=activity.centre_id,
        room=room,
        starts_at=planned.starts_at,
        ends_at=planned.ends_at,
        after_hours_kind=planned.service_kind,
        is_after_hours=planned.is_after_hours,
    )


# How far ahead sessions may be planned.
PLAN_AHEAD_DAYS = 731


def _check_within_reach(date: dt.date, field: str) -> None:
    if date > timezone.localdate() + dt.timedelta(days=PLAN_AHEAD_DAYS):
        raise ValidationError({field: _("Sessions can be planned at most two years ahead.")})


def _check_not_past(starts_at: dt.datetime) -> None:
    if starts_at <= timezone.now():
        raise ValidationError(_("Sessions can only be planned for the future."))


def occurrence_create(
    *, activity: Activity, date: dt.date, starts: dt.time, ends: dt.time, room: Room | None
) -> Occurrence:
    """A single session. Refused on a day the centre is closed, outside its hours, in the
    past, or when the room is taken."""

    def write():
        _lock_rooms([room])
        plan, clashes = schedule_plan(
            activity=activity, rule=None, first_date=date, starts=starts, ends=ends, room=room
        )
        _raise_conflicts(clashes, plan.skipped)
        _check_not_past(plan.sessions[0].starts_at)
        occurrence = _new_occurrence(activity, plan.sessions[0], room)
        occurrence.save()
        public_pages_changed()
        return occurrence

    return _save_guarded(write)


def series_create(
    *,
    activity: Activity,
    rule: str,
    first_date: dt.date,
    starts: dt.time,
    ends: dt.time,
    room: Room | None,
    until: dt.date | None = None,
    count: int | None = None,
    skip_public_holidays: bool = True,
    on_make_up_days: bool = False,
    is_course: bool = False,
) -> Series:
    """A series and all its sessions, or nothing: any room clash refuses the whole
    series. Dates the centre is closed (or a public holiday the series skips) are left
    out, as the preview showed."""

    def write():
        _lock_rooms([room])
        plan, clashes = schedule_plan(
            activity=activity,
            rule=rule,
            first_date=first_date,
            until=until,
            count=count,
            starts=starts,
            ends=ends,
            room=room,
            skip_public_holidays=skip_public_holidays,
            on_make_up_days=on_make_up_days,
        )
        _raise_conflicts(clashes)
        if not plan.sessions:
            raise ScheduleConflict(
                [_("No session of this series can be held:")] + [_skipped_message(s) for s in plan.skipped[:10]]
            )
        _check_not_past(plan.sessions[0].starts_at)
        series = Series.objects.create(
            activity=activity,
            rule=rule,
            first_date=first_date,
            until=until,
            count=count,
            starts=starts,
            ends=ends,
            room=room,
            skip_public_holidays=skip_public_holidays,
            on_make_up_days=on_make_up_days,
            is_course=is_course,
        )
        Occurrence.objects.bulk_create(_new_occurrence(activity, planned, room, series) for planned in plan.sessions)
        public_pages_changed()
        return series

    return _save_guarded(write)


def _series_sessions_in_scope(occurrence: Occurrence, scope: Scope, *, include_detached: bool):
    """The live sessions of ``occurrence``'s series that a change with ``scope`` reaches.
    Sessions changed on their own (detached) are left alone by a move, but not by a
    cancellation; the session the change was made from is always included."""
    sessions = Occurrence.objects.live().filter(series=occurrence.series_id)
    if scope == Scope.FOLLOWING:
        sessions = sessions.filter(starts_at__gte=occurrence.starts_at)
    else:
        sessions = sessions.filter(starts_at__gt=timezone.now())
    if not include_detached:
        sessions = sessions.filter(Q(is_detached=False) | Q(pk=occurrence.pk))
    return list(sessions.select_related("activity").order_by("starts_at"))


def occurrences_reschedule(
    *,
    occurrence: Occurrence,
    scope: Scope = Scope.THIS,
    starts: dt.time,
    ends: dt.time,
    room: Room | None,
    date: dt.date | None = None,
) -> list[Occurrence]:
    """Move a session, this and the following sessions of its series, or all its coming
    sessions to another time of day and/or room (and a single session also to another
    date). All or nothing; returns the sessions changed."""
    scope = Scope(scope)
    if occurrence.series_id is None:
        scope = Scope.THIS
    if occurrence.is_cancelled:
        raise ValidationError(_("This session is cancelled; it cannot be moved."))
    if occurrence.starts_at <= timezone.now():
        raise ValidationError(_("This session has started or is over; it can no longer be changed."))
    if date is not None:
        _check_within_reach(date, "date")
    if starts >= ends:
        raise ValidationError({"ends": _("The end time must be after the start time.")})
    activity = occurrence.activity
    _check_room(activity, room)

    def write():
        _lock_rooms([room, occurrence.room])
        if scope == Scope.THIS:
            targets = [occurrence]
            dates = {occurrence.pk: date or timezone.localdate(occurrence.starts_at)}
        else:
            targets = _series_sessions_in_scope(occurrence, scope, include_detached=False)
            dates = {target.pk: timezone.localdate(target.starts_at) for target in targets}
        if not targets:
            raise ValidationError(_("There are no coming sessions to change."))
        hours = hours_for(activity.centre, min(dates.values()), max(dates.values()))
        planned, skipped = {}, []
        for target in targets:
            fitted = fit_session(hours.schedule_for(dates[target.pk]), starts, ends)
            if isinstance(fitted, SkippedDate):
                skipped.append(fitted)
            else:
                planned[target.pk] = fitted
        if planned:
            # A new time of day earlier than now would put today's session in the past.
            _check_not_past(min(fitted.starts_at for fitted in planned.values()))
        clashes = find_clashes(room=room, sessions=planned.values(), ignore=[t.pk for t in targets])
        _raise_conflicts(clashes, skipped)
        now = timezone.now()
        for target in targets:
            fitted = planned[target.pk]
            target.starts_at, target.ends_at, target.room = fitted.starts_at, fitted.ends_at, room
            target.updated_at = now
            target.after_hours_kind, target.is_after_hours = fitted.service_kind, fitted.is_after_hours
            if scope == Scope.THIS and target.series_id:
                target.is_detached = True
        Occurrence.objects.bulk_update(
            targets, ["starts_at", "ends_at", "room", "after_hours_kind", "is_after_hours", "is_detached", "updated_at"]
        )
        if scope != Scope.THIS:
            _series_follow(occurrence, scope, targets, starts=starts, ends=ends, room=room)
        public_pages_changed()
        ids = [target.pk for target in targets]
        transaction.on_commit(lambda: occurrences_moved.send(sender=Occurrence, occurrence_ids=ids))
        return targets

    return _save_guarded(write)


def _series_follow(occurrence: Occurrence, scope: Scope, targets: list[Occurrence], **changes) -> None:
    """Make the series record say what its sessions now are. For "this and following",
    the series is split at this session: the earlier part keeps the old times."""
    series = Series.objects.select_for_update().get(pk=occurrence.series_id)
    # Split by date, not by the session's old start: the targets have just been moved,
    # maybe to an earlier time of day, and must all go to the new part.
    split_date = timezone.localdate(occurrence.starts_at)
    split_at = aware(split_date, dt.time())
    target_ids = [target.pk for target in targets]
    earlier = series.occurrences.filter(starts_at__lt=split_at).exclude(pk__in=target_ids).exists()
    if scope == Scope.FOLLOWING and earlier:
        last_date = max(timezone.localdate(t.starts_at) for t in targets)
        new = Series.objects.create(
            activity=series.activity,
            rule=series.rule,
            first_date=split_date,
            until=max(last_date, series.until or last_date),
            count=None,
            skip_public_holidays=series.skip_public_holidays,
            on_make_up_days=series.on_make_up_days,
            **changes,
        )
        series.until, series.count = split_date - dt.timedelta(days=1), None
        series.save(update_fields=["until", "count"])
        Occurrence.objects.filter(series=series).filter(Q(starts_at__gte=split_at) | Q(pk__in=target_ids)).update(
            series=new
        )
        return
    for name, value in changes.items():
        setattr(series, name, value)
    series.save(update_fields=list(changes))


def occurrences_cancel(*, occurrence: Occurrence, reason: str, scope: Scope = Scope.THIS) -> list[Occurrence]:
    """Cancel a session, this and the following sessions of its series, or all its coming
    sessions. Residents with places are told through ``signals.occurrences_cancelled``."""
    scope = Scope(scope)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the session is cancelled: residents will see it.")})
    if occurrence.series_id is None:
        scope = Scope.THIS
    if occurrence.is_cancelled and scope == Scope.THIS:
        raise ValidationError(_("This session is already cancelled."))
    if occurrence.ends_at <= timezone.now():
        raise ValidationError(_("This session is over; it can no longer be cancelled."))
    with transaction.atomic():
        if scope == Scope.THIS:
            targets = list(Occurrence.objects.select_for_update().filter(pk=occurrence.pk, status="scheduled"))
        else:
            targets = _series_sessions_in_scope(occurrence, scope, include_detached=True)
        if not targets:
            raise ValidationError(_("There are no coming sessions to cancel."))
        now = timezone.now()
        for target in targets:
            target.status, target.cancel_reason, target.cancelled_at = Occurrence.Status.CANCELLED, reason, now
            target.updated_at = now
        Occurrence.objects.bulk_update(targets, ["status", "cancel_reason", "cancelled_at", "updated_at"])
        public_pages_changed()
        ids = [target.pk for target in targets]
        transaction.on_commit(lambda: occurrences_cancelled.send(sender=Occurrence, occurrence_ids=ids, reason=reason))
    occurrence.refresh_from_db()
    return targets


def week_copy(*, centre: Centre, source_monday: dt.date, target_monday: dt.date, dry_run: bool = False) -> Plan:
    """Copy the scheduled sessions of one week to another, as single sessions of the same
    activities, rooms and times. Days the centre is closed in the target week are
    skipped; any room clash refuses the whole copy. ``dry_run`` only plans (the preview)."""
    if source_monday.weekday() != 0 or target_monday.weekday() != 0:
        raise ValueError("Weeks start on Mondays")
    if source_monday == target_monday:
        raise ValidationError(_("Choose a different week to copy to."))
    _check_within_reach(target_monday, "target")
    shift = target_monday - source_monday
    source = list(
        Occurrence.objects.live()
        .for_centre(centre)
        .between(aware(source_monday, dt.time()), aware(source_monday + dt.timedelta(days=7), dt.time()))
        .select_related("activity", "room")
        .order_by("starts_at")
    )
    if not source:
        raise ValidationError(_("There is nothing scheduled in that week to copy."))

    def write():
        _lock_rooms([o.room for o in source])
        hours = hours_for(centre, target_monday, target_monday + dt.timedelta(days=6))
        plan, copies, clashes = Plan(), [], []
        for original in source:
            local_start, local_end = timezone.localtime(original.starts_at), timezone.localtime(original.ends_at)
            fitted = fit_session(hours.schedule_for(local_start.date() + shift), local_start.time(), local_end.time())
            if isinstance(fitted, SkippedDate):
                plan.skipped.append(SkippedDate(fitted.date, f"{original.activity.title}: {fitted.reason}"))
                continue
            plan.sessions.append(fitted)
            copies.append((original, fitted))
        by_room: dict = {}
        for original, fitted in copies:
            by_room.setdefault(original.room, []).append(fitted)
        for room, sessions in by_room.items():
            clashes += find_clashes(room=room, sessions=sessions)
        _raise_conflicts(clashes)
        if copies and min(f.starts_at for _, f in copies) <= timezone.now():
            raise ValidationError(_("Sessions can only be planned for the future."))
        if not dry_run:
            Occurrence.objects.bulk_create(
                _new_occurrence(original.activity, fitted, original.room) for original, fitted in copies
            )
            public_pages_changed()
        return plan

    return _save_guarded(write)


def sessions_outside_hours(*, centre: Centre, date: dt.date, hours: CentreHours) -> list[str]:
    """The scheduled sessions of ``centre`` on ``date`` that ``hours`` would not cover,
    described for a message ("“四点半课堂” 16:00–18:30")."""
    schedule = hours.schedule_for(date)
    sessions = (
        Occurrence.objects.live()
        .for_centre(centre)
        .between(aware(date, dt.time()), aware(date + dt.timedelta(days=1), dt.time()))
        .select_related("activity")
        .order_by("starts_at")
    )
    outside = []
    for session in sessions:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        if not schedule.covers(starts.time(), ends.time()):
            outside.append(f"“{session.activity.title}” {starts:%H:%M}–{ends:%H:%M}")
    return outside


def occurrences_refresh_after_hours(*, centre: Centre) -> int:
    """Work out again, from the centre's hours, which coming sessions are after-hours
    service. Called whenever the hours or special dates change. Returns how many changed."""
    now = timezone.now()
    sessions = list(Occurrence.objects.live().for_centre(centre).filter(ends_at__gt=now))
    if not sessions:
        return 0
    last = max(timezone.localdate(s.starts_at) for s in sessions)
    hours = hours_for(centre, timezone.localdate(now), last)
    changed = []
    for session in sessions:
        kind = service_kind_at(hours, session.starts_at, session.ends_at)
        if kind != session.after_hours_kind:
            session.after_hours_kind, session.is_after_hours = kind, kind != "regular"
            changed.append(session)
    Occurrence.objects.bulk_update(changed, ["after_hours_kind", "is_after_hours"])
    if changed:
        public_pages_changed()
    return len(changed)
