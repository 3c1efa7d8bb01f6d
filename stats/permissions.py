"""Who may read which statistics, and who sets the district's targets.

Scopes, by role (the same as the staff workspace's):

- centre staff read the figures of their own centres;
- street staff read their street's figures and those of every centre of the street;
- district staff read the district's, every street's and every centre's figures of the
  district, and set the district's targets.

Pages look the unit up in these querysets, so a district, street or centre outside the
user's scope is a 404 and does not reveal that it exists.
"""

from django.db.models import QuerySet

from centres.models import Area, Centre
from centres.permissions import is_portal_staff, viewable_centres_as_staff
from portal.models import User
from portal.permissions import managed_district


def can_view_statistics(user) -> bool:
    return is_portal_staff(user)


def viewable_districts(user) -> QuerySet[Area]:
    if not is_portal_staff(user) or user.role != User.Role.DISTRICT_STAFF or user.area_id is None:
        return Area.objects.none()
    return Area.objects.districts().filter(pk=user.area_id)


def viewable_streets(user) -> QuerySet[Area]:
    if not is_portal_staff(user) or user.area_id is None:
        return Area.objects.none()
    streets = Area.objects.streets()
    if user.role == User.Role.DISTRICT_STAFF:
        return streets.filter(parent_id=user.area_id)
    if user.role == User.Role.STREET_STAFF:
        return streets.filter(pk=user.area_id)
    return Area.objects.none()


def viewable_centres(user) -> QuerySet[Centre]:
    if not is_portal_staff(user):
        return Centre.objects.none()
    return viewable_centres_as_staff(user)


def can_view_street_of(user, centre: Centre) -> bool:
    """Whether the page of the centre's street is in the user's scope (no query)."""
    if not is_portal_staff(user) or user.area_id is None:
        return False
    if user.role == User.Role.STREET_STAFF:
        return centre.street_id == user.area_id
    if user.role == User.Role.DISTRICT_STAFF:
        return centre.district_id == user.area_id
    return False


def can_view_district_of(user, unit: Area | Centre) -> bool:
    """Whether the page of the district above a street or centre is in the user's scope
    (no query)."""
    if not is_portal_staff(user) or user.role != User.Role.DISTRICT_STAFF or user.area_id is None:
        return False
    district_id = unit.district_id if isinstance(unit, Centre) else unit.parent_id
    return district_id == user.area_id


def can_set_targets(user) -> bool:
    return managed_district(user) is not None
