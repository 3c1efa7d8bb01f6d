"""The monthly roll-up: a month's figures per centre, community, street/town and district.

``monthly_figures_compute(month=...)`` reads the month's sessions, places, waiting lists,
appointments, ratings and rectification cases with SQL aggregates and replaces the month's ``MonthlyFigures`` rows in
one transaction. Running it again gives the same numbers and no duplicates; two runs at
once (PostgreSQL) queue on an advisory lock keyed on the month.

The month runs from the 1st at 00:00 to the 1st of the next month at 00:00, Asia/Shanghai
time, whatever the server's time zone: a session at 23:30 on the 31st is in that month.
A month still running is counted up to the moment of the roll-up.

What each figure counts (a "held session" is one whose status is scheduled, not
cancelled, that started in the month, before the roll-up ran; a "booked place" is a
place still held at a held session by a booking that was booked: confirmed, or cancelled
only after the session started, as a course given up half-way keeps its past sessions):

activities_held
    Held sessions. A course of eight sessions counts eight.
featured_activities_held
    Held sessions of activities with a brand or project (服务品牌/项目品牌).
after_hours_sessions
    Held sessions outside the centre's regular hours (``Occurrence.is_after_hours``:
    extended evenings, staggered weekends and holidays, by appointment).
by_function
    Held sessions per service function of their activity: ``{"eldercare": 12, ...}``;
    functions without sessions are left out.
places_booked
    Booked places, walk-ins' places included. Not: waiting-list entries, offers not (or
    not yet) accepted, places given up before the session started, places at cancelled
    sessions.
attendances
    Booked places checked in (by pass, code or roster tick; walk-ins are checked in when
    they are added).
residents_served
    Different people who attended at least one held session or were served at an
    appointment in the unit that month. A person is a family member (dependant), else the
    resident's account, else a guest's mobile number; a guest without a number counts
    once per booking or appointment. Counted at each level from the bookings, so someone
    who came to two centres of a street counts once for the street.
person_hours
    For each attendance, the length of its session in hours (start to end as planned),
    added up: 30 people at a 1.5-hour class are 45 person-hours. Appointments are not
    included.
fill_rate
    Places booked at held sessions of activities that need booking, over the places they
    offered (the activity's capacity, per session). Drop-in sessions are left out of both.
    Null when no bookable session was held. At most 1 (a capacity lowered after booking).
no_show_rate
    Of the places booked in advance (not walk-ins) at held sessions that have ended, the
    share not checked in. Null when no such place was due. Computed from the check-ins,
    not from the no-show marks, so it does not depend on when the no-show job last ran.
waiting_list_demand
    Waiting-list entries for the month's held sessions: bookings that joined a waiting list
    (for one session, or a course whose first session is in the month), whatever became
    of them (still waiting, offered, booked from the list, lapsed, left). An entry is one
    person at one session or course. Entries for a session that was then cancelled are
    not counted.
appointments_served
    Appointments starting in the month that were checked in.
satisfaction
    Of the residents' ratings given in the month (first ratings and follow-ups, not those
    the district found malicious on appeal), the share at "satisfied" or "very satisfied"
    (满意率). Null when nobody rated.
bad_rating_rate
    Of the same ratings, the share at the two lowest levels, "dissatisfied" or "very
    dissatisfied" (差评率). Null when nobody rated.
callback_on_time_rate
    Of the rectification cases of bad ratings (not those withdrawn because the rating was
    found malicious) whose call-back deadline fell in the month, before the roll-up ran,
    the share called back by the deadline. A case not called back, or called back late,
    counts against it; a case whose deadline is still to come is left out. Counted in the
    month of the deadline, not of the rating, so a month's figure is final once the month
    is over. Null when no call-back was due.
rectification_on_time_rate
    The same for the rectification reply: of the cases whose reply deadline fell in the
    month before the roll-up ran, the share replied to by the deadline (整改按时率). Null
    when no reply was due.

Sessions, places, entries, appointments, ratings and cases each belong to one centre, so the counts of a
community, street or district are the sums of its centres' counts, and its rates are its
own totals divided (booked over offered of the whole street, not an average of centres'
rates). Only ``residents_served`` needs its own query per level. A community's row covers
the centres whose area is that community; street-level centres (a street centre, an
industrial park, an office building…) count in their street and district only.

Every centre gets a row each month, with zeros if nothing happened; every community,
street and district with at least one centre gets one too.
"""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from activities.models import Occurrence
from bookings.models import Appointment, Booking, Place
from centres.models import Area, Centre
from ratings.models import BAD_LEVELS, Level, Rating, RectificationCase

from .models import MonthlyFigures

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Namespace of the PostgreSQL advisory lock taken per month (two-key form).
_LOCK_NAMESPACE = 0x53544154 & 0x7FFFFFFF  # "STAT"

