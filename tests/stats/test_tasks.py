"""The roll-up's tasks and the ``stats_recompute`` command."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from stats.models import MonthlyFigures
from stats.tasks import roll_up_last_month, roll_up_month
from tests.activities.factories import ActivityFactory
from tests.centres.factories import CentreFactory
from tests.stats.factories import OccurrenceFactory, at


@pytest.fixture
def centre(db):
    """One centre (so four rows a month: centre, community, street, district) with one
    session on 31 October at 23:30 and one on 2 November."""
    centre = CentreFactory()
    activity = ActivityFactory(centre=centre)
    OccurrenceFactory(activity=activity, starts_at=at(2026, 10, 31, 23, 30), ends_at=at(2026, 11, 1, 0, 30))
    OccurrenceFactory(activity=activity, starts_at=at(2026, 11, 2, 19), ends_at=at(2026, 11, 2, 20))
    return centre


def now_is(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def held(month: dt.date, centre) -> int:
    return MonthlyFigures.objects.get(month=month, level="centre", centre=centre).activities_held


def months() -> list[str]:
    return sorted({f"{month:%Y-%m}" for month in MonthlyFigures.objects.values_list("month", flat=True)})


def test_the_first_of_the_month_at_one_rolls_up_the_month_before(centre, monkeypatch):
    # 01:00 on 1 November in Shanghai is still 31 October in UTC.
    now_is(monkeypatch, at(2026, 11, 1, 1))

    assert roll_up_last_month() == 4

    assert months() == ["2026-10"]
    assert held(dt.date(2026, 10, 1), centre) == 1


def test_rolling_up_last_month_twice_keeps_one_set_of_rows(centre, monkeypatch):
    now_is(monkeypatch, at(2026, 11, 1, 1))
    roll_up_last_month()
    first = list(
        MonthlyFigures.objects.order_by("level", "pk").values_list("level", "centre", "area", "activities_held")
    )

    roll_up_last_month.apply()

    again = list(
        MonthlyFigures.objects.order_by("level", "pk").values_list("level", "centre", "area", "activities_held")
    )
    assert again == first
    assert MonthlyFigures.objects.count() == 4


def test_a_month_is_rolled_up_by_its_name(centre, monkeypatch):
    now_is(monkeypatch, at(2026, 11, 22, 10))

    assert roll_up_month("2026-11") == 4
    assert roll_up_month.delay("2026-10-01").get() == 4

    assert months() == ["2026-10", "2026-11"]
    assert held(dt.date(2026, 11, 1), centre) == 1


def test_the_command_recomputes_the_month_given(centre, monkeypatch):
    now_is(monkeypatch, at(2026, 11, 22, 10))
    out = io.StringIO()

    call_command("stats_recompute", "--month", "2026-10", stdout=out)

    assert months() == ["2026-10"]
    assert out.getvalue().startswith("2026-10: 4 rows in ")


def test_the_command_recomputes_a_range_and_the_last_months(centre, monkeypatch):
    now_is(monkeypatch, at(2026, 11, 22, 10))

    call_command("stats_recompute", "--from", "2026-08", "--to", "2026-09", stdout=io.StringIO())
    assert months() == ["2026-08", "2026-09"]

    call_command("stats_recompute", "--last", "3", stdout=io.StringIO())
    assert months() == ["2026-08", "2026-09", "2026-10"]

    call_command("stats_recompute", "--from", "2026-07", stdout=io.StringIO())
    assert months() == ["2026-07", "2026-08", "2026-09", "2026-10"]


def test_the_command_without_options_recomputes_last_month(centre, monkeypatch):
    now_is(monkeypatch, at(2026, 11, 22, 10))

    call_command("stats_recompute", stdout=io.StringIO())

    assert months() == ["2026-10"]


def test_the_command_says_when_the_month_is_not_over(centre, monkeypatch):
    now_is(monkeypatch, at(2026, 11, 22, 10))
    out = io.StringIO()

    call_command("stats_recompute", "--month", "2026-11", stdout=out)

    assert "2026-11: 4 rows in " in out.getvalue()
    assert out.getvalue().rstrip().endswith("(so far: the month is not over)")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--month", "2026/10"], "--month '2026/10': give a month as YYYY-MM, e.g. 2026-10."),
        (["--month", "October"], "--month 'October': give a month as YYYY-MM, e.g. 2026-10."),
        (["--month", "2026-13"], "--month '2026-13': there is no month 13; months run from 01 to 12."),
        (["--month", "0026-10"], "--month '0026-10': the year looks wrong."),
        (["--month", "2026-12"], "2026-12 has not begun yet."),
        (["--from", "2026-10", "--to", "2026-08"], "--from 2026-10 is after --to 2026-08."),
        (["--to", "2026-08"], "--to needs --from."),
        (["--last", "0"], "--last takes a number of months from 1 to 120."),
    ],
)
def test_the_command_refuses_a_malformed_month_and_writes_nothing(centre, monkeypatch, arguments, message):
    now_is(monkeypatch, at(2026, 11, 22, 10))

    with pytest.raises(CommandError) as refused:
        call_command("stats_recompute", *arguments, stdout=io.StringIO())

    assert str(refused.value) == message
    assert MonthlyFigures.objects.count() == 0
