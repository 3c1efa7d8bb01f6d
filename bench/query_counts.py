"""Does a page cost the same number of queries whatever the amount of data it shows?

    .venv/bin/python bench/query_counts.py          # against the loaded bench database

Renders each measured page twice through Django's test client with the page cache off
(``PAGE_CACHE_SECONDS = 0``: a real render, what a cache miss costs): once over a lot of
data and once over little, with the same query shape (the same filters that need a
look-up, so the same statements with other values). Prints the queries and the size of
each, and fails when the two differ. ``bench/run.py`` runs it before the load test.
"""

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Variant:
    label: str
    path: str


def busiest_and_quietest_centres(first: dt.date) -> tuple[str, str]:
    """The slugs of the published centres with the most and the fewest (but some)
    sessions in the month starting ``first``."""
    from django.db.models import Count, Q

    from bench.data import aware_day, month_end
    from centres.models import Centre

    in_month = Q(
        occurrences__starts_at__gte=aware_day(first),
        occurrences__starts_at__lt=aware_day(month_end(first) + dt.timedelta(days=1)),
    )
    centres = Centre.objects.published().annotate(sessions=Count("occurrences", filter=in_month)).filter(sessions__gt=0)
    busiest = centres.order_by("-sessions", "slug").first()
    quietest = centres.order_by("sessions", "slug").first()
    if busiest is None:
        sys.exit("no sessions this month in the bench database: run bench/run.py (it loads them)")
    return busiest.slug, quietest.slug


def page_variants(*, month: dt.date, busiest: str, quietest: str) -> dict[str, list[Variant]]:
    return {
        "calendar_month": [
            Variant("all centres, this month", f"/activities/?view=month&start={month}"),
            # The same statements, narrowed by filters that need no look-up of their own.
            Variant(
                "party days after hours, this month",
                f"/activities/?view=month&start={month}&audience=party_members&after_hours=on",
            ),
        ],
        "centre_feed": [
            Variant("busiest centre", f"/centres/{busiest}/calendar.ics"),
            Variant("quietest centre", f"/centres/{quietest}/calendar.ics"),
        ],
    }


def size_of(response) -> str:
    body = response.content
    if body.startswith(b"BEGIN:VCALENDAR"):
        return f"{body.count(b'BEGIN:VEVENT')} events, {len(body):,} bytes"
    return f"{len(body):,} bytes"


def count_queries(pages: dict[str, list[Variant]], *, log=print) -> dict[str, list[dict]]:
    """Each variant's queries; logs them and returns them by page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    with override_settings(PAGE_CACHE_SECONDS=0):
        for page, variants in pages.items():
            results[page] = []
            for variant in variants:
                client.get(variant.path)  # warm up: connection, translations, templates
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(variant.path)
                result = {
                    "label": variant.label,
                    "path": variant.path,
                    "status": response.status_code,
                    "queries": len(queries),
                    "size": size_of(response),
                }
                results[page].append(result)
                log(f"{page:<15} {len(queries):>3} queries  {result['size']:<28} {variant.label}: {variant.path}")
    return results


def fixed(results: dict[str, list[dict]]) -> bool:
    return all(
        len({r["queries"] for r in runs}) == 1 and all(r["status"] == 200 for r in runs) for runs in results.values()
    )


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.utils import timezone

    from bench.data import month_start

    month = month_start(timezone.localdate())
    busiest, quietest = busiest_and_quietest_centres(month)
    results = count_queries(page_variants(month=month, busiest=busiest, quietest=quietest))
    ok = fixed(results)
    print("Queries fixed whatever the data: " + ("yes" if ok else "NO (or a page did not answer 200)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
