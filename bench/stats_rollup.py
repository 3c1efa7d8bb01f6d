"""Roll-up benchmark: one month with about 1,000,000 booked places and 850,000
attendances across 500 centres in PostgreSQL, then ``monthly_figures_compute`` timed on it.

    .venv/bin/python bench/stats_rollup.py            # about 2 minutes the first time; exits 0 if under 30 s
    .venv/bin/python bench/stats_rollup.py --runs 5   # more timed runs
    .venv/bin/python bench/stats_rollup.py --fresh    # drop the data and load it again
    .venv/bin/python bench/stats_rollup.py --help

The database ``portal_bench_rollup`` (created and migrated if missing; production
settings through ``bench.settings``) is filled with ``INSERT … SELECT … FROM
generate_series`` statements, not the ORM: 3 districts, 30 streets, 420 communities; 500
centres (420 community centres, 80 at street level); 6 activities each (one in six a
drop-in, one in three with the district's brand, 30–50 places); 17 sessions of each
activity in the month (51,000; 2% cancelled, about a third after hours, a few at 23:30 on
the month's last day); 200,000 residents and 20,000 of their children; bookings at every
bookable session, about 25 each (1,050,000: 2% still on the waiting list, 3% cancelled
before the session, 1% walk-ins, 2% from the waiting list, 2% guests without an
account), a place for each booking but the waiting ones (1,029,000) and 86% of the held
places checked in; 30,000 appointments, 80% served. Columns the statements do not name
get their model field's default, so the loader follows the models as they change.
Then ``VACUUM ANALYZE``.

Each timed run is one call of ``monthly_figures_compute(month=...)``, as the monthly
task makes it, each statement timed (``connection.execute_wrapper``). The first run
may read from disk; the best and every run are printed. The figures are checked against
independent counts of the same rows (the district rows' places, attendances and sessions
against plain ``COUNT``s). The month is the one before the current one (``--month``).
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
DATABASE = "portal_bench_rollup"
REDIS_DB = 11
TARGET_SECONDS = 30.0

DISTRICTS, STREETS_PER_DISTRICT, COMMUNITIES_PER_STREET = 3, 10, 14
CENTRES = 500
ACTIVITIES_PER_CENTRE = 6
SESSIONS_PER_ACTIVITY = 17
RESIDENTS, CHILDREN = 200_000, 20_000
BOOKINGS = 1_050_000
APPOINTMENTS = 30_000
FUNCTIONS = ["eldercare", "childcare", "medical", "culture_sports", "daily_life", "affairs"]

STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--month", help="the month to load and roll up, YYYY-MM (default: last month)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of the roll-up (default 3)")
    parser.add_argument("--fresh", action="store_true", help="drop the loaded data and load it again")
    return parser.parse_args()


def prepare_environment() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = f"postgres://postgres@{HOST}:5432/{DATABASE}"
    os.environ.setdefault("REDIS_URL", f"redis://{HOST}:6379/{REDIS_DB}")


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            log(f"creating database {DATABASE}")
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


# --- loading --------------------------------------------------------------------------------


def insert_select(cursor, model, columns: dict[str, str], source: str) -> int:
    """``INSERT INTO <model's table> (...) SELECT <columns' SQL>, <defaults> FROM <source>``:
    the columns not given take the model field's default (``now()`` for auto dates) as
    parameters; the SQL given is the bench's own, with constants written in."""
    from django.db import models

    names, values, defaults = [], [], []
    for field in model._meta.concrete_fields:
        names.append(field.column)
        if field.column in columns:
            values.append(columns[field.column])
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
            continue
        default = field.get_default()
        if default is None and not field.null:
            if isinstance(field, models.BooleanField):
                default = False
            else:
                raise SystemExit(f"{model.__name__}.{field.name} needs a value in the bench's loader")
        values.append("%s")
        defaults.append(field.get_db_prep_save(default, cursor.db))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) SELECT {', '.join(values)} FROM {source}"  # noqa: S608
    # The given SQL is written here (no parameters): its % are the modulo operator.
    cursor.execute(sql.replace("%", "%%").replace("%%s", "%s"), defaults)
    return cursor.rowcount


