"""Who may plan what. Centre pages follow ``centres.permissions``: centre staff manage
their own centres, district staff every centre of their district, street staff look at
the centres of their street. Brands belong to a district and only its staff change them.
"""

from django.db.models import QuerySet
from django.http import Http404

from centres.permissions import StaffAccessMixin, can_edit_centres, is_district_staff

from .models import Brand


def can_manage_brands(user) -> bool:
    return is_district_staff(user)


def manageable_brands(user) -> QuerySet[Brand]:
    if not can_manage_brands(user):
        return Brand.objects.none()
    return Brand.objects.filter(district_id=user.area_id)


class CentreScheduleMixin(StaffAccessMixin):
    """A scheduling page of one centre. Its managers may use it; with ``read_only_ok``
    street staff may look at it (GET only: anything they send is a 404)."""

    centre_access = "manage"
    read_only_ok = False

    def dispatch(self, request, *args, **kwargs):
        if self.read_only_ok and request.method in ("GET", "HEAD"):
            self.centre_access = "view"
        return super().dispatch(request, *args, **kwargs)

    @property
    def can_manage(self) -> bool:
        # Whoever may see a centre and edits centres at all (centre or district staff)
        # manages it: their viewable and manageable centres are the same.
        return can_edit_centres(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"can_manage": self.can_manage}


class BrandAccessMixin(StaffAccessMixin):
    permission = staticmethod(can_manage_brands)

    def get_brand(self) -> Brand:
        try:
            return manageable_brands(self.request.user).select_related("area").get(pk=self.kwargs["pk"])
        except Brand.DoesNotExist as error:
            raise Http404 from error
