"""The demo's statistics: its real months rolled up, a year of invented months before them."""

import datetime as dt
from decimal import Decimal

import pytest

from stats.demo import load_demo_statistics
from stats.models import MonthlyFigures
from stats.rollup import monthly_figures_compute
from tests.stats.factories import at
from tests.stats.test_rollup import CENTRE_A, DISTRICT_1, OCTOBER, build_october, row_of, snapshot, values

# The October data set's first session is on 30 September at 23:30, so October is
# covered from its first day (real) and September is not (invented).
NOW = at(2026, 11, 22, 10)
SEPTEMBER = dt.date(2026, 9, 1)
NOVEMBER = dt.date(2026, 11, 1)
INVENTED = [dt.date(2025, 12, 1)] + [dt.date(2026, month, 1) for month in range(1, 10)]


@pytest.fixture
def october(db):
    return build_october()


def months(kind: list[dt.date]) -> list[str]:
    return [f"{month:%Y-%m}" for month in kind]


@pytest.mark.django_db
def test_real_months_are_rolled_up_and_the_year_before_invented(october):
    counts = load_demo_statistics(now=NOW)

    assert months(counts.real) == ["2026-10", "2026-11"]
    assert months(counts.invented) == ["2025-11"] + months(INVENTED)
    assert counts.kept == []
    assert MonthlyFigures.objects.count() == 13 * 14
    assert values(row_of(OCTOBER, centre=october.a)) == CENTRE_A
    assert values(row_of(OCTOBER, area=october.district)) == DISTRICT_1


@pytest.mark.django_db
def test_invented_months_hang_together(october):
    load_demo_statistics(now=NOW)

    for month in INVENTED:
        district = row_of(month, area=october.district)
        centres = [row_of(month, centre=centre) for centre in (october.a, october.b, october.e, october.f)]
        assert district.activities_held == sum(row.activities_held for row in centres) > 0
        assert district.attendances == sum(row.attendances for row in centres)
        assert district.by_function.keys() <= {"childcare", "culture_sports", "daily_life", "eldercare"}
        assert sum(district.by_function.values()) == district.activities_held
        assert max(row.residents_served for row in centres) <= district.residents_served
        assert district.residents_served <= sum(row.residents_served for row in centres)
        assert 0 < district.fill_rate <= 1
        assert 0 <= district.no_show_rate <= 1
        assert district.attendances <= district.places_booked
        # Ratings follow the demo's scale (mostly satisfied, a few bad), and most bad
        # ratings are called back and answered on time.
        assert Decimal("0.7") <= district.satisfaction <= 1
        assert 0 <= district.bad_rating_rate <= 1 - district.satisfaction
        on_time = (district.callback_on_time_rate, district.rectification_on_time_rate)
        if district.bad_rating_rate:
            assert all(Decimal("0.7") <= rate <= 1 for rate in on_time)
        else:  # the bad ratings' cases are the ones due
            assert on_time == (None, None)
        assert district.computed_at == at(month.year + month.month // 12, month.month % 12 + 1, 1, 1)
    assert any(row_of(month, area=october.district).bad_rating_rate for month in INVENTED)
    # F has no sessions to learn from: nothing is invented for it.
    assert values(row_of(SEPTEMBER, centre=october.f))["activities_held"] == 0
    # February, the Spring Festival, is quieter than March.
    february, march = (row_of(dt.date(2026, m, 1), area=october.district) for m in (2, 3))
    assert february.activities_held < march.activities_held


@pytest.mark.django_db
def test_loading_again_keeps_the_invented_months_and_recomputes_the_real_ones(october):
    load_demo_statistics(now=NOW)
    before = {month: snapshot(month) for month in INVENTED}
    row_of(NOVEMBER, centre=october.a).delete()

    counts = load_demo_statistics(now=NOW)

    assert months(counts.real) == ["2026-10", "2026-11"]
    assert counts.invented == []
    assert months(counts.kept) == ["2025-11"] + months(INVENTED)
    assert {month: snapshot(month) for month in INVENTED} == before
    assert MonthlyFigures.objects.count() == 13 * 14


@pytest.mark.django_db
def test_invented_months_are_the_same_on_a_fresh_load(october):
    load_demo_statistics(now=NOW)
    first = snapshot(SEPTEMBER)
    MonthlyFigures.objects.filter(month=SEPTEMBER).delete()

    counts = load_demo_statistics(now=NOW)

    assert months(counts.invented) == ["2026-09"]
    assert snapshot(SEPTEMBER) == first


@pytest.mark.django_db
def test_recomputing_an_invented_month_gives_its_real_figures(october):
    load_demo_statistics(now=NOW)

    monthly_figures_compute(month=SEPTEMBER, now=NOW)

    # September really had a4 only: r4 at A for an hour.
    a = values(row_of(SEPTEMBER, centre=october.a))
    assert (a["activities_held"], a["attendances"], a["residents_served"]) == (1, 1, 1)
    assert row_of(SEPTEMBER, area=october.district).activities_held == 1