def load(month: dt.date) -> None:
    from django.db import connection, transaction

    from activities.models import Activity, Brand, Occurrence
    from bookings.models import Appointment, AppointmentTopic, Booking, Dependant, Place
    from centres.models import Area, Centre
    from portal.models import User
    from stats.models import MonthlyFigures

    start = f"'{month:%Y-%m-%d} 00:00:00+08'::timestamptz"
    days = ((month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - month).days
    streets = DISTRICTS * STREETS_PER_DISTRICT
    communities = streets * COMMUNITIES_PER_STREET
    first_street, first_community = DISTRICTS + 1, DISTRICTS + streets + 1
    activities = CENTRES * ACTIVITIES_PER_CENTRE
    sessions = activities * SESSIONS_PER_ACTIVITY
    functions = "ARRAY[" + ", ".join(f"'{code}'" for code in FUNCTIONS) + "]"
    tables = [
        m._meta.db_table
        for m in (MonthlyFigures, Place, Booking, Dependant, Appointment, AppointmentTopic, Occurrence, Activity, Brand)
    ]
    tables += [Centre._meta.db_table, Area._meta.db_table, User._meta.db_table]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        # The rows are made consistent here: no foreign-key triggers (checked at COMMIT,
        # they would double the load's time).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        step = time.monotonic()
        insert_select(
            cursor,
            Area,
            {"id": "g", "name": "'区' || g", "level": "'district'", "city": "'泉州市'", "parent_id": "NULL"},
            f"generate_series(1, {DISTRICTS}) g",
        )
        insert_select(
            cursor,
            Area,
            {
                "id": f"{first_street} + g",
                "name": "'街道' || g",
                "level": "'street'",
                "city": "''",
                "parent_id": f"1 + g / {STREETS_PER_DISTRICT}",
            },
            f"generate_series(0, {streets - 1}) g",
        )
        insert_select(
            cursor,
            Area,
            {
                "id": f"{first_community} + g",
                "name": "'社区' || g",
                "level": "'community'",
                "city": "''",
                "parent_id": f"{first_street} + g / {COMMUNITIES_PER_STREET}",
            },
            f"generate_series(0, {communities - 1}) g",
        )
        # Centres 1–420 in the communities, 421–500 at street level.
        area = (
            f"CASE WHEN g <= {communities} THEN {first_community} + g - 1 ELSE {first_street} + (g - 1) % {streets} END"
        )
        street = (
            f"CASE WHEN g <= {communities} THEN {first_street} + (g - 1) / {COMMUNITIES_PER_STREET} "
            f"ELSE {first_street} + (g - 1) % {streets} END"
        )
        insert_select(
            cursor,
            Centre,
            {
                "id": "g",
                "name": "'压测党群服务中心' || g",
                "slug": "'bench-rollup-' || g",
                "kind": f"CASE WHEN g <= {communities} THEN 'community' ELSE 'street' END",
                "address": "'压测路' || g || '号'",
                "area_id": area,
                "street_id": street,
                "district_id": f"1 + (({street}) - {first_street}) / {STREETS_PER_DISTRICT}",
                "is_published": "true",
            },
            f"generate_series(1, {CENTRES}) g",
        )
        insert_select(
            cursor,
            Brand,
            {"id": "g", "name": "'品牌' || g", "slug": "'bench-brand-' || g", "area_id": "g", "district_id": "g"},
            f"generate_series(1, {DISTRICTS}) g",
        )
        # Activity a of centre c: id (c - 1) * 6 + k; k = 6 is a drop-in, k in (1, 2) branded.
        insert_select(
            cursor,
            Activity,
            {
                "id": "a.id",
                "centre_id": "c.id",
                "title": "'活动' || a.id",
                "service_function": f"({functions})[1 + a.id % 6]",
                "capacity": "30 + a.id * 7 % 21",
                "booking_required": "a.k <> 6",
                "brand_id": "CASE WHEN a.k <= 2 THEN c.district_id END",
            },
            f"""(SELECT (c - 1) * {ACTIVITIES_PER_CENTRE} + k AS id, c AS centre, k
                   FROM generate_series(1, {CENTRES}) c, generate_series(1, {ACTIVITIES_PER_CENTRE}) k) a
                JOIN {Centre._meta.db_table} c ON c.id = a.centre""",  # noqa: S608 -- the bench's constants
        )
        # Session j of activity a: day 1 + j * days / 17, from 09:00 to 19:30 by activity,
        # 60–150 minutes; every 40th activity's last session at 23:30 on the last day.
        hour = "(9 + a.id % 11)"
        starts = (
            f"CASE WHEN a.id % 40 = 0 AND j = {SESSIONS_PER_ACTIVITY - 1} "
            f"THEN {start} + interval '{days - 1} days 23 hours 30 minutes' "
            f"ELSE {start} + (j * {days} / {SESSIONS_PER_ACTIVITY}) * interval '1 day' + {hour} * interval '1 hour' END"
        )
        insert_select(
            cursor,
            Occurrence,
            {
                "id": f"(a.id - 1) * {SESSIONS_PER_ACTIVITY} + j + 1",
                "activity_id": "a.id",
                "centre_id": "a.centre_id",
                "starts_at": starts,
                "ends_at": f"{starts} + (60 + a.id % 4 * 30) * interval '1 minute'",
                "status": "CASE WHEN (a.id * 17 + j) % 50 = 0 THEN 'cancelled' ELSE 'scheduled' END",
                "is_after_hours": f"{hour} >= 17 OR j % 7 IN (5, 6)",
                "after_hours_kind": f"CASE WHEN {hour} >= 17 OR j % 7 IN (5, 6) THEN 'extended' ELSE 'regular' END",
            },
            f"{Activity._meta.db_table} a, generate_series(0, {SESSIONS_PER_ACTIVITY - 1}) j",
        )
        log(f"areas, centres, {activities} activities, {sessions} sessions in {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        insert_select(
            cursor,
            User,
            {
                "id": "g",
                "password": "'!'",
                "phone": "'15' || lpad(g::text, 9, '0')",
                "name": "'居民' || g",
                "role": "'resident'",
                "is_active": "true",
                "date_joined": "now()",
            },
            f"generate_series(1, {RESIDENTS}) g",
        )
        insert_select(
            cursor,
            Dependant,
            {"id": "g", "guardian_id": "g", "name": "'孩子' || g", "birth_date": "DATE '2018-05-01'"},
            f"generate_series(1, {CHILDREN}) g",
        )
        log(f"{RESIDENTS} residents, {CHILDREN} children in {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        # Booking g is the k-th at bookable session s (numbered 1..S): g = k * S + s.
        cursor.execute(
            f"""CREATE TEMP TABLE bench_sessions ON COMMIT DROP AS
                SELECT row_number() OVER (ORDER BY o.id) AS s, o.id, o.activity_id, o.centre_id, o.starts_at, o.ends_at
                  FROM {Occurrence._meta.db_table} o JOIN {Activity._meta.db_table} a ON a.id = o.activity_id
                 WHERE a.booking_required"""  # noqa: S608 -- table names from the models
        )
        cursor.execute("CREATE INDEX ON bench_sessions (s)")
        cursor.execute("SELECT count(*) FROM bench_sessions")
        bookable = cursor.fetchone()[0]
        resident = f"((b.s * 37 + b.k * 7919) % {RESIDENTS} + 1)"
        kind = "(b.g % 100)"  # 0–1 waiting, 2–4 cancelled, 5 walk-in, 6–7 from the waiting list
        guest = f"(b.g % 50 = 9 AND {kind} <> 5)"
        insert_select(
            cursor,
            Booking,
            {
                "id": "b.g",
                "occurrence_id": "o.id",
                "activity_id": "o.activity_id",
                "centre_id": "o.centre_id",
                "starts_at": "o.starts_at",
                "ends_at": "o.ends_at",
                "resident_id": f"CASE WHEN {guest} THEN NULL ELSE {resident} END",
                "dependant_id": f"CASE WHEN NOT {guest} AND {resident} <= {CHILDREN} AND b.k % 4 = 0 "
                f"THEN {resident} END",
                "person_name": "'预约人' || b.g",
                "guest_phone": "CASE WHEN b.g % 100 = 9 THEN '139' || lpad((b.g % 100000000)::text, 8, '0') "
                "ELSE '' END",
                "status": f"CASE WHEN {kind} < 2 THEN 'waiting' WHEN {kind} < 5 THEN 'cancelled' ELSE 'confirmed' END",
                "source": f"CASE WHEN {kind} = 5 THEN 'walk_in' ELSE 'online' END",
                "code": "'R' || lpad(b.g::text, 7, '0')",
                "created_at": "o.starts_at - interval '2 days'",
                "offered_at": f"CASE WHEN {kind} IN (6, 7) THEN o.starts_at - interval '1 day' END",
                "confirmed_at": f"CASE WHEN {kind} >= 2 THEN o.starts_at - interval '1 day' END",
            },
            f"""(SELECT g, (g - 1) / {bookable} AS k, (g - 1) % {bookable} + 1 AS s
                   FROM generate_series(1, {BOOKINGS}) g) b
                JOIN bench_sessions o ON o.s = b.s""",  # noqa: S608 -- the bench's constants
        )
        log(f"{BOOKINGS} bookings at {bookable} bookable sessions in {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        placed = insert_select(
            cursor,
            Place,
            {
                "id": "b.id",
                "booking_id": "b.id",
                "occurrence_id": "b.occurrence_id",
                "is_held": "b.status <> 'cancelled'",
                "checked_in_at": "CASE WHEN b.status = 'confirmed' AND b.id * 31 % 100 < 86 "
                "THEN b.starts_at + interval '5 minutes' END",
                "no_show": "b.status = 'confirmed' AND b.id * 31 % 100 >= 86",
            },
            f"{Booking._meta.db_table} b WHERE b.status <> 'waiting'",
        )
        log(f"{placed} places in {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        insert_select(
            cursor,
            AppointmentTopic,
            {"id": "g", "centre_id": "g", "name": "'证明开具'", "service_function": "'affairs'", "position": "0"},
            f"generate_series(1, {CENTRES}) g",
        )
        insert_select(
            cursor,
            Appointment,
            {
                "id": "g",
                "centre_id": f"g % {CENTRES} + 1",
                "topic_id": f"g % {CENTRES} + 1",
                "resident_id": f"CASE WHEN g % 10 = 0 THEN NULL ELSE (g * 13) % {RESIDENTS} + 1 END",
                "person_name": "'办事群众' || g",
                "guest_phone": "CASE WHEN g % 20 = 0 THEN '137' || lpad(g::text, 8, '0') ELSE '' END",
                "need": "'开具证明'",
                "starts_at": f"{start} + (g % {days}) * interval '1 day' + interval '18 hours'",
                "ends_at": f"{start} + (g % {days}) * interval '1 day' + interval '18 hours 30 minutes'",
                "status": "'confirmed'",
                "code": "'A' || lpad(g::text, 7, '0')",
                "checked_in_at": f"CASE WHEN g % 5 <> 0 THEN {start} + (g % {days}) * interval '1 day' "
                "+ interval '18 hours' END",
                "no_show": "g % 5 = 0",
            },
            f"generate_series(1, {APPOINTMENTS}) g",
        )
        for model in (
            Area,
            Centre,
            Brand,
            Activity,
            Occurrence,
            User,
            Dependant,
            Booking,
            Place,
            AppointmentTopic,
            Appointment,
        ):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
        log(f"appointments in {time.monotonic() - step:.1f} s")
    step = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"VACUUM ANALYZE in {time.monotonic() - step:.1f} s")


def loaded_month():
    from django.db.models import Min

    from activities.models import Occurrence
    from bookings.models import Place

    if Place.objects.count() < BOOKINGS * 0.9:
        return None
    first = Occurrence.objects.aggregate(first=Min("starts_at"))["first"]
    return first.astimezone(dt.timezone(dt.timedelta(hours=8))).date().replace(day=1) if first else None


# --- timing -------------------------------------------------------------------------------


class StatementTimer:
    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        started = time.monotonic()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((time.monotonic() - started, " ".join(sql.split())[:90]))


def time_roll_up(month: dt.date, runs: int) -> list[tuple[float, list]]:
    from django.db import connection

    from stats.rollup import monthly_figures_compute

    results = []
    for run in range(1, runs + 1):
        timer = StatementTimer()
        started = time.monotonic()
        with connection.execute_wrapper(timer):
            rows = monthly_figures_compute(month=month)
        seconds = time.monotonic() - started
        results.append((seconds, timer.statements))
        log(f"run {run}: {seconds:.2f} s, {rows} rows")
    return results


def check(month: dt.date) -> list[str]:
    """The district rows against plain counts of the same rows."""
    from django.db import connection
    from django.db.models import Sum

    from stats.models import MonthlyFigures
    from stats.rollup import month_bounds

    start, end = month_bounds(month)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FILTER (WHERE b.status IN ('confirmed', 'cancelled') AND p.is_held),
                      count(*) FILTER (WHERE b.status IN ('confirmed', 'cancelled') AND p.is_held
                                       AND p.checked_in_at IS NOT NULL)
                 FROM bookings_place p JOIN activities_occurrence o ON o.id = p.occurrence_id
                 JOIN bookings_booking b ON b.id = p.booking_id
                WHERE o.status = 'scheduled' AND o.starts_at >= %s AND o.starts_at < %s""",
            [start, end],
        )
        booked, attended = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM activities_occurrence WHERE status = 'scheduled' AND starts_at >= %s "
            "AND starts_at < %s",
            [start, end],
        )
        [held] = cursor.fetchone()
    sums = MonthlyFigures.objects.filter(month=month, level="district").aggregate(
        booked=Sum("places_booked"), attended=Sum("attendances"), held=Sum("activities_held")
    )
    problems = []
    for name, expected in (("booked", booked), ("attended", attended), ("held", held)):
        if sums[name] != expected:
            problems.append(f"district rows: {name} {sums[name]} ≠ {expected} counted")
    return problems


def main() -> int:
    args = parse_args()
    prepare_environment()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from stats.models import MonthlyFigures
    from stats.rollup import SHANGHAI, previous_month

    log("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    if args.month:
        month = dt.date.fromisoformat(f"{args.month}-01")
    else:
        month = previous_month(timezone.now().astimezone(SHANGHAI).date())
    if args.fresh or loaded_month() != month:
        log(f"loading {month:%Y-%m}")
        load(month)
    else:
        log(f"{month:%Y-%m} is loaded already (--fresh to load it again)")
    results = time_roll_up(month, args.runs)
    problems = check(month)
    best_seconds, best_statements = min(results, key=lambda result: result[0])
    rows = MonthlyFigures.objects.filter(month=month)
    district = rows.filter(level="district").order_by("area_id").first()
    print()
    print(f"Roll-up of {month:%Y-%m}: {rows.count()} rows; runs: " + ", ".join(f"{s:.2f} s" for s, _ in results))
    print(f"Best run: {best_seconds:.2f} s (target under {TARGET_SECONDS:.0f} s); its statements:")
    for seconds, sql in sorted(best_statements, reverse=True)[:8]:
        print(f"  {seconds * 1000:8.0f} ms  {sql}")
    print(
        f"District 1: {district.activities_held} sessions, {district.places_booked} places booked, "
        f"{district.attendances} attendances, {district.residents_served} people, fill {district.fill_rate}, "
        f"no-show {district.no_show_rate}, {district.person_hours} person-hours"
    )
    print(f"Machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for problem in problems:
        print("CHECK FAILED:", problem)
    passed = best_seconds < TARGET_SECONDS and not problems
    print("Verdict:", "PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
