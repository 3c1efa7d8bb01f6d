"""The computed criteria of a star-rating cycle, filled from the portal's own data.

``cycle_fill_computed(cycle=...)`` gives every application one ``Score`` (scorer NULL) per
computed criterion: ``points = min(share, 1) × max_points``, rounded half up to 2
decimals. The period is the cycle's ``period_start``–``period_end``; monthly figures
count when their month (its first day) falls from the first of ``period_start``'s month
to ``period_end``. The share of each measure:

satisfaction
    Of the centre's ratings given in the period (first ratings and follow-ups, not those
    excluded on appeal), the share at level 4 or 5 (满意率). The monthly figures keep
    only each month's rate, not its count, so the period's share is counted from the
    ratings themselves. No ratings: 0.
activities
    The centre's ``activities_held`` summed over the period's months, against its part
    of the district's target: ``DistrictTarget`` for ``activities_held`` (a monthly
    minimum for the whole district, as the statistics pages compare it) × the number of
    months in the period ÷ the number of the district's centres. Without a target,
    against the highest sum of any centre of the district. Capped at 1.
residents
    The centre's ``residents_served`` summed over the months, against the highest sum of
    any centre of the district.
after_hours
    ``after_hours_sessions`` ÷ ``activities_held``, both summed over the months. No
    sessions: 0.
rectification
    Of the centre's rectification cases (not withdrawn on appeal) whose reply deadline
    fell in the period, before now, the share replied by the deadline: the rule of the
    monthly statistics' "rectified on time", over the whole period. No such case: 1
    (nothing was left unrectified).

Running it again replaces the earlier computed scores (update_or_create on the
scorer-NULL constraint), so it can be run whenever the figures change while the cycle is
being scored (and only then: it is refused in any other state). Each changed score
leaves an audit entry with no actor (the portal computed it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import Centre
from stats.models import DistrictTarget, Metric, MonthlyFigures

# The module, not its names: ``cycle_start_scoring`` in ratings/cycle.py may import this
# module at its top, and its names are looked up only when the fill runs.
from . import cycle as cycle_services
from .models import Criterion, Cycle, Rating, RectificationCase, Score

ZERO, ONE, TWO_PLACES = Decimal(0), Decimal(1), Decimal("0.01")


def _share(part, whole) -> Decimal:
    if not whole:
        return ZERO
    return Decimal(part) / Decimal(whole)


def points_for(share: Decimal, max_points: Decimal) -> Decimal:
    share = min(max(share, ZERO), ONE)
    return (share * max_points).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _period_bounds(cycle: Cycle) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(cycle.period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(cycle.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _months(cycle: Cycle) -> int:
    start, end = cycle.period_start, cycle.period_end
    return (end.year - start.year) * 12 + end.month - start.month + 1


def cycle_shares(cycle: Cycle) -> dict[int, dict[str, Decimal]]:
    """{centre id: {measure: share}} for the centres that applied in ``cycle``."""
    centre_ids = list(cycle.applications.values_list("centre_id", flat=True))
    first_month = cycle.period_start.replace(day=1)
    figures = (
        MonthlyFigures.objects.filter(
            level=MonthlyFigures.Level.CENTRE,
            district_id=cycle.district_id,
            month__gte=first_month,
            month__lte=cycle.period_end,
        )
        .values("centre_id")
        .annotate(
            activities=Sum("activities_held"),
            after_hours=Sum("after_hours_sessions"),
            residents=Sum("residents_served"),
        )
    )
    sums = {row["centre_id"]: row for row in figures}
    best_activities = max((row["activities"] for row in sums.values()), default=0)
    best_residents = max((row["residents"] for row in sums.values()), default=0)
    target = (
        DistrictTarget.objects.filter(district_id=cycle.district_id, metric=Metric.ACTIVITIES_HELD)
        .values_list("minimum", flat=True)
        .first()
    )
    if target:
        centres_of_district = Centre.objects.filter(district_id=cycle.district_id).count()
        activities_goal = target * _months(cycle) / max(centres_of_district, 1)
    else:
        activities_goal = best_activities

    start, end = _period_bounds(cycle)
    ratings = {
        row["centre_id"]: row
        for row in Rating.objects.filter(
            centre_id__in=centre_ids, created_at__gte=start, created_at__lt=end, is_excluded=False
        )
        .values("centre_id")
        .annotate(all=Count("pk"), satisfied=Count("pk", filter=Q(level__gte=4)))
    }
    now = timezone.now()
    cases = {
        row["centre_id"]: row
        for row in RectificationCase.objects.filter(
            centre_id__in=centre_ids, reply_due_at__gte=start, reply_due_at__lt=min(end, now)
        )
        .exclude(status=RectificationCase.Status.WITHDRAWN)
        .values("centre_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(replied_at__isnull=False, replied_at__lte=F("reply_due_at"))),
        )
    }

    shares: dict[int, dict[str, Decimal]] = defaultdict(dict)
    empty = {"activities": 0, "after_hours": 0, "residents": 0}
    for centre_id in centre_ids:
        row = sums.get(centre_id, empty)
        rated = ratings.get(centre_id, {"all": 0, "satisfied": 0})
        case_row = cases.get(centre_id)
        shares[centre_id] = {
            Criterion.Measure.SATISFACTION: _share(rated["satisfied"], rated["all"]),
            Criterion.Measure.ACTIVITIES_AGAINST_TARGET: _share(row["activities"], activities_goal),
            Criterion.Measure.RESIDENTS_SERVED: _share(row["residents"], best_residents),
            Criterion.Measure.AFTER_HOURS: _share(row["after_hours"], row["activities"]),
            Criterion.Measure.ON_TIME_RECTIFICATION: (
                ONE if case_row is None else _share(case_row["on_time"], case_row["due"])
            ),
        }
    return shares


def cycle_fill_computed(*, cycle: Cycle) -> int:
    """Fill (or refresh) the computed criteria's scores of every application of
    ``cycle`` while it is being scored; returns the number of scores that changed. Each
    change leaves an audit entry (by the portal: no actor)."""
    written = 0
    with transaction.atomic():
        cycle = cycle_services._locked(cycle)
        cycle_services._require_status(
            cycle, Cycle.Status.SCORING, _("Scores can be given only while the cycle is being scored.")
        )
        criteria = list(cycle.criteria.filter(source=Criterion.Source.COMPUTED))
        if not criteria:
            return 0
        shares = cycle_shares(cycle)
        before = {
            (score.application_id, score.criterion_id): score.points
            for score in Score.objects.filter(application__cycle=cycle, scorer=None)
        }
        for application in cycle.applications.select_related("centre"):
            for criterion in criteria:
                share = shares[application.centre_id][criterion.measure]
                points = points_for(share, criterion.max_points)
                earlier = before.get((application.pk, criterion.pk))
                if earlier == points:
                    continue
                Score.objects.update_or_create(
                    application=application,
                    criterion=criterion,
                    scorer=None,
                    defaults={"points": points, "note": f"{share:.4f}", "scored_at": timezone.now()},
                )
                cycle_services._audit(
                    cycle,
                    None,
                    "computed_score_set",
                    f"{application.centre.name} · {criterion.name}",
                    before=None if earlier is None else {"points": str(earlier)},
                    after={"points": str(points)},
                )
                written += 1
    return written


def computed_scores_refresh(*, cycle: Cycle, by) -> int:
    """District staff ask for the computed scores again (the figures of a month rolled up
    since scoring started, say): the fill, and an audit entry of who asked and how many
    scores changed. Refused outside the scoring, and for anyone but the district's staff."""
    cycle_services._require_district_staff(by, cycle)
    with transaction.atomic():
        changed = cycle_fill_computed(cycle=cycle)
        cycle_services._audit(cycle, by, "computed_refreshed", cycle.name, after={"changed": changed})
    return changed
