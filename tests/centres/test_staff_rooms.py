"""Rooms and spaces of a centre: add, edit, delete; names are unique within the centre."""

import pytest
from django.urls import reverse

from centres.models import Room
from centres.services import room_save
from tests.centres.factories import CentreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return CentreFactory(name="群峰社区党群服务中心", slug="qunfeng")


def list_url(centre):
    return reverse("staff:rooms", kwargs={"slug": centre.slug})


def create_url(centre):
    return reverse("staff:room_create", kwargs={"slug": centre.slug})


def stored(centre):
    return [(r.name, r.capacity, r.purpose) for r in centre.rooms.order_by("name")]


def test_adding_a_room(staff_client, centre):
    response = staff_client.post(create_url(centre), {"name": "多功能厅", "capacity": "80", "purpose": "讲座、合唱"})

    assert response.status_code == 302
    assert response["Location"] == list_url(centre)
    assert stored(centre) == [("多功能厅", 80, "讲座、合唱")]


def test_the_list_shows_the_rooms(staff_client, centre):
    room_save(centre=centre, name="党建书吧", capacity=30, purpose="阅读")
    room_save(centre=CentreFactory(), name="别的中心的活动室", capacity=10)

    response = staff_client.get(list_url(centre))

    assert [r.name for r in response.context["rooms"]] == ["党建书吧"]


def test_a_duplicate_name_gets_a_clear_message_and_changes_nothing(staff_client, centre):
    room_save(centre=centre, name="儿童活动室", capacity=20)
    before = stored(centre)

    response = staff_client.post(create_url(centre), {"name": "儿童活动室", "capacity": "25", "purpose": "4点钟课堂"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["This centre already has a room called 儿童活动室. Choose another name."]
    }
    assert response.context["form"]["purpose"].value() == "4点钟课堂"
    assert stored(centre) == before


def test_the_same_name_in_another_centre_is_fine(staff_client, centre):
    room_save(centre=CentreFactory(), name="儿童活动室", capacity=20)

    staff_client.post(create_url(centre), {"name": "儿童活动室", "capacity": "25"})

    assert stored(centre) == [("儿童活动室", 25, "")]


def test_a_room_must_hold_at_least_one_person(staff_client, centre):
    response = staff_client.post(create_url(centre), {"name": "调解室", "capacity": "0"})

    assert response.context["form"].errors == {"capacity": ["Ensure this value is greater than or equal to 1."]}
    assert stored(centre) == []


def test_editing_a_room_keeping_its_name(staff_client, centre):
    room = room_save(centre=centre, name="舞蹈室", capacity=20)
    edit_url = reverse("staff:room_update", kwargs={"slug": centre.slug, "pk": room.pk})

    response = staff_client.post(edit_url, {"name": "舞蹈室", "capacity": "24", "purpose": "青年夜校舞蹈班"})

    assert response.status_code == 302
    assert stored(centre) == [("舞蹈室", 24, "青年夜校舞蹈班")]


def test_renaming_a_room_to_another_rooms_name_is_refused(staff_client, centre):
    room_save(centre=centre, name="舞蹈室", capacity=20)
    room = room_save(centre=centre, name="书画室", capacity=12)
    before = stored(centre)

    response = staff_client.post(
        reverse("staff:room_update", kwargs={"slug": centre.slug, "pk": room.pk}), {"name": "舞蹈室", "capacity": "12"}
    )

    assert response.context["form"].errors == {
        "name": ["This centre already has a room called 舞蹈室. Choose another name."]
    }
    assert stored(centre) == before


def test_deleting_a_room_asks_first_then_deletes_on_post(staff_client, centre):
    room = room_save(centre=centre, name="调解室", capacity=6)
    delete_url = reverse("staff:room_delete", kwargs={"slug": centre.slug, "pk": room.pk})

    confirm = staff_client.get(delete_url)
    assert confirm.status_code == 200
    assert Room.objects.filter(pk=room.pk).exists()

    response = staff_client.post(delete_url)

    assert response.status_code == 302
    assert stored(centre) == []
