"""Booking benchmark: 64 clients book places at one hot session through gunicorn and
PostgreSQL, then keep trying once it is full; and the same booking as a raw PostgreSQL
statement (pgbench, same machine, same run) for comparison.

    .venv/bin/python bench/booking.py              # about two minutes; exits 0 only if every target is met
    .venv/bin/python bench/booking.py --help

Prepares the database ``portal_bench_booking`` (created, migrated; one centre open every
day, a hot session with ``--capacity`` places, a warm-up session, a session for the raw
statement, ``--residents`` residents each with a logged-in session and a CSRF cookie);
empties the bookings, sessions and inbox of the last run; starts gunicorn with
``bench.settings`` on 127.0.0.1:8019; warms it up on the warm-up session; then releases
``--clients`` clients at once (processes of threads, an HTTP/1.1 socket each, opened again
whenever gunicorn closes it: sync workers close after every answer), every
request a POST of the session page's real booking form by the next resident, with a new
``request_key``. It measures the bookings accepted per second until the session is full,
the refusals per second for ``--refusal-seconds`` after it is full, the latency of each
phase, and checks the places held against the capacity in the database. Then it stops
gunicorn and runs ``pgbench`` with the raw booking statement (lock the session's row,
count its held places, insert the booking and its place) with as many clients, on a
session with room for all, and on the full hot session (lock, count, refuse). Prints a
table and the verdict, writes the figures to ``bench/results/booking-<time>.json``.
Traffic goes to 127.0.0.1 only; nothing is left running.
"""

import argparse
import datetime as dt
import json
import multiprocessing
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench import run as base  # noqa: E402 (after the path is set)

HOST = "127.0.0.1"
DATABASE = "portal_bench_booking"
REDIS_DB = 9

# Targets from the issue.
MIN_ACCEPTED_PER_S = 400
MIN_REFUSED_PER_S = 1000
MAX_P99_MS = 150
MIN_RAW_SHARE = 0.2  # at least 1:5 of the raw statement's bookings/s

CENTRE_SLUG = "bench-booking-centre"
HOT_TITLE = "抢票压测·热门讲座"
WARMUP_TITLE = "抢票压测·预热场"
RAW_TITLE = "抢票压测·原始语句"
PHONE_PREFIX = "166"  # the bench's residents: 166 00000000 and up
MAX_RUN_SECONDS = 600  # the run until full stops by then even if the session never fills

