"""Django's admin for areas and centres (superusers only) keeps the derived columns right."""

import datetime as dt

import pytest
from django.urls import reverse

from centres.models import Centre
from tests.centres.factories import CentreFactory, CommunityFactory, StreetFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

INLINES = ("functions", "rooms", "opening_periods", "date_exceptions", "photos")


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def centre_form(area, **changes):
    data = {
        "name": "东骧社区党群服务中心",
        "slug": "dongxiang",
        "kind": "community",
        "area": area.pk,
        "address": "东骧路1号",
        "floor_area": "",
        "phone": "",
        "introduction": "",
        "is_published": "on",
    }
    for prefix in INLINES:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | changes


def test_the_admin_lists_and_opens_centres(admin_client):
    centre = CentreFactory()

    listing = admin_client.get(reverse("admin:centres_centre_changelist"))
    change = admin_client.get(reverse("admin:centres_centre_change", args=[centre.pk]))
    areas = admin_client.get(reverse("admin:centres_area_changelist"))

    assert (listing.status_code, change.status_code, areas.status_code) == (200, 200, 200)


def test_adding_a_centre_in_the_admin_fills_in_street_and_district(admin_client):
    community = CommunityFactory(name="东骧社区")

    response = admin_client.post(reverse("admin:centres_centre_add"), centre_form(community))

    assert response.status_code == 302
    centre = Centre.objects.get(slug="dongxiang")
    assert (centre.area, centre.street, centre.district) == (community, community.parent, community.parent.parent)


def test_moving_a_centre_in_the_admin_updates_street_and_district(admin_client):
    centre = CentreFactory(slug="dongxiang")
    street = StreetFactory(name="官渡街道")

    admin_client.post(reverse("admin:centres_centre_change", args=[centre.pk]), centre_form(street))

    centre.refresh_from_db()
    assert (centre.area, centre.street, centre.district) == (street, street, street.parent)


def test_weekly_hours_edited_in_the_admin_refresh_the_flags(admin_client):
    centre = CentreFactory(slug="dongxiang")
    data = centre_form(centre.area) | {
        "opening_periods-TOTAL_FORMS": "1",
        "opening_periods-0-day": "5",
        "opening_periods-0-kind": "staggered",
        "opening_periods-0-opens": "09:00",
        "opening_periods-0-closes": "17:00",
    }

    admin_client.post(reverse("admin:centres_centre_change", args=[centre.pk]), data)

    centre.refresh_from_db()
    assert [(p.day, p.opens) for p in centre.opening_periods.all()] == [(5, dt.time(9))]
    assert (centre.opens_evenings, centre.opens_weekends, centre.opens_all_year) == (False, True, False)
