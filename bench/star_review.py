"""District rating (区级评定) benchmark: the review screen of a cycle with 500 centres and
20 criteria, rendered through gunicorn for 8 concurrent clients.

    .venv/bin/python bench/star_review.py            # about a minute; exits 0 only if every target is met
    .venv/bin/python bench/star_review.py --help

Prepares the database ``portal_bench_star`` (created, migrated): one district, 10
streets, 500 communities with a centre each, a district staff member with a logged-in
session, and a cycle in district rating with 20 criteria (street, representatives,
self-assessed), 5 star levels and an application per centre with 2 scores per criterion
(a street scorer and a representative, 20,000 scores), all by bulk insert; the cycle and
its rows are made anew on every run. Counts the page's queries in-process on this data
and on a 2-centre, 2-criterion cycle (the count must not grow). Then starts gunicorn with
``bench.settings`` on 127.0.0.1:8017, warms up, and runs ``wrk -t2 -c8 --latency`` on
the review screen with the staff member's session cookie. Prints the figures and the
verdict and writes them to ``bench/results/star-review-<time>.json``. Traffic goes to
127.0.0.1 only; nothing is left running.
"""

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench import run as base  # noqa: E402 (after the path is set)

HOST = "127.0.0.1"
DATABASE = "portal_bench_star"
REDIS_DB = 3
MAX_P99_MS = 300
CENTRES = 500
CRITERIA = 20
PHONE = "16700000000"
DISTRICT = "压测区"

log = base.log


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8017, help="gunicorn's port on 127.0.0.1 (default 8017)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients, wrk -c (default 8)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--duration", type=int, default=20, help="seconds measured (default 20)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load before measuring (default 5)")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (default 5 = 2 x cores + 1)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker, for gthread (default 1)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/star-review-*.json")
    return parser.parse_args()


def prepare_environment() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = f"postgres://postgres@{HOST}:5432/{DATABASE}"
    os.environ["REDIS_URL"] = f"redis://{HOST}:6379/{REDIS_DB}"
    os.environ.setdefault("BENCH_STATIC_ROOT", str(Path(tempfile.gettempdir()) / "portal-bench-static"))
    # One key for the runner, which signs the staff member's session, and every worker.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            log(f"creating database {DATABASE}")
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


# --- data ------------------------------------------------------------------------------


def _areas_and_centres(centres: int):
    from centres.models import Area, Centre

    district, _ = Area.objects.get_or_create(name=DISTRICT, level=Area.Level.DISTRICT, parent=None)
    have = Centre.objects.filter(district=district).count()
    if have >= centres:
        return district
    log(f"inserting {centres - have} centres")
    streets = []
    for index in range(10):
        street, _ = Area.objects.get_or_create(name=f"压测街道{index}", level=Area.Level.STREET, parent=district)
        streets.append(street)
    communities = Area.objects.bulk_create(
        Area(name=f"压测社区{index}", level=Area.Level.COMMUNITY, parent=streets[index % 10])
        for index in range(have, centres)
    )
    Centre.objects.bulk_create(
        Centre(
            name=f"压测{community.name}党群服务中心",
            slug=f"bench-star-{index}",
            area=community,
            street=community.parent,
            district=district,
            address=f"压测路{index}号",
        )
        for index, community in enumerate(communities, start=have)
    )
    return district