log = base.log


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8019, help="gunicorn's port on 127.0.0.1 (default 8019)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (default 64)")
    parser.add_argument(
        "--client-processes", type=int, default=8, help="processes the clients are spread over (default 8)"
    )
    parser.add_argument("--capacity", type=int, default=2000, help="places at the hot session (default 2000)")
    parser.add_argument(
        "--residents", type=int, default=16000, help="residents with a session, one per request (default 16000)"
    )
    parser.add_argument(
        "--refusal-seconds", type=float, default=8.0, help="how long to keep trying once full (default 8)"
    )
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of booking the warm-up session (default 3)")
    parser.add_argument(
        "--baseline-seconds",
        type=float,
        default=5.0,
        help="seconds of the same clients posting to /bench/baseline, the floor of this machine (default 5; 0: none)",
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker, for gthread (default 1)")
    parser.add_argument("--pgbench-seconds", type=int, default=10, help="seconds per pgbench run (default 10)")
    parser.add_argument("--no-pgbench", action="store_true", help="skip the raw statement")
    parser.add_argument(
        "--settings", default="bench.settings", help="settings module (default bench.settings), e.g. one to try"
    )
    parser.add_argument(
        "--candidate",
        choices=["full_mark", "minimal"],
        help="answer the booking URL with a candidate from bench/booking_candidates.py (sets --settings)",
    )
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/booking-*.json")
    args = parser.parse_args()
    if args.residents < args.capacity + 4 * args.clients:
        parser.error("--residents must leave room for the capacity and the warm-up: at least capacity + 4 x clients")
    if args.candidate:
        args.settings = "bench.booking_candidate_settings"
        os.environ["BENCH_BOOKING_CANDIDATE"] = args.candidate
    return args


# --- preparing the database ---------------------------------------------------------


def prepare_environment(settings_module: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ["DATABASE_URL"] = f"postgres://postgres@{HOST}:5432/{DATABASE}"
    os.environ["REDIS_URL"] = f"redis://{HOST}:6379/{REDIS_DB}"
    os.environ.setdefault("BENCH_STATIC_ROOT", str(Path(tempfile.gettempdir()) / "portal-bench-static"))
    # Text messages go to a list in memory: a real provider is called after the commit
    # and is not what is measured here.
    os.environ["SMS_BACKEND"] = "portal.sms.LocmemSmsBackend"
    # One key for the runner, which signs the residents' sessions, and every worker.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            log(f"creating database {DATABASE}")
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def _centre():
    from centres import services
    from centres.models import Area, Centre, Day, ServiceKind

    centre = Centre.objects.filter(slug=CENTRE_SLUG).first()
    if centre is not None:
        return centre
    district = Area.objects.filter(name="压测区", level=Area.Level.DISTRICT).first() or services.area_create(
        name="压测区", level=Area.Level.DISTRICT, city="泉州市"
    )
    street = Area.objects.filter(name="压测街道", parent=district).first() or services.area_create(
        name="压测街道", level=Area.Level.STREET, parent=district
    )
    community = Area.objects.filter(name="压测社区", parent=street).first() or services.area_create(
        name="压测社区", level=Area.Level.COMMUNITY, parent=street
    )
    centre = services.centre_create(
        name="压测社区党群服务中心", slug=CENTRE_SLUG, area=community, address="压测路1号", phone="0595-22000000"
    )
    # Open every day and on public holidays, so that tomorrow always has an evening.
    services.centre_hours_replace(
        centre=centre,
        periods=[{"day": day, "kind": ServiceKind.REGULAR, "opens": dt.time(8), "closes": dt.time(21)} for day in Day],
    )
    return centre


def _activity(centre, title: str, capacity: int):
    from activities import services
    from activities.models import Activity

    fields = {
        "title": title,
        "description": "压测用活动。",
        "service_function": "culture_sports",
        "capacity": capacity,
        "booking_required": True,
        "booking_opens_days": 14,
        "booking_closes_minutes": 60,
    }
    activity = Activity.objects.filter(centre=centre, title=title).first()
    return services.activity_save(centre=centre, activity=activity, **fields)


def _fresh_session(activity, date: dt.date, starts: dt.time, ends: dt.time):
    """The activity's only session: tomorrow's, made anew through the scheduling service."""
    from activities import services

    activity.occurrences.all().delete()
    return services.occurrence_create(activity=activity, date=date, starts=starts, ends=ends, room=None)


def _residents(count: int) -> list[int]:
    from django.contrib.auth.hashers import make_password

    from portal.models import User

    phones = [f"{PHONE_PREFIX}{n:08d}" for n in range(count)]
    have = set(User.objects.filter(phone__in=phones).values_list("phone", flat=True))
    unusable = make_password(None)  # the residents log in by phone code; the bench logs them in itself
    User.objects.bulk_create(
        (
            User(phone=p, name=f"压测居民{p[-5:]}", role=User.Role.RESIDENT, password=unusable)
            for p in phones
            if p not in have
        ),
        batch_size=2000,
    )
    ids = dict(User.objects.filter(phone__in=phones).values_list("phone", "pk"))
    return [ids[p] for p in phones]


def _sessions_for(resident_ids: list[int]) -> list[tuple[str, str]]:
    """A logged-in session (stored as Django's session engine stores it) and a CSRF secret
    for each resident: (session key, csrf token)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from portal.models import User

    engine = import_module(settings.SESSION_ENGINE)
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        sys.exit(f"the bench writes sessions to the database; {settings.SESSION_ENGINE} is not supported")
    store = engine.SessionStore()
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    users = User.objects.in_bulk(resident_ids)
    rows, pairs = [], []
    for pk in resident_ids:
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: users[pk].get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        pairs.append((key, get_random_string(32)))  # a CSRF secret, as the cookie holds it
    Session.objects.bulk_create(rows, batch_size=2000)
    return pairs


def prepare_django(args) -> dict:
    """Migrate, reset the last run's bookings, make tomorrow's sessions and the residents'
    logins; returns the sessions' ids and the residents' credentials."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import CommandError, call_command
    from django.db import connection, connections
    from django.utils import timezone

    log("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    try:  # pages in Chinese, as a resident sees them
        call_command("compile_catalogues", verbosity=0)
    except CommandError as error:
        log(f"translations not compiled: {error}")
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        log(f"collecting static files into {settings.STATIC_ROOT}")
        call_command("collectstatic", interactive=False, clear=True, verbosity=0)

    log("emptying the last run's bookings, inbox and logins")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bookings_place, bookings_booking, portal_notification, django_session CASCADE")
    centre = _centre()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    hot = _fresh_session(_activity(centre, HOT_TITLE, args.capacity), tomorrow, dt.time(19), dt.time(20, 30))
    warmup = _fresh_session(_activity(centre, WARMUP_TITLE, 10000), tomorrow, dt.time(9), dt.time(10))
    raw = _fresh_session(_activity(centre, RAW_TITLE, 10000), tomorrow, dt.time(14), dt.time(15))
    started = time.monotonic()
    resident_ids = _residents(args.residents)
    credentials = _sessions_for(resident_ids)
    log(f"{len(resident_ids)} residents logged in, in {time.monotonic() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    paths = {
        "hot": reverse_book(hot.pk),
        "warmup": reverse_book(warmup.pk),
    }
    connections.close_all()
    return {
        "hot_id": hot.pk,
        "warmup_id": warmup.pk,
        "raw_id": raw.pk,
        "paths": paths,
        "credentials": credentials,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "marks": refusal_marks(),
    }


def reverse_book(occurrence_id: int) -> str:
    from django.urls import reverse

    return reverse("bookings:book", kwargs={"occurrence_pk": occurrence_id})


# --- the clients --------------------------------------------------------------------


def _request(path: str, cookies: str, token: str) -> bytes:
    body = f"csrfmiddlewaretoken={token}&request_key={uuid.uuid4()}&people=self".encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nCookie: {cookies}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        "Accept-Language: zh-CN,zh;q=0.9\r\n\r\n"
    )
    return head.encode() + body


class Connection:
    """One client's socket to gunicorn: HTTP/1.1, reopened whenever the server closes it
    (gunicorn's sync workers close after every response)."""

    def __init__(self, port: int):
        self.port = port
        self.sock = None
        self.reader = None

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = self.reader = None

    def exchange(self, request: bytes) -> tuple[int, str, bytes]:
        """Send one request; returns (status, Location, body). A kept-alive socket the
        server has closed meanwhile is opened again once."""
        reused = self.sock is not None
        if self.sock is None:
            self.sock = socket.create_connection((HOST, self.port), timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.reader = self.sock.makefile("rb")
        try:
            self.sock.sendall(request)
            status_line = self.reader.readline()
        except (BrokenPipeError, ConnectionResetError):
            status_line = b""
        if not status_line:
            self.close()
            if reused:
                return self.exchange(request)
            raise ConnectionError("closed before the answer")
        status = int(status_line.split(b" ", 2)[1])
        length, location, close = 0, "", False
        while True:
            line = self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"location":
                location = value.strip().decode()
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        body = self.reader.read(length) if length else b""
        if close:
            self.close()
        return status, location, body


def refusal_marks() -> dict[str, bytes]:
    """The refusals as the page shows them to a resident (in Chinese, HTML-escaped):
    "full" is the one a full session must give; "busy" is the lock timeout's."""
    from django.utils import translation
    from django.utils.html import escape
    from django.utils.translation import gettext

    messages = {
        "full": "Sorry, it is fully booked. You can join the waiting list.",
        "taken": "Sorry, the last places were just taken. You can join the waiting list.",
        "busy": "Many people are booking right now. Please try again in a moment.",
    }
    with translation.override("zh-hans"):
        return {kind: escape(gettext(text)).encode() for kind, text in messages.items()}


def classify(status: int, location: str, body: bytes, marks: dict[str, bytes]) -> str:
    """booked (the redirect to the new pass), full, busy, or what else came back."""
    if status in (302, 303) and "/bookings/" in location:
        return "booked"
    # Once a session is known to be full, the portal sends the form back to the
    # session's page with the message, without loading anything.
    if status in (302, 303) and location.endswith("#booking"):
        return "full"
    if status == 200 and body.strip().isdigit():
        return "baseline"
    if status == 200 and b'id="booking-refusal"' in body:
        for kind, mark in marks.items():
            if mark in body:
                return kind
        return "other_refusal"
    if status >= 500:
        return "server_error"
    return f"other_{status}"


def _clients(index: int, config: dict, path: str, credentials: list, barrier, full_at, queue, duration: float | None):
    """One process's share of the clients, as threads. Client ``n`` books for residents
    ``n``, ``n + clients``, ... in turn. With a ``duration`` (the warm-up, the baseline)
    it stops that long after the release; else ``--refusal-seconds`` after the first
    "full" answer. Puts the records (start, end, kind) and the process's CPU seconds on
    ``queue``."""
    per_process, clients = config["per_process"], config["clients"]
    numbers = [n for n in range(index * per_process, (index + 1) * per_process) if n < clients]
    records: list[tuple[float, float, str]] = []
    lock = threading.Lock()
    released = threading.Event()
    deadline = [float("inf")]
    cookie = config["session_cookie"] + "={}; " + config["csrf_cookie"] + "={}"

    def stop(now: float) -> bool:
        if duration is not None or now >= deadline[0]:
            return now >= deadline[0]
        return bool(full_at.value) and now >= full_at.value + config["refusal_seconds"]

    def client(number: int) -> None:
        connection = Connection(config["port"])
        mine = []
        turn = number
        released.wait()
        while not stop(time.monotonic()):
            session_key, token = credentials[turn % len(credentials)]
            turn += clients
            request = _request(path, cookie.format(session_key, token), token)
            began = time.monotonic()
            try:
                kind = classify(*connection.exchange(request), config["marks"])
            except (OSError, ValueError, IndexError) as error:
                connection.close()
                kind = f"error_{type(error).__name__}"
            ended = time.monotonic()
            mine.append((began, ended, kind))
            if kind == "full" and not full_at.value:
                with full_at.get_lock():
                    if not full_at.value:
                        full_at.value = ended
        connection.close()
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in numbers]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    # A run until full gives up after MAX_RUN_SECONDS, whatever happens.
    deadline[0] = time.monotonic() + (duration if duration is not None else MAX_RUN_SECONDS)
    released.set()
    for thread in threads:
        thread.join()
    times = os.times()
    queue.put((records, times.user + times.system))


def drive(args, prepared: dict, path: str, *, duration: float | None = None, reverse: bool = False) -> dict:
    """Release the clients on ``path`` at once, for ``duration`` seconds or until the
    session is full and ``--refusal-seconds`` more; returns their records and CPU time.
    ``reverse`` takes the residents from the other end (the warm-up's)."""
    processes = max(1, min(args.client_processes, args.clients))
    per_process = -(-args.clients // processes)
    processes = -(-args.clients // per_process)
    config = {
        "port": args.port,
        "clients": args.clients,
        "per_process": per_process,
        "refusal_seconds": args.refusal_seconds,
        "session_cookie": prepared["session_cookie"],
        "csrf_cookie": prepared["csrf_cookie"],
        "marks": prepared["marks"],
    }
    credentials = prepared["credentials"]
    if reverse:
        credentials = credentials[::-1]
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes + 1)
    full_at = context.Value("d", 0.0)
    queue = context.Queue()
    children = [
        context.Process(
            target=_clients, args=(n, config, path, credentials, barrier, full_at, queue, duration), daemon=True
        )
        for n in range(processes)
    ]
    for child in children:
        child.start()
    barrier.wait(timeout=60)
    started = time.monotonic()
    records, client_cpu = [], 0.0
    for _ in children:
        child_records, cpu = queue.get(timeout=900)
        records.extend(child_records)
        client_cpu += cpu
    for child in children:
        child.join(timeout=30)
    return {"started": started, "ended": time.monotonic(), "records": records, "client_cpu_s": client_cpu}


# --- the raw statement --------------------------------------------------------------

# One booking as one PostgreSQL client would make it with no application in between:
# lock the session's row, count its held places and insert the booking and its place
# if one is free, in one transaction. The booking is a guest's (no resident, so no
# per-person constraint to meet) with a code from a sequence.
RAW_SCRIPT = """\
BEGIN;
SELECT 1 FROM activities_occurrence WHERE id = :occ FOR UPDATE;
WITH held AS (
    SELECT count(*) AS n FROM bookings_place WHERE occurrence_id = :occ AND is_held
), booking AS (
    INSERT INTO bookings_booking (
        occurrence_id, activity_id, centre_id, starts_at, ends_at, person_name, guest_phone, status, source,
        code, request_key, created_at, confirmed_at, cancel_reason, cancelled_by_centre
    )
    SELECT o.id, o.activity_id, o.centre_id, o.starts_at, o.ends_at, 'pgbench', '', 'confirmed', 'online',
        lpad(to_hex(nextval('bench_raw_code')), 8, '0'), '', now(), now(), '', false
    FROM activities_occurrence o JOIN activities_activity a ON a.id = o.activity_id, held
    WHERE o.id = :occ AND held.n < a.capacity
    RETURNING id, occurrence_id
)
INSERT INTO bookings_place (booking_id, occurrence_id, is_held, no_show)
SELECT id, occurrence_id, true, false FROM booking;
COMMIT;
"""


def free_connections() -> int:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        [(free,)] = conn.execute(
            "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
        ).fetchall()
    return free


def run_pgbench(args, occurrence_id: int, label: str) -> dict:
    script = Path(tempfile.gettempdir()) / f"portal-bench-booking-{os.getpid()}.sql"
    script.write_text(RAW_SCRIPT)
    command = [
        "pgbench", "-n", "-h", HOST, "-U", "postgres", "-c", str(args.clients), "-j", str(os.cpu_count() or 1),
        "-T", str(args.pgbench_seconds), "-D", f"occ={occurrence_id}", "-f", str(script), DATABASE,
    ]  # fmt: skip
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=args.pgbench_seconds + 120)
    finally:
        script.unlink(missing_ok=True)
    if completed.returncode != 0:
        sys.exit(f"pgbench failed ({label}):\n{completed.stdout}\n{completed.stderr}")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", completed.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", completed.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", completed.stdout)
    result = {
        "tps": float(tps.group(1)),
        "latency_avg_ms": float(latency.group(1)) if latency else None,
        "failed": int(failed.group(1)) if failed else 0,
        "command": " ".join(command),
        "raw": completed.stdout,
    }
    log(f"pgbench {label}: {result['tps']:.0f} transactions/s, average {result['latency_avg_ms']} ms")
    return result


def raw_statement(args, prepared: dict) -> dict:
    import psycopg

    if shutil.which("pgbench") is None:
        sys.exit("pgbench is missing: apt-get install -y postgresql-client")
    free = free_connections()
    if free < args.clients + 5:
        sys.exit(f"PostgreSQL has {free} free connections, pgbench needs {args.clients}: try again later")
    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/{DATABASE}", autocommit=True) as conn:
        conn.execute("CREATE SEQUENCE IF NOT EXISTS bench_raw_code")
        # Room for every booking pgbench makes in its run: the accepted case all along.
        conn.execute(
            "UPDATE activities_activity SET capacity = 100000000 WHERE id = "
            "(SELECT activity_id FROM activities_occurrence WHERE id = %s)",
            [prepared["raw_id"]],
        )
    accepted = run_pgbench(args, prepared["raw_id"], "booking (a place free)")
    refused = run_pgbench(args, prepared["hot_id"], "refusal (the full hot session)")
    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/{DATABASE}", autocommit=True) as conn:
        [(made,)] = conn.execute(
            "SELECT count(*) FROM bookings_place WHERE occurrence_id = %s", [prepared["raw_id"]]
        ).fetchall()
        [(hot_held,)] = conn.execute(
            "SELECT count(*) FROM bookings_place WHERE occurrence_id = %s AND is_held", [prepared["hot_id"]]
        ).fetchall()
    accepted["places_made"] = made
    refused["hot_places_held_after"] = hot_held
    return {"accepted": accepted, "refused": refused}


# --- the measured run ---------------------------------------------------------------


class ServerCpu(base.ServerCpu):
    """CPU seconds of gunicorn and of this bench database's PostgreSQL backends."""

    def pids(self) -> list[int]:
        return [*self.gunicorn_pids(), *self.backend_pids()]

    def gunicorn_pids(self) -> list[int]:
        return [self.gunicorn_pid, *base._children(self.gunicorn_pid)]

    def backend_pids(self) -> list[int]:
        rows = self.conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DATABASE]).fetchall()
        return [pid for (pid,) in rows]

    def split(self, before: dict[int, float], after: dict[int, float]) -> dict[str, float]:
        """Seconds used by gunicorn and by PostgreSQL between two snapshots."""
        workers = set(self.gunicorn_pids())
        used = {pid: seconds - before.get(pid, 0.0) for pid, seconds in after.items()}
        return {
            "gunicorn_s": sum(v for pid, v in used.items() if pid in workers),
            "postgres_s": sum(v for pid, v in used.items() if pid not in workers),
        }


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latencies(records) -> dict:
    ms = [1000 * (end - start) for start, end, _kind in records]
    return {
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p90_ms": round(percentile(ms, 0.90), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1) if ms else float("nan"),
    }


