"""Demo statistics: the demo's real months rolled up, and a year of invented history
before them, so the statistics pages have a trend to draw.

**Real**: the current month (so far) and any earlier month that the demo's sessions
cover from its first day, through ``monthly_figures_compute`` like the monthly task.

**Invented (demo only)**: each of the twelve months before the current one that is not
real and has no rows yet. The demo's four weeks of history cover only the end of last
month, whose real figures would look like a collapse, so last month is invented too;
``stats_recompute --month`` replaces any invented month with the real (partial) figures.
The invented figures follow each centre's own demo programme, measured on its demo
sessions (sessions a day per service function, after-hours, branded and bookable shares,
places, session length) and bookings (fill and attendance), scaled by the season (the
Spring Festival in February, the National Day week in October, summer camps in July and
August), a slow growth over the year, and seeded noise of a few per cent. People served
are about a third of the visits at a centre, and fewer than the sum of the centres at
each level above (people use more than one centre). Ratings follow the centre's demo
ratings (how many per visit, the satisfied and bad shares; the demo's scale where a
centre has too few to go by); every bad rating's call-back and reply fall due, and most
are answered on time (not learned: the demo answers cases only at centres with a staff
login, and only the older ones). The rates of every level are computed
from the invented totals exactly as the roll-up does, so the numbers agree with each
other: a district's fill rate is its booked places over its offered places.

Safe to run again: real months are recomputed; an invented month is written only when it
has no rows, so a reload leaves the invented year (and any month rolled up since) as it is.
The numbers are seeded by centre and month: a fresh database gets the same history.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Count, Max, Min, Q
from django.utils import timezone

from activities.models import Occurrence
from bookings.models import Appointment
from centres.models import Area

from . import rollup
from .models import DistrictTarget, MonthlyFigures
from .services import district_target_set

HISTORY_MONTHS = 12
# Visits (attendances and appointments) per person served at one centre in a month.
VISITS_PER_PERSON = 3.2
# People served at a level, as a share of the sum over its centres (some use two).
OVERLAP = {"community": 0.97, "street": 0.92, "district": 0.88}
# How busy each calendar month is against an ordinary one.
SEASON = {1: 0.9, 2: 0.6, 3: 1.0, 4: 1.0, 5: 0.95, 6: 1.0, 7: 1.15, 8: 1.15, 9: 1.0, 10: 0.85, 11: 1.05, 12: 1.0}
# When the demo has no bookings to learn from.
DEFAULT_FILL, DEFAULT_ATTENDANCE = 0.55, 0.88
# The demo residents' scale (ratings/demo.py): a third of the sessions rated, 85% satisfied
# or very satisfied, 7% bad; fewer ratings than this at a centre are not a share to go by.
DEFAULT_RATINGS_PER_VISIT, DEFAULT_SATISFIED, DEFAULT_BAD = 0.3, 0.85, 0.07
RATINGS_TO_LEARN_FROM = 10
# Bad ratings' cases answered by the deadline.
CALLBACK_ON_TIME, REPLY_ON_TIME = 0.93, 0.86


@dataclass
class Counts:
    real: list[dt.date] = field(default_factory=list)
    invented: list[dt.date] = field(default_factory=list)
    kept: list[dt.date] = field(default_factory=list)


@dataclass
class Profile:
    """A centre's demo programme, per day, and how its places are taken."""

    sessions_per_day: dict[str, float] = field(default_factory=dict)
    after_hours_share: float = 0.0
    featured_share: float = 0.0
    bookable_share: float = 0.0
    capacity: float = 0.0
    hours: float = 1.5
    fill: float = DEFAULT_FILL
    attendance: float = DEFAULT_ATTENDANCE
    appointments_per_day: float = 0.0
    visits_per_person: float = VISITS_PER_PERSON
    ratings_per_visit: float = DEFAULT_RATINGS_PER_VISIT
    satisfied: float = DEFAULT_SATISFIED
    bad: float = DEFAULT_BAD


def load_demo_statistics(*, now: dt.datetime | None = None, log=None) -> Counts:
    now = now or timezone.now()
    log = log or (lambda message: None)
    counts = Counts()
    current = now.astimezone(rollup.SHANGHAI).date().replace(day=1)
    first_session = Occurrence.objects.filter(status=Occurrence.Status.SCHEDULED).aggregate(first=Min("starts_at"))[
        "first"
    ]
    months = [current]
    for _ in range(HISTORY_MONTHS):
        months.append(rollup.previous_month(months[-1]))
    profiles = None
    for month in sorted(months):
        start, _end = rollup.month_bounds(month)
        if month == current or (first_session is not None and first_session < start + dt.timedelta(days=1)):
            rollup.monthly_figures_compute(month=month, now=now)
            counts.real.append(month)
            continue
        if profiles is None:
            profiles, overlap = _profiles()
        if _invent_month(month, profiles, overlap, now):
            counts.invented.append(month)
        else:
            counts.kept.append(month)
    targets = _demo_targets()
    log(
        f"Statistics: {len(counts.real)} months rolled up, {len(counts.invented)} invented, "
        f"{len(counts.kept)} left as they were; {targets} district targets set"
    )
    return counts


