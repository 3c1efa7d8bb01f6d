"""No-shows and the district's rule through the pages: after a session, the places not
checked in are marked and shown on the roster; staff see and lift suspensions with a
reason; district staff set the rule on /staff/booking-rules/. The rule itself (what
counts, when it pauses booking, what the resident is told) is tested in
test_no_show_rule.py."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, BookingPolicy, Place, Suspension
from bookings.services import NO_SHOW_GRACE, booking_create, no_shows_record, walk_in_add
from portal.models import Notification
from portal.templatetags.portal_tags import when
from tests.activities.factories import open_centre
from tests.bookings.factories import bookable_activity, bookable_session, resident, working_day
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return open_centre(name="圣湖社区党群服务中心", slug="shenghu")


@pytest.fixture
def staff(centre):
    return CentreStaffFactory(centres=[centre], name="陈专管")


@pytest.fixture
def wang():
    return resident("13812345678", name="王丽")


@pytest.fixture
def policy(centre):
    """The district's rule: 3 no-shows within 60 days pause online booking for 30 days."""
    return BookingPolicy.objects.create(district=centre.district, no_show_limit=3, no_show_days=60, suspension_days=30)


def after(occurrence) -> dt.datetime:
    """The moment no-shows of the session are recorded."""
    return occurrence.ends_at + NO_SHOW_GRACE


def sessions(centre, count: int) -> list:
    """``count`` sessions of one activity on working days at least two days apart."""
    activity = bookable_activity(centre, title="书法班", capacity=10)
    made, date = [], working_day(1)
    for _ in range(count):
        made.append(bookable_session(activity, date=date))
        date = working_day(2, after=date)
    return made


def test_places_not_checked_in_become_no_shows_once_the_session_is_over(centre, staff, wang):
    occurrence = bookable_session(centre=centre, title="亲子手工")
    [absent] = booking_create(occurrence=occurrence, resident=wang)
    [came] = booking_create(occurrence=occurrence, resident=resident(name="李强"))
    came_place = came.places.get()
    came_place.checked_in_at = occurrence.starts_at
    came_place.save()
    walk_in_add(occurrence=occurrence, by=staff, person_name="赵强")

    assert no_shows_record(now=after(occurrence) - dt.timedelta(seconds=1)) == 0
    assert no_shows_record(now=after(occurrence)) == 1
    assert no_shows_record(now=after(occurrence)) == 0  # safe to run again
    assert list(Place.objects.filter(no_show=True)) == [absent.places.get()]


def test_the_roster_shows_who_did_not_come(client, centre, staff, wang):
    occurrence = bookable_session(centre=centre, title="亲子手工")
    booking_create(occurrence=occurrence, resident=wang)
    no_shows_record(now=after(occurrence))
    client.force_login(staff)

    html = client.get(
        reverse("bookings_staff:roster", kwargs={"slug": centre.slug, "pk": occurrence.pk})
    ).content.decode()

    assert "Did not come" in html and "1 did not come" in html


def test_the_districts_own_limit_is_used(centre, wang, policy):
    policy.no_show_limit = 4
    policy.save()
    *first_three, fourth = sessions(centre, 4)
    for occurrence in first_three:
        booking_create(occurrence=occurrence, resident=wang)
        assert no_shows_record(now=after(occurrence)) == 1

    assert not Suspension.objects.exists()  # three no-shows: enough under the default rule, not under this one

    booking_create(occurrence=fourth, resident=wang)
    no_shows_record(now=after(fourth))

    assert Suspension.objects.get().no_shows == 4


def test_staff_can_still_book_a_suspended_resident(client, centre, staff, wang, policy):
    occurrence = bookable_session(centre=centre, title="合唱团")
    Suspension.objects.create(
        resident=wang,
        district=centre.district,
        ends_at=timezone.now() + dt.timedelta(days=30),
        no_shows=3,
        within_days=60,
    )
    client.force_login(staff)

    client.post(
        reverse("bookings_staff:roster_book", kwargs={"slug": centre.slug, "pk": occurrence.pk}),
        {"phone": "13812345678"},
    )

    assert Booking.objects.get(resident=wang).status == Booking.Status.CONFIRMED


# Lifting a suspension.


@pytest.fixture
def suspension(centre, wang):
    booking_create(occurrence=bookable_session(centre=centre, title="书法班"), resident=wang)
    now = timezone.now()
    return Suspension.objects.create(
        resident=wang,
        district=centre.district,
        starts_at=now - dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=28),
        no_shows=3,
        within_days=60,
    )


def lift_url(suspension):
    return reverse("bookings_staff:suspension_lift", kwargs={"pk": suspension.pk})


