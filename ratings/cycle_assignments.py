"""Inviting residents' representatives to score centres of a cycle (代表评议).

District staff choose, while the cycle is open or being scored, which representative
scores which centre; each choice is kept in the cycle's audit trail."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from centres.models import Centre
from portal.models import Notification, User
from portal.notifications import notification_send

from .cycle import _audit, _locked, _refuse, _require_district_staff
from .models import Cycle, RepresentativeAssignment


def representative_assign(*, cycle: Cycle, by, representative: User, centre: Centre) -> RepresentativeAssignment:
    """Invite ``representative`` (a representative of one of the district's communities)
    to score ``centre`` (a centre of the district) in ``cycle``. Assigning twice is a
    no-op that returns the existing row."""
    _require_district_staff(by, cycle)
    if centre.district_id != cycle.district_id:
        _refuse(_("Choose a centre of the cycle's district."), "centre")
    area = representative.area
    if (
        representative.role != User.Role.REPRESENTATIVE
        or area is None
        or area.parent is None
        or area.parent.parent_id != cycle.district_id
    ):
        _refuse(_("Choose a residents' representative of one of the district's communities."), "representative")
    with transaction.atomic():
        cycle = _locked(cycle)
        if cycle.status not in (Cycle.Status.OPEN, Cycle.Status.SCORING):
            _refuse(_("Representatives are assigned while the cycle is open or being scored."), "state")
        assignment, created = RepresentativeAssignment.objects.get_or_create(
            cycle=cycle, representative=representative, centre=centre
        )
        if created:
            _audit(
                cycle,
                by,
                "representative_assigned",
                f"{representative.name} → {centre.name}",
                after={"representative": representative.pk, "centre": centre.pk},
            )
            _tell_representative(cycle, representative, centre)
    return assignment


def _tell_representative(cycle: Cycle, representative: User, centre: Centre) -> None:
    scoring = cycle.status == Cycle.Status.SCORING

    def text() -> str:
        values = {"centre": centre.name, "cycle": cycle.name}
        if scoring:
            return _("The district invites you to score %(centre)s in %(cycle)s. Your form is ready.") % values
        return (
            _("The district invites you to score %(centre)s in %(cycle)s. Your form opens when scoring starts.")
            % values
        )

    notification_send(
        recipient=representative,
        kind=Notification.Kind.OTHER,
        text=text,
        url=lambda: reverse("star_scoring:home"),
        dedupe_key=f"star-invited-{cycle.pk}-{centre.pk}-{representative.pk}",
    )
