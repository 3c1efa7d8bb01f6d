"""Rating what one used: only one's own session after it ended and one was checked in
there (or an appointment one was served at), once; a bad rating opens the centre's
rectification case and tells its staff; one follow-up after the centre's reply. Every
refusal says why and changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from portal.models import Notification
from portal.templatetags.portal_tags import day_label
from ratings.models import Level, Rating, RectificationCase
from ratings.services import RatingRefused, rating_create
from ratings.working_days import add_working_days
from tests.activities.factories import open_centre
from tests.bookings.factories import resident
from tests.portal.factories import CentreStaffFactory
from tests.ratings.factories import RatingPolicyFactory, attended_booking, rating_of, served_appointment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return open_centre(name="圣湖社区党群服务中心", slug="shenghu")


@pytest.fixture
def staff(centre):
    return CentreStaffFactory(centres=[centre], name="陈专管")


@pytest.fixture
def mother():
    return resident("13812345678", name="王丽")


@pytest.fixture
def booking(centre, mother):
    return attended_booking(mother, centre=centre, title="亲子手工")


def state():
    return (
        list(Rating.objects.values_list("pk", "level", "is_follow_up").order_by("pk")),
        list(RectificationCase.objects.values_list("pk", "status").order_by("pk")),
        Notification.objects.count(),
    )


def assert_refused(message: str, call) -> None:
    before = state()
    with pytest.raises(RatingRefused) as refused:
        call()
    assert refused.value.messages == [message]
    assert state() == before


def test_a_good_rating_is_kept_with_its_aspects_and_opens_no_case(booking, mother, staff):
    rating = rating_create(
        resident=mother,
        booking=booking,
        level=Level.VERY_SATISFIED,
        attitude=5,
        timeliness="4",
        comment="  老师很耐心  ",
    )

    rating.refresh_from_db()
    assert (rating.centre, rating.booking, rating.appointment, rating.resident) == (
        booking.centre,
        booking,
        None,
        mother,
    )
    assert (rating.level, rating.attitude, rating.content, rating.environment, rating.timeliness) == (
        5,
        5,
        None,
        None,
        4,
    )
    assert (rating.comment, rating.is_follow_up, rating.is_excluded) == ("老师很耐心", False, False)
    assert RectificationCase.objects.count() == 0
    assert Notification.objects.filter(kind=Notification.Kind.CASE).count() == 0


def test_a_bad_rating_opens_the_case_with_the_default_deadlines_and_tells_the_centres_staff(
    centre, booking, mother, staff
):
    other_member = CentreStaffFactory(centres=[centre], name="李社工")
    CentreStaffFactory(centres=[centre], name="离职者", is_active=False)
    CentreStaffFactory(centres=[open_centre()], name="别的中心")
    now = timezone.now()

    rating = rating_create(resident=mother, booking=booking, level=Level.DISSATISFIED, comment="没人接待", now=now)

    case = RectificationCase.objects.get()
    assert (case.rating, case.centre, case.street, case.district) == (rating, centre, centre.street, centre.district)
    assert case.status == RectificationCase.Status.AWAITING_CALLBACK
    assert case.opened_at == now
    assert case.callback_due_at == add_working_days(now, 1)
    assert case.reply_due_at == add_working_days(now, 15)
    messages = list(Notification.objects.filter(kind=Notification.Kind.CASE).order_by("recipient_id"))
    assert [m.recipient for m in messages] == [staff, other_member]
    assert messages[0].text == (
        f"A resident rated 圣湖社区党群服务中心 “Dissatisfied”. Please call them back by "
        f"{day_label(case.callback_due_at)} and reply with the rectification by {day_label(case.reply_due_at)}."
    )
    assert messages[0].url == f"/en/staff/ratings/cases/{case.pk}/"


def test_the_districts_rules_set_the_deadlines(centre, booking, mother):
    RatingPolicyFactory(district=centre.district, callback_working_days=2, reply_working_days=5)
    now = timezone.now()

    rating_create(resident=mother, booking=booking, level=Level.VERY_DISSATISFIED, now=now)

    case = RectificationCase.objects.get()
    assert (case.callback_due_at, case.reply_due_at) == (add_working_days(now, 2), add_working_days(now, 5))


def test_a_fairly_satisfied_rating_is_not_bad(booking, mother, staff):
    rating_create(resident=mother, booking=booking, level=Level.FAIRLY_SATISFIED)

    assert RectificationCase.objects.count() == 0


def test_someone_elses_booking_is_refused(booking):
    stranger = resident("13900001111")

    assert_refused(
        "This is not one of your bookings.",
        lambda: rating_create(resident=stranger, booking=booking, level=Level.VERY_DISSATISFIED),
    )


def test_a_session_not_ended_yet_is_refused(booking, mother):
    before_the_end = booking.places.get().occurrence.ends_at - dt.timedelta(minutes=1)

    assert_refused(
        "You can rate a session once it has ended and you were checked in there.",
        lambda: rating_create(resident=mother, booking=booking, level=Level.SATISFIED, now=before_the_end),
    )


def test_a_session_one_was_not_checked_in_at_is_refused(centre, mother):
    no_show = attended_booking(mother, centre=centre, checked_in=False)

    assert_refused(
        "You can rate a session once it has ended and you were checked in there.",
        lambda: rating_create(resident=mother, booking=no_show, level=Level.SATISFIED),
    )


def test_an_appointment_one_was_served_at_is_rated(centre, mother):
    appointment = served_appointment(mother, centre=centre)

    rating = rating_create(resident=mother, appointment=appointment, level=Level.SATISFIED, content=4)

    assert (rating.centre, rating.booking, rating.appointment, rating.content) == (centre, None, appointment, 4)


def test_an_appointment_one_was_not_checked_in_at_is_refused(centre, mother):
    appointment = served_appointment(mother, centre=centre, checked_in=False)

    assert_refused(
        "You can rate an appointment once you were checked in there.",
        lambda: rating_create(resident=mother, appointment=appointment, level=Level.SATISFIED),
    )


def test_someone_elses_appointment_is_refused(centre, mother):
    appointment = served_appointment(resident("13900002222"), centre=centre)

    assert_refused(
        "This is not one of your bookings.",
        lambda: rating_create(resident=mother, appointment=appointment, level=Level.SATISFIED),
    )


def test_a_second_rating_of_the_same_booking_is_refused(booking, mother):
    rating_of(booking, level=Level.SATISFIED)

    assert_refused(
        "You have already rated this. Thank you.",
        lambda: rating_create(resident=mother, booking=booking, level=Level.VERY_DISSATISFIED),
    )


def test_a_second_rating_of_the_same_appointment_is_refused(centre, mother):
    appointment = served_appointment(mother, centre=centre)
    rating_of(appointment=appointment)

    assert_refused(
        "You have already rated this. Thank you.",
        lambda: rating_create(resident=mother, appointment=appointment, level=Level.SATISFIED),
    )


def test_rating_again_before_the_centres_reply_is_refused(booking, mother):
    rating_of(booking, level=Level.DISSATISFIED)

    assert_refused(
        "You can rate this again once the centre has replied to your rating. We will send you a message.",
        lambda: rating_create(resident=mother, booking=booking, level=Level.SATISFIED),
    )


def test_after_the_reply_one_follow_up_rating_is_kept_and_opens_no_case(booking, mother, staff):
    first = rating_of(booking, level=Level.DISSATISFIED)
    RectificationCase.objects.filter(rating=first).update(
        status=RectificationCase.Status.REPLIED, replied_at=timezone.now()
    )
    messages_before = Notification.objects.count()

    again = rating_create(resident=mother, booking=booking, level=Level.VERY_DISSATISFIED, comment="还是不行")

    assert (again.is_follow_up, again.level, again.booking) == (True, 1, booking)
    assert RectificationCase.objects.count() == 1
    assert Notification.objects.count() == messages_before


def test_a_second_follow_up_is_refused(booking, mother):
    first = rating_of(booking, level=Level.DISSATISFIED)
    RectificationCase.objects.filter(rating=first).update(
        status=RectificationCase.Status.REPLIED, replied_at=timezone.now()
    )
    rating_create(resident=mother, booking=booking, level=Level.SATISFIED)

    assert_refused(
        "You have already rated this again after the centre's reply. Thank you.",
        lambda: rating_create(resident=mother, booking=booking, level=Level.SATISFIED),
    )


def test_a_rating_found_malicious_allows_no_follow_up(booking, mother):
    first = rating_of(booking, level=Level.DISSATISFIED)
    RectificationCase.objects.filter(rating=first).update(status=RectificationCase.Status.WITHDRAWN)

    assert_refused(
        "You have already rated this. Thank you.",
        lambda: rating_create(resident=mother, booking=booking, level=Level.SATISFIED),
    )


@pytest.mark.parametrize("level", [None, "", 0, 6, "abc"])
def test_a_level_off_the_scale_is_refused(booking, mother, level):
    assert_refused(
        "Please choose how satisfied you are.",
        lambda: rating_create(resident=mother, booking=booking, level=level),
    )


def test_an_aspect_off_the_scale_is_refused(booking, mother):
    assert_refused(
        "Please choose how satisfied you are.",
        lambda: rating_create(resident=mother, booking=booking, level=Level.SATISFIED, environment=9),
    )


def test_a_comment_too_long_is_refused(booking, mother):
    assert_refused(
        "Please keep the comment under 500 characters.",
        lambda: rating_create(resident=mother, booking=booking, level=Level.SATISFIED, comment="好" * 501),
    )


def test_the_refusal_is_in_the_users_language(booking):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(RatingRefused) as refused:
        rating_create(resident=resident("13900003333"), booking=booking, level=Level.SATISFIED)
    assert refused.value.messages == ["这不是您的预约。"]


def test_a_rating_is_given_within_thirty_days_of_the_session():
    booking = attended_booking(ended_ago=dt.timedelta(days=31))
    with pytest.raises(RatingRefused, match="The time to rate this has passed: a rating is given within 30 days."):
        rating_of(booking, level=Level.VERY_SATISFIED)
    assert Rating.objects.count() == 0

    in_time = attended_booking(ended_ago=dt.timedelta(days=29))
    assert rating_of(in_time, level=Level.VERY_SATISFIED).level == Level.VERY_SATISFIED


def test_the_rating_after_the_reply_is_given_within_thirty_days_of_it():
    booking = attended_booking(ended_ago=dt.timedelta(days=5))
    first = rating_of(booking, level=Level.DISSATISFIED)
    RectificationCase.objects.filter(rating=first).update(
        status=RectificationCase.Status.REPLIED, replied_at=timezone.now() - dt.timedelta(days=31)
    )

    with pytest.raises(RatingRefused, match="within 30 days of the centre's reply"):
        rating_of(booking, level=Level.SATISFIED)
    assert Rating.objects.count() == 1
