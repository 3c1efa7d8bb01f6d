"""Reads of the statistics pages and their files: a unit's figures over the months, the
units below it in one month, the district's targets.

A unit is a district, a street or a centre; each read is one query whatever the number
of months or units, so a page costs the same whatever the size of the district.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from centres.models import Area, Centre

from .models import RATE_METRICS, DistrictTarget, MonthlyFigures

# The chosen month and the twelve before it.
TREND_MONTHS = 13


# Months ------------------------------------------------------------------------------


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def last_month(today: dt.date | None = None) -> dt.date:
    """The month the figures are ready for: the one before today's."""
    return add_months(first_of_month(today or timezone.localdate()), -1)


def months_up_to(month: dt.date, count: int = TREND_MONTHS) -> list[dt.date]:
    """``count`` months ending with ``month``, oldest first."""
    return [add_months(month, offset) for offset in range(1 - count, 1)]


# Units -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """What one page is about: a district, a street or a centre."""

    level: str  # MonthlyFigures.Level
    obj: Area | Centre

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def level_label(self) -> str:
        return str(MonthlyFigures.Level(self.level).label)

    @property
    def district_id(self) -> int:
        if self.level == MonthlyFigures.Level.DISTRICT:
            return self.obj.pk
        if self.level == MonthlyFigures.Level.STREET:
            return self.obj.parent_id
        return self.obj.district_id

    def figures(self):
        """This unit's rows, any month."""
        if self.level == MonthlyFigures.Level.CENTRE:
            return MonthlyFigures.objects.filter(level=self.level, centre=self.obj)
        return MonthlyFigures.objects.filter(level=self.level, area=self.obj)

    @property
    def below_level(self) -> str | None:
        """The level of the units ranked on this unit's page."""
        return {
            MonthlyFigures.Level.DISTRICT: MonthlyFigures.Level.STREET,
            MonthlyFigures.Level.STREET: MonthlyFigures.Level.CENTRE,
        }.get(self.level)


def district_unit(queryset, pk: int) -> Unit:
    return Unit(MonthlyFigures.Level.DISTRICT, queryset.get(pk=pk))


def street_unit(queryset, pk: int) -> Unit:
    return Unit(MonthlyFigures.Level.STREET, queryset.select_related("parent").get(pk=pk))


def centre_unit(queryset, slug: str) -> Unit:
    return Unit(MonthlyFigures.Level.CENTRE, queryset.select_related("area", "street", "district").get(slug=slug))


# Figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date
    figures: MonthlyFigures | None


def unit_trend(unit: Unit, month: dt.date, count: int = TREND_MONTHS) -> list[MonthFigures]:
    """The unit's figures for ``count`` months up to ``month``, oldest first; a month
    without figures has ``None``. One query."""
    months = months_up_to(month, count)
    found = {row.month: row for row in unit.figures().filter(month__in=months)}
    return [MonthFigures(each, found.get(each)) for each in months]


@dataclass(frozen=True)
class BelowRow:
    """One street of a district, or one centre of a street, with its month's figures."""

    unit: Unit
    figures: MonthlyFigures | None


def units_below(unit: Unit, month: dt.date) -> list[BelowRow]:
    """The streets of a district, or the centres of a street, each with its figures for
    ``month`` (``None`` where there are none), by name; none below a centre. Two
    queries."""
    if unit.level == MonthlyFigures.Level.DISTRICT:
        units = Area.objects.streets().filter(parent=unit.obj).order_by("name", "pk")
        rows = MonthlyFigures.objects.filter(level=MonthlyFigures.Level.STREET, district=unit.obj, month=month)
        found = {row.area_id: row for row in rows}
        return [BelowRow(Unit(MonthlyFigures.Level.STREET, area), found.get(area.pk)) for area in units]
    if unit.level == MonthlyFigures.Level.STREET:
        units = Centre.objects.filter(street=unit.obj).order_by("name", "pk")
        rows = MonthlyFigures.objects.filter(level=MonthlyFigures.Level.CENTRE, street=unit.obj, month=month)
        found = {row.centre_id: row for row in rows}
        return [BelowRow(Unit(MonthlyFigures.Level.CENTRE, centre), found.get(centre.pk)) for centre in units]
    return []


def metric_value(figures: MonthlyFigures | None, metric: str) -> Decimal | int | None:
    """The figure as stored (rates as shares between 0 and 1), or ``None``."""
    if figures is None:
        return None
    return getattr(figures, metric)


def chart_number(metric: str, value) -> float | int | None:
    """The figure as a chart or a file shows it: rates in per cent (one decimal, rounded
    as the page writes them, so a share of 0.0435 is 4.4 in both)."""
    if value is None:
        return None
    if metric in RATE_METRICS:
        return float((Decimal(value) * 100).quantize(Decimal("0.1")))
    if isinstance(value, Decimal):
        return float(value)
    return value


def ranking(rows: list[BelowRow], metric: str) -> list[BelowRow]:
    """Highest first; units without a figure last, by name."""
    with_figure = [row for row in rows if metric_value(row.figures, metric) is not None]
    without = [row for row in rows if metric_value(row.figures, metric) is None]
    with_figure.sort(key=lambda row: (-metric_value(row.figures, metric), row.unit.name))
    return with_figure + without


# Targets -----------------------------------------------------------------------------


def district_targets(district_id: int) -> dict[str, DistrictTarget]:
    """The district's targets by metric. One query."""
    targets = DistrictTarget.objects.filter(district_id=district_id).select_related("updated_by")
    return {target.metric: target for target in targets}


def target_met(target: DistrictTarget | None, value) -> bool | None:
    """Whether the figure reaches the target; ``None`` without a target or a figure."""
    if target is None or value is None:
        return None
    return Decimal(value) >= target.minimum