def analyse(run: dict) -> dict:
    """Split the records at the moment the last accepted booking was answered: before
    it the session was filling, after it every answer should be a clean refusal."""
    records, started = run["records"], run["started"]
    kinds: dict[str, int] = {}
    for _start, _end, kind in records:
        kinds[kind] = kinds.get(kind, 0) + 1
    booked = [r for r in records if r[2] == "booked"]
    if not booked:
        return {"kinds": kinds, "accepted": 0, "client_cpu_s": round(run["client_cpu_s"], 2)}
    full = max(end for _start, end, _kind in booked)
    filling = [r for r in records if r[1] <= full]
    after = [r for r in records if r[0] >= full]
    last = max(end for _start, end, _kind in records)
    refusals_after = sum(1 for r in after if r[2] == "full")
    return {
        "kinds": kinds,
        "accepted": len(booked),
        "filling_s": round(full - started, 3),
        "accepted_per_s": round(len(booked) / (full - started), 1),
        "filling": {"requests": len(filling), **latencies(filling)},
        "refusing_s": round(last - full, 3),
        "refused_per_s": round(refusals_after / (last - full), 1) if last > full else 0.0,
        "refusing": {"requests": len(after), "not_clean": len(after) - refusals_after, **latencies(after)},
        "all": {"requests": len(records), **latencies(records)},
        "client_cpu_s": round(run["client_cpu_s"], 2),
    }


