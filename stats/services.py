"""Writes of the statistics pages: the district's monthly targets.

(The figures themselves are written only by ``stats.rollup``.)
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from centres.models import Area

from .models import RATE_METRICS, DistrictTarget, Metric

# A minimum makes no sense for a figure that should stay low.
UNTARGETED_METRICS = {Metric.NO_SHOW_RATE, Metric.BAD_RATING_RATE}
TARGET_METRICS = [(name, label) for name, label in Metric.choices if name not in UNTARGETED_METRICS]


def _check_target(*, district: Area, metric: str, minimum: Decimal) -> None:
    if district.level != Area.Level.DISTRICT:
        raise ValidationError(_("Targets are set for a district."))
    if metric not in dict(TARGET_METRICS):
        raise ValidationError(_("There is no target for this figure."))
    if minimum < 0:
        raise ValidationError({metric: _("A target cannot be below zero.")})
    if metric in RATE_METRICS and minimum > 1:
        raise ValidationError({metric: _("A share cannot be more than 100%.")})
    if minimum != minimum.quantize(Decimal("0.01")):
        raise ValidationError({metric: _("Give the target with at most two decimals.")})


def district_target_set(*, district: Area, metric: str, minimum: Decimal | None, by) -> DistrictTarget | None:
    """Set the district's monthly minimum for one figure (a share between 0 and 1 for a
    rate), or remove it with ``minimum=None``. Returns the target, or ``None`` when it
    was removed. Nothing is written when the value is unchanged."""
    if minimum is not None:
        minimum = Decimal(minimum)
        _check_target(district=district, metric=metric, minimum=minimum)
    with transaction.atomic():
        target = DistrictTarget.objects.select_for_update().filter(district=district, metric=metric).first()
        if minimum is None:
            if target is not None:
                target.delete()
            return None
        if target is None:
            target = DistrictTarget(district=district, metric=metric)
        elif target.minimum == minimum:
            return target
        target.minimum = minimum
        target.updated_by = by
        target.full_clean(exclude=["district", "updated_by"], validate_constraints=False)
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError as error:  # someone else set the same target a moment ago
            raise ValidationError(_("Someone else changed the targets just now. Please try again.")) from error
        return target


def district_targets_set(*, district: Area, minimums: dict[str, Decimal | None], by) -> dict[str, DistrictTarget]:
    """Set several of the district's targets at once, all or none."""
    saved = {}
    with transaction.atomic():
        for metric, minimum in minimums.items():
            target = district_target_set(district=district, metric=metric, minimum=minimum, by=by)
            if target is not None:
                saved[metric] = target
    return saved