# Booking statuses whose held places count as booked (see the module's docstring).
BOOKED_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.CANCELLED)
APPOINTMENT_NOT_SERVED = (Appointment.Status.CANCELLED, Appointment.Status.DECLINED)

COUNTS = (
    "activities_held",
    "featured_activities_held",
    "after_hours_sessions",
    "places_booked",
    "attendances",
    "waiting_list_demand",
    "appointments_served",
)
# Parts of the rates and person-hours, summed like the counts.
PARTS = (
    "places_offered",
    "places_booked_bookable",
    "places_due",
    "places_missed",
    "attended_seconds",
    "ratings",
    "satisfied_ratings",
    "bad_ratings",
    "callbacks_due",
    "callbacks_on_time",
    "replies_due",
    "replies_on_time",
)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first moment and the next month's, in Asia/Shanghai."""
    first, after = month_start(month), next_month(month)
    return (
        dt.datetime(first.year, first.month, 1, tzinfo=SHANGHAI),
        dt.datetime(after.year, after.month, 1, tzinfo=SHANGHAI),
    )


def monthly_figures_compute(*, month: dt.date, now: dt.datetime | None = None) -> int:
    """Compute ``month``'s figures (any day of it) and replace its rows; returns the
    number of rows written. Safe to run again, and at the same time as another run."""
    month = month_start(month)
    now = now or timezone.now()
    start, end = month_bounds(month)
    until = min(end, now)
    with transaction.atomic():
        lock_month(month)
        rows = _figures(month, start, until, now)
        _delete_month(month)
        _insert(rows)
    return len(rows)


def lock_month(month: dt.date) -> None:
    """Runs of the same month queue here, so the second sees the first's rows and
    replaces them instead of failing on the unique constraints. SQLite takes one writer
    at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, month.year * 100 + month.month])


def _delete_month(month: dt.date) -> None:
    MonthlyFigures.objects.filter(month=month).delete()


def _insert(rows: list[MonthlyFigures]) -> None:
    MonthlyFigures.objects.bulk_create(rows, batch_size=500)


# --- reading the month ---------------------------------------------------------------


def _held_sessions(start: dt.datetime, until: dt.datetime) -> Q:
    """On Place or Booking: held sessions (see the docstring)."""
    return Q(
        occurrence__status=Occurrence.Status.SCHEDULED,
        occurrence__starts_at__gte=start,
        occurrence__starts_at__lt=until,
    )


def empty_totals() -> dict:
    """A centre's totals before counting: the counts, the parts of the rates, by function."""
    return dict.fromkeys(COUNTS + PARTS, 0) | {"by_function": defaultdict(int)}


