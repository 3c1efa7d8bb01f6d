"""Brands of a district: district staff manage them; nobody else sees the pages."""

import pytest
from django.urls import reverse

from activities.models import Brand
from tests.activities.factories import ActivityFactory, BrandFactory, open_centre
from tests.centres.factories import CommunityFactory, DistrictFactory
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory, StreetStaffFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def district():
    return DistrictFactory(name="丰泽区")


@pytest.fixture
def district_client(client, district):
    client.force_login(DistrictStaffFactory(area=district))
    return client


def test_the_list_shows_the_districts_brands(district_client, district):
    BrandFactory(area=district, name="幸福邻里")
    BrandFactory(area=DistrictFactory(name="鲤城区"), name="别区品牌")

    response = district_client.get(reverse("schedule:brands"))

    assert [b.name for b in response.context["brands"]] == ["幸福邻里"]


def test_area_choices_are_the_district_its_streets_and_communities(district_client, district):
    community = CommunityFactory(parent__parent=district)
    CommunityFactory()

    form = district_client.get(reverse("schedule:brand_create")).context["form"]

    assert set(form.fields["area"].queryset) == {district, community.parent, community}


def test_creating_a_brand_in_a_community(district_client, district):
    community = CommunityFactory(parent__parent=district, name="丰泽社区")

    response = district_client.post(
        reverse("schedule:brand_create"), {"name": "红色驿站", "area": community.pk, "description": "党员先锋岗"}
    )

    assert response.status_code == 302
    brand = Brand.objects.get()
    assert (brand.name, brand.area, brand.district, brand.slug) == ("红色驿站", community, district, "hongseyizhan")


def test_a_brand_of_another_district_cannot_be_placed_here(district_client):
    other = CommunityFactory()

    response = district_client.post(reverse("schedule:brand_create"), {"name": "越界", "area": other.pk})

    assert "area" in response.context["form"].errors
    assert not Brand.objects.exists()


def test_a_duplicate_name_is_refused(district_client, district):
    BrandFactory(area=district, name="幸福邻里")

    response = district_client.post(reverse("schedule:brand_create"), {"name": "幸福邻里", "area": district.pk})

    assert response.context["form"].non_field_errors() == ["The district already has a brand with this name."]
    assert Brand.objects.count() == 1


def test_editing_and_deleting_a_brand(district_client, district):
    brand = BrandFactory(area=district, name="旧品牌")
    centre = open_centre(area=CommunityFactory(parent__parent=district))
    activity = ActivityFactory(centre=centre, brand=brand)

    district_client.post(
        reverse("schedule:brand_update", kwargs={"pk": brand.pk}), {"name": "新品牌", "area": district.pk}
    )
    brand.refresh_from_db()
    assert brand.name == "新品牌"

    assert district_client.get(reverse("schedule:brand_delete", kwargs={"pk": brand.pk})).context["activity_count"] == 1
    response = district_client.post(reverse("schedule:brand_delete", kwargs={"pk": brand.pk}))
    assert response.status_code == 302
    assert not Brand.objects.exists()
    activity.refresh_from_db()
    assert activity.brand is None


def test_another_districts_brand_is_a_404(district_client):
    other = BrandFactory(name="别区品牌")

    for name in ("brand_update", "brand_delete"):
        assert district_client.get(reverse(f"schedule:{name}", kwargs={"pk": other.pk})).status_code == 404
    assert district_client.post(reverse("schedule:brand_delete", kwargs={"pk": other.pk})).status_code == 404
    assert Brand.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize(
    "make_user",
    [
        lambda d: CentreStaffFactory(centres=[open_centre(area=CommunityFactory(parent__parent=d))]),
        lambda d: StreetStaffFactory(area=CommunityFactory(parent__parent=d).parent),
        lambda d: UserFactory(),
    ],
    ids=["centre staff", "street staff", "resident"],
)
def test_only_district_staff_manage_brands(client, district, make_user):
    brand = BrandFactory(area=district)
    client.force_login(make_user(district))

    assert client.get(reverse("schedule:brands")).status_code == 404
    assert client.post(reverse("schedule:brand_create"), {"name": "x", "area": district.pk}).status_code == 404
    assert client.post(reverse("schedule:brand_delete", kwargs={"pk": brand.pk})).status_code == 404
    assert Brand.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("schedule:brands"))

    assert response.status_code == 302
    assert "login" in response["Location"]