def analyse_fixed(run: dict) -> dict:
    """A run of fixed length (the baseline): answers per second and latencies."""
    records = run["records"]
    kinds: dict[str, int] = {}
    for _start, _end, kind in records:
        kinds[kind] = kinds.get(kind, 0) + 1
    span = max((end for _start, end, _kind in records), default=run["started"]) - run["started"]
    return {
        "kinds": kinds,
        "requests": len(records),
        "per_s": round(len(records) / span, 1) if span > 0 else 0.0,
        **latencies(records),
    }


def database_check(prepared: dict, capacity: int) -> dict:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/{DATABASE}", autocommit=True) as conn:

        def one(sql: str) -> int:
            return conn.execute(sql, [prepared["hot_id"]]).fetchone()[0]

        held = one("SELECT count(*) FROM bookings_place WHERE occurrence_id = %s AND is_held")
        confirmed = one("SELECT count(*) FROM bookings_booking WHERE occurrence_id = %s AND status = 'confirmed'")
        other = one("SELECT count(*) FROM bookings_booking WHERE occurrence_id = %s AND status <> 'confirmed'")
        per_person = one(
            "SELECT count(*) FROM (SELECT resident_id FROM bookings_booking WHERE occurrence_id = %s "
            "GROUP BY resident_id HAVING count(*) > 1) AS twice"
        )
    return {
        "capacity": capacity,
        "places_held": held,
        "over_capacity": max(0, held - capacity),
        "confirmed_bookings": confirmed,
        "other_bookings": other,
        "residents_booked_twice": per_person,
    }