def centre_totals(start: dt.datetime, until: dt.datetime, now: dt.datetime) -> dict[int, dict]:
    """Counts and the parts of the rates per centre id, from six aggregate queries."""
    totals: dict[int, dict] = defaultdict(empty_totals)

    sessions = Occurrence.objects.filter(
        status=Occurrence.Status.SCHEDULED, starts_at__gte=start, starts_at__lt=until
    ).values_list(
        "pk",
        "centre_id",
        "starts_at",
        "ends_at",
        "is_after_hours",
        "activity__service_function",
        "activity__brand_id",
        "activity__booking_required",
        "activity__capacity",
    )
    session_info = {}
    for pk, centre_id, starts_at, ends_at, after_hours, function, brand_id, bookable, capacity in sessions.order_by():
        total = totals[centre_id]
        total["activities_held"] += 1
        total["featured_activities_held"] += brand_id is not None
        total["after_hours_sessions"] += after_hours
        total["by_function"][function] += 1
        if bookable:
            total["places_offered"] += capacity
        session_info[pk] = (centre_id, int((ends_at - starts_at).total_seconds()), bookable, ends_at <= now)

    walk_in = Q(booking__source=Booking.Source.WALK_IN)
    places = (
        Place.objects.filter(_held_sessions(start, until), is_held=True, booking__status__in=BOOKED_STATUSES)
        .values("occurrence_id")
        .annotate(
            booked=Count("pk"),
            attended=Count("pk", filter=Q(checked_in_at__isnull=False)),
            advance=Count("pk", filter=~walk_in),
            missed=Count("pk", filter=Q(checked_in_at__isnull=True) & ~walk_in),
        )
        .order_by()
    )
    for row in places:
        centre_id, seconds, bookable, ended = session_info[row["occurrence_id"]]
        total = totals[centre_id]
        total["places_booked"] += row["booked"]
        total["attendances"] += row["attended"]
        total["attended_seconds"] += row["attended"] * seconds
        if bookable:
            total["places_booked_bookable"] += row["booked"]
        if ended:
            total["places_due"] += row["advance"]
            total["places_missed"] += row["missed"]

    ever_waited = Q(offered_at__isnull=False) | Q(confirmed_at__isnull=True)
    entries = (
        Booking.objects.filter(ever_waited, starts_at__gte=start, starts_at__lt=until)
        .filter(Q(occurrence__isnull=True) | Q(occurrence__status=Occurrence.Status.SCHEDULED))
        .values("centre_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in entries:
        totals[row["centre_id"]]["waiting_list_demand"] += row["n"]

    served = (
        Appointment.objects.filter(checked_in_at__isnull=False, starts_at__gte=start, starts_at__lt=until)
        .exclude(status__in=APPOINTMENT_NOT_SERVED)
        .values("centre_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in served:
        totals[row["centre_id"]]["appointments_served"] += row["n"]

    ratings = (
        Rating.objects.filter(created_at__gte=start, created_at__lt=until, is_excluded=False)
        .values("centre_id")
        .annotate(
            n=Count("pk"),
            satisfied=Count("pk", filter=Q(level__gte=Level.SATISFIED)),
            bad=Count("pk", filter=Q(level__in=BAD_LEVELS)),
        )
        .order_by()
    )
    for row in ratings:
        total = totals[row["centre_id"]]
        total["ratings"] += row["n"]
        total["satisfied_ratings"] += row["satisfied"]
        total["bad_ratings"] += row["bad"]

    # A case counts for each of its deadlines that fell in the month.
    callback_due = Q(callback_due_at__gte=start, callback_due_at__lt=until)
    reply_due = Q(reply_due_at__gte=start, reply_due_at__lt=until)
    cases = (
        RectificationCase.objects.filter(callback_due | reply_due)
        .exclude(status=RectificationCase.Status.WITHDRAWN)
        .values("centre_id")
        .annotate(
            callbacks_due=Count("pk", filter=callback_due),
            callbacks_on_time=Count("pk", filter=callback_due & Q(called_back_at__lte=F("callback_due_at"))),
            replies_due=Count("pk", filter=reply_due),
            replies_on_time=Count("pk", filter=reply_due & Q(replied_at__lte=F("reply_due_at"))),
        )
        .order_by()
    )
    for row in cases:
        total = totals[row["centre_id"]]
        for part in ("callbacks_due", "callbacks_on_time", "replies_due", "replies_on_time"):
            total[part] += row[part]
    return totals


def residents_served_by_unit(start: dt.datetime, until: dt.datetime) -> dict[tuple[str, int], int]:
    """{(level, centre or area id): different people served}, one statement for all levels.

    Every attendance and served appointment is listed with its centre and who it was,
    as one of four disjoint keys (family member, account, guest's number, or the booking
    or appointment itself for a guest without one); each level counts each key distinct
    over its centres and adds the four counts."""
    place, occurrence, booking = Place._meta.db_table, Occurrence._meta.db_table, Booking._meta.db_table
    appointment, centre, area = Appointment._meta.db_table, Centre._meta.db_table, Area._meta.db_table
    distinct_people = (
        "COUNT(DISTINCT people.dependant_id) + COUNT(DISTINCT people.resident_id) "
        "+ COUNT(DISTINCT people.phone) + COUNT(DISTINCT people.anonymous_id)"
    )
    statuses = ", ".join(["%s"] * len(BOOKED_STATUSES))
    not_served = ", ".join(["%s"] * len(APPOINTMENT_NOT_SERVED))
    sql = f"""
        WITH people (centre_id, dependant_id, resident_id, phone, anonymous_id) AS (
            SELECT o.centre_id,
                   b.dependant_id,
                   CASE WHEN b.dependant_id IS NULL THEN b.resident_id END,
                   CASE WHEN b.dependant_id IS NULL AND b.resident_id IS NULL AND b.guest_phone <> ''
                        THEN b.guest_phone END,
                   CASE WHEN b.dependant_id IS NULL AND b.resident_id IS NULL AND b.guest_phone = ''
                        THEN b.id END
              FROM {place} p
              JOIN {occurrence} o ON o.id = p.occurrence_id
              JOIN {booking} b ON b.id = p.booking_id
             WHERE o.status = %s AND o.starts_at >= %s AND o.starts_at < %s
               AND p.is_held = %s AND p.checked_in_at IS NOT NULL AND b.status IN ({statuses})
            UNION ALL
            SELECT a.centre_id,
                   NULL,
                   a.resident_id,
                   CASE WHEN a.resident_id IS NULL AND a.guest_phone <> '' THEN a.guest_phone END,
                   CASE WHEN a.resident_id IS NULL AND a.guest_phone = '' THEN -a.id END
              FROM {appointment} a
             WHERE a.checked_in_at IS NOT NULL AND a.starts_at >= %s AND a.starts_at < %s
               AND a.status NOT IN ({not_served})
        )
        SELECT 'centre', people.centre_id, {distinct_people} FROM people GROUP BY people.centre_id
        UNION ALL
        SELECT 'community', c.area_id, {distinct_people}
          FROM people JOIN {centre} c ON c.id = people.centre_id JOIN {area} ar ON ar.id = c.area_id
         WHERE ar.level = %s
         GROUP BY c.area_id
        UNION ALL
        SELECT 'street', c.street_id, {distinct_people}
          FROM people JOIN {centre} c ON c.id = people.centre_id GROUP BY c.street_id
        UNION ALL
        SELECT 'district', c.district_id, {distinct_people}
          FROM people JOIN {centre} c ON c.id = people.centre_id GROUP BY c.district_id
    """  # noqa: S608 -- table names from the models, values as parameters
    when = connection.ops.adapt_datetimefield_value
    params = [
        Occurrence.Status.SCHEDULED,
        when(start),
        when(until),
        True,
        *BOOKED_STATUSES,
        when(start),
        when(until),
        *APPOINTMENT_NOT_SERVED,
        Area.Level.COMMUNITY,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(level, unit_id): count for level, unit_id, count in cursor.fetchall()}


# --- the rows ----------------------------------------------------------------------------


def _add(into: dict, other: dict) -> None:
    for key in COUNTS + PARTS:
        into[key] += other[key]
    for function, sessions in other["by_function"].items():
        into["by_function"][function] += sessions


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return min(Decimal(1), (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _row(month, level, total, residents, computed_at, **unit) -> MonthlyFigures:
    return MonthlyFigures(
        month=month,
        level=level,
        **unit,
        **{key: total[key] for key in COUNTS},
        residents_served=residents,
        person_hours=(Decimal(total["attended_seconds"]) / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        fill_rate=_rate(total["places_booked_bookable"], total["places_offered"]),
        no_show_rate=_rate(total["places_missed"], total["places_due"]),
        satisfaction=_rate(total["satisfied_ratings"], total["ratings"]),
        bad_rating_rate=_rate(total["bad_ratings"], total["ratings"]),
        callback_on_time_rate=_rate(total["callbacks_on_time"], total["callbacks_due"]),
        rectification_on_time_rate=_rate(total["replies_on_time"], total["replies_due"]),
        by_function=dict(sorted(total["by_function"].items())),
        computed_at=computed_at,
    )


def _figures(month: dt.date, start: dt.datetime, until: dt.datetime, now: dt.datetime) -> list[MonthlyFigures]:
    return figures_rows(
        month=month,
        per_centre=centre_totals(start, until, now),
        residents=residents_served_by_unit(start, until),
        computed_at=timezone.now(),
    )


def centre_units() -> list[tuple[int, int, str, int, int]]:
    """(centre id, area id, area level, street id, district id) of every centre."""
    return list(Centre.objects.values_list("pk", "area_id", "area__level", "street_id", "district_id").order_by("pk"))


def figures_rows(
    *,
    month: dt.date,
    per_centre: dict[int, dict],
    residents: dict[tuple[str, int], int],
    computed_at: dt.datetime,
    units: list | None = None,
) -> list[MonthlyFigures]:
    """The month's rows from each centre's totals (``empty_totals()`` filled in) and the
    people served per (level, centre or area id): one per centre, and one per community,
    street and district that has a centre, its totals the sums of its centres'."""
    Level = MonthlyFigures.Level
    communities, streets, districts = defaultdict(empty_totals), defaultdict(empty_totals), defaultdict(empty_totals)
    street_of, district_of = {}, {}
    rows = []
    for pk, area_id, area_level, street_id, district_id in centre_units() if units is None else units:
        total = per_centre.get(pk) or empty_totals()
        rows.append(
            _row(
                month,
                Level.CENTRE,
                total,
                residents.get(("centre", pk), 0),
                computed_at,
                centre_id=pk,
                street_id=street_id,
                district_id=district_id,
            )
        )
        if area_level == Area.Level.COMMUNITY:
            _add(communities[area_id], total)
            street_of[area_id] = street_id
        _add(streets[street_id], total)
        _add(districts[district_id], total)
        district_of[area_id] = district_of[street_id] = district_id
    for level, units_of_level in ((Level.COMMUNITY, communities), (Level.STREET, streets), (Level.DISTRICT, districts)):
        for area_id, total in sorted(units_of_level.items()):
            unit = {
                Level.COMMUNITY: {"street_id": street_of.get(area_id), "district_id": district_of.get(area_id)},
                Level.STREET: {"street_id": area_id, "district_id": district_of.get(area_id)},
                Level.DISTRICT: {"street_id": None, "district_id": area_id},
            }[level]
            rows.append(
                _row(
                    month, level, total, residents.get((level.value, area_id), 0), computed_at, area_id=area_id, **unit
                )
            )
    return rows
