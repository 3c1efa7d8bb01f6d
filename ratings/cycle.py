"""The star-rating cycle's services: each step of 申报 → 考核 → 分档, who may take it, in
which state of the cycle, and an audit entry (who, when, before and after) for every
change.

The cycle moves draft → open → scoring → review → published, one way. Criteria and
levels are set while it is a draft; centres apply while it is open; scores are given
while it is being scored; district staff set the final levels in review; publishing
fixes everything. Every write locks the cycle's row first, so a step and a change that
it forbids cannot pass each other.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import Area, Centre
from centres.page_cache import public_pages_changed
from portal.models import Notification, User
from portal.notifications import notification_send

from .models import Application, AuditEntry, Criterion, Cycle, RepresentativeAssignment, Score, StarLevel

TWO_PLACES = Decimal("0.01")
CRITERIA_FIXED = gettext_lazy(
    "The criteria are fixed once the cycle is open: centres apply and are scored against them. "
    "They can be changed only while the cycle is being prepared."
)
LEVELS_FIXED = gettext_lazy(
    "The star levels are fixed once the cycle is open: centres apply for them. "
    "They can be changed only while the cycle is being prepared."
)


class CycleRefused(ValidationError):
    pass


def _refuse(message: str, code: str = "refused"):
    raise CycleRefused(message, code=code)


def _audit(cycle: Cycle, actor, action: str, subject: str, before=None, after=None) -> None:
    AuditEntry.objects.create(cycle=cycle, actor=actor, action=action, subject=subject, before=before, after=after)


def _money(value) -> str:
    return str(Decimal(value).quantize(TWO_PLACES))


# --- Who may --------------------------------------------------------------------------------


def is_district_staff_of(user, district_id: int) -> bool:
    return user.is_authenticated and user.role == User.Role.DISTRICT_STAFF and user.area_id == district_id


def is_street_staff_of(user, centre: Centre) -> bool:
    return user.is_authenticated and user.role == User.Role.STREET_STAFF and user.area_id == centre.street_id


def is_centre_staff_of(user, centre: Centre) -> bool:
    return user.is_authenticated and user.role == User.Role.CENTRE_STAFF and user.centres.filter(pk=centre.pk).exists()


def _require_district_staff(user, cycle: Cycle) -> None:
    if not is_district_staff_of(user, cycle.district_id):
        _refuse(_("Only the district's staff can do this."), "forbidden")


def _locked(cycle: Cycle) -> Cycle:
    return Cycle.objects.select_for_update().get(pk=cycle.pk)


def _require_status(cycle: Cycle, status: str, message: str) -> None:
    if cycle.status != status:
        _refuse(message, "state")


# --- Preparing the cycle -----------------------------------------------------------------


def cycle_create(
    *,
    district: Area,
    by,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    budget: Decimal,
    previous: Cycle | None = None,
) -> Cycle:
    if not is_district_staff_of(by, district.pk):
        _refuse(_("Only the district's staff can do this."), "forbidden")
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the cycle a name, such as 2026 annual.")})
    if period_start > period_end:
        raise ValidationError({"period_end": _("The period must end after it starts.")})
    if Decimal(budget) < 0:
        raise ValidationError({"budget": _("The budget cannot be below zero.")})
    if previous is not None and previous.district_id != district.pk:
        _refuse(_("Compare only with a cycle of the same district."), "previous")
    name_taken = ValidationError({"name": _("The district already has a cycle of this name.")})
    if Cycle.objects.filter(district=district, name=name).exists():
        raise name_taken
    try:
        with transaction.atomic():
            cycle = Cycle.objects.create(
                district=district,
                name=name,
                period_start=period_start,
                period_end=period_end,
                budget=budget,
                previous=previous,
            )
            _audit(cycle, by, "cycle_created", name, after={"budget": _money(budget)})
    except IntegrityError as clash:  # the same name saved at the same moment by someone else
        raise name_taken from clash
    return cycle


def _criterion_values(*, name: str, max_points, source: str, measure: str) -> dict:
    """The checks shared by adding and changing a criterion, all at once; the values to
    store (a measure only for a computed criterion)."""
    errors = {}
    name = name.strip()
    if not name:
        errors["name"] = _("Give the criterion a name.")
    if source not in Criterion.Source.values:
        errors["source"] = _("Choose who scores the criterion.")
    if source == Criterion.Source.COMPUTED and measure not in Criterion.Measure.values:
        errors["measure"] = _("Choose what a computed criterion is computed from.")
    if source != Criterion.Source.COMPUTED:
        measure = ""
    if Decimal(max_points) <= 0:
        errors["max_points"] = _("A criterion needs more than 0 points.")
    if errors:
        raise ValidationError(errors)
    return {"name": name, "max_points": Decimal(max_points), "source": source, "measure": measure}


def _criterion_record(criterion: Criterion) -> dict:
    """A criterion's values as the audit trail keeps them."""
    return {
        "name": criterion.name,
        "max_points": _money(criterion.max_points),
        "source": criterion.source,
        "measure": criterion.measure,
    }


