"""Activities of a centre: the list, the form (choices limited to the centre's partners,
its district's brands and the functions it lists), poster, and deleting."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from activities.models import Activity, Occurrence
from centres.services import service_function_save
from tests.activities.factories import ActivityFactory, BrandFactory, PartnerFactory, next_weekday, open_centre, session
from tests.portal.factories import CentreStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    centre = open_centre(name="东美社区党群服务中心", slug="dongmei")
    service_function_save(centre=centre, code="eldercare", name="", description="")
    service_function_save(centre=centre, code="culture_sports", name="", description="")
    return centre


@pytest.fixture
def staff_client(client, centre):
    client.force_login(CentreStaffFactory(centres=[centre]))
    return client


def url(name, centre, **kwargs):
    return reverse(f"schedule:{name}", kwargs={"slug": centre.slug, **kwargs})


def activity_data(**changes):
    data = {
        "title": "长者合唱团",
        "description": "每周排练红色歌曲。",
        "service_function": "eldercare",
        "partner": "",
        "audience": "elders",
        "min_age": "60",
        "max_age": "",
        "capacity": "30",
        "booking_required": "on",
        "booking_opens_days": "7",
        "booking_closes_minutes": "60",
        "cancel_until_minutes": "120",
        "brand": "",
    }
    return data | changes


def png(name="poster.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_the_list_shows_next_session_and_coming_count(staff_client, centre, django_assert_max_num_queries):
    choir = ActivityFactory(centre=centre, title="合唱团")
    ActivityFactory(centre=centre, title="象棋")
    ActivityFactory(centre=open_centre(), title="别的中心")
    tuesday = next_weekday(1)
    first = session(choir, date=tuesday)
    session(choir, date=tuesday + dt.timedelta(days=7))

    with django_assert_max_num_queries(6):
        response = staff_client.get(url("activities", centre))

    rows = [(a.title, a.next_starts_at, a.coming_count) for a in response.context["activities"]]
    assert rows == [("合唱团", first.starts_at, 2), ("象棋", None, 0)]


def test_creating_an_activity_then_planning_it(staff_client, centre):
    partner = PartnerFactory(centre=centre, name="夕阳红志愿队")
    brand = BrandFactory(area=centre.district, name="幸福邻里")

    response = staff_client.post(
        url("activity_create", centre), activity_data(partner=partner.pk, brand=brand.pk, poster=png())
    )

    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("schedule_create", centre) + f"?activity={activity.pk}"
    assert (activity.centre, activity.title, activity.partner, activity.brand, activity.min_age) == (
        centre,
        "长者合唱团",
        partner,
        brand,
        60,
    )
    assert activity.poster and activity.poster_thumbnail


def test_choices_are_limited_to_the_centre_and_its_district(staff_client, centre):
    own = PartnerFactory(centre=centre, name="本中心队")
    PartnerFactory(centre=open_centre(), name="别处队")
    district_brand = BrandFactory(area=centre.district, name="本区品牌")
    BrandFactory(name="别区品牌")

    form = staff_client.get(url("activity_create", centre)).context["form"]

    assert list(form.fields["partner"].queryset) == [own]
    assert list(form.fields["brand"].queryset) == [district_brand]
    assert [value for value, _ in form.fields["service_function"].choices] == ["", "eldercare", "culture_sports"]


def test_the_activity_keeps_its_own_function_when_the_centre_no_longer_lists_it(staff_client, centre):
    activity = ActivityFactory(centre=centre, service_function="medical")

    form = staff_client.get(url("activity_update", centre, pk=activity.pk)).context["form"]

    assert [value for value, _ in form.fields["service_function"].choices] == [
        "",
        "eldercare",
        "medical",
        "culture_sports",
    ]


def test_another_centres_partner_is_refused_and_what_was_typed_is_kept(staff_client, centre):
    other = PartnerFactory(centre=open_centre())

    response = staff_client.post(url("activity_create", centre), activity_data(partner=other.pk, title="太极拳"))

    assert response.status_code == 200
    assert "partner" in response.context["form"].errors
    assert response.context["form"]["title"].value() == "太极拳"
    assert not Activity.objects.exists()


def test_children_need_an_age_range(staff_client, centre):
    response = staff_client.post(url("activity_create", centre), activity_data(audience="children", min_age=""))

    assert response.context["form"].errors == {"min_age": ["Give the age range of the children."]}
    assert not Activity.objects.exists()


def test_editing_and_removing_the_poster(staff_client, centre):
    activity = ActivityFactory(centre=centre, title="旧名字", poster=png())
    assert activity.poster

    response = staff_client.post(
        url("activity_update", centre, pk=activity.pk),
        activity_data(title="新名字", remove_poster="on"),
    )

    assert response.status_code == 302
    assert response["Location"] == url("activities", centre)
    activity.refresh_from_db()
    assert (activity.title, bool(activity.poster)) == ("新名字", False)


def test_a_refused_edit_leaves_the_heading_alone(staff_client, centre):
    activity = ActivityFactory(centre=centre, title="旧名字")

    response = staff_client.post(
        url("activity_update", centre, pk=activity.pk), activity_data(title="新名字", min_age="70", max_age="60")
    )

    assert response.status_code == 200
    assert response.context["activity"].title == "旧名字"
    activity.refresh_from_db()
    assert activity.title == "旧名字"


def test_capacity_larger_than_the_planned_room_is_refused(staff_client, centre):
    activity = ActivityFactory(centre=centre, capacity=20)
    session(activity, date=next_weekday(1))

    response = staff_client.post(url("activity_update", centre, pk=activity.pk), activity_data(capacity="80"))

    assert response.context["form"].errors == {
        "capacity": ["多功能活动室, where sessions are planned, holds only 40 people."]
    }
    activity.refresh_from_db()
    assert activity.capacity == 20


def test_deleting_an_activity_never_held(staff_client, centre):
    activity = ActivityFactory(centre=centre, title="插花")
    session(activity, date=next_weekday(1))

    assert staff_client.get(url("activity_delete", centre, pk=activity.pk)).status_code == 200
    response = staff_client.post(url("activity_delete", centre, pk=activity.pk))

    assert response.status_code == 302
    assert not Activity.objects.exists()
    assert not Occurrence.objects.exists()


def test_an_activity_already_held_is_not_deleted(staff_client, centre):
    activity = ActivityFactory(centre=centre, title="插花")
    held = session(activity, date=next_weekday(1))
    Occurrence.objects.filter(pk=held.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=2), ends_at=timezone.now() - dt.timedelta(days=2, hours=-1)
    )

    response = staff_client.post(url("activity_delete", centre, pk=activity.pk), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "“插花” has been held already, so it stays on record. Cancel its coming sessions instead."
    ]
    assert Activity.objects.filter(pk=activity.pk).exists()
