"""Where a page's time goes, in one process, against the bench database.

    .venv/bin/python bench/profile_pages.py /centres/ /centres/<slug>/ /bench/baseline
    .venv/bin/python bench/profile_pages.py /centres/ --cprofile 40      # the 40 costliest functions
    .venv/bin/python bench/profile_pages.py /centres/ --queries          # every SQL statement

Each path is requested through Django's test client with the bench settings (production
middleware, templates cached, DEBUG off): a few requests to warm up, then ``--n`` timed
ones. Prints per request the wall time (median and best), the CPU time of this process,
the number of queries and the time spent waiting for them. Run ``bench/run.py`` once
first so that the database is there and loaded.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--n", type=int, default=50, help="timed requests per path (default 50)")
    parser.add_argument("--cprofile", type=int, metavar="TOP", help="print the TOP functions by own and total time")
    parser.add_argument("--queries", action="store_true", help="print the SQL of one request")
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for path in args.paths:
        for _ in range(5):
            response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{path} answered {response.status_code}")
        walls, cpus = [], []
        with CaptureQueriesContext(connection) as queries:
            for _ in range(args.n):
                wall, cpu = time.perf_counter(), time.process_time()
                client.get(path)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000 / args.n
        print(
            f"{path}: {statistics.median(walls) * 1000:.1f} ms median, {min(walls) * 1000:.1f} ms best, "
            f"{statistics.mean(cpus) * 1000:.1f} ms CPU, {len(queries) / args.n:.0f} queries "
            f"({sql_ms:.1f} ms waiting for them), {len(response.content):,} bytes"
        )
        if args.queries:
            with CaptureQueriesContext(connection) as one:
                client.get(path)
            for query in one.captured_queries:
                print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:300]}")
        if args.cprofile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.n):
                client.get(path)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(args.cprofile)
            stats.sort_stats("cumulative").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
