"""District staff: the streets and communities of their district, and new centres."""

import pytest
from django.urls import reverse

from centres.models import Area, Centre
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import DistrictStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def district():
    return DistrictFactory(name="丰泽区", city="泉州市")


@pytest.fixture
def fengze_street(district):
    return StreetFactory(name="丰泽街道", parent=district)


@pytest.fixture
def other_street():
    return StreetFactory(name="多湖街道", parent=DistrictFactory(name="金东区", city="金华市"))


@pytest.fixture
def district_client(client, district):
    client.force_login(DistrictStaffFactory(area=district))
    return client


def areas():
    return sorted((a.level, a.name, a.parent.name if a.parent else None) for a in Area.objects.select_related("parent"))


def test_the_list_shows_the_streets_and_communities_of_the_district_only(district_client, fengze_street, other_street):
    donghu = StreetFactory(name="东湖街道", parent=fengze_street.parent)
    CommunityFactory(name="丰泽社区", parent=fengze_street)
    CommunityFactory(name="圣湖社区", parent=donghu)
    CommunityFactory(name="光南社区", parent=other_street)
    CentreFactory(area=Area.objects.get(name="丰泽社区"))
    CentreFactory(area=fengze_street, kind=Centre.Kind.STREET)

    response = district_client.get(reverse("staff:areas"))

    listed = [
        (street.name, street.centre_count, [(c.name, c.centre_count) for c in street.children.all()])
        for street in response.context["streets"]
    ]
    assert sorted(listed) == [("东湖街道", 0, [("圣湖社区", 0)]), ("丰泽街道", 2, [("丰泽社区", 1)])]
    assert "光南社区" not in response.content.decode()


def test_creating_a_street_in_the_district(district_client, district):
    response = district_client.post(reverse("staff:street_create"), {"name": " 东海街道 "})

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:areas")
    assert Area.objects.get(name="东海街道").parent == district


def test_a_street_name_already_used_in_the_district_is_refused(district_client, fengze_street):
    before = areas()

    response = district_client.post(reverse("staff:street_create"), {"name": "丰泽街道"})

    assert response.context["form"].errors == {"name": ["丰泽区 already has an area called 丰泽街道."]}
    assert areas() == before


def test_creating_a_community_in_a_street_of_the_district(district_client, fengze_street):
    response = district_client.post(reverse("staff:community_create"), {"parent": fengze_street.pk, "name": "丰泽社区"})

    assert response.status_code == 302
    community = Area.objects.get(name="丰泽社区")
    assert (community.level, community.parent) == (Area.Level.COMMUNITY, fengze_street)


def test_a_community_cannot_be_put_in_another_districts_street(district_client, fengze_street, other_street):
    before = areas()

    response = district_client.post(reverse("staff:community_create"), {"parent": other_street.pk, "name": "光南社区"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "parent": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert response.context["form"]["name"].value() == "光南社区"
    assert areas() == before


def test_the_community_form_offers_the_streets_of_the_district_and_preselects_one(
    district_client, fengze_street, other_street
):
    response = district_client.get(reverse("staff:community_create") + f"?street={fengze_street.pk}")

    form = response.context["form"]
    assert list(form.fields["parent"].queryset) == [fengze_street]
    assert form["parent"].value() == str(fengze_street.pk)


def test_renaming_a_community(district_client, fengze_street):
    community = CommunityFactory(name="城东社区", parent=fengze_street)

    response = district_client.post(reverse("staff:area_rename", kwargs={"pk": community.pk}), {"name": "华大城东社区"})

    assert response.status_code == 302
    community.refresh_from_db()
    assert community.name == "华大城东社区"


def test_renaming_to_a_name_taken_in_the_same_street_is_refused(district_client, fengze_street):
    CommunityFactory(name="丰泽社区", parent=fengze_street)
    community = CommunityFactory(name="城东社区", parent=fengze_street)
    before = areas()

    response = district_client.post(reverse("staff:area_rename", kwargs={"pk": community.pk}), {"name": "丰泽社区"})

    assert response.context["form"].errors == {"name": ["丰泽街道 already has an area called 丰泽社区."]}
    assert areas() == before


def test_the_district_itself_cannot_be_renamed_here(district_client, district):
    response = district_client.post(reverse("staff:area_rename", kwargs={"pk": district.pk}), {"name": "新区"})

    assert response.status_code == 404
    district.refresh_from_db()
    assert district.name == "丰泽区"


# New centres.


def centre_data(area, **changes):
    return {
        "name": "浔美社区党群服务中心",
        "web_address": "xunmei",
        "kind": Centre.Kind.COMMUNITY,
        "area": area.pk,
        "address": "城东街道浔美社区浔美路8号",
        "floor_area": "650",
        "phone": "0595-22112233",
        "introduction": "四点钟课堂、老年食堂。",
        "is_published": "on",
    } | changes


def test_district_staff_create_a_centre_in_their_district(district_client, district, fengze_street):
    community = CommunityFactory(name="浔美社区", parent=fengze_street)

    response = district_client.post(reverse("staff:centre_create"), centre_data(community))

    centre = Centre.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:centre_overview", kwargs={"slug": "xunmei"})
    assert (centre.name, centre.slug, centre.area, centre.street, centre.district) == (
        "浔美社区党群服务中心",
        "xunmei",
        community,
        fengze_street,
        district,
    )
    assert (centre.address, centre.floor_area, centre.phone, centre.is_published) == (
        "城东街道浔美社区浔美路8号",
        650,
        "0595-22112233",
        True,
    )


def test_a_typed_web_address_that_is_taken_is_refused_and_nothing_is_created(district_client, fengze_street):
    CentreFactory(name="另一个中心", slug="xunmei", area=fengze_street)

    response = district_client.post(reverse("staff:centre_create"), centre_data(fengze_street))

    assert response.context["form"].errors == {
        "web_address": ["Another centre already has this web address. Choose another one."]
    }
    assert response.context["form"]["name"].value() == "浔美社区党群服务中心"
    assert list(Centre.objects.values_list("slug", flat=True)) == ["xunmei"]


def test_a_web_address_made_from_the_name_gets_a_number_when_taken(district_client, fengze_street):
    CentreFactory(name="另一个中心", slug="xunmeishequdangqunfuwuzhongxin", area=fengze_street)

    district_client.post(reverse("staff:centre_create"), centre_data(fengze_street, web_address=""))

    assert Centre.objects.get(name="浔美社区党群服务中心").slug == "xunmeishequdangqunfuwuzhongxin-2"


def test_the_web_address_new_is_reserved(district_client, fengze_street):
    response = district_client.post(reverse("staff:centre_create"), centre_data(fengze_street, web_address="new"))

    assert response.context["form"].errors == {"web_address": ["This web address is reserved. Choose another one."]}
    assert not Centre.objects.exists()


def test_a_centre_cannot_be_created_in_another_district(district_client, other_street):
    response = district_client.post(reverse("staff:centre_create"), centre_data(other_street))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "area": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert response.context["form"]["address"].value() == "城东街道浔美社区浔美路8号"
    assert not Centre.objects.exists()