def check_endpoint(args, prepared: dict) -> None:
    """One booking by hand before the load (on the warm-up session): the real form must be
    accepted and answered with the redirect to the new pass."""
    session_key, token = prepared["credentials"][-1]
    cookie = f"{prepared['session_cookie']}={session_key}; {prepared['csrf_cookie']}={token}"
    connection = Connection(args.port)
    try:
        status, location, body = connection.exchange(_request(prepared["paths"]["warmup"], cookie, token))
        if classify(status, location, body, prepared["marks"]) != "booked":
            sys.exit(
                f"POST {prepared['paths']['warmup']} answered {status} {location!r}, not a booking:\n"
                f"{body[:3000].decode('utf-8', 'replace')}"
            )
        log(f"a booking by hand: {status} → {location}")
    finally:
        connection.close()


def verdict(summary: dict, db: dict, raw: dict | None) -> dict[str, bool]:
    checks = {
        "accepted_per_s": summary.get("accepted_per_s", 0) >= MIN_ACCEPTED_PER_S,
        "refused_per_s": summary.get("refused_per_s", 0) >= MIN_REFUSED_PER_S,
        "p99_filling": summary.get("filling", {}).get("p99_ms", 1e9) < MAX_P99_MS,
        "p99_refusing": summary.get("refusing", {}).get("p99_ms", 1e9) < MAX_P99_MS,
        "none_over_capacity": db["over_capacity"] == 0 and db["places_held"] == db["capacity"],
        "every_answer_clean": set(summary["kinds"]) <= {"booked", "full", "taken"},
        "accepted_match_database": summary.get("accepted") == db["confirmed_bookings"] == db["places_held"],
    }
    if raw is not None:
        checks["raw_share"] = summary.get("accepted_per_s", 0) / raw["accepted"]["tps"] >= MIN_RAW_SHARE
    return checks


