"""What 32 clients see in the seconds after a change to the data.

    .venv/bin/python bench/after_a_change.py                       # month view and centre feed
    .venv/bin/python bench/after_a_change.py /centres/ --seconds 5

Every write moves the public pages' version on (``centres.page_cache``), so no cached copy
is served afterwards: the next requests render the page afresh. ``bench/run.py`` measures
pages whose copy stays valid for the whole run; this measures the other case. For each
path, in turn: move the version on, as a write does, and run wrk for ``--seconds``; then
run wrk again as long with the copy in place. Needs the bench database loaded
(``bench/run.py --prepare-only``); starts and stops its own gunicorn, like run.py.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="default: the month view and the busiest centre's feed")
    parser.add_argument("--seconds", type=int, default=3, help="per wrk run (default 3)")
    parser.add_argument("--repeat", type=int, default=2, help="changes per path (default 2)")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--settings", default="bench.settings", help="as run.py's --settings")
    options = parser.parse_args()
    sys.argv = [sys.argv[0], "--port", str(options.port), "--settings", options.settings]
    args = run.parse_args()
    run.prepare_environment(options.settings)
    import django

    django.setup()
    from django.core.cache import cache
    from django.utils import timezone

    from bench import data, query_counts
    from centres.page_cache import VERSION_KEY

    paths = options.paths
    if not paths:
        month = data.month_start(timezone.localdate())
        busiest, _quietest = query_counts.busiest_and_quietest_centres(month)
        paths = [f"/activities/?view=month&start={month}", f"/centres/{busiest}/calendar.ics"]
    process = run.start_gunicorn(args, Path("/dev/null"))
    try:
        for path in paths:
            run.run_wrk(args, path, 1)  # every worker has loaded the code
            for _ in range(options.repeat):
                for label in ("after a change", "copy in place"):
                    if label == "after a change":
                        cache.set(VERSION_KEY, time.time_ns(), timeout=None)  # what every write does
                    result = run.run_wrk(args, path, options.seconds)
                    print(
                        f"{path:<45} {label:<15} {result['rps']:6.0f} req/s  p50 {result['p50_ms']:5.0f}  "
                        f"p99 {result['p99_ms']:5.0f}  max {result['latency_max_ms']:5.0f} ms",
                        flush=True,
                    )
    finally:
        run.stop_gunicorn(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
