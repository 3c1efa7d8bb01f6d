"""Who may open and use which roster, the booking rules and the suspensions. Centre staff
manage their own centres' sessions, district staff every centre of their district, street
staff look at their street's rosters (no forms; anything they send is a 404). A session
of another centre through one's own centre, a forged place, a place of another session:
404, and nothing changes."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, BookingPolicy, Place, Suspension
from bookings.services import booking_create
from tests.activities.factories import open_centre
from tests.bookings.factories import bookable_session, resident
from tests.centres.factories import CommunityFactory
from tests.portal.factories import (
    CentreStaffFactory,
    DistrictStaffFactory,
    RepresentativeFactory,
    StreetStaffFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return open_centre(name="圣湖社区党群服务中心", slug="shenghu")


@pytest.fixture
def neighbour_centre(centre):
    """Another centre of the same street."""
    return open_centre(name="华丰社区党群服务中心", slug="huafeng", area=CommunityFactory(parent=centre.street))


@pytest.fixture
def elsewhere():
    """A centre of another district."""
    return open_centre(name="光南社区党群服务中心", slug="guangnan")


@pytest.fixture
def occurrence(centre):
    return bookable_session(centre=centre, title="亲子手工", capacity=5)


@pytest.fixture
def booking(occurrence):
    [booking] = booking_create(occurrence=occurrence, resident=resident("13812345678", name="王丽"))
    return booking


@pytest.fixture
def place(booking):
    return booking.places.get()


def urls(slug, pk, place_pk):
    base = {"slug": slug, "pk": pk}
    return {
        "roster": reverse("bookings_staff:roster", kwargs=base),
        "csv": reverse("bookings_staff:roster_csv", kwargs=base),
        "xlsx": reverse("bookings_staff:roster_xlsx", kwargs=base),
    }, {
        "code": reverse("bookings_staff:roster_check_in_code", kwargs=base),
        "tick": reverse("bookings_staff:roster_check_in", kwargs=base | {"place_pk": place_pk}),
        "undo": reverse("bookings_staff:roster_check_in_undo", kwargs=base | {"place_pk": place_pk}),
        "walk_in": reverse("bookings_staff:roster_walk_in", kwargs=base),
        "book": reverse("bookings_staff:roster_book", kwargs=base),
    }


def post_all(client, posts, booking):
    data = {"code": booking.code, "person_name": "赵强", "phone": "13812345678"}
    return {name: client.post(url, data).status_code for name, url in posts.items()}


def unchanged(booking):
    place = Place.objects.get(booking=booking)
    return place.checked_in_at is None and Booking.objects.count() == 1


def test_centre_staff_use_the_roster_of_their_centre(client, centre, occurrence, place, booking):
    client.force_login(CentreStaffFactory(centres=[centre]))
    pages, posts = urls(centre.slug, occurrence.pk, place.pk)

    for name, url in pages.items():
        assert client.get(url).status_code == 200, name
    assert client.post(posts["tick"]).status_code == 302
    assert Place.objects.get(pk=place.pk).checked_in_at is not None


def test_district_staff_use_the_rosters_of_their_district(client, centre, occurrence, place):
    client.force_login(DistrictStaffFactory(area=centre.district))
    pages, posts = urls(centre.slug, occurrence.pk, place.pk)

    for name, url in pages.items():
        assert client.get(url).status_code == 200, name
    assert client.post(posts["tick"]).status_code == 302
    assert Place.objects.get(pk=place.pk).checked_in_at is not None


def test_street_staff_look_at_the_roster_without_forms(client, centre, occurrence, place, booking):
    client.force_login(StreetStaffFactory(area=centre.street))
    pages, posts = urls(centre.slug, occurrence.pk, place.pk)

    response = client.get(pages["roster"])
    assert response.status_code == 200
    main = response.content.decode().split('id="main"')[1].split("<footer")[0]
    assert "<form" not in main
    assert "王丽" in main and "You can look at this roster." in main
    assert client.get(pages["csv"]).status_code == 200
    assert post_all(client, posts, booking) == dict.fromkeys(posts, 404)
    assert unchanged(booking)


def test_street_staff_of_another_street_get_404(client, occurrence, place, booking, elsewhere):
    client.force_login(StreetStaffFactory(area=elsewhere.street))
    pages, posts = urls(occurrence.centre.slug, occurrence.pk, place.pk)

    assert {name: client.get(url).status_code for name, url in pages.items()} == dict.fromkeys(pages, 404)
    assert unchanged(booking)


@pytest.mark.parametrize(
    "make_user",
    [
        lambda centre, other: CentreStaffFactory(centres=[other]),
        lambda centre, other: DistrictStaffFactory(area=other.district),
        lambda centre, other: UserFactory(),
        lambda centre, other: RepresentativeFactory(area=centre.area),
    ],
    ids=["other_centre_staff", "other_district_staff", "resident", "representative"],
)
def test_others_get_404_and_change_nothing(client, centre, elsewhere, occurrence, place, booking, make_user):
    client.force_login(make_user(centre, elsewhere))
    pages, posts = urls(centre.slug, occurrence.pk, place.pk)

    assert {name: client.get(url).status_code for name, url in pages.items()} == dict.fromkeys(pages, 404)
    assert post_all(client, posts, booking) == dict.fromkeys(posts, 404)
    assert unchanged(booking)


def test_anonymous_visitors_are_sent_to_log_in(client, centre, occurrence, place, booking):
    pages, posts = urls(centre.slug, occurrence.pk, place.pk)

    response = client.get(pages["roster"])
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(posts["tick"]).status_code == 302
    assert unchanged(booking)


def test_a_session_of_another_centre_through_ones_own_slug_is_404(client, centre, neighbour_centre, booking):
    other_session = bookable_session(centre=neighbour_centre, title="书法班")
    [other] = booking_create(occurrence=other_session, resident=resident("13900000009"))
    client.force_login(CentreStaffFactory(centres=[centre]))
    pages, posts = urls(centre.slug, other_session.pk, other.places.get().pk)

    assert {name: client.get(url).status_code for name, url in pages.items()} == dict.fromkeys(pages, 404)
    assert post_all(client, posts, other) == dict.fromkeys(posts, 404)
    assert other.places.get().checked_in_at is None
    assert Booking.objects.count() == 2


def test_a_place_of_another_session_or_a_forged_id_is_404(client, centre, occurrence, place, booking):
    second = bookable_session(centre=centre, title="书法班", days_ahead=3)
    [there] = booking_create(occurrence=second, resident=resident("13900000009"))
    client.force_login(CentreStaffFactory(centres=[centre]))

    for place_pk in (there.places.get().pk, 999999):
        _, posts = urls(centre.slug, occurrence.pk, place_pk)
        assert client.post(posts["tick"]).status_code == 404
        assert client.post(posts["undo"]).status_code == 404
    assert there.places.get().checked_in_at is None
    assert Place.objects.get(pk=place.pk).checked_in_at is None


def test_a_code_of_another_centre_checks_no_one_in(client, centre, elsewhere, occurrence, booking):
    far = bookable_session(centre=elsewhere, title="书法班")
    [there] = booking_create(occurrence=far, resident=resident("13900000009"))
    client.force_login(CentreStaffFactory(centres=[centre]))
    _, posts = urls(centre.slug, occurrence.pk, 1)

    client.post(posts["code"], {"code": there.code})

    html = client.get(urls(centre.slug, occurrence.pk, 1)[0]["roster"]).content.decode()
    assert f"No booking for this session has the code {there.code}." in html
    assert "书法班" not in html  # nothing said about the other centre's session
    assert there.places.get().checked_in_at is None


# The booking rules and the suspensions.


def test_only_district_staff_open_the_booking_rules(client, centre):
    rules = reverse("bookings_staff:booking_policy")
    for user in (
        CentreStaffFactory(centres=[centre]),
        StreetStaffFactory(area=centre.street),
        UserFactory(),
        RepresentativeFactory(area=centre.area),
    ):
        client.force_login(user)
        assert client.get(rules).status_code == 404, user.role
        assert client.post(rules, {"no_show_limit": 1}).status_code == 404, user.role
    assert not BookingPolicy.objects.exists()
    client.force_login(DistrictStaffFactory(area=centre.district))
    assert client.get(rules).status_code == 200


@pytest.fixture
def suspensions(centre, neighbour_centre, elsewhere):
    """王丽 booked at 圣湖 and is suspended in its district; 李强 booked only at 华丰
    (same street); 张伟 is suspended in the other district."""
    now = timezone.now()
    wang, li, zhang = resident("13812345678", name="王丽"), resident("13700000001", name="李强"), resident(name="张伟")
    booking_create(occurrence=bookable_session(centre=centre, title="书法班"), resident=wang)
    booking_create(occurrence=bookable_session(centre=neighbour_centre, title="合唱团"), resident=li)
    booking_create(occurrence=bookable_session(centre=elsewhere, title="太极拳"), resident=zhang)

    def suspend(person, district):
        return Suspension.objects.create(
            resident=person,
            district=district,
            starts_at=now,
            ends_at=now + dt.timedelta(days=30),
            no_shows=3,
            within_days=60,
        )

    return {
        "wang": suspend(wang, centre.district),
        "li": suspend(li, centre.district),
        "zhang": suspend(zhang, elsewhere.district),
    }


def listed(client) -> set[str]:
    response = client.get(reverse("bookings_staff:suspensions"))
    assert response.status_code == 200
    return {suspension.resident.name for suspension in response.context["in_force"]}


def test_each_role_sees_the_suspensions_of_its_scope(client, centre, neighbour_centre, elsewhere, suspensions):
    client.force_login(CentreStaffFactory(centres=[centre]))
    assert listed(client) == {"王丽"}
    client.force_login(CentreStaffFactory(centres=[neighbour_centre]))
    assert listed(client) == {"李强"}
    client.force_login(StreetStaffFactory(area=centre.street))
    assert listed(client) == {"王丽", "李强"}
    client.force_login(DistrictStaffFactory(area=centre.district))
    assert listed(client) == {"王丽", "李强"}
    client.force_login(DistrictStaffFactory(area=elsewhere.district))
    assert listed(client) == {"张伟"}


def test_the_suspensions_page_is_404_for_residents(client, suspensions):
    client.force_login(UserFactory())
    assert client.get(reverse("bookings_staff:suspensions")).status_code == 404


@pytest.mark.parametrize(
    "make_user",
    [
        lambda centre, neighbour, elsewhere: CentreStaffFactory(centres=[neighbour]),
        lambda centre, neighbour, elsewhere: StreetStaffFactory(area=centre.street),
        lambda centre, neighbour, elsewhere: DistrictStaffFactory(area=elsewhere.district),
        lambda centre, neighbour, elsewhere: UserFactory(),
    ],
    ids=["centre_staff_where_they_never_booked", "street_staff", "other_district", "resident"],
)
def test_lifting_out_of_scope_is_404(client, centre, neighbour_centre, elsewhere, suspensions, make_user):
    client.force_login(make_user(centre, neighbour_centre, elsewhere))
    wang = suspensions["wang"]

    response = client.post(
        reverse("bookings_staff:suspension_lift", kwargs={"pk": wang.pk}), {f"s{wang.pk}-lift_reason": "住院"}
    )

    assert response.status_code == 404
    wang.refresh_from_db()
    assert wang.lifted_at is None and wang.lift_reason == ""


def test_street_staff_see_no_lift_form(client, centre, suspensions):
    client.force_login(StreetStaffFactory(area=centre.street))

    html = client.get(reverse("bookings_staff:suspensions")).content.decode().split('id="main"')[1].split("<footer")[0]

    assert "<form" not in html and "王丽" in html
