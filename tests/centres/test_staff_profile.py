"""A centre's profile: /staff/centres/<slug>/profile/, saved through centre_update."""

import pytest
from django.urls import reverse

from centres.models import Centre
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import DistrictStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def fengze():
    district = DistrictFactory(name="丰泽区", city="泉州市")
    return {
        "district": district,
        "fengze_street": StreetFactory(name="丰泽街道", parent=district),
        "donghu": StreetFactory(name="东湖街道", parent=district),
    }


@pytest.fixture
def centre(fengze):
    return CentreFactory(
        name="丰泽社区党群服务中心",
        slug="fengze",
        area=CommunityFactory(name="丰泽社区", parent=fengze["fengze_street"]),
        address="丰泽街道丰泽社区东大路1号",
        floor_area=800,
    )


def url(centre):
    return reverse("staff:centre_profile", kwargs={"slug": centre.slug})


def snapshot(centre):
    centre.refresh_from_db()
    return (
        centre.name,
        centre.kind,
        centre.area_id,
        centre.street_id,
        centre.district_id,
        centre.address,
        centre.floor_area,
        centre.phone,
        centre.introduction,
        centre.is_published,
    )


def form_data(centre, **changes):
    data = {
        "name": centre.name,
        "kind": centre.kind,
        "area": centre.area_id,
        "address": centre.address,
        "floor_area": centre.floor_area or "",
        "phone": centre.phone,
        "introduction": centre.introduction,
        "is_published": "on" if centre.is_published else "",
    }
    data |= changes
    return {name: value for name, value in data.items() if value != "" or name in {"floor_area", "introduction"}}


def test_the_form_shows_the_current_profile(staff_client, centre):
    response = staff_client.get(url(centre))

    form = response.context["form"]
    assert (form["name"].value(), form["address"].value(), form["floor_area"].value()) == (
        "丰泽社区党群服务中心",
        "丰泽街道丰泽社区东大路1号",
        800,
    )


def test_saving_the_profile(staff_client, centre):
    data = form_data(
        centre,
        name="丰泽社区邻里中心",
        address="东大路2号",
        floor_area="1200",
        phone="0595-22005678",
        introduction="养老、托育、文体活动，一站服务。",
        is_published="",
    )

    response = staff_client.post(url(centre), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:centre_overview", kwargs={"slug": "fengze"})
    assert snapshot(centre) == (
        "丰泽社区邻里中心",
        Centre.Kind.COMMUNITY,
        centre.area_id,
        centre.street_id,
        centre.district_id,
        "东大路2号",
        1200,
        "0595-22005678",
        "养老、托育、文体活动，一站服务。",
        False,
    )


def test_moving_to_a_community_of_another_street_in_the_district_updates_the_street(staff_client, centre, fengze):
    shenghu = CommunityFactory(name="圣湖社区", parent=fengze["donghu"])

    staff_client.post(url(centre), form_data(centre, area=shenghu.pk))

    centre.refresh_from_db()
    assert (centre.area, centre.street, centre.district) == (shenghu, fengze["donghu"], fengze["district"])


def test_the_area_list_offers_only_the_centres_district(staff_client, centre, fengze):
    CommunityFactory(name="圣湖社区", parent=fengze["donghu"])
    CommunityFactory(name="光南社区", parent=StreetFactory(name="多湖街道", parent=DistrictFactory(name="金东区")))

    response = staff_client.get(url(centre))

    choices = [label for value, label in response.context["form"].fields["area"].choices if value]
    assert choices == [
        "东湖街道 (the street / town itself)",
        "东湖街道 · 圣湖社区",
        "丰泽街道 (the street / town itself)",
        "丰泽街道 · 丰泽社区",
    ]


def test_a_centre_cannot_be_moved_into_another_districts_community(staff_client, centre):
    guangnan = CommunityFactory(
        name="光南社区", parent=StreetFactory(name="多湖街道", parent=DistrictFactory(name="金东区"))
    )
    before = snapshot(centre)

    response = staff_client.post(url(centre), form_data(centre, area=guangnan.pk, name="改名"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "area": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert response.context["form"]["name"].value() == "改名"
    assert snapshot(centre) == before


def test_a_centre_cannot_hang_from_its_district(client, centre, fengze):
    client.force_login(DistrictStaffFactory(area=fengze["district"]))
    before = snapshot(centre)

    response = client.post(url(centre), form_data(centre, area=fengze["district"].pk))

    assert response.context["form"].errors == {
        "area": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert snapshot(centre) == before


def test_a_missing_name_is_refused_and_the_typed_values_kept(staff_client, centre):
    before = snapshot(centre)

    response = staff_client.post(url(centre), form_data(centre, name="", address="新地址99号"))

    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert response.context["form"]["address"].value() == "新地址99号"
    assert response.context["centre"].name == "丰泽社区党群服务中心"
    assert snapshot(centre) == before
