"""Two roll-ups of the same month at once, in real threads against PostgreSQL.

``monthly_figures_compute`` takes a transaction-level advisory lock keyed on the month
before it reads and replaces the month's rows, so concurrent runs take turns: each one
succeeds, and the month ends with one set of rows with the same numbers. The control runs
without the lock, both runs held between deleting and inserting: one of them fails on the
unique constraints, so the race is real and the lock is what makes it safe.
"""

import threading
import time

import pytest
from django.db import IntegrityError, connection

from stats import rollup
from stats.models import MonthlyFigures
from tests.concurrency import run_together
from tests.stats.test_rollup import AFTER_OCTOBER, CENTRE_A, DISTRICT_1, OCTOBER, build_october, row_of, values

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

RUNS = 4


def compute():
    return rollup.monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER)


def test_runs_at_once_take_turns_and_leave_one_set_of_rows(monkeypatch):
    october = build_october()
    rollup.monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER)
    inserting = []  # (start, end) of each run's delete-to-insert, while it holds the lock
    original_insert, original_delete = rollup._insert, rollup._delete_month
    started = {}

    def slow_delete(month):
        started[threading.get_ident()] = time.monotonic()
        original_delete(month)
        time.sleep(0.2)  # widen the window between deleting and inserting

    def timed_insert(rows):
        original_insert(rows)
        inserting.append((started[threading.get_ident()], time.monotonic()))

    monkeypatch.setattr(rollup, "_delete_month", slow_delete)
    monkeypatch.setattr(rollup, "_insert", timed_insert)

    results = run_together([compute] * RUNS)

    assert results == [14] * RUNS
    assert MonthlyFigures.objects.count() == 14
    assert values(row_of(centre=october.a)) == CENTRE_A
    assert values(row_of(area=october.district)) == DISTRICT_1
    spans = sorted(inserting)
    assert len(spans) == RUNS
    assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:], strict=False))


def test_without_the_lock_a_second_run_at_once_fails(monkeypatch):
    build_october()
    both_deleted = threading.Barrier(2)
    original_insert = rollup._insert

    def insert_together(rows):
        both_deleted.wait(timeout=30)
        original_insert(rows)

    monkeypatch.setattr(rollup, "lock_month", lambda month: None)
    monkeypatch.setattr(rollup, "_insert", insert_together)

    results = run_together([compute, compute])

    assert sorted(type(result).__name__ for result in results) == ["IntegrityError", "int"]
    assert any(isinstance(result, IntegrityError) for result in results)
    assert MonthlyFigures.objects.count() == 14
