"""Partner organisations of a centre: list, add, edit, delete."""

import pytest
from django.urls import reverse

from activities.models import Partner
from tests.activities.factories import ActivityFactory, PartnerFactory, open_centre
from tests.portal.factories import CentreStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return open_centre(name="坪山社区党群服务中心", slug="pingshan")


@pytest.fixture
def staff_client(client, centre):
    client.force_login(CentreStaffFactory(centres=[centre]))
    return client


def url(name, centre, **kwargs):
    return reverse(f"schedule:{name}", kwargs={"slug": centre.slug, **kwargs})


def test_the_list_shows_only_the_centres_partners(staff_client, centre):
    PartnerFactory(centre=centre, name="红马甲志愿队")
    PartnerFactory(centre=open_centre(), name="别处的队")

    response = staff_client.get(url("partners", centre))

    assert [p.name for p in response.context["partners"]] == ["红马甲志愿队"]


def test_adding_a_partner(staff_client, centre):
    response = staff_client.post(
        url("partner_create", centre),
        {
            "name": " 泉州市乐龄社工站 ",
            "kind": "social_organisation",
            "contact": "王老师 13800000000",
            "description": "",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == url("partners", centre)
    assert [(p.centre, p.name, p.kind) for p in Partner.objects.all()] == [
        (centre, "泉州市乐龄社工站", "social_organisation")
    ]


def test_a_duplicate_name_is_refused(staff_client, centre):
    PartnerFactory(centre=centre, name="红马甲志愿队")

    response = staff_client.post(
        url("partner_create", centre),
        {"name": "红马甲志愿队", "kind": "volunteer_team", "contact": "李", "description": ""},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The centre already has a partner with this name."]
    assert response.context["form"]["contact"].value() == "李"
    assert Partner.objects.count() == 1


def test_editing_a_partner(staff_client, centre):
    partner = PartnerFactory(centre=centre, name="旧名")

    staff_client.post(
        url("partner_update", centre, pk=partner.pk),
        {"name": "新名", "kind": "resident_group", "contact": "", "description": "楼栋居民自管小组"},
    )

    partner.refresh_from_db()
    assert (partner.name, partner.kind, partner.description) == ("新名", "resident_group", "楼栋居民自管小组")


def test_deleting_a_partner_without_activities(staff_client, centre):
    partner = PartnerFactory(centre=centre)

    response = staff_client.post(url("partner_delete", centre, pk=partner.pk))

    assert response.status_code == 302
    assert not Partner.objects.exists()


def test_a_partner_that_organises_activities_stays(staff_client, centre):
    partner = PartnerFactory(centre=centre, name="红马甲志愿队")
    ActivityFactory(centre=centre, partner=partner)

    response = staff_client.post(url("partner_delete", centre, pk=partner.pk), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "红马甲志愿队 still organises activities. Choose another organiser for them first."
    ]
    assert Partner.objects.filter(pk=partner.pk).exists()