# Monthly targets for a demo district, as a district office might set them (the first
# is the example); districts that already have targets keep theirs.
DEMO_TARGETS = {
    "featured_activities_held": Decimal(180),
    "activities_held": Decimal(350),
    "after_hours_sessions": Decimal(150),
    "fill_rate": Decimal("0.5"),
}


def _demo_targets() -> int:
    written = 0
    districts = Area.objects.filter(level=Area.Level.DISTRICT).exclude(
        pk__in=DistrictTarget.objects.values("district_id")
    )
    for district in districts:
        for metric, minimum in DEMO_TARGETS.items():
            district_target_set(district=district, metric=metric, minimum=minimum, by=None)
            written += 1
    return written


# --- what the demo's own data says ------------------------------------------------------


def _profiles() -> tuple[dict[int, Profile], dict[str, float]]:
    """Each centre's programme from all its demo sessions (past and planned), and its
    take-up from the places at its past sessions."""
    scheduled = Occurrence.objects.filter(status=Occurrence.Status.SCHEDULED)
    window = scheduled.aggregate(first=Min("starts_at"), last=Max("starts_at"))
    first, last = window["first"], window["last"]
    profiles: dict[int, Profile] = defaultdict(Profile)
    overlap = dict(OVERLAP)
    if first is None:
        return profiles, overlap
    days = max(1, (last - first).days + 1)
    per_function = scheduled.values("centre_id", "activity__service_function").annotate(n=Count("pk")).order_by()
    for row in per_function:
        profiles[row["centre_id"]].sessions_per_day[row["activity__service_function"]] = row["n"] / days
    shares = (
        scheduled.values("centre_id")
        .annotate(
            n=Count("pk"),
            after_hours=Count("pk", filter=Q(is_after_hours=True)),
            featured=Count("pk", filter=Q(activity__brand__isnull=False)),
            bookable=Count("pk", filter=Q(activity__booking_required=True)),
            capacity=Avg("activity__capacity"),
        )
        .order_by()
    )
    for row in shares:
        profile = profiles[row["centre_id"]]
        profile.after_hours_share = row["after_hours"] / row["n"]
        profile.featured_share = row["featured"] / row["n"]
        profile.bookable_share = row["bookable"] / row["n"]
        profile.capacity = float(row["capacity"] or 0)
    lengths = scheduled.values_list("centre_id", "starts_at", "ends_at")
    seconds, sessions = defaultdict(float), defaultdict(int)
    for centre_id, starts_at, ends_at in lengths.iterator():
        seconds[centre_id] += (ends_at - starts_at).total_seconds()
        sessions[centre_id] += 1
    for centre_id, total in seconds.items():
        profiles[centre_id].hours = total / sessions[centre_id] / 3600
    # Take-up and people, from the demo's history so far, counted as the roll-up counts.
    now = timezone.now()
    if first < now:
        history = rollup.centre_totals(first, now, now)
        people = rollup.residents_served_by_unit(first, now)
        for centre_id, total in history.items():
            profile = profiles[centre_id]
            if total["places_offered"] and total["places_booked_bookable"]:
                profile.fill = min(0.98, total["places_booked_bookable"] / total["places_offered"])
            if total["places_due"]:
                profile.attendance = 1 - total["places_missed"] / total["places_due"]
            visits = total["attendances"] + total["appointments_served"]
            if visits and people.get(("centre", centre_id)):
                profile.visits_per_person = visits / people[("centre", centre_id)]
            if visits and total["ratings"] >= RATINGS_TO_LEARN_FROM:
                profile.ratings_per_visit = min(1.0, total["ratings"] / visits)
                profile.satisfied = total["satisfied_ratings"] / total["ratings"]
                profile.bad = total["bad_ratings"] / total["ratings"]
        overlap = _overlap(people)
    appointments = (
        Appointment.objects.exclude(status__in=rollup.APPOINTMENT_NOT_SERVED)
        .values("centre_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in appointments:
        # The demo books a week of appointments ahead: about that many a week, served.
        profiles[row["centre_id"]].appointments_per_day = row["n"] / 7 * 0.85
    return profiles, overlap


def _overlap(people: dict[tuple[str, int], int]) -> dict[str, float]:
    """How much the people of the centres of a community, street or district overlap in
    the demo's history: the level's people over the sum of its centres' people."""
    units = rollup.centre_units()
    sums: dict[tuple[str, int], int] = defaultdict(int)
    for centre_id, area_id, area_level, street_id, district_id in units:
        served = people.get(("centre", centre_id), 0)
        if area_level == Area.Level.COMMUNITY:
            sums[("community", area_id)] += served
        sums[("street", street_id)] += served
        sums[("district", district_id)] += served
    overlap = dict(OVERLAP)
    for level in OVERLAP:
        whole = sum(total for (unit_level, _), total in sums.items() if unit_level == level)
        found = sum(people.get(key, 0) for key in sums if key[0] == level)
        if whole and found:
            overlap[level] = found / whole
    return overlap


# --- an invented month ------------------------------------------------------------------


def _invent_month(month: dt.date, profiles: dict[int, Profile], overlap: dict[str, float], now: dt.datetime) -> bool:
    """Write ``month``'s invented rows, unless it has rows already (then False)."""
    units = rollup.centre_units()
    days = (rollup.next_month(month) - month).days
    current = now.astimezone(rollup.SHANGHAI).date()
    age = current.year * 12 + current.month - (month.year * 12 + month.month)  # months ago, 1–12
    growth = 1.0 - 0.15 * age / HISTORY_MONTHS  # the programme has grown over the year
    per_centre, people = {}, {}
    for centre_id, *_ in units:
        profile = profiles.get(centre_id)
        if profile is None or not profile.sessions_per_day:
            continue
        rng = random.Random(f"{centre_id}-{month:%Y-%m}")  # noqa: S311 -- demo figures, not security
        per_centre[centre_id], people[centre_id] = _invent_centre(profile, rng, days * SEASON[month.month] * growth)
    residents = {("centre", centre_id): served for centre_id, served in people.items()}
    sums: dict[tuple[str, int], list[int]] = defaultdict(list)
    for centre_id, area_id, area_level, street_id, district_id in units:
        served = people.get(centre_id, 0)
        if area_level == Area.Level.COMMUNITY:
            sums[("community", area_id)].append(served)
        sums[("street", street_id)].append(served)
        sums[("district", district_id)].append(served)
    for (level, area_id), members in sums.items():
        residents[(level, area_id)] = max([round(sum(members) * overlap[level]), *members])
    computed_at = rollup.month_bounds(rollup.next_month(month))[0] + dt.timedelta(hours=1)
    with transaction.atomic():
        rollup.lock_month(month)
        if MonthlyFigures.objects.filter(month=month).exists():
            return False
        rows = rollup.figures_rows(
            month=month, per_centre=per_centre, residents=residents, computed_at=computed_at, units=units
        )
        MonthlyFigures.objects.bulk_create(rows, batch_size=500)
    return True


def _invent_centre(profile: Profile, rng: random.Random, busy_days: float) -> tuple[dict, int]:
    """A centre's totals for a month of ``busy_days`` ordinary days, and the people served."""

    def noisy(value: float, spread: float = 0.08) -> float:
        return value * rng.uniform(1 - spread, 1 + spread)

    total = rollup.empty_totals()
    for function, per_day in sorted(profile.sessions_per_day.items()):
        held = round(noisy(per_day * busy_days))
        if held:
            total["by_function"][function] = held
            total["activities_held"] += held
    held = total["activities_held"]
    total["after_hours_sessions"] = round(held * profile.after_hours_share)
    total["featured_activities_held"] = round(held * profile.featured_share)
    bookable = round(held * profile.bookable_share)
    drop_in = held - bookable
    total["places_offered"] = round(bookable * profile.capacity)
    booked = min(total["places_offered"], round(total["places_offered"] * noisy(profile.fill)))
    came = min(booked, round(booked * noisy(profile.attendance, 0.03)))
    walk_ins = round(drop_in * profile.capacity * noisy(0.4, 0.2))
    total["places_booked_bookable"] = booked
    total["places_booked"] = booked + walk_ins
    total["attendances"] = came + walk_ins
    total["places_due"] = booked
    total["places_missed"] = booked - came
    total["attended_seconds"] = round(total["attendances"] * profile.hours * 3600)
    total["waiting_list_demand"] = round(held * noisy(0.04, 0.5))
    total["appointments_served"] = round(noisy(profile.appointments_per_day * busy_days, 0.15))
    visits = total["attendances"] + total["appointments_served"]
    served = min(visits, round(visits / noisy(profile.visits_per_person, 0.1)))
    ratings = round(visits * noisy(profile.ratings_per_visit, 0.15))
    total["ratings"] = ratings
    total["satisfied_ratings"] = min(ratings, round(ratings * noisy(profile.satisfied, 0.04)))
    total["bad_ratings"] = min(ratings - total["satisfied_ratings"], round(ratings * noisy(profile.bad, 0.4)))
    # A bad rating's deadlines fall a day and three weeks later: about a month's worth.
    for due, on_time, share in (
        ("callbacks_due", "callbacks_on_time", CALLBACK_ON_TIME),
        ("replies_due", "replies_on_time", REPLY_ON_TIME),
    ):
        total[due] = total["bad_ratings"]
        total[on_time] = min(total[due], round(total[due] * noisy(share, 0.08)))
    return total, served
