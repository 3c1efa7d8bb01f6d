"""Who may open which scheduling page. Centre staff manage their own centres, district
staff every centre of their district, street staff look at their street's centres
(read-only: no forms, anything sent is a 404); residents get 404s, anonymous visitors
the login page. An object of another centre through one's own centre is a 404."""

import datetime as dt

import pytest
from django.urls import reverse

from activities.models import Activity, Occurrence, Partner
from tests.activities.factories import ActivityFactory, PartnerFactory, next_weekday, open_centre, session
from tests.centres.factories import CommunityFactory
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory, StreetStaffFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return open_centre(name="丰泽社区党群服务中心", slug="fengze")


@pytest.fixture
def other():
    """A centre in another district."""
    return open_centre(name="别区中心", slug="elsewhere")


@pytest.fixture
def things(centre):
    activity = ActivityFactory(centre=centre, title="合唱团")
    return {
        "activity": activity,
        "occurrence": session(activity, date=next_weekday(1)),
        "partner": PartnerFactory(centre=centre),
    }


def page_urls(centre, things):
    slug = centre.slug
    return {
        "week": reverse("schedule:week", kwargs={"slug": slug}),
        "activities": reverse("schedule:activities", kwargs={"slug": slug}),
        "session": reverse("schedule:session", kwargs={"slug": slug, "pk": things["occurrence"].pk}),
        "plan": reverse("schedule:schedule_create", kwargs={"slug": slug}),
        "copy": reverse("schedule:week_copy", kwargs={"slug": slug}),
        "activity_create": reverse("schedule:activity_create", kwargs={"slug": slug}),
        "activity_update": reverse("schedule:activity_update", kwargs={"slug": slug, "pk": things["activity"].pk}),
        "activity_delete": reverse("schedule:activity_delete", kwargs={"slug": slug, "pk": things["activity"].pk}),
        "partners": reverse("schedule:partners", kwargs={"slug": slug}),
        "partner_create": reverse("schedule:partner_create", kwargs={"slug": slug}),
        "partner_update": reverse("schedule:partner_update", kwargs={"slug": slug, "pk": things["partner"].pk}),
        "partner_delete": reverse("schedule:partner_delete", kwargs={"slug": slug, "pk": things["partner"].pk}),
    }


READ_ONLY = {"week", "activities", "session"}
POST_URLS = {
    "move": "schedule:session_move",
    "cancel": "schedule:session_cancel",
}


def post_urls(centre, things):
    urls = {
        name: reverse(route, kwargs={"slug": centre.slug, "pk": things["occurrence"].pk})
        for name, route in POST_URLS.items()
    }
    pages = page_urls(centre, things)
    return urls | {name: pages[name] for name in pages if name not in READ_ONLY}


def unchanged(things):
    occurrence = Occurrence.objects.get(pk=things["occurrence"].pk)
    return (
        occurrence.status == "scheduled"
        and Activity.objects.filter(pk=things["activity"].pk).exists()
        and Partner.objects.filter(pk=things["partner"].pk).exists()
        and Occurrence.objects.count() == 1
    )


SOME_POST = {"reason": "x", "cancel-reason": "下雨", "name": "x", "kind": "volunteer_team", "source": "2026-12-07",
             "target": "2026-12-14", "action": "copy"}  # fmt: skip


def test_centre_staff_open_every_page_of_their_centre(client, centre, things):
    client.force_login(CentreStaffFactory(centres=[centre]))

    for name, url in page_urls(centre, things).items():
        assert client.get(url).status_code == 200, name


def test_district_staff_open_every_page_of_their_districts_centres(client, centre, things):
    client.force_login(DistrictStaffFactory(area=centre.district))

    for name, url in page_urls(centre, things).items():
        assert client.get(url).status_code == 200, name


def test_street_staff_see_the_week_and_activities_without_forms(client, centre, things):
    client.force_login(StreetStaffFactory(area=centre.street))
    urls = page_urls(centre, things)

    for name in READ_ONLY:
        response = client.get(urls[name])
        assert response.status_code == 200, name
        assert response.context["can_manage"] is False
        assert "<form" not in response.content.decode().split('id="main"')[1].split("<footer")[0], name
    for name, url in urls.items():
        if name not in READ_ONLY:
            assert client.get(url).status_code == 404, name
    for name, url in post_urls(centre, things).items():
        assert client.post(url, SOME_POST).status_code == 404, name
    assert unchanged(things)


@pytest.mark.parametrize(
    "make_user",
    [
        lambda centre: CentreStaffFactory(centres=[open_centre(area=CommunityFactory(parent=centre.street))]),
        lambda centre: DistrictStaffFactory(area=CommunityFactory().parent.parent),
        lambda centre: StreetStaffFactory(area=CommunityFactory(parent__parent=centre.district).parent),
        lambda centre: UserFactory(),
    ],
    ids=["staff of a neighbouring centre", "district staff of another district", "staff of another street", "resident"],
)
def test_everyone_else_gets_404s_and_changes_nothing(client, centre, things, make_user):
    client.force_login(make_user(centre))

    for name, url in page_urls(centre, things).items():
        assert client.get(url).status_code == 404, name
    for name, url in post_urls(centre, things).items():
        assert client.post(url, SOME_POST).status_code == 404, name
    assert unchanged(things)


def test_anonymous_visitors_are_sent_to_log_in(client, centre, things):
    for name, url in page_urls(centre, things).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert "/login/" in response["Location"], name


def test_another_centres_objects_through_ones_own_centre_are_404s(client, centre, things, other):
    """The staff member manages both centres, but an object is only found under its own centre."""
    client.force_login(CentreStaffFactory(centres=[centre, other]))
    urls = page_urls(other, things)

    for name in ("session", "activity_update", "activity_delete", "partner_update", "partner_delete"):
        assert client.get(urls[name]).status_code == 404, name
    for name in ("move", "cancel", "activity_update", "activity_delete", "partner_update", "partner_delete"):
        assert client.post(post_urls(other, things)[name], SOME_POST).status_code == 404, name
    assert unchanged(things)


def test_the_plan_form_offers_only_the_centres_activities_and_rooms(client, centre, things, other):
    client.force_login(CentreStaffFactory(centres=[centre, other]))
    foreign = ActivityFactory(centre=other, title="别处的课")

    form = client.get(reverse("schedule:schedule_create", kwargs={"slug": centre.slug})).context["form"]
    assert list(form.fields["activity"].queryset) == [things["activity"]]
    assert list(form.fields["room"].queryset) == list(centre.rooms.all())

    response = client.post(
        reverse("schedule:schedule_create", kwargs={"slug": centre.slug}),
        {"activity": foreign.pk, "first_date": next_weekday(2).isoformat(), "starts": "10:00", "ends": "11:00",
         "room": other.rooms.get().pk, "repeat": "once", "action": "save"},
    )  # fmt: skip
    assert set(response.context["form"].errors) == {"activity", "room"}
    assert not foreign.occurrences.exists()


def test_a_moved_session_stays_in_its_centres_rooms(client, centre, things, other):
    client.force_login(CentreStaffFactory(centres=[centre]))
    occurrence = things["occurrence"]

    response = client.post(
        reverse("schedule:session_move", kwargs={"slug": centre.slug, "pk": occurrence.pk}),
        {"move-date": (next_weekday(1) + dt.timedelta(days=1)).isoformat(), "move-starts": "10:00",
         "move-ends": "11:00", "move-room": other.rooms.get().pk},
    )  # fmt: skip

    assert "room" in response.context["move_form"].errors
    assert unchanged(things)
