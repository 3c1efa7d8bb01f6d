"""Reads for one application on the district's pages (its evidence and every scorer's
points), and for the cycle page while it is being scored (when the computed criteria
were last filled, up to which month the figures are rolled up), each in a fixed number
of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404

from stats.models import MonthlyFigures

from .cycle_selectors import TWO_PLACES
from .models import Application, Criterion, Cycle, Evidence, Score


def cycle_applications(cycle: Cycle) -> list[Application]:
    """The cycle's applications with their centres, by the centre's name: one query."""
    return list(cycle.applications.select_related("centre").order_by("centre__name", "pk"))


@dataclass
class ScoreLine:
    score: Score

    @property
    def computed(self) -> bool:
        return self.score.scorer_id is None

    @property
    def share(self) -> Decimal | None:
        """A computed score's share of its maximum (its note, "0.8500"), as a percentage."""
        if not self.computed:
            return None
        try:
            return (Decimal(self.score.note) * 100).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            return None


@dataclass
class CriterionLine:
    criterion: Criterion
    scores: list[ScoreLine]

    @property
    def average(self) -> Decimal | None:
        """The average of its scorers, as the review screen counts it; None if unscored."""
        if not self.scores:
            return None
        points = sum((line.score.points for line in self.scores), Decimal(0))
        return (points / len(self.scores)).quantize(TWO_PLACES)


@dataclass
class ApplicationDetail:
    application: Application
    evidence: list[Evidence]
    criteria: list[CriterionLine]

    @property
    def total(self) -> Decimal:
        """The stored total once the district rating started; until then the sum of the
        averages so far (an unscored criterion counts as 0)."""
        if self.application.total is not None:
            return self.application.total
        averages = (line.average for line in self.criteria if line.average is not None)
        return sum(averages, Decimal(0)).quantize(TWO_PLACES)


def application_detail(cycle: Cycle, application_pk: int) -> ApplicationDetail:
    """One application of ``cycle`` (a 404 for another cycle's, or in a draft) with its
    centre, evidence, and each criterion's scores with their scorers: four queries."""
    if cycle.status == Cycle.Status.DRAFT:
        raise Http404
    application = get_object_or_404(
        Application.objects.select_related("centre", "submitted_by"), cycle=cycle, pk=application_pk
    )
    evidence = list(application.evidence.order_by("uploaded_at", "pk"))
    criteria = list(cycle.criteria.all())
    scores: dict[int, list[ScoreLine]] = {criterion.pk: [] for criterion in criteria}
    # The portal's computed score first, then the people by name.
    for score in (
        Score.objects.filter(application=application)
        .select_related("scorer")
        .order_by("criterion_id", "scorer__name", "scorer_id", "pk")
    ):
        scores.setdefault(score.criterion_id, []).append(ScoreLine(score))
    for lines in scores.values():
        lines.sort(key=lambda line: not line.computed)
    return ApplicationDetail(
        application=application,
        evidence=evidence,
        criteria=[CriterionLine(criterion, scores[criterion.pk]) for criterion in criteria],
    )


@dataclass(frozen=True)
class ComputedState:
    last_computed_at: dt.datetime | None  # the newest computed score's scored_at
    figures_until: dt.date | None  # the newest month of the period rolled up for the district


def computed_state(cycle: Cycle) -> ComputedState:
    """When the computed criteria were last filled and the newest month of the period
    whose figures are rolled up: two queries."""
    last = Score.objects.filter(application__cycle=cycle, scorer=None).aggregate(last=Max("scored_at"))["last"]
    until = MonthlyFigures.objects.filter(
        level=MonthlyFigures.Level.CENTRE,
        district_id=cycle.district_id,
        month__gte=cycle.period_start.replace(day=1),
        month__lte=cycle.period_end,
    ).aggregate(until=Max("month"))["until"]
    return ComputedState(last_computed_at=last, figures_until=until)
