"""Reminder benchmark: 100,000 due reminders sent by one Celery worker.

    .venv/bin/python bench/reminders.py              # about 3 minutes; exits 0 only if the targets are met
    .venv/bin/python bench/reminders.py --help

Prepares the database ``portal_bench_reminders`` (created, migrated): one centre, an
activity with ``--sessions`` sessions starting 90 minutes from now, ``--reminders``
residents (half reading Chinese, half English, all taking text messages) each with a
booking, its place, and its 2-hour reminder, which is therefore due (written with
``bulk_create``, not the booking service: the booking is not what is measured). Starts
one real worker (``celery -A portal worker --pool=solo``, one process) with the console
SMS backend writing to a file, asks it once for ``bookings.tasks.send_due_reminders``
with no time limit, and measures the time until every reminder is handled and every
text message sent. Then it reads the worker's output and checks that every message key
appears exactly once, and that each reminder became exactly one message.

Target (issue 5): 100,000 due reminders sent by one worker in under 2 minutes, none twice.
"""

import argparse
import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench import run as base  # noqa: E402 (after the path is set)

HOST = "127.0.0.1"
DATABASE = "portal_bench_reminders"
REDIS_DB = 7
MAX_SECONDS = 120  # the target
PHONE_PREFIX = "137"

log = base.log


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reminders", type=int, default=100_000, help="due reminders (default 100000)")
    parser.add_argument("--sessions", type=int, default=100, help="sessions they are spread over (default 100)")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds (default 600)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/reminders-*.json")
    return parser.parse_args()


