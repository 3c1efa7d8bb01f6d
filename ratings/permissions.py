"""Who may see and act on which ratings and rectification cases.

- centre staff see the ratings and cases of the centres they are assigned to and answer
  them (call-back, reply, appeal);
- street staff see every case and rating of the centres of their street (escalated ones
  first), read-only;
- district staff see their district's, decide appeals and set the district's deadlines;
- residents and representatives have no staff pages.

Views look cases up in ``cases_visible_to(user)``, so anything else is a 404.
"""

from django.db.models import QuerySet

from centres.permissions import is_district_staff
from portal.models import User

from .models import Rating, RectificationCase


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _is_street_staff(user) -> bool:
    return _active(user) and user.role == User.Role.STREET_STAFF and user.area_id is not None


def _is_centre_staff(user) -> bool:
    return _active(user) and user.role == User.Role.CENTRE_STAFF


def may_see_ratings_as_staff(user) -> bool:
    return _is_centre_staff(user) or _is_street_staff(user) or is_district_staff(user)


def cases_visible_to(user) -> QuerySet[RectificationCase]:
    if _is_centre_staff(user):
        return RectificationCase.objects.filter(centre__staff=user)
    if _is_street_staff(user):
        return RectificationCase.objects.filter(street_id=user.area_id)
    if is_district_staff(user):
        return RectificationCase.objects.filter(district_id=user.area_id)
    return RectificationCase.objects.none()


def ratings_visible_to(user) -> QuerySet[Rating]:
    if _is_centre_staff(user):
        return Rating.objects.filter(centre__staff=user)
    if _is_street_staff(user):
        return Rating.objects.filter(centre__street_id=user.area_id)
    if is_district_staff(user):
        return Rating.objects.filter(centre__district_id=user.area_id)
    return Rating.objects.none()


def can_answer_case(user, case: RectificationCase) -> bool:
    """Record the call-back, reply, appeal: staff of the case's own centre only."""
    return _is_centre_staff(user) and user.centres.filter(pk=case.centre_id).exists()


def can_decide_appeal(user, case: RectificationCase) -> bool:
    return is_district_staff(user) and user.area_id == case.district_id


def can_set_rating_policy(user) -> bool:
    return is_district_staff(user)