def _require_draft_for_criteria(cycle: Cycle) -> None:
    _require_status(cycle, Cycle.Status.DRAFT, str(CRITERIA_FIXED))


def _locked_criterion(cycle: Cycle, criterion: Criterion) -> Criterion:
    found = Criterion.objects.select_for_update().filter(cycle=cycle, pk=criterion.pk).first()
    if found is None:
        _refuse(_("This criterion is no longer in the cycle."), "criterion")
    return found


def _renumber_criteria(cycle: Cycle, ordered: list[Criterion] | None = None) -> None:
    """Positions 0, 1, 2, … in the criteria's order, so a removal leaves no gap."""
    ordered = list(cycle.criteria.order_by("position", "pk")) if ordered is None else ordered
    for position, criterion in enumerate(ordered):
        if criterion.position != position:
            criterion.position = position
            criterion.save(update_fields=["position"])


def criterion_add(*, cycle: Cycle, by, name: str, max_points: Decimal, source: str, measure: str = "") -> Criterion:
    _require_district_staff(by, cycle)
    values = _criterion_values(name=name, max_points=max_points, source=source, measure=measure)
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_status(cycle, Cycle.Status.DRAFT, _("Criteria can only be changed while the cycle is being prepared."))
        criterion = Criterion.objects.create(cycle=cycle, position=cycle.criteria.count(), **values)
        _audit(
            cycle,
            by,
            "criterion_added",
            criterion.name,
            after={"max_points": _money(values["max_points"]), "source": values["source"]},
        )
    return criterion


def criterion_update(
    *, criterion: Criterion, by, name: str, max_points: Decimal, source: str, measure: str = ""
) -> Criterion:
    """Correct a criterion of a draft cycle; the audit entry keeps the fields that changed,
    before and after (none changed: nothing is written)."""
    _require_district_staff(by, criterion.cycle)
    values = _criterion_values(name=name, max_points=max_points, source=source, measure=measure)
    with transaction.atomic():
        cycle = _locked(criterion.cycle)
        _require_draft_for_criteria(cycle)
        criterion = _locked_criterion(cycle, criterion)
        before = _criterion_record(criterion)
        for field, value in values.items():
            setattr(criterion, field, value)
        after = _criterion_record(criterion)
        changed = [field for field in after if after[field] != before[field]]
        if changed:
            criterion.save(update_fields=list(values))
            _audit(
                cycle,
                by,
                "criterion_updated",
                criterion.name,
                before={field: before[field] for field in changed},
                after={field: after[field] for field in changed},
            )
    return criterion


def criterion_remove(*, criterion: Criterion, by) -> None:
    """Take a criterion out of a draft cycle; the ones after it move up a place."""
    _require_district_staff(by, criterion.cycle)
    with transaction.atomic():
        cycle = _locked(criterion.cycle)
        _require_draft_for_criteria(cycle)
        criterion = _locked_criterion(cycle, criterion)
        before = _criterion_record(criterion)
        criterion.delete()
        _renumber_criteria(cycle)
        _audit(cycle, by, "criterion_removed", before["name"], before=before)