def print_table(summary: dict, db: dict, raw: dict | None, checks: dict[str, bool], args) -> None:
    def mark(ok: bool) -> str:
        return "ok" if ok else "MISS"

    filling, refusing = summary.get("filling", {}), summary.get("refusing", {})
    header = f"{'phase':<30}{'answers':>9}{'per s':>9}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}  verdict"
    print()
    print(header)
    print("-" * len(header))
    print(
        f"{'filling (accepted bookings)':<30}{summary.get('accepted', 0):>9}{summary.get('accepted_per_s', 0):>9.0f}"
        f"{filling.get('p50_ms', 0):>8.1f}{filling.get('p90_ms', 0):>8.1f}{filling.get('p99_ms', 0):>8.1f}"
        f"{filling.get('max_ms', 0):>8.1f}  >= {MIN_ACCEPTED_PER_S}/s {mark(checks['accepted_per_s'])}, "
        f"p99 < {MAX_P99_MS} ms {mark(checks['p99_filling'])}"
    )
    refused = refusing.get("requests", 0) - refusing.get("not_clean", 0)
    print(
        f"{'full (refusals)':<30}{refused:>9}{summary.get('refused_per_s', 0):>9.0f}"
        f"{refusing.get('p50_ms', 0):>8.1f}{refusing.get('p90_ms', 0):>8.1f}{refusing.get('p99_ms', 0):>8.1f}"
        f"{refusing.get('max_ms', 0):>8.1f}  >= {MIN_REFUSED_PER_S}/s {mark(checks['refused_per_s'])}, "
        f"p99 < {MAX_P99_MS} ms {mark(checks['p99_refusing'])}"
    )
    baseline = summary.get("baseline")
    if baseline:
        print(
            f"{'baseline (/bench/baseline)':<30}{baseline['requests']:>9}{baseline['per_s']:>9.0f}"
            f"{baseline['p50_ms']:>8.1f}{baseline['p90_ms']:>8.1f}{baseline['p99_ms']:>8.1f}{baseline['max_ms']:>8.1f}"
            "  the same clients, one query, no session: this machine's floor"
        )
    if raw is not None:
        share = summary.get("accepted_per_s", 0) / raw["accepted"]["tps"]
        refusal_share = summary.get("refused_per_s", 0) / raw["refused"]["tps"]
        print(
            f"{'pgbench: raw booking':<30}{'':>9}{raw['accepted']['tps']:>9.0f}"
            f"{'avg ' + str(raw['accepted']['latency_avg_ms']):>16}{'':>24}  portal : raw = 1 : "
            f"{1 / share:.1f} ({share:.2f}; >= {MIN_RAW_SHARE}) {mark(checks['raw_share'])}"
        )
        print(
            f"{'pgbench: raw refusal':<30}{'':>9}{raw['refused']['tps']:>9.0f}"
            f"{'avg ' + str(raw['refused']['latency_avg_ms']):>16}{'':>24}  portal : raw = 1 : "
            f"{1 / refusal_share:.1f} (for information)"
        )
    print(
        f"\nPlaces held {db['places_held']} of {db['capacity']} (over capacity: {db['over_capacity']}), "
        f"{db['confirmed_bookings']} bookings, {db['other_bookings']} others, "
        f"{db['residents_booked_twice']} residents booked twice: {mark(checks['none_over_capacity'])}"
    )
    print(f"Answers: {summary['kinds']}: {mark(checks['every_answer_clean'])}")
    print(
        f"(latencies in ms as the clients saw them; {args.clients} clients in {args.client_processes} processes;"
        " filling = answers up to the last accepted booking, full = requests sent after it)"
    )
    print(
        "Server CPU a request: {server_cpu_ms_per_request:.2f} ms (gunicorn {gunicorn_cpu_ms_per_request:.2f},"
        " PostgreSQL {postgres_cpu_ms_per_request:.2f}); the clients used {client_cpu_s:.1f} s of CPU; the machine was"
        " {machine_cpu_busy:.0%} busy, load average {loadavg_1m_before} before the run".format(**summary)
    )


