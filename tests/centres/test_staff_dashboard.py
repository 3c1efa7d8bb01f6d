"""The staff dashboard at /staff/ and the read-only centre overview."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from centres.models import ServiceFunctionCode
from centres.services import (
    centre_hours_replace,
    date_exception_add,
    room_save,
    service_function_save,
)
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory, weekday_hours
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory, StreetStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def make_centres(district, count):
    streets = [StreetFactory(name=f"第{n}街道", parent=district) for n in range(3)]
    centres = []
    for n in range(count):
        centre = CentreFactory(area=CommunityFactory(parent=streets[n % 3]))
        centre_hours_replace(centre=centre, periods=weekday_hours(evening_until=dt.time(20, 30)))
        service_function_save(centre=centre, code=ServiceFunctionCode.ELDERCARE)
        room_save(centre=centre, name="多功能厅", capacity=60)
        date_exception_add(centre=centre, date=timezone.localdate() + dt.timedelta(days=3), is_closed=True)
        centres.append(centre)
    return centres


def dashboard_queries(client, district, count):
    make_centres(district, count)
    client.force_login(DistrictStaffFactory(area=district))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("staff:dashboard"))
    assert response.status_code == 200
    assert len(response.context["centres"]) == count
    return len(queries)


def test_the_dashboard_costs_the_same_queries_for_5_and_30_centres(client, django_assert_max_num_queries):
    with_5 = dashboard_queries(client, DistrictFactory(name="丰泽区"), 5)
    client.logout()
    with_30 = dashboard_queries(client, DistrictFactory(name="普陀区"), 30)

    assert with_5 == with_30
    client.force_login(DistrictStaffFactory(area=DistrictFactory(name="普陀区")))
    with django_assert_max_num_queries(6):  # session, user, centres, district
        client.get(reverse("staff:dashboard"))


def test_the_dashboard_shows_each_centres_state(client):
    district = DistrictFactory(name="丰泽区")
    centre = make_centres(district, 1)[0]
    CentreFactory(area=CommunityFactory(parent=StreetFactory(parent=DistrictFactory(name="金东区"))))
    client.force_login(DistrictStaffFactory(area=district))

    response = client.get(reverse("staff:dashboard"))

    [shown] = response.context["centres"]
    assert shown == centre
    assert (shown.function_count, shown.room_count, shown.photo_count, shown.upcoming_exception_count) == (1, 1, 0, 1)
    assert (shown.has_hours, shown.opens_evenings) == (True, True)
    html = response.content.decode()
    assert reverse("staff:centre_create") in html
    assert reverse("staff:areas") in html
    assert reverse("staff:hours", kwargs={"slug": centre.slug}) in html


def test_district_staff_get_the_staff_accounts_link_once_that_page_exists(client):
    district = DistrictFactory(name="丰泽区")
    client.force_login(DistrictStaffFactory(area=district))

    html = client.get(reverse("staff:dashboard")).content.decode()

    try:
        accounts_url = reverse("staff_accounts:list")
    except NoReverseMatch:
        assert "Staff accounts" not in html
    else:
        assert f'href="{accounts_url}"' in html


def test_centre_staff_see_their_own_centres_with_edit_links_and_no_district_links(client):
    mine = CentreFactory(slug="mine")
    CentreFactory(slug="other")
    client.force_login(CentreStaffFactory(centres=[mine]))

    response = client.get(reverse("staff:dashboard"))

    assert response.context["centres"] == [mine]
    html = response.content.decode()
    assert reverse("staff:centre_profile", kwargs={"slug": "mine"}) in html
    assert reverse("staff:areas") not in html
    assert reverse("staff:centre_create") not in html
    assert "/other/" not in html


def test_street_staff_see_their_streets_centres_read_only(client):
    street = StreetFactory(name="东湖街道")
    centre = CentreFactory(slug="shenghu", area=CommunityFactory(parent=street))
    CentreFactory(slug="elsewhere")
    client.force_login(StreetStaffFactory(area=street))

    response = client.get(reverse("staff:dashboard"))

    assert response.context["centres"] == [centre]
    html = response.content.decode()
    assert reverse("staff:centre_overview", kwargs={"slug": "shenghu"}) in html
    assert reverse("staff:centre_profile", kwargs={"slug": "shenghu"}) not in html
    assert reverse("staff:hours", kwargs={"slug": "shenghu"}) not in html


def test_the_overview_is_read_only_for_street_staff_and_editable_for_centre_staff(client):
    street = StreetFactory(name="东湖街道")
    centre = CentreFactory(slug="shenghu", area=CommunityFactory(parent=street))
    centre_hours_replace(centre=centre, periods=weekday_hours())
    date_exception_add(centre=centre, date=timezone.localdate() + dt.timedelta(days=2), is_closed=True, note="设备检修")
    overview = reverse("staff:centre_overview", kwargs={"slug": "shenghu"})
    profile = reverse("staff:centre_profile", kwargs={"slug": "shenghu"})

    client.force_login(StreetStaffFactory(area=street))
    as_street = client.get(overview)
    client.force_login(CentreStaffFactory(centres=[centre]))
    as_centre = client.get(overview)

    assert (as_street.context["can_manage"], as_centre.context["can_manage"]) == (False, True)
    assert profile not in as_street.content.decode()
    assert profile in as_centre.content.decode()
    assert "设备检修" in as_street.content.decode()


def test_the_overview_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    centre = make_centres(DistrictFactory(name="丰泽区"), 1)[0]
    for n in range(5):
        room_save(centre=centre, name=f"活动室{n}", capacity=10)
    client.force_login(CentreStaffFactory(centres=[centre]))

    with django_assert_max_num_queries(10):  # session, user, centre, five prefetches
        response = client.get(reverse("staff:centre_overview", kwargs={"slug": centre.slug}))

    assert response.status_code == 200