def _cycle(district, centres: int, criteria: int, name: str):
    """A cycle in district rating with ``criteria`` criteria and an application with two
    scores per criterion for each of the first ``centres`` centres, made anew."""
    from centres.models import Centre
    from portal.models import User
    from ratings.models import Application, Criterion, Cycle, Score, StarLevel

    Cycle.objects.filter(district=district, name=name).delete()
    cycle = Cycle.objects.create(
        district=district,
        name=name,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        budget=Decimal(centres * 30000),
        status=Cycle.Status.REVIEW,
    )
    sources = [Criterion.Source.STREET, Criterion.Source.REPRESENTATIVES, Criterion.Source.SELF]
    made = Criterion.objects.bulk_create(
        Criterion(cycle=cycle, name=f"指标{i + 1}", max_points=5, source=sources[i % 3], position=i)
        for i in range(criteria)
    )
    StarLevel.objects.bulk_create(
        StarLevel(cycle=cycle, stars=s, min_score=Decimal(criteria * 5 * (40 + 12 * s)) / 100, reward=s * 10000)
        for s in range(1, 6)
    )
    scorers = [
        User.objects.get_or_create(phone=phone, defaults={"name": label, "role": role})[0]
        for phone, label, role in (
            ("16700000001", "压测街道干部", User.Role.STREET_STAFF),
            ("16700000002", "压测群众代表", User.Role.REPRESENTATIVE),
        )
    ]
    applications = Application.objects.bulk_create(
        Application(
            cycle=cycle,
            centre=centre,
            applied_stars=1 + index % 5,
            total=Decimal(criteria * 5 * (50 + index % 50)) / 100,
            proposed_stars=1 + (index // 3) % 5,
            final_stars=1 + (index // 3) % 5,
        )
        for index, centre in enumerate(Centre.objects.filter(district=district).order_by("pk")[:centres])
    )
    Score.objects.bulk_create(
        (
            Score(application=application, criterion=criterion, scorer=scorer, points=Decimal((a + c + k) % 6))
            for a, application in enumerate(applications)
            for c, criterion in enumerate(made)
            for k, scorer in enumerate(scorers)
        ),
        batch_size=5000,
    )
    return cycle


def _staff_session(district) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from portal.models import User

    staff, _ = User.objects.update_or_create(
        phone=PHONE, defaults={"name": "压测区委组织部", "role": User.Role.DISTRICT_STAFF, "area": district}
    )
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(staff.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = staff.get_session_auth_hash()
    store.save()
    return store.session_key


def _count_queries(path: str, session_key: str) -> int:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST, secure=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, secure=True)
    if response.status_code != 200:
        sys.exit(f"{path} answered {response.status_code} in-process")
    return len(queries)


def prepare(args) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.urls import reverse

    log("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        log(f"collecting static files into {settings.STATIC_ROOT}")
        call_command("collectstatic", interactive=False, clear=True, verbosity=0)
    district = _areas_and_centres(CENTRES)
    started = time.monotonic()
    big = _cycle(district, CENTRES, CRITERIA, "压测2026年度")
    small = _cycle(district, 2, 2, "压测小周期")
    log(f"cycles made in {time.monotonic() - started:.1f} s")
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")
    session_key = _staff_session(district)
    big_path = reverse("star_ratings:review", kwargs={"pk": big.pk})
    small_path = reverse("star_ratings:review", kwargs={"pk": small.pk})
    _count_queries(reverse("star_ratings:cycles"), session_key)  # the session is in the cache from here on
    started = time.monotonic()
    _count_queries(big_path, session_key)
    first_render_ms = 1000 * (time.monotonic() - started)
    big = _cycle(district, CENTRES, CRITERIA, "压测2026年度")  # anew: the counts start with an empty cache
    big_path = reverse("star_ratings:review", kwargs={"pk": big.pk})
    counts = {}
    for label, path in (("500 centres, 20 criteria", big_path), ("2 centres, 2 criteria", small_path)):
        counts[f"{label}, first render"] = _count_queries(path, session_key)
        counts[f"{label}, cached table"] = _count_queries(path, session_key)
    log(f"queries: {counts}")
    connections.close_all()
    return {"path": big_path, "session": session_key, "query_counts": counts, "first_render_ms": first_render_ms}


# --- measuring ---------------------------------------------------------------------------


def wrk(args, path: str, cookie: str, duration: int) -> dict:
    command = [
        "wrk",
        f"-t{args.wrk_threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-H",
        f"Cookie: {cookie}",
        f"http://{HOST}:{args.port}{path}",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=True)
    result = base.parse_wrk(completed.stdout)
    result["command"] = " ".join(c if not c.startswith("Cookie") else "Cookie: …" for c in command)
    result["raw"] = completed.stdout
    return result


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed")
    prepare_environment()
    ensure_database()
    prepared = prepare(args)
    from django.conf import settings

    cookie = f"{settings.SESSION_COOKIE_NAME}={prepared['session']}"
    with tempfile.TemporaryDirectory() as folder:
        process = base.start_gunicorn(args, Path(folder) / "gunicorn.log")
        try:
            status, body = base.get(args.port, prepared["path"])  # no cookie: a redirect to log in
            if status not in (302, 404):
                sys.exit(f"the review screen answered {status} without a session")
            log(f"warming up for {args.warmup} s")
            warm = wrk(args, prepared["path"], cookie, args.warmup)
            if warm["non_2xx_3xx"] or not warm["requests"]:
                sys.exit(f"the review screen did not answer 200 under load: {warm['raw']}")
            log(f"measuring for {args.duration} s with {args.connections} clients")
            result = wrk(args, prepared["path"], cookie, args.duration)
        finally:
            base.stop_gunicorn(process)
    counts = prepared["query_counts"]
    fixed = all(
        counts[f"500 centres, 20 criteria, {kind}"] == counts[f"2 centres, 2 criteria, {kind}"]
        for kind in ("first render", "cached table")
    )
    ok = (
        result["p99_ms"] < MAX_P99_MS
        and fixed
        and not result["non_2xx_3xx"]
        and not any(result["socket_errors"].values())
    )
    print()
    print(f"review screen, {CENTRES} centres x {CRITERIA} criteria, {args.connections} clients, {args.duration} s")
    print(f"  requests/s  {result['rps']:.1f}")
    print(f"  p50         {result['p50_ms']:.0f} ms")
    print(f"  p99         {result['p99_ms']:.0f} ms   (target < {MAX_P99_MS} ms)")
    print(f"  first render of the table in-process: {prepared['first_render_ms']:.0f} ms (after each change)")
    for label, count in counts.items():
        print(f"  queries     {count:3d}  {label}")
    print(f"  queries are {'fixed' if fixed else 'NOT fixed'} whatever the size")
    print(f"  errors      non-2xx {result['non_2xx_3xx']}, sockets {result['socket_errors']}")
    print(f"verdict: {'PASS' if ok else 'FAIL'}")
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"star-review-{time.strftime('%Y%m%d-%H%M%S')}.json"
        figures = {"centres": CENTRES, "criteria": CRITERIA, "query_counts": counts, "wrk": result, "pass": ok}
        figures["first_render_ms"] = round(prepared["first_render_ms"], 1)
        figures["args"] = vars(args)
        path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
        log(f"written {path.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