def test_the_suspensions_page_shows_the_resident_masked_dates_and_reason(client, staff, suspension):
    client.force_login(staff)

    html = client.get(reverse("bookings_staff:suspensions")).content.decode()

    assert "王丽" in html and "138****5678" in html and "13812345678" not in html
    assert f"From {when(suspension.starts_at)} until {when(suspension.ends_at)}" in html
    assert "Reason: 3 booked places not used within 60 days." in html


def test_staff_lift_a_suspension_with_a_reason(client, centre, staff, wang, suspension):
    client.force_login(staff)

    response = client.post(lift_url(suspension), {f"s{suspension.pk}-lift_reason": " 住院治疗 "})

    assert response.status_code == 302
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None and suspension.lifted_by == staff and suspension.lift_reason == "住院治疗"
    assert Notification.objects.filter(
        recipient=wang, text="You can book online again: the centre lifted the pause on your bookings."
    ).exists()
    later = bookable_session(centre=centre, title="合唱团", days_ahead=3)
    [booking] = booking_create(occurrence=later, resident=wang)
    assert booking.status == Booking.Status.CONFIRMED
    page = client.get(reverse("bookings_staff:suspensions"))
    assert [str(m) for m in page.context["messages"]] == ["王丽 can book online again."]
    assert page.context["in_force"] == [] and "住院治疗" in page.content.decode()


def test_lifting_needs_a_reason(client, staff, suspension):
    client.force_login(staff)

    response = client.post(lift_url(suspension), {f"s{suspension.pk}-lift_reason": "   "})

    assert response.status_code == 200
    [shown] = response.context["in_force"]
    assert shown.lift_form.errors["lift_reason"] == ["This field is required."]
    suspension.refresh_from_db()
    assert suspension.lifted_at is None and suspension.lift_reason == ""


def test_lifting_twice_keeps_the_first_reason(client, staff, suspension):
    client.force_login(staff)
    client.post(lift_url(suspension), {f"s{suspension.pk}-lift_reason": "住院治疗"}, follow=True)

    response = client.post(lift_url(suspension), {f"s{suspension.pk}-lift_reason": "再次"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["The suspension of 王丽 was already lifted."]
    suspension.refresh_from_db()
    assert suspension.lift_reason == "住院治疗"


def test_only_later_no_shows_count_after_a_lift(client, centre, staff, wang, policy):
    earlier = sessions(centre, 3)
    for occurrence in earlier:
        booking_create(occurrence=occurrence, resident=wang)
    no_shows_record(now=after(earlier[-1]))
    client.force_login(staff)
    suspension = Suspension.objects.get()
    client.post(lift_url(suspension), {f"s{suspension.pk}-lift_reason": "住院治疗"})
    Suspension.objects.filter(pk=suspension.pk).update(lifted_at=after(earlier[-1]) + dt.timedelta(minutes=1))
    nxt = bookable_session(
        centre=centre, title="合唱团", date=working_day(1, after=timezone.localdate(earlier[-1].starts_at))
    )
    booking_create(occurrence=nxt, resident=wang)

    no_shows_record(now=after(nxt))

    assert Suspension.objects.count() == 1


# The district's rule.


def test_district_staff_set_the_rule(client, centre):
    district_staff = DistrictStaffFactory(area=centre.district)
    client.force_login(district_staff)
    rules = reverse("bookings_staff:booking_policy")
    page = client.get(rules)
    assert page.status_code == 200
    assert "a resident who did not come 3 times within 60 days cannot book online for 30 days" in page.content.decode()

    response = client.post(
        rules,
        {"max_active_bookings": 6, "offer_hours": 24, "no_show_limit": 2, "no_show_days": 30, "suspension_days": 14},
    )

    assert response.status_code == 302
    policy = BookingPolicy.objects.get(district=centre.district)
    assert (
        policy.max_active_bookings,
        policy.offer_hours,
        policy.no_show_limit,
        policy.no_show_days,
        policy.suspension_days,
        policy.updated_by,
    ) == (6, 24, 2, 30, 14, district_staff)
    assert "a resident who did not come 2 times within 30 days cannot book online for 14 days" in (
        client.get(rules).content.decode()
    )


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("no_show_limit", "0", "Ensure this value is greater than or equal to 1."),
        ("no_show_days", "400", "Ensure this value is less than or equal to 365."),
        ("suspension_days", "abc", "Enter a whole number."),
    ],
)
def test_a_rule_out_of_range_is_refused(client, centre, policy, field, value, error):
    client.force_login(DistrictStaffFactory(area=centre.district))
    data = {"max_active_bookings": 10, "offer_hours": 12, "no_show_limit": 3, "no_show_days": 60, "suspension_days": 30}

    response = client.post(reverse("bookings_staff:booking_policy"), data | {field: value})

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    policy.refresh_from_db()
    assert (policy.no_show_limit, policy.no_show_days, policy.suspension_days) == (3, 60, 30)
