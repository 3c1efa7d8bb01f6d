"""Load benchmark: gunicorn + PostgreSQL, 500 centres, 5,000 sessions a month, 32 clients.

    .venv/bin/python bench/run.py                 # the full run (about 4 minutes)
    .venv/bin/python bench/run.py --rounds 3      # more rounds, for a better spread
    .venv/bin/python bench/run.py --help

Prepares the ``portal_bench`` database (created, migrated, 500 centres loaded through the
services and 5,000 sessions a month for this month and the year before, idempotently),
checks that the calendar pages cost the same queries over much or little data
(``bench/query_counts.py``), collects static files into a temporary folder, starts
gunicorn on 127.0.0.1:8100, checks every page answers 200, warms up, and measures each page
with ``wrk -t2 -c32 -d20s --latency`` in rounds: every round runs every page once, the
baseline included, so a page is compared with the baseline measured minutes apart at
most, under the same noise. Prints a table and the verdict, writes the figures to
``bench/results/<time>.json`` and stops gunicorn. Traffic goes to 127.0.0.1 only and every
wrk run has a fixed duration.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
DATABASE = "portal_bench"


@dataclass(frozen=True)
class Target:
    """A page's targets from the issue."""

    min_rps: float
    max_p99_ms: float
    # Of the baseline's req/s in the same round; None: no such target.
    min_baseline_share: float | None = None

    def __str__(self) -> str:
        text = f">= {self.min_rps:.0f} req/s, p99 < {self.max_p99_ms:.0f} ms"
        if self.min_baseline_share is not None:
            text += f", >= {self.min_baseline_share:.0%} of the baseline's req/s (same round)"
        return text