def criterion_move(*, criterion: Criterion, by, up: bool) -> Criterion:
    """Swap a criterion of a draft cycle with the one above (or below) it; at the top
    (or bottom) it stays where it is and nothing is written."""
    _require_district_staff(by, criterion.cycle)
    with transaction.atomic():
        cycle = _locked(criterion.cycle)
        _require_draft_for_criteria(cycle)
        criterion = _locked_criterion(cycle, criterion)
        ordered = list(cycle.criteria.order_by("position", "pk"))
        index = next(i for i, each in enumerate(ordered) if each.pk == criterion.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(ordered):
            return criterion
        ordered[index], ordered[other] = ordered[other], ordered[index]
        _renumber_criteria(cycle, ordered)
        _audit(
            cycle, by, "criterion_moved", criterion.name, before={"position": index + 1}, after={"position": other + 1}
        )
    return ordered[other]


def star_level_set(*, cycle: Cycle, by, stars: int, min_score: Decimal, reward: Decimal) -> StarLevel:
    _require_district_staff(by, cycle)
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": _("Star levels go from 1 to 5.")})
    if Decimal(reward) < 0 or Decimal(min_score) < 0:
        raise ValidationError(_("Scores and rewards cannot be below zero."))
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_status(cycle, Cycle.Status.DRAFT, _("Levels can only be changed while the cycle is being prepared."))
        level = StarLevel.objects.filter(cycle=cycle, stars=stars).first()
        before = None if level is None else {"min_score": _money(level.min_score), "reward": _money(level.reward)}
        level, _created = StarLevel.objects.update_or_create(
            cycle=cycle, stars=stars, defaults={"min_score": min_score, "reward": reward}
        )
        _audit(
            cycle,
            by,
            "level_set",
            f"{stars}★",
            before=before,
            after={"min_score": _money(min_score), "reward": _money(reward)},
        )
    return level


def star_level_remove(*, level: StarLevel, by) -> None:
    """Take a star level out of a draft cycle (setting one replaces it; this drops it)."""
    _require_district_staff(by, level.cycle)
    with transaction.atomic():
        cycle = _locked(level.cycle)
        _require_status(cycle, Cycle.Status.DRAFT, str(LEVELS_FIXED))
        level = StarLevel.objects.select_for_update().filter(cycle=cycle, pk=level.pk).first()
        if level is None:
            _refuse(_("This star level is no longer in the cycle."), "level")
        before = {"min_score": _money(level.min_score), "reward": _money(level.reward)}
        level.delete()
        _audit(cycle, by, "level_removed", f"{level.stars}★", before=before)


def cycle_open(*, cycle: Cycle, by) -> Cycle:
    """Draft → open for applications, once the criteria and levels make sense."""
    _require_district_staff(by, cycle)
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_status(cycle, Cycle.Status.DRAFT, _("Only a cycle being prepared can be opened."))
        if not cycle.criteria.exists():
            _refuse(_("Add the criteria before opening the cycle."), "criteria")
        levels = list(cycle.levels.order_by("stars"))
        if not levels:
            _refuse(_("Set the star levels before opening the cycle."), "levels")
        if any(lower.min_score >= higher.min_score for lower, higher in zip(levels, levels[1:], strict=False)):
            _refuse(_("Each star level must need a higher total than the level below it."), "levels")
        cycle.status = Cycle.Status.OPEN
        cycle.save(update_fields=["status"])
        _audit(cycle, by, "cycle_opened", cycle.name, before={"status": "draft"}, after={"status": "open"})
    return cycle


# --- Applying, scoring ---------------------------------------------------------------------


def application_submit(
    *, cycle: Cycle, centre: Centre, by, applied_stars: int, self_assessment: str = ""
) -> Application:
    if not is_centre_staff_of(by, centre) or centre.district_id != cycle.district_id:
        _refuse(_("Only the centre's own staff can apply for it."), "forbidden")
    if not 1 <= applied_stars <= 5:
        raise ValidationError({"applied_stars": _("Choose a level from 1 to 5 stars.")})
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_status(cycle, Cycle.Status.OPEN, _("Applications are accepted only while the cycle is open."))
        application = Application.objects.filter(cycle=cycle, centre=centre).first()
        before = None if application is None else _application_record(application)
        if application is None:
            application = Application(cycle=cycle, centre=centre)
        application.applied_stars = applied_stars
        application.self_assessment = self_assessment.strip()
        after = _application_record(application)
        if before == after:
            return application  # sent again unchanged: nothing to save or record
        application.submitted_by = by
        application.submitted_at = timezone.now()
        application.save()
        changed = list(after) if before is None else [key for key in after if after[key] != before[key]]
        _audit(
            cycle,
            by,
            "application_submitted",
            centre.name,
            before=None if before is None else {key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return application


def _application_record(application: Application) -> dict:
    """What the audit trail keeps of an application: its level and its self-assessment
    (the first 200 characters; the application keeps the whole text)."""
    text = application.self_assessment
    return {
        "applied_stars": application.applied_stars,
        "self_assessment": text if len(text) <= 200 else f"{text[:200]}…",
    }


def cycle_start_scoring(*, cycle: Cycle, by) -> Cycle:
    _require_district_staff(by, cycle)
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_status(cycle, Cycle.Status.OPEN, _("Scoring starts only after the applications."))
        cycle.status = Cycle.Status.SCORING
        cycle.save(update_fields=["status"])
        _audit(cycle, by, "scoring_started", cycle.name, before={"status": "open"}, after={"status": "scoring"})
        # The computed criteria are the portal's own scores, filled as scoring starts
        # (imported here: ratings.computed uses this module's helpers).
        from .computed import cycle_fill_computed

        cycle_fill_computed(cycle=cycle)
        _tell_scorers(cycle)
    return cycle


def _tell_scorers(cycle: Cycle) -> None:
    """Everyone with forms to fill is told that scoring has started and how many centres
    wait for them: street staff of the streets that applied, the invited
    representatives, the applying centres' staff for their self-assessment (each only
    when the cycle has criteria of their kind). A fixed number of queries."""
    sources = set(cycle.criteria.values_list("source", flat=True))
    applications = cycle.applications.all()
    waiting: dict[int, int] = {}
    if Criterion.Source.STREET in sources:
        per_street = dict(applications.values_list("centre__street_id").annotate(n=Count("pk")).order_by())
        for user_id, street_id in User.objects.filter(
            role=User.Role.STREET_STAFF, is_active=True, area_id__in=per_street
        ).values_list("pk", "area_id"):
            waiting[user_id] = waiting.get(user_id, 0) + per_street[street_id]
    if Criterion.Source.REPRESENTATIVES in sources:
        applied = applications.values("centre_id")
        for user_id, count in (
            RepresentativeAssignment.objects.filter(cycle=cycle, centre_id__in=applied, representative__is_active=True)
            .values_list("representative_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            waiting[user_id] = waiting.get(user_id, 0) + count
    if Criterion.Source.SELF in sources:
        for user_id, count in (
            User.objects.filter(role=User.Role.CENTRE_STAFF, is_active=True, centres__star_applications__cycle=cycle)
            .values_list("pk")
            .annotate(n=Count("centres__star_applications"))
            .order_by()
        ):
            waiting[user_id] = waiting.get(user_id, 0) + count
    for person in User.objects.filter(pk__in=waiting).order_by("pk"):
        count = waiting[person.pk]
        notification_send(
            recipient=person,
            kind=Notification.Kind.OTHER,
            text=lambda count=count: (
                _("Scoring of %(cycle)s has started: %(count)s centre(s) wait for your scores.")
                % {"cycle": cycle.name, "count": count}
            ),
            url=lambda: reverse("star_scoring:home"),
            dedupe_key=f"star-scoring-{cycle.pk}-{person.pk}",
        )


def _may_score(user, application: Application, criterion: Criterion) -> bool:
    centre = application.centre
    if criterion.source == Criterion.Source.STREET:
        return is_street_staff_of(user, centre)
    if criterion.source == Criterion.Source.REPRESENTATIVES:
        return RepresentativeAssignment.objects.filter(
            cycle_id=application.cycle_id, representative=user, centre=centre
        ).exists()
    if criterion.source == Criterion.Source.SELF:
        return is_centre_staff_of(user, centre)
    return False  # computed criteria are filled by the portal


def score_set(*, application: Application, criterion: Criterion, by, points: Decimal, note: str = "") -> Score:
    """One scorer's points for one criterion of one application, while the cycle is
    being scored: street staff for their street's centres, representatives for the
    centres they are assigned, the centre itself for self-assessed criteria."""
    if criterion.cycle_id != application.cycle_id:
        _refuse(_("This criterion belongs to another cycle."), "criterion")
    if not _may_score(by, application, criterion):
        _refuse(_("You cannot score this criterion for this centre."), "forbidden")
    points = Decimal(points)
    if points < 0 or points > criterion.max_points:
        raise ValidationError(
            {"points": _("Give from 0 to %(max)s points.") % {"max": format(criterion.max_points.normalize(), "f")}}
        )
    with transaction.atomic():
        cycle = _locked(application.cycle)
        _require_status(cycle, Cycle.Status.SCORING, _("Scores can be given only while the cycle is being scored."))
        score = Score.objects.filter(application=application, criterion=criterion, scorer=by).first()
        before = None if score is None else {"points": _money(score.points)}
        score, _created = Score.objects.update_or_create(
            application=application, criterion=criterion, scorer=by, defaults={"points": points, "note": note[:500]}
        )
        _audit(
            cycle,
            by,
            "score_set",
            f"{application.centre.name} · {criterion.name}",
            before=before,
            after={"points": _money(points)},
        )
    return score


# --- District rating and publishing ----------------------------------------------------------


def criterion_points(average) -> Decimal:
    """A criterion's points: the average of its scorers (several representatives score
    one centre), rounded half up to 2 decimals. The review shows these and the total is
    their sum, so the row always adds up (a float average from SQLite is read as text)."""
    return Decimal(str(average)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def application_total(application: Application) -> Decimal:
    """The sum over the criteria of their points (``criterion_points``)."""
    per_criterion = Score.objects.filter(application=application).values("criterion").annotate(points=Avg("points"))
    return sum((criterion_points(row["points"]) for row in per_criterion), Decimal(0))


def proposed_stars(levels: list[StarLevel], total: Decimal) -> int | None:
    """The highest level whose band the total reaches; None below the lowest."""
    reached = [level.stars for level in levels if total >= level.min_score]
    return max(reached) if reached else None


def cycle_start_review(*, cycle: Cycle, by) -> Cycle:
    """Scoring → district rating: every application gets its total and the level the
    bands propose, which is also its final level until district staff change it."""
    _require_district_staff(by, cycle)
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_status(cycle, Cycle.Status.SCORING, _("The district rating follows the scoring."))
        levels = list(cycle.levels.all())
        for application in cycle.applications.select_for_update():
            application.total = application_total(application)
            application.proposed_stars = application.final_stars = proposed_stars(levels, application.total)
            application.save(update_fields=["total", "proposed_stars", "final_stars"])
        cycle.status = Cycle.Status.REVIEW
        cycle.save(update_fields=["status"])
        _audit(cycle, by, "review_started", cycle.name, before={"status": "scoring"}, after={"status": "review"})
    return cycle


def final_level_set(*, application: Application, by, stars: int | None, reason: str = "") -> Application:
    """District staff set a centre's final level; one other than the proposal needs a
    written reason."""
    cycle = application.cycle
    _require_district_staff(by, cycle)
    if stars is not None and not 1 <= stars <= 5:
        raise ValidationError({"stars": _("Choose a level from 1 to 5 stars, or none.")})
    reason = reason.strip()
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_status(cycle, Cycle.Status.REVIEW, _("Final levels are set during the district rating."))
        application = Application.objects.select_for_update().get(pk=application.pk)
        if stars is not None and not cycle.levels.filter(stars=stars).exists():
            raise ValidationError(
                {
                    "stars": _("This cycle has no %(stars)s★ level. Choose one of its levels, or none.")
                    % {"stars": stars}
                }
            )
        if stars != application.proposed_stars and not reason:
            raise ValidationError({"reason": _("Say why the level differs from the proposed one.")})
        before = {"final_stars": application.final_stars, "reason": application.final_reason}
        application.final_stars = stars
        application.final_reason = reason if stars != application.proposed_stars else ""
        application.save(update_fields=["final_stars", "final_reason"])
        _audit(
            cycle,
            by,
            "final_level_set",
            application.centre.name,
            before=before,
            after={"final_stars": stars, "reason": application.final_reason},
        )
    return application


def cycle_rewards(cycle: Cycle) -> Decimal:
    """The total reward of the final levels, to hold against the budget."""
    rewards = dict(cycle.levels.values_list("stars", "reward"))
    finals = cycle.applications.exclude(final_stars=None).values_list("final_stars", flat=True)
    return sum((rewards.get(stars, Decimal(0)) for stars in finals), Decimal(0))


def cycle_publish(*, cycle: Cycle, by) -> Cycle:
    """District rating → published: the levels are fixed, as long as their rewards fit
    the budget."""
    _require_district_staff(by, cycle)
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_status(cycle, Cycle.Status.REVIEW, _("Only a cycle in district rating can be published."))
        total = cycle_rewards(cycle)
        if total > cycle.budget:
            _refuse(
                _("The rewards (%(total)s yuan) are over the budget (%(budget)s yuan). Lower some levels first.")
                % {"total": _money(total), "budget": _money(cycle.budget)},
                "budget",
            )
        cycle.status = Cycle.Status.PUBLISHED
        cycle.published_at = timezone.now()
        cycle.save(update_fields=["status", "published_at"])
        public_pages_changed()  # the centres' public pages show their new star level
        _audit(
            cycle,
            by,
            "published",
            cycle.name,
            before={"status": "review"},
            after={"status": "published", "rewards": _money(total)},
        )
    return cycle
