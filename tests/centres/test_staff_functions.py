"""Service functions of a centre: the six standard ones (each once) and its own ("X")."""

import pytest
from django.urls import reverse

from centres.models import ServiceFunction, ServiceFunctionCode
from centres.services import service_function_save
from tests.centres.factories import CentreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return CentreFactory(name="华丰社区党群服务中心", slug="huafeng")


def list_url(centre):
    return reverse("staff:functions", kwargs={"slug": centre.slug})


def create_url(centre):
    return reverse("staff:function_create", kwargs={"slug": centre.slug})


def stored(centre):
    return [(f.code, f.name, f.description, f.position) for f in centre.functions.order_by("position", "id")]


def test_the_list_shows_the_centres_functions(staff_client, centre):
    service_function_save(centre=centre, code=ServiceFunctionCode.ELDERCARE, description="老年食堂 11:00–12:30")
    service_function_save(centre=centre, code=ServiceFunctionCode.OWN, name="家风家训馆", position=1)

    response = staff_client.get(list_url(centre))

    assert [f.display_name for f in response.context["functions"]] == ["Elder care", "家风家训馆"]
    assert "老年食堂 11:00–12:30" in response.content.decode()


def test_adding_a_standard_function(staff_client, centre):
    data = {"code": "childcare", "name": "ignored for a standard one", "description": "4点钟课堂 16:00–18:30"}

    response = staff_client.post(create_url(centre), data)

    assert response.status_code == 302
    assert response["Location"] == list_url(centre)
    assert stored(centre) == [("childcare", "", "4点钟课堂 16:00–18:30", 0)]


def test_a_standard_function_can_only_be_listed_once(staff_client, centre):
    service_function_save(centre=centre, code=ServiceFunctionCode.MEDICAL, description="全科门诊")
    before = stored(centre)

    response = staff_client.post(create_url(centre), {"code": "medical", "description": "中医理疗"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": ["Medical and health is already listed for this centre. Edit the existing entry instead."]
    }
    assert response.context["form"]["description"].value() == "中医理疗"
    assert stored(centre) == before


def test_the_centres_own_services_need_a_name_and_may_be_many(staff_client, centre):
    staff_client.post(create_url(centre), {"code": "own", "name": "家风家训馆", "description": "周末开放"})
    staff_client.post(create_url(centre), {"code": "own", "name": "儿童之家"})

    refused = staff_client.post(create_url(centre), {"code": "own", "name": "  ", "description": "法律咨询"})

    assert refused.context["form"].errors == {"name": ["Give the centre's own service a name."]}
    assert stored(centre) == [("own", "家风家训馆", "周末开放", 0), ("own", "儿童之家", "", 1)]


def test_editing_a_function(staff_client, centre):
    function = service_function_save(centre=centre, code=ServiceFunctionCode.OWN, name="青少年宫")
    edit_url = reverse("staff:function_update", kwargs={"slug": centre.slug, "pk": function.pk})

    form_page = staff_client.get(edit_url)
    response = staff_client.post(edit_url, {"code": "own", "name": "青少年活动中心", "description": "寒暑假开放"})

    assert form_page.context["form"]["name"].value() == "青少年宫"
    assert response.status_code == 302
    assert stored(centre) == [("own", "青少年活动中心", "寒暑假开放", 0)]


def test_editing_a_function_into_one_already_listed_is_refused(staff_client, centre):
    service_function_save(centre=centre, code=ServiceFunctionCode.AFFAIRS)
    other = service_function_save(centre=centre, code=ServiceFunctionCode.DAILY_LIFE, position=1)
    before = stored(centre)

    response = staff_client.post(
        reverse("staff:function_update", kwargs={"slug": centre.slug, "pk": other.pk}), {"code": "affairs"}
    )

    assert response.context["form"].errors == {
        "code": ["Convenience affairs is already listed for this centre. Edit the existing entry instead."]
    }
    assert stored(centre) == before


def test_keeping_the_same_standard_function_when_editing_is_fine(staff_client, centre):
    function = service_function_save(centre=centre, code=ServiceFunctionCode.CULTURE_SPORTS)

    staff_client.post(
        reverse("staff:function_update", kwargs={"slug": centre.slug, "pk": function.pk}),
        {"code": "culture_sports", "description": "青年夜校 周二 19:00"},
    )

    assert stored(centre) == [("culture_sports", "", "青年夜校 周二 19:00", 0)]


def test_deleting_a_function_asks_first_then_deletes_on_post(staff_client, centre):
    function = service_function_save(centre=centre, code=ServiceFunctionCode.ELDERCARE)
    delete_url = reverse("staff:function_delete", kwargs={"slug": centre.slug, "pk": function.pk})

    confirm = staff_client.get(delete_url)
    assert confirm.status_code == 200
    assert ServiceFunction.objects.filter(pk=function.pk).exists()

    response = staff_client.post(delete_url)

    assert response.status_code == 302
    assert response["Location"] == list_url(centre)
    assert stored(centre) == []