CENTRE_PAGES = Target(300, 150, 0.5)
CALENDAR_PAGES = Target(200, 200)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8100, help="gunicorn's port on 127.0.0.1 (default 8100)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run (default 20)")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c (default 32)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--rounds", type=int, default=2, help="measured rounds over all pages (default 2)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load per page before measuring (default 5)")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (default 5 = 2 x cores + 1)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker, for gthread (default 1)")
    parser.add_argument(
        "--only",
        action="append",
        help="measure only this page (repeatable): " + ", ".join(name for name, _ in ENDPOINT_PATHS),
    )
    parser.add_argument("--keep-data", action="store_true", help="skip loading: use the database as it is")
    parser.add_argument("--fresh-data", action="store_true", help="drop and recreate portal_bench first")
    parser.add_argument("--collectstatic", action="store_true", help="collect static files even if collected")
    parser.add_argument(
        "--settings",
        default="bench.settings",
        help="settings module (default bench.settings): one that imports it and overrides, say, a template "
        "directory or ROOT_URLCONF measures a candidate change without editing the app",
    )
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/*.json")
    parser.add_argument(
        "--prepare-only", action="store_true", help="prepare the database and count the queries; no load test"
    )
    return parser.parse_args()


# (name, path); {slug} is the measured centre's, {busiest} the centre with the most
# sessions this month, {month} the first day of this month. All the bench's centres are
# one city's and the calendar has no district filter: the unfiltered calendar is the
# district calendar. The baseline must stay in the list.
ENDPOINT_PATHS = [
    ("directory", "/centres/"),
    ("directory_filtered", "/centres/?function=eldercare&evenings=on"),
    ("centre_page", "/centres/{slug}/"),
    ("calendar_month", "/activities/?view=month&start={month}"),
    ("centre_feed", "/centres/{busiest}/calendar.ics"),
    ("baseline", "/bench/baseline"),
]
TARGETS = {
    "directory": CENTRE_PAGES,
    "directory_filtered": CENTRE_PAGES,
    "centre_page": CENTRE_PAGES,
    "calendar_month": CALENDAR_PAGES,
    "centre_feed": CALENDAR_PAGES,
}
PAGES = tuple(TARGETS)


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


# --- preparing the database ---------------------------------------------------------


def prepare_environment(settings_module: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@{HOST}:5432/{DATABASE}")
    os.environ.setdefault("REDIS_URL", f"redis://{HOST}:6379/10")
    os.environ.setdefault("BENCH_STATIC_ROOT", str(Path(tempfile.gettempdir()) / "portal-bench-static"))
    # One key shared by the runner and every gunicorn worker.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))


def ensure_database(*, fresh: bool) -> None:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        if fresh:
            log(f"dropping database {DATABASE}")
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            log(f"creating database {DATABASE}")
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def prepare_django(args) -> dict[str, str]:
    """Migrate, load, count the calendar pages' queries, collect static files; returns
    what the paths need (``slug``, ``busiest``, ``month``)."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import CommandError, call_command
    from django.db import connections
    from django.utils import timezone

    from bench import data, query_counts
    from centres.models import Centre

    log("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    try:  # the setup step's own command, where the project has it: pages in Chinese
        call_command("compile_catalogues", verbosity=0)
    except CommandError as error:
        log(f"translations not compiled: {error}")
    if not args.keep_data:
        started = time.monotonic()
        made = data.load(log=log)
        if made:
            log(f"loaded {made} centres in {time.monotonic() - started:.0f} s")
        else:
            log(f"all {data.CENTRE_COUNT} centres already there")
        started = time.monotonic()
        made = data.load_activities(log=log)
        if made:
            log(f"loaded {made} sessions in {time.monotonic() - started:.0f} s")
        else:
            log("the sessions of this month and the year before are already there")
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if args.collectstatic or not manifest.exists():
        log(f"collecting static files into {settings.STATIC_ROOT}")
        call_command("collectstatic", interactive=False, clear=True, verbosity=0)
    # A centre with the most to show: evening and weekend hours, functions and rooms.
    centre = (
        Centre.objects.published()
        .filter(opens_evenings=True, opens_weekends=True, kind=Centre.Kind.COMMUNITY)
        .order_by("slug")
        .first()
    ) or Centre.objects.published().order_by("slug").first()
    if centre is None:
        sys.exit("no published centre in the bench database")
    month = data.month_start(timezone.localdate())
    busiest, quietest = query_counts.busiest_and_quietest_centres(month)
    log("queries of a cache miss, over much and little data:")
    counts = query_counts.count_queries(
        query_counts.page_variants(month=month, busiest=busiest, quietest=quietest), log=lambda line: log("  " + line)
    )
    if not query_counts.fixed(counts):
        sys.exit("a calendar page's queries grow with the data (or it did not answer 200): see above")
    connections.close_all()
    return {"slug": centre.slug, "busiest": busiest, "month": month.isoformat(), "query_counts": counts}


# --- gunicorn -----------------------------------------------------------------------


def gunicorn_command(args) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        "--bind",
        f"{HOST}:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
        "--backlog",
        "2048",
        # Not ./gunicorn.conf.py, whatever it may say one day: every setting is here.
        "--config",
        str(ROOT / "bench" / "gunicorn_conf.py"),
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    return command


def port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) != 0


def start_gunicorn(args, log_path: Path) -> subprocess.Popen:
    if not port_is_free(args.port):
        sys.exit(f"{HOST}:{args.port} is already taken: stop what listens there first")
    command = gunicorn_command(args)
    log("starting " + " ".join(command[2:]))
    logfile = log_path.open("w")
    process = subprocess.Popen(command, cwd=ROOT, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            status, _body = get(args.port, "/bench/baseline")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop_gunicorn(process)
    sys.exit(f"gunicorn did not answer within 30 s; see {log_path}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def settle(port: int, limit: float = 60.0) -> None:
    """Wait until the server has worked off what the last run left queued: five requests
    in a row to the baseline each answered within 50 ms."""
    deadline, fast = time.monotonic() + limit, 0
    while fast < 5 and time.monotonic() < deadline:
        started = time.monotonic()
        get(port, "/bench/baseline")
        fast = fast + 1 if time.monotonic() - started < 0.05 else 0


def check_pages(port: int, endpoints: dict[str, str]) -> dict[str, dict]:
    """Each page must answer 200 itself (no redirect) with what it is meant to show."""
    markers = {
        "directory": 'id="result-count"',
        "directory_filtered": 'id="result-count"',
        "centre_page": "<h1>",
        "calendar_month": "<h1>",
        "centre_feed": "BEGIN:VCALENDAR",
    }
    facts = {}
    for name, path in endpoints.items():
        status, body = get(port, path)
        if status != 200 or markers.get(name, "") not in body:
            sys.exit(f"{path} answered {status} without what it should show:\n{body[:2000]}")
        facts[name] = {"bytes": len(body.encode())}
        count = re.search(r'id="result-count">\s*(\d+)', body)
        if count:
            facts[name]["centres_found"] = int(count.group(1))
        if body.startswith("BEGIN:VCALENDAR"):
            facts[name]["events"] = body.count("BEGIN:VEVENT")
    return facts


# --- wrk ----------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * UNITS_MS[unit]


def parse_wrk(output: str) -> dict:
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "latency_avg_ms": _ms(re.search(r"Latency\s+(\S+)", output).group(1)),
        "latency_max_ms": _ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output).group(1)),
    }
    for percentile in ("50", "75", "90", "99"):
        result[f"p{percentile}_ms"] = _ms(re.search(rf"\s{percentile}%\s+(\S+)", output).group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["socket_errors"] = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True)) if errors else {}
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx_3xx"] = int(non_2xx.group(1)) if non_2xx else 0
    return result


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return found


class ServerCpu:
    """CPU time used by gunicorn (master and workers) and by the PostgreSQL backends
    serving the bench database: what a request costs the server, whatever else the
    machine is running meanwhile (req/s under load from others is not)."""

    def __init__(self, gunicorn_pid: int):
        import psycopg

        self.gunicorn_pid = gunicorn_pid
        self.conn = psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True)

    def pids(self) -> list[int]:
        backends = self.conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DATABASE]).fetchall()
        return [self.gunicorn_pid, *_children(self.gunicorn_pid), *(pid for (pid,) in backends)]

    def snapshot(self) -> dict[int, float]:
        return {pid: _cpu_seconds(pid) for pid in self.pids()}

    @staticmethod
    def used(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def run_wrk(args, path: str, duration: int, server_cpu: "ServerCpu | None" = None) -> dict:
    url = f"http://{HOST}:{args.port}{path}"
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{duration}s", "--latency", url]
    load_before = os.getloadavg()[0]
    server_before = server_cpu.snapshot() if server_cpu else {}
    busy0, total0 = cpu_times()
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=True)
    busy1, total1 = cpu_times()
    server_after = server_cpu.snapshot() if server_cpu else {}
    settle(args.port)
    result = parse_wrk(completed.stdout)
    result["loadavg_1m_before"] = round(load_before, 2)
    result["machine_cpu_busy"] = round((busy1 - busy0) / max(total1 - total0, 1), 3)
    if server_cpu and result["requests"]:
        used = ServerCpu.used(server_before, server_after)
        result["server_cpu_ms_per_request"] = round(1000 * used / result["requests"], 2)
    result["command"] = " ".join(command)
    result["raw"] = completed.stdout
    return result


# --- the report ---------------------------------------------------------------------


def summarise(rounds: list[dict[str, dict]], names: list[str]) -> dict[str, dict]:
    summary = {}
    for name in names:
        runs = [r[name] for r in rounds if name in r]
        best_index = max(range(len(runs)), key=lambda i: runs[i]["rps"])
        best = runs[best_index]
        entry = {
            "best_rps": best["rps"],
            "rps_runs": [r["rps"] for r in runs],
            "rps_spread_pct": round(100 * (max(r["rps"] for r in runs) - min(r["rps"] for r in runs)) / best["rps"], 1),
            "best_run": best_index + 1,
            "p50_ms": best["p50_ms"],
            "p90_ms": best["p90_ms"],
            "p99_ms": best["p99_ms"],
            "p99_runs_ms": [r["p99_ms"] for r in runs],
            "errors": sum(r["non_2xx_3xx"] + sum(r["socket_errors"].values()) for r in runs),
            "server_cpu_ms_per_request_runs": [r.get("server_cpu_ms_per_request") for r in runs],
        }
        if name in PAGES and all("baseline" in r for r in rounds):
            target = TARGETS[name]
            shares = [r[name]["rps"] / r["baseline"]["rps"] for r in rounds]
            entry["baseline_share_runs"] = [round(s, 3) for s in shares]
            entry["baseline_share"] = round(shares[best_index], 3)
            # wrk leaves requests that timed out (2 s) out of its percentiles: any such
            # request means the p99 target is missed whatever the percentile says.
            checks = [
                (
                    r[name]["rps"] >= target.min_rps,
                    r[name]["p99_ms"] < target.max_p99_ms and not r[name]["socket_errors"].get("timeout"),
                    target.min_baseline_share is None or s >= target.min_baseline_share,
                )
                for r, s in zip(rounds, shares, strict=True)
            ]
            entry["meets_rps"], entry["meets_p99"], entry["meets_share"] = checks[best_index]
            entry["meets_all"] = all(checks[best_index]) and entry["errors"] == 0
            entry["rounds_meeting_all"] = sum(all(c) for c in checks)
        summary[name] = entry
    return summary


def print_table(summary: dict[str, dict], rounds: int) -> None:
    def mark(ok: bool) -> str:
        return "ok" if ok else "MISS"

    header = f"{'page':<20}{'req/s best':>11}{'runs':>18}{'spread':>8}{'p50':>8}{'p90':>8}{'p99':>8}"
    header += f"{'p99 runs':>18}{'cpu/req':>9}{'x base':>8}  verdict"
    print()
    print(header)
    print("-" * len(header))
    for name, s in summary.items():
        runs = "/".join(f"{v:.0f}" for v in s["rps_runs"])
        p99s = "/".join(f"{v:.0f}" for v in s["p99_runs_ms"])
        line = f"{name:<20}{s['best_rps']:>11.0f}{runs:>18}{s['rps_spread_pct']:>7.1f}%"
        line += f"{s['p50_ms']:>8.1f}{s['p90_ms']:>8.1f}{s['p99_ms']:>8.1f}{p99s:>18}"
        cpu = [v for v in s["server_cpu_ms_per_request_runs"] if v is not None]
        # Requests that wrk gave up on were still served: their CPU is counted, they are not.
        flag = "*" if s["errors"] else " "
        line += f"{min(cpu):>8.2f}{flag}" if cpu else f"{'':>9}"
        if "meets_all" in s:
            share = "no share target"
            if TARGETS[name].min_baseline_share is not None:
                share = "share " + mark(s["meets_share"])
            verdict = (
                f"rps {mark(s['meets_rps'])}, p99 {mark(s['meets_p99'])}, {share}"
                f" ({s['rounds_meeting_all']}/{rounds} rounds meet all)"
            )
            if s["errors"]:
                verdict += f", {s['errors']} errors"
            line += f"{s['baseline_share']:>8.2f}  {verdict}"
        else:
            line += f"{'':>8}  " + (f"{s['errors']} errors" if s["errors"] else "")
        print(line)
    print(
        "(latencies in ms, of the best run; spread = (max - min) / best req/s over the rounds; cpu/req = the\n"
        " least CPU ms that gunicorn and its PostgreSQL backends spent per request in a run; x base = req/s\n"
        " over the baseline's in the same round; * = the runs had errors or time-outs, so cpu/req is overstated)"
    )


def machine_facts() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "wrk": (wrk.stdout or wrk.stderr).split("\n", 1)[0],
        "git_commit": commit,
        "tree_modified": bool(dirty),
    }


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    prepare_environment(args.settings)
    ensure_database(fresh=args.fresh_data)
    prepared = prepare_django(args)
    if args.prepare_only:
        return 0
    endpoints = {name: path.format(**prepared) for name, path in ENDPOINT_PATHS}
    if args.only:
        endpoints = {name: path for name, path in endpoints.items() if name in args.only or name == "baseline"}

    facts_at_start = machine_facts()  # the commit that gunicorn loads, not one made meanwhile
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    gunicorn_log = RESULTS / f"gunicorn-{stamp}.log"
    process = start_gunicorn(args, gunicorn_log)
    try:
        facts = check_pages(args.port, endpoints)
        for name, fact in facts.items():
            log(f"{name}: {endpoints[name]} answers 200, {fact}")
        if args.warmup:
            log(f"warming up: {args.warmup} s per page")
            for path in endpoints.values():
                run_wrk(args, path, args.warmup)
        server_cpu = ServerCpu(process.pid)
        rounds = []
        for number in range(1, args.rounds + 1):
            results = {}
            for name, path in endpoints.items():
                result = run_wrk(args, path, args.duration, server_cpu)
                results[name] = result
                log(
                    f"round {number} {name:<19} {result['rps']:7.1f} req/s  p50 {result['p50_ms']:6.1f}  "
                    f"p99 {result['p99_ms']:6.1f} ms  server CPU {result.get('server_cpu_ms_per_request', 0):5.2f} "
                    f"ms/req  machine busy {result['machine_cpu_busy']:.0%}  load {result['loadavg_1m_before']}"
                )
            rounds.append(results)
    finally:
        stop_gunicorn(process)
        log("gunicorn stopped")
        if gunicorn_log.stat().st_size == 0:  # kept only when gunicorn had something to say
            gunicorn_log.unlink()
        else:
            log(f"gunicorn's messages are in {gunicorn_log.relative_to(ROOT)}")

    names = list(endpoints)
    summary = summarise(rounds, names)
    print_table(summary, len(rounds))
    pages = [s for n, s in summary.items() if n in PAGES]
    passed = bool(pages) and all(s["meets_all"] for s in pages)
    print("\nTargets:")
    for name in (n for n in names if n in TARGETS):
        print(f"  {name:<19} {TARGETS[name]}")
    print(f"Verdict on the best round of each page: {'PASS' if passed else 'FAIL'}")
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": facts_at_start,
        "settings": args.settings,
        "gunicorn": " ".join(gunicorn_command(args)[2:]),
        "wrk": {"threads": args.wrk_threads, "connections": args.connections, "duration_s": args.duration},
        "endpoints": endpoints,
        "pages": facts,
        "targets": {name: asdict(target) for name, target in TARGETS.items() if name in names},
        "query_counts": prepared["query_counts"],
        "summary": summary,
        "verdict": "pass" if passed else "fail",
        "rounds": rounds,
    }
    if not args.no_save:
        path = RESULTS / f"{stamp}.json"
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        log(f"written {path.relative_to(ROOT)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
