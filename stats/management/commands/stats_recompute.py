"""Recompute the monthly statistics of any months: ``stats_recompute --month 2026-10``."""

import datetime as dt
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from stats.rollup import SHANGHAI, monthly_figures_compute, next_month, previous_month

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str, option: str) -> dt.date:
    match = MONTH.match(text.strip())
    if not match:
        raise CommandError(f"{option} {text!r}: give a month as YYYY-MM, e.g. 2026-10.")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise CommandError(f"{option} {text!r}: there is no month {month}; months run from 01 to 12.")
    if year < 2000:
        raise CommandError(f"{option} {text!r}: the year looks wrong.")
    return dt.date(year, month, 1)


class Command(BaseCommand):
    help = (
        "Recompute the monthly statistics (per centre, community, street/town and district) of the months "
        "given, replacing their rows. Without options: last month. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", action="append", default=[], help="A month as YYYY-MM; may be repeated.")
        parser.add_argument("--from", dest="first", help="The first month of a range, YYYY-MM (with --to).")
        parser.add_argument("--to", dest="last_month", help="The last month of a range, YYYY-MM (default: last month).")
        parser.add_argument("--last", type=int, help="The N months before the current one.")

    def handle(self, *args, month, first, last_month, last, verbosity=1, **options):
        current = timezone.now().astimezone(SHANGHAI).date().replace(day=1)
        months = [parse_month(text, "--month") for text in month]
        if last_month and not first:
            raise CommandError("--to needs --from.")
        if first:
            start = parse_month(first, "--from")
            end = parse_month(last_month, "--to") if last_month else previous_month(current)
            if end < start:
                raise CommandError(f"--from {first} is after --to {end:%Y-%m}.")
            while start <= end:
                months.append(start)
                start = next_month(start)
        if last is not None:
            if not 1 <= last <= 120:
                raise CommandError("--last takes a number of months from 1 to 120.")
            month_ = current
            for _ in range(last):
                month_ = previous_month(month_)
                months.append(month_)
        if not months:
            months = [previous_month(current)]
        for month_ in sorted(set(months)):
            if month_ > current:
                raise CommandError(f"{month_:%Y-%m} has not begun yet.")
        for month_ in sorted(set(months)):
            started = time.monotonic()
            rows = monthly_figures_compute(month=month_)
            if verbosity >= 1:
                note = " (so far: the month is not over)" if month_ == current else ""
                self.stdout.write(f"{month_:%Y-%m}: {rows} rows in {time.monotonic() - started:.1f} s{note}")
