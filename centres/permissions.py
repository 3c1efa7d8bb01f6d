"""Who may see and change which centres and areas: plain predicates and scoped querysets.

Scopes, by role:

- centre staff manage the centres they are assigned to (``user.centres``);
- district staff manage every centre of their district (``user.area``) and its streets
  and communities;
- street staff see the centres of their street (``user.area``) read-only;
- residents and resident representatives have no staff pages at all.

Views never test roles themselves: they look objects up in these querysets, so anything
outside the user's scope is a 404 and does not reveal that it exists.
"""

from django.contrib.auth.mixins import AccessMixin
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.models import User

from .models import Area, Centre

STAFF_ROLES = {User.Role.CENTRE_STAFF, User.Role.STREET_STAFF, User.Role.DISTRICT_STAFF}


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_portal_staff(user) -> bool:
    """Centre, street or district staff: the people who have a staff workspace."""
    return _is_active(user) and user.role in STAFF_ROLES


def is_district_staff(user) -> bool:
    return _is_active(user) and user.role == User.Role.DISTRICT_STAFF and user.area_id is not None


def manageable_centres(user) -> QuerySet[Centre]:
    """Centres whose profile, hours, rooms and photos the user may change."""
    if not _is_active(user):
        return Centre.objects.none()
    if user.role == User.Role.CENTRE_STAFF:
        return Centre.objects.filter(staff=user)
    if is_district_staff(user):
        return Centre.objects.filter(district_id=user.area_id)
    return Centre.objects.none()


def viewable_centres_as_staff(user) -> QuerySet[Centre]:
    """Centres the user sees in the staff workspace: the manageable ones, plus (for
    street staff) the centres of their street, read-only."""
    if _is_active(user) and user.role == User.Role.STREET_STAFF and user.area_id is not None:
        return Centre.objects.filter(street_id=user.area_id)
    return manageable_centres(user)


def can_manage_centre(user, centre: Centre) -> bool:
    if not _is_active(user) or centre is None:
        return False
    if user.role == User.Role.DISTRICT_STAFF:
        return user.area_id is not None and centre.district_id == user.area_id
    if user.role == User.Role.CENTRE_STAFF:
        return user.centres.filter(pk=centre.pk).exists()
    return False


def can_edit_centres(user) -> bool:
    """Whether the centres the user sees in the staff workspace are theirs to change
    (street staff only look)."""
    return _is_active(user) and (user.role == User.Role.CENTRE_STAFF or is_district_staff(user))


def can_view_centre_as_staff(user, centre: Centre) -> bool:
    if _is_active(user) and user.role == User.Role.STREET_STAFF:
        return user.area_id is not None and centre.street_id == user.area_id
    return can_manage_centre(user, centre)


def can_manage_areas(user) -> bool:
    """District staff look after the streets and communities of their district and open
    new centres in it."""
    return is_district_staff(user)


def can_create_centres(user) -> bool:
    return is_district_staff(user)


def manageable_areas(user) -> QuerySet[Area]:
    """The streets and communities of the user's district (not the district itself)."""
    if not can_manage_areas(user):
        return Area.objects.none()
    return Area.objects.filter(Q(parent_id=user.area_id) | Q(parent__parent_id=user.area_id))


class StaffAccessMixin(AccessMixin):
    """The one permission check of the staff pages.

    Anonymous visitors are sent to the login page. A logged-in user for whom
    ``permission(user)`` is false gets a 404, never a 403, so a page outside their scope
    looks like a page that does not exist.

    With ``centre_access`` set to ``"manage"`` or ``"view"``, the centre named by the
    ``slug`` URL argument is looked up in the user's scope and kept as ``self.centre``.
    """

    permission = staticmethod(is_portal_staff)
    centre_access: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.permission(request.user):
            raise Http404
        if self.centre_access is not None:
            self.centre = get_object_or_404(self.scoped_centres(), slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def scoped_centres(self) -> QuerySet[Centre]:
        user = self.request.user
        if self.centre_access == "manage":
            centres = manageable_centres(user)
        elif self.centre_access == "view":
            centres = viewable_centres_as_staff(user)
        else:
            raise ValueError(f"Unknown centre_access {self.centre_access!r}")
        return centres.select_related("area", "street", "district")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.centre_access is not None:
            context["centre"] = self.centre
        return context
