"""Reads for the district's star-rating cycle pages, each in a fixed number of queries
whatever the number of centres and criteria."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Max, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from centres.models import Centre
from portal.models import User

from .cycle import criterion_points, is_district_staff_of
from .models import Application, Criterion, Cycle, RepresentativeAssignment, Score, StarLevel

TWO_PLACES = Decimal("0.01")
# Outliers: a level applied for this many stars above the proposal, or a self-assessment
# at least HIGH of its maximum while residents' satisfaction (a computed criterion) is
# below LOW of its maximum or, without one, every other source is below LOW of theirs.
APPLIED_ABOVE_BY = 2
HIGH = Decimal("0.9")
LOW = Decimal("0.6")


def cycles_of(user) -> QuerySet[Cycle]:
    """The cycles of the district the user is district staff of (none for anyone else)."""
    if not user.is_authenticated or user.role != User.Role.DISTRICT_STAFF or user.area_id is None:
        return Cycle.objects.none()
    return Cycle.objects.filter(district_id=user.area_id)


def cycle_for(user, pk: int) -> Cycle:
    """The cycle, if the user is district staff of its district; a 404 otherwise."""
    cycle = get_object_or_404(Cycle.objects.select_related("district", "previous"), pk=pk)
    if not is_district_staff_of(user, cycle.district_id):
        raise Http404
    return cycle


def district_representatives(cycle: Cycle) -> QuerySet[User]:
    return User.objects.filter(
        role=User.Role.REPRESENTATIVE, is_active=True, area__parent__parent_id=cycle.district_id
    ).order_by("name", "pk")


def district_centres(cycle: Cycle) -> QuerySet[Centre]:
    return Centre.objects.filter(district_id=cycle.district_id).order_by("name", "pk")


def cycle_assignments(cycle: Cycle) -> list[RepresentativeAssignment]:
    return list(
        RepresentativeAssignment.objects.filter(cycle=cycle)
        .select_related("representative", "centre")
        .order_by("centre__name", "representative__name")
    )


ACTION_LABELS = {
    "cycle_created": _("Cycle created"),
    "criterion_added": _("Criterion added"),
    "criterion_updated": _("Criterion changed"),
    "criterion_removed": _("Criterion removed"),
    "criterion_moved": _("Criterion moved"),
    "level_removed": _("Star level removed"),
    "level_set": _("Star level set"),
    "cycle_opened": _("Opened for applications"),
    "application_submitted": _("Application submitted"),
    "scoring_started": _("Scoring started"),
    "score_set": _("Score given"),
    "computed_score_set": _("Score computed from the portal's figures"),
    "computed_refreshed": _("Computed scores recomputed"),
    "evidence_added": _("Evidence added"),
    "evidence_deleted": _("Evidence removed"),
    "representative_assigned": _("Representative invited"),
    "review_started": _("District rating started"),
    "final_level_set": _("Final level set"),
    "published": _("Published"),
}


FIELD_LABELS = {  # in the order the audit trail shows them
    "status": _("state"),
    "name": _("name"),
    "max_points": _("maximum points"),
    "source": _("scored by"),
    "measure": _("computed from"),
    "position": _("position"),
    "min_score": _("from a total of"),
    "reward": _("reward (yuan)"),
    "budget": _("budget (yuan)"),
    "rewards": _("rewards (yuan)"),
    "applied_stars": _("level applied for"),
    "self_assessment": _("self-assessment"),
    "points": _("points"),
    "changed": _("scores changed"),
    "final_stars": _("final level"),
    "reason": _("reason"),
    "file": _("file"),
    "representative": _("representative"),
    "centre": _("centre"),
}


# Recorded as ids for the record; the entry's subject already names them in words.
IDS_NAMED_IN_SUBJECT = {"representative", "centre"}
CHOICE_LABELS = {
    "status": dict(Cycle.Status.choices),
    "source": dict(Criterion.Source.choices),
    "measure": dict(Criterion.Measure.choices),
}
STAR_FIELDS = {"applied_stars", "final_stars"}


def _shown(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if key in CHOICE_LABELS:
        return str(CHOICE_LABELS[key].get(value, value))
    if key in STAR_FIELDS:
        return f"{value}★"
    return str(value)


def _values(values) -> list[str]:
    """ "label: value" lines of a recorded before or after, in plain words, in the order
    of FIELD_LABELS (PostgreSQL's jsonb keeps its own order of keys)."""
    _ = gettext_now
    if not isinstance(values, dict):
        return []
    order = {key: index for index, key in enumerate(FIELD_LABELS)}
    return [
        _("%(label)s: %(value)s") % {"label": FIELD_LABELS.get(key, key), "value": _shown(key, value)}
        for key, value in sorted(values.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
        if key not in IDS_NAMED_IN_SUBJECT
    ]


# --- The review screen (区级评定) --------------------------------------------------------


@dataclass
class ReviewRow:
    application: Application
    scores: list[Decimal | None]  # one per criterion, in the criteria's order
    total: Decimal
    outliers: list[str] = field(default_factory=list)
    reward: Decimal = Decimal(0)
    problem: str = ""  # why a final level typed in this row was refused

    @property
    def changed(self) -> bool:
        return self.application.final_stars != self.application.proposed_stars


@dataclass
class Review:
    cycle: Cycle
    criteria: list[Criterion]
    levels: list[StarLevel]
    rows: list[ReviewRow]
    rewards: Decimal
    over_budget: bool

    @property
    def by_stars(self) -> list[tuple[int, int]]:
        counts: dict[int, int] = {}
        for row in self.rows:
            if row.application.final_stars:
                counts[row.application.final_stars] = counts.get(row.application.final_stars, 0) + 1
        return sorted(counts.items(), reverse=True)


def _outliers(
    application: Application, criteria: list[Criterion], scores: list[Decimal | None], *, proposal_made: bool
) -> list[str]:
    _ = gettext_now
    found = []
    proposed = application.proposed_stars or 0
    # Levels are proposed when the district rating starts; none to compare with before.
    if proposal_made and application.applied_stars - proposed >= APPLIED_ABOVE_BY:
        found.append(
            _("Applied for %(applied)s★, %(proposed)s★ proposed")
            % {
                "applied": application.applied_stars,
                "proposed": proposed,
            }
        )
    scored = list(zip(criteria, scores, strict=True))
    # Counted as 0 in the total: the district should see it before setting a level.
    for criterion, points in scored:
        if points is None:
            found.append(_("Not scored: %(criterion)s (counted as 0)") % {"criterion": criterion.name})
    self_got, self_max = _got_of_max((c, s or 0) for c, s in scored if c.source == Criterion.Source.SELF)
    if not self_max or self_got < HIGH * self_max:
        return found
    satisfaction_got, satisfaction_max = _got_of_max(
        (c, s) for c, s in scored if c.measure == Criterion.Measure.SATISFACTION and s is not None
    )
    others_got, others_max = _got_of_max(
        (c, s) for c, s in scored if c.source != Criterion.Source.SELF and s is not None
    )
    if satisfaction_max and satisfaction_got < LOW * satisfaction_max:
        found.append(
            _("High self-assessment (%(own)s%%), low residents' satisfaction (%(satisfaction)s%%)")
            % {"own": _percent(self_got, self_max), "satisfaction": _percent(satisfaction_got, satisfaction_max)}
        )
    elif others_max and others_got < LOW * others_max:
        found.append(_("High self-assessment, low scores from the others"))
    return found


def _got_of_max(parts) -> tuple[Decimal, Decimal]:
    got, most = Decimal(0), Decimal(0)
    for criterion, points in parts:
        got, most = got + points, most + criterion.max_points
    return got, most


def _percent(got: Decimal, most: Decimal) -> int:
    return round(100 * got / most)


def cycle_review(cycle: Cycle) -> Review:
    """Every application of the cycle with each criterion's points (the average of its
    scorers), the total, outliers and the rewards against the budget: four queries."""
    criteria = list(cycle.criteria.all())
    levels = list(cycle.levels.all())
    applications = list(cycle.applications.select_related("centre").order_by("centre__name", "pk"))
    averages: dict[tuple[int, int], Decimal] = {}
    for row in (
        Score.objects.filter(application__cycle=cycle)
        .values("application_id", "criterion_id")
        .annotate(points=Avg("points"))
        .order_by()
    ):
        averages[(row["application_id"], row["criterion_id"])] = criterion_points(row["points"])
    rewards = {level.stars: level.reward for level in levels}
    proposal_made = cycle.status in (Cycle.Status.REVIEW, Cycle.Status.PUBLISHED)
    rows = []
    for application in applications:
        scores = [averages.get((application.pk, criterion.pk)) for criterion in criteria]
        total = application.total
        if total is None:
            total = sum((s for s in scores if s is not None), Decimal(0)).quantize(TWO_PLACES)
        rows.append(
            ReviewRow(
                application=application,
                scores=scores,
                total=total,
                outliers=_outliers(application, criteria, scores, proposal_made=proposal_made),
                reward=rewards.get(application.final_stars, Decimal(0)),
            )
        )
    total_rewards = sum((row.reward for row in rows), Decimal(0))
    return Review(
        cycle=cycle,
        criteria=criteria,
        levels=levels,
        rows=rows,
        rewards=total_rewards,
        over_budget=total_rewards > cycle.budget,
    )


def review_stamp(cycle: Cycle) -> str:
    """What the review screen shows changes only with an audited change of the cycle
    (a final level, a step) or with its scores: a stamp of both, two queries, for the
    cache key of the rendered screen."""
    last_entry = cycle.audit_entries.aggregate(last=Max("pk"))["last"]
    scores = Score.objects.filter(application__cycle=cycle).aggregate(
        n=Count("pk"), last=Max("pk"), points=Sum("points")
    )
    return f"{cycle.status}.{last_entry}.{scores['n']}.{scores['last']}.{scores['points']}"


# --- After publishing ---------------------------------------------------------------------


@dataclass
class RankingRow:
    rank: int
    centre: Centre
    total: Decimal | None
    stars: int | None
    reward: Decimal
    previous_stars: int | None = None
    had_previous: bool = False

    @property
    def trend(self) -> str:
        """ "up", "down", "same", or "" when the centre was not in the previous cycle."""
        if not self.had_previous:
            return ""
        now, before = self.stars or 0, self.previous_stars or 0
        return "up" if now > before else "down" if now < before else "same"


def cycle_ranking(cycle: Cycle) -> list[RankingRow]:
    """The centres by total, highest first, with their final level and reward, and
    the level of the previous cycle when there is one: three queries."""
    rewards = dict(cycle.levels.values_list("stars", "reward"))
    applications = cycle.applications.select_related("centre").order_by("-total", "centre__name", "pk")
    previous: dict[int, int | None] = {}
    if cycle.previous_id:
        previous = dict(Application.objects.filter(cycle_id=cycle.previous_id).values_list("centre_id", "final_stars"))
    rows = []
    for rank, application in enumerate(applications, start=1):
        rows.append(
            RankingRow(
                rank=rank,
                centre=application.centre,
                total=application.total,
                stars=application.final_stars,
                reward=rewards.get(application.final_stars, Decimal(0)),
                previous_stars=previous.get(application.centre_id),
                had_previous=application.centre_id in previous,
            )
        )
    return rows
