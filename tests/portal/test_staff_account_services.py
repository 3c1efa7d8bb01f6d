import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import User
from portal.permissions import can_manage_staff_accounts, staff_accounts_visible_to
from portal.services import staff_account_create, staff_account_set_active, staff_account_update
from tests.portal.conftest import PASSWORD
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory, StreetStaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13800000001"


@pytest.fixture
def manager(fengze):
    return DistrictStaffFactory(phone="13900000001", area=fengze["district"])


def accounts_state():
    return (
        list(User.objects.order_by("pk").values_list("phone", "name", "role", "area", "is_active")),
        sorted(User.centres.through.objects.values_list("user_id", "centre_id")),
    )


def create(manager, **changes):
    return staff_account_create(
        **{"created_by": manager, "phone": PHONE, "name": "专管员小林", "role": "centre_staff", "password": PASSWORD}
        | changes
    )


def test_centre_of_another_district_is_refused_and_nothing_is_created(manager, fengze, jindong):
    before = accounts_state()

    with pytest.raises(ValidationError) as refused:
        create(manager, centres=[fengze["centre"], jindong["centre"]])

    assert refused.value.message_dict == {"centres": ["Choose only centres of 丰泽区."]}
    assert accounts_state() == before


@pytest.mark.parametrize(
    ("role", "area_key", "message"),
    [
        ("street_staff", "jindong.street", "Choose a street or town of 丰泽区."),
        ("street_staff", "fengze.community", "Choose a street or town of 丰泽区."),
        ("representative", "jindong.community", "Choose a community or village of 丰泽区."),
        ("representative", "fengze.street", "Choose a community or village of 丰泽区."),
        ("district_staff", "jindong.district", "District staff work for 丰泽区."),
        ("district_staff", None, "District staff work for 丰泽区."),
    ],
)
def test_area_must_fit_the_role_and_lie_in_the_district(manager, fengze, jindong, role, area_key, message):
    areas = {"fengze": fengze, "jindong": jindong}
    area = None
    if area_key:
        district, key = area_key.split(".")
        area = areas[district][key]
    before = accounts_state()

    with pytest.raises(ValidationError) as refused:
        create(manager, role=role, area=area)

    assert refused.value.message_dict == {"area": [message]}
    assert accounts_state() == before


def test_centres_are_only_for_centre_staff(manager, fengze):
    with pytest.raises(ValidationError) as refused:
        create(manager, role="street_staff", area=fengze["street"], centres=[fengze["centre"]])

    assert refused.value.message_dict == {"centres": ["Only centre staff are given centres."]}


def test_resident_is_not_a_staff_role(manager):
    with pytest.raises(ValidationError) as refused:
        create(manager, role="resident")

    assert refused.value.message_dict == {"role": ["Choose one of the staff roles."]}


def test_all_problems_are_reported_at_once(manager):
    with pytest.raises(ValidationError) as refused:
        create(manager, phone="12345", name=" ", password="123")

    assert set(refused.value.message_dict) == {"phone", "name", "centres", "password"}


@pytest.mark.parametrize("maker", [UserFactory, StreetStaffFactory])
def test_only_district_staff_may_create(fengze, maker):
    creator = maker(area=fengze["street"])
    before = accounts_state()

    with pytest.raises(PermissionDenied):
        create(creator, centres=[fengze["centre"]])

    assert accounts_state() == before


def test_account_of_another_district_cannot_be_updated_or_deactivated(manager, jindong):
    outsider = StreetStaffFactory(area=jindong["street"])
    before = accounts_state()

    with pytest.raises(PermissionDenied):
        staff_account_update(
            updated_by=manager, user=outsider, name="改名", role="street_staff", area=jindong["street"]
        )
    with pytest.raises(PermissionDenied):
        staff_account_set_active(changed_by=manager, user=outsider, is_active=False)

    assert accounts_state() == before


def test_visible_accounts_are_the_districts_staff_and_representatives(manager, fengze, jindong):
    inside = [
        manager,
        StreetStaffFactory(area=fengze["street"]),
        CentreStaffFactory(centres=[fengze["centre"]]),
        UserFactory(role=User.Role.REPRESENTATIVE, area=fengze["community"]),
    ]
    UserFactory(home_community=fengze["community"])
    StreetStaffFactory(area=jindong["street"])
    CentreStaffFactory(centres=[jindong["centre"]])
    DistrictStaffFactory(area=jindong["district"])

    assert set(staff_accounts_visible_to(manager)) == set(inside)
    assert can_manage_staff_accounts(manager) is True


def test_deactivated_district_staff_manage_nothing(manager):
    manager.is_active = False

    assert can_manage_staff_accounts(manager) is False
    assert list(staff_accounts_visible_to(manager)) == []
