"""Who may open which staff page: the predicates, and a role × page matrix over HTTP."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from centres.models import Area, Centre, Room, ServiceFunction, ServiceFunctionCode
from centres.permissions import (
    can_manage_areas,
    can_manage_centre,
    manageable_areas,
    manageable_centres,
    viewable_centres_as_staff,
)
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import (
    CentreStaffFactory,
    DistrictStaffFactory,
    RepresentativeFactory,
    StreetStaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """District 丰泽区 with two streets; centre A in 丰泽街道, B in 东湖街道; centre C in
    another district (金东区)."""
    fengze = DistrictFactory(name="丰泽区", city="泉州市")
    fengze_street = StreetFactory(name="丰泽街道", parent=fengze)
    donghu = StreetFactory(name="东湖街道", parent=fengze)
    jindong = DistrictFactory(name="金东区", city="金华市")
    duohu = StreetFactory(name="多湖街道", parent=jindong)
    a = CentreFactory(
        name="丰泽社区党群服务中心", slug="fengze", area=CommunityFactory(name="丰泽社区", parent=fengze_street)
    )
    b = CentreFactory(
        name="圣湖社区党群服务中心", slug="shenghu", area=CommunityFactory(name="圣湖社区", parent=donghu)
    )
    c = CentreFactory(
        name="光南社区党群服务中心", slug="guangnan", area=CommunityFactory(name="光南社区", parent=duohu)
    )
    return {
        "centres": {"A": a, "B": b, "C": c},
        "district": fengze,
        "other_district": jindong,
        "users": {
            "anonymous": None,
            "resident": UserFactory(),
            "representative": RepresentativeFactory(),
            "centre_staff": CentreStaffFactory(centres=[a]),
            "street_staff": StreetStaffFactory(area=fengze_street),
            "district_staff": DistrictStaffFactory(area=fengze),
        },
    }


READ_ONLY_PAGES = ["centre_overview"]
EDIT_PAGES = ["centre_profile", "functions", "function_create", "hours", "exceptions", "rooms", "room_create", "photos"]
DISTRICT_PAGES = ["areas", "street_create", "community_create", "centre_create"]

# What each role gets: (dashboard, overview of A/B/C, edit pages of A/B/C, district pages).
# A is in the street of the street staff; A and B are in the district of the district staff.
EXPECTED = {
    "resident": (404, {"A": 404, "B": 404, "C": 404}, {"A": 404, "B": 404, "C": 404}, 404),
    "representative": (404, {"A": 404, "B": 404, "C": 404}, {"A": 404, "B": 404, "C": 404}, 404),
    "centre_staff": (200, {"A": 200, "B": 404, "C": 404}, {"A": 200, "B": 404, "C": 404}, 404),
    "street_staff": (200, {"A": 200, "B": 404, "C": 404}, {"A": 404, "B": 404, "C": 404}, 404),
    "district_staff": (200, {"A": 200, "B": 200, "C": 404}, {"A": 200, "B": 200, "C": 404}, 200),
}


def _cases():
    for role in ["anonymous", *EXPECTED]:
        dashboard, view, edit, district = EXPECTED.get(role, (302, None, None, 302))
        yield role, "dashboard", None, dashboard
        for statuses, pages in ((view, READ_ONLY_PAGES), (edit, EDIT_PAGES)):
            for page in pages:
                for centre in "ABC":
                    yield role, page, centre, statuses[centre] if statuses else 302
        for page in DISTRICT_PAGES:
            yield role, page, None, district


@pytest.mark.parametrize(("role", "page", "centre", "status"), list(_cases()))
def test_role_page_matrix(client, world, role, page, centre, status):
    kwargs = {"slug": world["centres"][centre].slug} if centre else {}
    url = reverse(f"staff:{page}", kwargs=kwargs)
    user = world["users"][role]
    if user is not None:
        client.force_login(user)

    response = client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"{reverse('portal:login')}?next={quote(url)}"


@pytest.mark.parametrize("role", ["resident", "representative", "centre_staff", "street_staff"])
def test_posting_to_a_page_out_of_scope_is_a_404_and_changes_nothing(client, world, role):
    b = world["centres"]["B"]
    client.force_login(world["users"][role])

    response = client.post(reverse("staff:room_create", kwargs={"slug": b.slug}), {"name": "活动室", "capacity": 30})

    assert response.status_code == 404
    assert not Room.objects.exists()


def test_a_function_of_another_centre_is_a_404_under_ones_own_centre(client, world):
    a, b = world["centres"]["A"], world["centres"]["B"]
    other = ServiceFunction.objects.create(centre=b, code=ServiceFunctionCode.ELDERCARE)
    client.force_login(world["users"]["centre_staff"])

    edit = client.get(reverse("staff:function_update", kwargs={"slug": a.slug, "pk": other.pk}))
    delete = client.post(reverse("staff:function_delete", kwargs={"slug": a.slug, "pk": other.pk}))

    assert (edit.status_code, delete.status_code) == (404, 404)
    assert ServiceFunction.objects.filter(pk=other.pk).exists()


def test_renaming_an_area_of_another_district_is_a_404(client, world):
    duohu = Area.objects.get(name="多湖街道")
    client.force_login(world["users"]["district_staff"])

    response = client.post(reverse("staff:area_rename", kwargs={"pk": duohu.pk}), {"name": "新名字"})

    assert response.status_code == 404
    duohu.refresh_from_db()
    assert duohu.name == "多湖街道"


def test_an_inactive_staff_member_sees_nothing(world):
    staff = world["users"]["district_staff"]
    staff.is_active = False

    assert list(manageable_centres(staff)) == []
    assert can_manage_areas(staff) is False


def test_predicates_follow_the_scopes(world):
    users, centres = world["users"], world["centres"]
    a, b, c = centres["A"], centres["B"], centres["C"]

    assert list(manageable_centres(users["centre_staff"])) == [a]
    assert list(manageable_centres(users["street_staff"])) == []
    assert set(manageable_centres(users["district_staff"])) == {a, b}
    assert list(viewable_centres_as_staff(users["street_staff"])) == [a]
    assert list(viewable_centres_as_staff(users["resident"])) == []
    assert [can_manage_centre(users["centre_staff"], centre) for centre in (a, b, c)] == [True, False, False]
    assert [can_manage_centre(users["district_staff"], centre) for centre in (a, b, c)] == [True, True, False]
    assert [can_manage_centre(users["street_staff"], centre) for centre in (a, b, c)] == [False, False, False]
    assert [can_manage_areas(users[role]) for role in ("centre_staff", "street_staff", "district_staff")] == [
        False,
        False,
        True,
    ]
    assert set(manageable_areas(users["district_staff"]).values_list("name", flat=True)) == {
        "丰泽街道",
        "东湖街道",
        "丰泽社区",
        "圣湖社区",
    }
    assert list(manageable_areas(users["street_staff"])) == []
    assert Centre.objects.count() == 3
