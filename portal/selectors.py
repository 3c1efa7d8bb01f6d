"""Reads for accounts, with what each page shows already fetched."""

from django.db.models import Prefetch, QuerySet

from centres.models import Area, Centre

from .models import User
from .permissions import staff_accounts_visible_to


def staff_account_list(*, user: User, role: str = "") -> QuerySet[User]:
    """The staff and representative accounts ``user`` manages, optionally of one role."""
    accounts = (
        staff_accounts_visible_to(user)
        .select_related("area")
        .prefetch_related(Prefetch("centres", queryset=Centre.objects.order_by("name")))
    )
    if role:
        accounts = accounts.filter(role=role)
    return accounts.order_by("-is_active", "name", "phone")


def communities_for_choice(*, district: Area | None = None) -> QuerySet[Area]:
    """Communities ordered by district and street, ready to be grouped by street."""
    communities = Area.objects.communities().select_related("parent__parent")
    if district is not None:
        communities = communities.filter(parent__parent=district)
    return communities.order_by("parent__parent__name", "parent__name", "name")


def street_label(community: Area) -> str:
    """The heading a community is listed under: its district and street."""
    street = community.parent
    return f"{street.parent.name} {street.name}" if street.parent_id else street.name


def centres_of_district(district: Area) -> QuerySet[Centre]:
    return Centre.objects.filter(district=district).select_related("area").order_by("name")


def streets_of_district(district: Area) -> QuerySet[Area]:
    return Area.objects.streets().filter(parent=district).order_by("name")