def prepare_environment(output: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = f"postgres://postgres@{HOST}:5432/{DATABASE}"
    os.environ["REDIS_URL"] = f"redis://{HOST}:6379/{REDIS_DB}"
    os.environ["SMS_BACKEND"] = "portal.sms.ConsoleSmsBackend"
    os.environ.setdefault("BENCH_STATIC_ROOT", str(Path(tempfile.gettempdir()) / "portal-bench-static"))
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    os.environ["BENCH_SMS_OUTPUT"] = str(output)


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            log(f"creating database {DATABASE}")
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def prepare_data(args) -> dict:
    """Empty the last run's bookings and messages, and write the due reminders."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from activities.models import Occurrence
    from bench.booking import _activity, _centre
    from bookings.codes import new_pass_code
    from bookings.models import Booking, Place, Reminder
    from portal.models import User

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE bookings_reminder, bookings_place, bookings_booking, portal_notification, "
            "activities_occurrence CASCADE"
        )
    centre = _centre()
    activity = _activity(centre, "提醒压测·周末讲座", capacity=-(-args.reminders // args.sessions))
    now = timezone.now()
    starts = (now + dt.timedelta(minutes=90)).replace(second=0, microsecond=0)
    sessions = Occurrence.objects.bulk_create(
        Occurrence(
            activity=activity,
            centre=centre,
            starts_at=starts + dt.timedelta(minutes=i % 4),
            ends_at=starts + dt.timedelta(minutes=60 + i % 4),
        )
        for i in range(args.sessions)
    )
    phones = [f"{PHONE_PREFIX}{n:08d}" for n in range(args.reminders)]
    have = set(User.objects.filter(phone__in=phones).values_list("phone", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        (
            User(
                phone=p,
                name=f"提醒居民{p[-5:]}",
                password=unusable,
                language="en" if int(p[-1]) % 2 else "zh-hans",
                notify_by_sms=True,
            )
            for p in phones
            if p not in have
        ),
        batch_size=5000,
    )
    User.objects.filter(phone__in=phones).update(notify_by_sms=True, notify_by_email=False)
    residents = list(User.objects.filter(phone__in=phones).order_by("pk"))
    log(f"{len(residents)} residents; writing {args.reminders} bookings, places and due reminders")
    created = now - dt.timedelta(hours=3)
    bookings = Booking.objects.bulk_create(
        (
            Booking(
                occurrence=sessions[n % len(sessions)],
                activity=activity,
                centre=centre,
                starts_at=sessions[n % len(sessions)].starts_at,
                ends_at=sessions[n % len(sessions)].ends_at,
                resident=resident,
                person_name=resident.name,
                status=Booking.Status.CONFIRMED,
                code=new_pass_code(),
                created_at=created,
                confirmed_at=created,
            )
            for n, resident in enumerate(residents)
        ),
        batch_size=5000,
    )
    Place.objects.bulk_create(
        (Place(booking=b, occurrence_id=b.occurrence_id) for b in bookings),
        batch_size=5000,
    )
    Reminder.objects.bulk_create(
        (
            Reminder(
                booking=b,
                occurrence_id=b.occurrence_id,
                hours_before=2,
                due_at=b.starts_at - dt.timedelta(hours=2),
            )
            for b in bookings
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    due = Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=timezone.now()).count()
    return {"due": due}


def start_worker(output: Path) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "celery"),
        "-A",
        "portal",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
        "--hostname=bench-reminders@%h",
    ]
    stream = open(output, "w", encoding="utf-8")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(command, cwd=ROOT, stdout=stream, stderr=subprocess.STDOUT, env=os.environ.copy())


def wait_until_sent(timeout: float) -> tuple[float, dict]:
    from django.db import connection

    started = time.monotonic()
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM bookings_reminder WHERE status = 'pending'),"
                " (SELECT count(*) FROM portal_notification WHERE delivery = 'pending'),"
                " (SELECT count(*) FROM portal_notification)"
            )
            pending_reminders, pending_messages, messages = cursor.fetchone()
        elapsed = time.monotonic() - started
        if pending_reminders == 0 and pending_messages == 0 and messages > 0:
            return elapsed, {"messages": messages}
        if elapsed > timeout:
            return elapsed, {"messages": messages, "gave_up": True}
        time.sleep(0.2)


def read_output(output: Path) -> dict:
    keys = Counter(re.findall(r"^SMS to \d{11} \([^)]*\) \[([^\]]+)\]:$", output.read_text(), re.MULTILINE))
    return {"texts": sum(keys.values()), "distinct": len(keys), "twice": sum(1 for n in keys.values() if n > 1)}


def main() -> int:
    args = parse_args()
    RESULTS.mkdir(exist_ok=True)
    output = Path(tempfile.gettempdir()) / "portal-bench-reminders-worker.log"
    prepare_environment(output)
    ensure_database()
    log("preparing the data")
    prepared = prepare_data(args)
    log(f"{prepared['due']} reminders due; starting one worker")
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    worker = start_worker(output)
    try:
        time.sleep(4)  # the worker connects to the broker and the database
        from bookings.tasks import send_due_reminders

        log("sending bookings.tasks.send_due_reminders")
        send_due_reminders.apply_async(kwargs={"time_limit": None})
        seconds, counts = wait_until_sent(args.timeout)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    texts = read_output(output)
    from bookings.models import Reminder
    from portal.models import Notification

    sent_reminders = Reminder.objects.filter(status=Reminder.Status.SENT).count()
    reminder_messages = Notification.objects.filter(kind=Notification.Kind.REMINDER).count()
    result = {
        "due_reminders": prepared["due"],
        "seconds": round(seconds, 1),
        "per_second": round(prepared["due"] / seconds, 1) if seconds else None,
        "reminders_sent": sent_reminders,
        "reminder_messages": reminder_messages,
        **texts,
        "machine": base.machine_facts(),
    }
    checks = {
        f"all {prepared['due']} sent in under {MAX_SECONDS} s": seconds < MAX_SECONDS
        and sent_reminders == prepared["due"] == reminder_messages == texts["distinct"],
        "none sent twice": texts["twice"] == 0 and texts["texts"] == texts["distinct"],
    }
    print()
    print(f"due reminders            {prepared['due']:>10,}")
    print(f"time until all were sent {seconds:>10.1f} s   ({result['per_second']}/s)")
    print(f"reminders marked sent    {sent_reminders:>10,}")
    print(f"messages written         {reminder_messages:>10,}")
    print(f"text messages (console)  {texts['texts']:>10,}", end="")
    print(f"   distinct keys {texts['distinct']:,}, twice {texts['twice']}")
    for name, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    if not args.no_save:
        path = RESULTS / f"reminders-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(result | {"checks": checks}, indent=2, ensure_ascii=False))
        log(f"figures written to {path.relative_to(ROOT)}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
