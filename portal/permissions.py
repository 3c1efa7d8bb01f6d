"""Who may do what with accounts: plain predicates, and the accounts a user may see.

Anything a user may not see is simply absent from ``staff_accounts_visible_to(user)``,
so looking it up there gives a 404 rather than a 403 that would leak its existence.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from centres.models import Area

from .models import User

# The roles a district manages through the staff-accounts pages (everyone but residents).
STAFF_ACCOUNT_ROLES = (
    User.Role.CENTRE_STAFF,
    User.Role.STREET_STAFF,
    User.Role.DISTRICT_STAFF,
    User.Role.REPRESENTATIVE,
)


def managed_district(user) -> Area | None:
    """The district whose staff accounts ``user`` manages, or ``None``."""
    if not (user.is_authenticated and user.is_active and user.role == User.Role.DISTRICT_STAFF and user.area_id):
        return None
    area = user.area
    return area if area.level == Area.Level.DISTRICT else None


def can_manage_staff_accounts(user) -> bool:
    return managed_district(user) is not None


def staff_accounts_visible_to(user) -> QuerySet[User]:
    """Staff and representative accounts whose scope lies in the user's district."""
    district = managed_district(user)
    if district is None:
        return User.objects.none()
    centres_of_account = User.centres.through.objects.filter(user_id=OuterRef("pk"))
    # Centre staff of several districts belong to none of them alone: a district may not
    # edit away, or switch off, another district's centres.
    all_centres_in_district = Exists(centres_of_account.filter(centre__district=district)) & ~Exists(
        centres_of_account.exclude(centre__district=district)
    )
    return User.objects.filter(role__in=STAFF_ACCOUNT_ROLES).filter(
        Q(area__in=Area.objects.within(district)) | all_centres_in_district
    )
