"""A resident's family members (``Dependant``): the people they may book for.

Only what a booking needs is kept: a name, a date of birth, the relation and, for a
child, who may collect them. Writes lock the resident's row, so two forms sent at once
cannot pass the limit of ``MAX_FAMILY_MEMBERS`` together, and lock the family member's
row, so a booking made for them at the same moment cannot slip past a removal.
Refusals are ``ValidationError``s keyed by the field they are about.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.templatetags.portal_tags import when

from .models import ACTIVE_STATUSES, Booking, Dependant

MAX_FAMILY_MEMBERS = 10
MAX_AGE_YEARS = 120


def _years_before(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year - years)
    except ValueError:  # 29 February in a year that has none
        return date.replace(year=date.year - years, day=28)


# Reads ---------------------------------------------------------------------------------


def family_of(resident, *, with_coming_bookings: bool = False) -> QuerySet[Dependant]:
    """The resident's family members, oldest first. ``with_coming_bookings`` adds
    ``coming_bookings``: how many active bookings each has that have not ended yet."""
    family = Dependant.objects.filter(guardian=resident)
    if with_coming_bookings:
        family = family.annotate(
            coming_bookings=Count(
                "bookings",
                filter=Q(bookings__status__in=ACTIVE_STATUSES, bookings__ends_at__gt=timezone.now()),
            )
        )
    return family.order_by("birth_date", "pk")


def coming_bookings_of(dependant: Dependant) -> QuerySet[Booking]:
    """The family member's bookings that are active and not yet over."""
    return Booking.objects.filter(dependant=dependant, status__in=ACTIVE_STATUSES, ends_at__gt=timezone.now())


# Writes --------------------------------------------------------------------------------


def _clean(*, name: str, birth_date, relation: str, collectors: str) -> tuple[str, str, dict]:
    errors: dict[str, list[ValidationError]] = {}
    name = (name or "").strip()
    name_max = Dependant._meta.get_field("name").max_length
    if not name:
        errors["name"] = [ValidationError(_("Enter the family member's name."), code="required")]
    elif len(name) > name_max:
        errors["name"] = [
            ValidationError(
                _("Keep the name to %(max)d characters or fewer."), code="max_length", params={"max": name_max}
            )
        ]

    today = timezone.localdate()
    if not isinstance(birth_date, dt.date) or isinstance(birth_date, dt.datetime):
        errors["birth_date"] = [ValidationError(_("Enter the date of birth."), code="required")]
    elif birth_date > today:
        errors["birth_date"] = [ValidationError(_("The date of birth cannot be in the future."), code="future")]
    elif birth_date < _years_before(today, MAX_AGE_YEARS):
        errors["birth_date"] = [
            ValidationError(
                _("Check the date of birth: it is more than %(years)d years ago."),
                code="too_old",
                params={"years": MAX_AGE_YEARS},
            )
        ]

    if relation not in Dependant.Relation.values:
        errors["relation"] = [ValidationError(_("Choose how this person is related to you."), code="invalid")]

    collectors = (collectors or "").strip() if relation == Dependant.Relation.CHILD else ""
    collectors_max = Dependant._meta.get_field("collectors").max_length
    if len(collectors) > collectors_max:
        errors["collectors"] = [
            ValidationError(
                _("Keep this to %(max)d characters or fewer."), code="max_length", params={"max": collectors_max}
            )
        ]
    return name, collectors, errors


def dependant_save(
    *, guardian, dependant: Dependant | None = None, name: str, birth_date: dt.date, relation: str, collectors: str = ""
) -> Dependant:
    """Add a family member to ``guardian``'s profile, or change ``dependant``.

    ``collectors`` is kept for a child only. A resident has at most
    ``MAX_FAMILY_MEMBERS`` family members.
    """
    if dependant is not None and dependant.guardian_id != guardian.pk:
        raise ValueError("This family member belongs to another resident.")
    name, collectors, errors = _clean(name=name, birth_date=birth_date, relation=relation, collectors=collectors)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        if dependant is None:
            # Serialise additions per resident (NO KEY UPDATE lets others still point at the row).
            get_user_model().objects.select_for_update(no_key=True).filter(pk=guardian.pk).first()
            count = Dependant.objects.filter(guardian=guardian).count()
            if count >= MAX_FAMILY_MEMBERS:
                message = ngettext(
                    "You can add at most %(max)d family member. Remove one you no longer book for first.",
                    "You can add at most %(max)d family members. Remove one you no longer book for first.",
                    MAX_FAMILY_MEMBERS,
                ) % {"max": MAX_FAMILY_MEMBERS}
                raise ValidationError({NON_FIELD_ERRORS: ValidationError(message, code="too_many")})
            return Dependant.objects.create(
                guardian=guardian, name=name, birth_date=birth_date, relation=relation, collectors=collectors
            )

        current = Dependant.objects.select_for_update().filter(pk=dependant.pk, guardian=guardian).first()
        if current is None:
            raise ValidationError(
                {NON_FIELD_ERRORS: ValidationError(_("This family member has already been removed."), code="gone")}
            )
        current.name, current.birth_date, current.relation, current.collectors = name, birth_date, relation, collectors
        current.save(update_fields=["name", "birth_date", "relation", "collectors"])
        return current


def dependant_delete(*, guardian, dependant: Dependant) -> None:
    """Remove a family member. Refused while they have an active booking that has not
    ended; their past bookings keep the name and lose the link."""
    if dependant.guardian_id != guardian.pk:
        raise ValueError("This family member belongs to another resident.")
    with transaction.atomic():
        current = Dependant.objects.select_for_update().filter(pk=dependant.pk, guardian=guardian).first()
        if current is None:
            return  # already removed, e.g. by a second click
        coming = coming_bookings_of(current).count()
        if coming:
            message = ngettext(
                "%(name)s still has %(count)d booking to come. Cancel it first, then remove %(name)s.",
                "%(name)s still has %(count)d bookings to come. Cancel them first, then remove %(name)s.",
                coming,
            ) % {"name": current.name, "count": coming}
            raise ValidationError({"dependant": ValidationError(message, code="has_bookings")})
        shared = _shared_past_booking(guardian, current)
        if shared is not None:
            message = _(
                "%(name)s cannot be removed: %(name)s was booked together with you for “%(activity)s” on "
                "%(when)s, and the centre keeps that record."
            ) % {"name": current.name, "activity": shared.activity.title, "when": when(shared.starts_at)}
            raise ValidationError({"dependant": ValidationError(message, code="shared_booking")})
        current.delete()


def _shared_past_booking(guardian, dependant: Dependant) -> Booking | None:
    """A booking of the family member that, once they are removed, would read as the
    guardian's own booking of a session or course the guardian already holds one for
    (removal makes the booking's ``dependant`` empty, and a person holds one booking per
    session or course). The past is kept, so such a removal is refused."""
    theirs = Booking.objects.filter(dependant=dependant, status__in=ACTIVE_STATUSES)
    own = Booking.objects.filter(resident=guardian, dependant__isnull=True, status__in=ACTIVE_STATUSES)
    return (
        theirs.filter(
            Q(occurrence__isnull=False, occurrence__in=own.values("occurrence"))
            | Q(course__isnull=False, course__in=own.values("course"))
        )
        .select_related("activity")
        .order_by("starts_at", "pk")
        .first()
    )
