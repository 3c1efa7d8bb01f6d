"""Reads for applying and scoring in a star-rating cycle, each scoped to what the user
may see: centre staff their own centres, street staff the centres of their street,
representatives the centres the district assigned them. Anything else is not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from centres.models import Centre
from portal.models import User

from .models import Application, Criterion, Cycle, Evidence, RepresentativeAssignment, Score


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_applicant(user) -> bool:
    return _active(user) and user.role == User.Role.CENTRE_STAFF


def is_scorer(user) -> bool:
    """Who has a scoring page at all: centre staff, street staff, representatives."""
    return _active(user) and user.role in (
        User.Role.CENTRE_STAFF,
        User.Role.STREET_STAFF,
        User.Role.REPRESENTATIVE,
    )


def own_centres_in_open_cycles(user) -> list[tuple[Cycle, Centre, Application | None]]:
    """(cycle, centre, its application or None) for each open cycle of the district of
    each centre ``user`` staffs."""
    if not is_applicant(user):
        return []
    centres = list(user.centres.order_by("name"))
    cycles = list(
        Cycle.objects.filter(status=Cycle.Status.OPEN, district_id__in={c.district_id for c in centres}).order_by(
            "-period_end", "pk"
        )
    )
    applications = {
        (a.cycle_id, a.centre_id): a for a in Application.objects.filter(cycle__in=cycles, centre__in=centres)
    }
    return [
        (cycle, centre, applications.get((cycle.pk, centre.pk)))
        for cycle in cycles
        for centre in centres
        if centre.district_id == cycle.district_id
    ]


def scorable_sources(user, application: Application) -> set[str]:
    """The criterion sources ``user`` scores for ``application``."""
    sources = set()
    if not _active(user):
        return sources
    centre = application.centre
    if user.role == User.Role.STREET_STAFF and user.area_id == centre.street_id:
        sources.add(Criterion.Source.STREET)
    elif user.role == User.Role.CENTRE_STAFF and user.centres.filter(pk=centre.pk).exists():
        sources.add(Criterion.Source.SELF)
    elif (
        user.role == User.Role.REPRESENTATIVE
        and RepresentativeAssignment.objects.filter(
            cycle_id=application.cycle_id, representative=user, centre_id=centre.pk
        ).exists()
    ):
        sources.add(Criterion.Source.REPRESENTATIVES)
    return sources


def applications_scored_by(user) -> QuerySet[Application]:
    """The applications of cycles being scored that ``user`` has a form for."""
    base = Application.objects.filter(cycle__status=Cycle.Status.SCORING).select_related("cycle", "centre")
    if not _active(user):
        return base.none()
    if user.role == User.Role.STREET_STAFF and user.area_id is not None:
        return base.filter(centre__street_id=user.area_id, cycle__criteria__source=Criterion.Source.STREET).distinct()
    if user.role == User.Role.CENTRE_STAFF:
        return base.filter(centre__staff=user, cycle__criteria__source=Criterion.Source.SELF).distinct()
    if user.role == User.Role.REPRESENTATIVE:
        assigned = RepresentativeAssignment.objects.filter(
            representative=user, cycle_id=OuterRef("cycle_id"), centre_id=OuterRef("centre_id")
        )
        return base.filter(Exists(assigned), cycle__criteria__source=Criterion.Source.REPRESENTATIVES).distinct()
    return base.none()


SOURCE_OF_ROLE = {
    User.Role.STREET_STAFF: Criterion.Source.STREET,
    User.Role.CENTRE_STAFF: Criterion.Source.SELF,
    User.Role.REPRESENTATIVE: Criterion.Source.REPRESENTATIVES,
}


def scoring_list(user) -> list[Application]:
    """``applications_scored_by(user)`` with ``criteria_count`` (the criteria the user
    scores) and ``given_count`` (those they have scored), the forms still to finish
    first: one query."""
    source = SOURCE_OF_ROLE.get(getattr(user, "role", None))
    if source is None:
        return []

    def counted(queryset, group_by):
        return Coalesce(
            Subquery(queryset.values(group_by).annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
            0,
        )

    applications = applications_scored_by(user).annotate(
        criteria_count=counted(Criterion.objects.filter(cycle_id=OuterRef("cycle_id"), source=source), "cycle_id"),
        given_count=counted(
            Score.objects.filter(application_id=OuterRef("pk"), scorer=user, criterion__source=source),
            "application_id",
        ),
    )
    rows = list(applications.order_by("cycle__name", "centre__name"))
    return sorted(rows, key=lambda row: row.given_count >= row.criteria_count)


@dataclass
class ScoringForm:
    application: Application
    criteria: list[Criterion]
    given: dict[int, Score]
    evidence: list[Evidence]


def scoring_form_for(user, application_id: int) -> ScoringForm | None:
    """What ``user`` scores of one application being scored, with the points they gave
    and the evidence; None when they score nothing of it (the page is a 404)."""
    application = (
        Application.objects.filter(pk=application_id, cycle__status=Cycle.Status.SCORING)
        .select_related("cycle", "centre")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")))
        .first()
    )
    if application is None:
        return None
    sources = scorable_sources(user, application)
    if not sources:
        return None
    criteria = list(application.cycle.criteria.filter(source__in=sources))
    if not criteria:
        return None
    given = {s.criterion_id: s for s in Score.objects.filter(application=application, scorer=user)}
    return ScoringForm(application, criteria, given, list(application.evidence.all()))


def evidence_visible_to(user, evidence_id: int) -> Evidence | None:
    """An evidence file for the centre's own staff, its street's staff, its assigned
    representatives and the district's staff; None for anyone else."""
    evidence = (
        Evidence.objects.select_related("application__cycle", "application__centre").filter(pk=evidence_id).first()
    )
    if evidence is None or not _active(user):
        return None
    application = evidence.application
    if user.role == User.Role.DISTRICT_STAFF and user.area_id == application.cycle.district_id:
        return evidence
    if scorable_sources(user, application):
        return evidence
    return None


STAR_LEVEL_NAMES = {
    1: _("One-star centre"),
    2: _("Two-star centre"),
    3: _("Three-star centre"),
    4: _("Four-star centre"),
    5: _("Five-star centre"),
}


@dataclass(frozen=True)
class PublishedStar:
    stars: int
    cycle_name: str

    @property
    def symbols(self) -> str:
        return "★" * self.stars

    @property
    def name(self) -> str:
        return STAR_LEVEL_NAMES[self.stars]


def centre_published_star(*, centre: Centre) -> PublishedStar | None:
    """The centre's final level in the latest published cycle of its district (one
    query); None when it has none."""
    row = (
        Application.objects.filter(centre=centre, cycle__status=Cycle.Status.PUBLISHED)
        .order_by("-cycle__period_end", "-cycle__published_at", "-cycle_id")
        .values("final_stars", "cycle__name")
        .first()
    )
    if row is None or not row["final_stars"]:
        return None
    return PublishedStar(row["final_stars"], row["cycle__name"])