def main() -> int:
    args = parse_args()
    prepare_environment(args.settings)
    ensure_database()
    prepared = prepare_django(args)

    facts = base.machine_facts()
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    gunicorn_log = RESULTS / f"gunicorn-booking-{stamp}.log"
    process = base.start_gunicorn(args, gunicorn_log)
    try:
        check_endpoint(args, prepared)
        if args.warmup:
            log(f"warming up: {args.clients} clients book the warm-up session for {args.warmup:.0f} s")
            drive(args, prepared, prepared["paths"]["warmup"], duration=args.warmup, reverse=True)
            base.settle(args.port)
        baseline = None
        if args.baseline_seconds:
            log(f"baseline: {args.clients} clients post to /bench/baseline for {args.baseline_seconds:.0f} s")
            baseline = analyse_fixed(drive(args, prepared, "/bench/baseline", duration=args.baseline_seconds))
            base.settle(args.port)
        server_cpu = ServerCpu(process.pid)
        load_before = os.getloadavg()[0]
        log(
            f"{args.clients} clients book the hot session ({args.capacity} places), "
            f"then {args.refusal_seconds:.0f} s more"
        )
        before = server_cpu.snapshot()
        busy0, total0 = base.cpu_times()
        run = drive(args, prepared, prepared["paths"]["hot"])
        busy1, total1 = base.cpu_times()
        after = server_cpu.snapshot()
        used = ServerCpu.used(before, after)
        split = server_cpu.split(before, after)
    finally:
        base.stop_gunicorn(process)
        log("gunicorn stopped")
        if gunicorn_log.stat().st_size == 0:
            gunicorn_log.unlink()
        else:
            log(f"gunicorn's messages are in {gunicorn_log.relative_to(ROOT)}")

    summary = analyse(run)
    requests = max(1, len(run["records"]))
    summary["server_cpu_ms_per_request"] = round(1000 * used / requests, 2)
    summary["gunicorn_cpu_ms_per_request"] = round(1000 * split["gunicorn_s"] / requests, 2)
    summary["postgres_cpu_ms_per_request"] = round(1000 * split["postgres_s"] / requests, 2)
    summary["machine_cpu_busy"] = round((busy1 - busy0) / max(total1 - total0, 1), 3)
    summary["loadavg_1m_before"] = round(load_before, 2)
    summary["baseline"] = baseline
    db = database_check(prepared, args.capacity)
    raw = None if args.no_pgbench else raw_statement(args, prepared)
    checks = verdict(summary, db, raw)
    print_table(summary, db, raw, checks, args)
    passed = all(checks.values())
    print(
        f"\nVerdict: {'PASS' if passed else 'FAIL'}"
        + ("" if passed else f" ({', '.join(k for k, ok in checks.items() if not ok)})")
    )
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": facts,
        "settings": args.settings,
        "candidate": args.candidate,
        "gunicorn": " ".join(base.gunicorn_command(args)[2:]),
        "clients": args.clients,
        "client_processes": args.client_processes,
        "capacity": args.capacity,
        "residents": args.residents,
        "refusal_seconds": args.refusal_seconds,
        "path": prepared["paths"]["hot"],
        "targets": {
            "accepted_per_s": MIN_ACCEPTED_PER_S,
            "refused_per_s": MIN_REFUSED_PER_S,
            "p99_ms": MAX_P99_MS,
            "raw_share": MIN_RAW_SHARE,
        },
        "summary": summary,
        "database": db,
        "raw_statement": raw,
        "checks": checks,
        "verdict": "pass" if passed else "fail",
    }
    if not args.no_save:
        path = RESULTS / f"booking-{stamp}.json"
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        log(f"written {path.relative_to(ROOT)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
