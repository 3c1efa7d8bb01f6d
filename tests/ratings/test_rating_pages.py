"""The resident's rating pages: what they may rate, the form with the five levels as large
radio buttons, their ratings with the centre's reply and the follow-up. Anyone else's
booking or appointment, or a forged code, is a 404; refusals say why and change nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from bookings.models import Booking
from ratings.models import Level, Rating, RectificationCase
from tests.activities.factories import open_centre
from tests.bookings.factories import resident
from tests.ratings.factories import attended_booking, rating_of, served_appointment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return open_centre(name="圣湖社区党群服务中心", slug="shenghu")


@pytest.fixture
def mother():
    return resident("13812345678", name="王丽")


@pytest.fixture
def booking(centre, mother):
    return attended_booking(mother, centre=centre, title="亲子手工")


@pytest.fixture
def logged_in(client, mother):
    client.force_login(mother)
    return client


def form_url(booking):
    return reverse("ratings:rate_booking", kwargs={"code": booking.code})


def test_the_page_needs_signing_in(client):
    response = client.get(reverse("ratings:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:login"))


def test_the_page_lists_what_may_be_rated_and_not_what_may_not(logged_in, centre, mother, booking):
    appointment = served_appointment(mother, centre=centre, topic="法律咨询")
    rated = attended_booking(mother, centre=centre, title="书法班")
    rating_of(rated, comment="很好")
    attended_booking(mother, centre=centre, title="没去的讲座", checked_in=False)
    attended_booking(resident("13900001111"), centre=centre, title="别人的活动")
    served_appointment(mother, centre=centre, topic="没到的预约", checked_in=False)

    html = logged_in.get(reverse("ratings:home")).content.decode()

    assert form_url(booking) in html
    assert reverse("ratings:rate_appointment", kwargs={"code": appointment.code}) in html
    assert form_url(rated) not in html
    assert "书法班" in html and "很好" in html
    for title in ("没去的讲座", "别人的活动", "没到的预约"):
        assert title not in html


def add_some(centre, mother, n):
    for _ in range(n):
        attended_booking(mother, centre=centre)
        served_appointment(mother, centre=centre, topic=f"服务{Rating.objects.count()}")
        first = rating_of(attended_booking(mother, centre=centre), level=Level.DISSATISFIED)
        RectificationCase.objects.filter(rating=first).update(
            status=RectificationCase.Status.REPLIED, replied_at=timezone.now(), reply="已整改"
        )
        rating_of(first.booking, level=Level.SATISFIED)


def test_the_page_costs_five_queries_whatever_it_lists(logged_in, centre, mother, django_assert_num_queries):
    # The session, the user, what may be rated (bookings, appointments), the ratings.
    add_some(centre, mother, 1)
    with django_assert_num_queries(5):
        assert logged_in.get(reverse("ratings:home")).status_code == 200

    add_some(centre, mother, 4)
    with django_assert_num_queries(5):
        html = logged_in.get(reverse("ratings:home")).content.decode()
    assert html.count("已整改") == 5


def test_the_form_costs_five_queries(logged_in, booking, django_assert_num_queries):
    # The session, the user, the booking, its ratings, when it was last attended.
    with django_assert_num_queries(5):
        assert logged_in.get(form_url(booking)).status_code == 200


def test_the_form_shows_the_five_levels_as_radio_buttons_in_a_fieldset(logged_in, booking):
    html = logged_in.get(form_url(booking)).content.decode()

    assert "<fieldset" in html and "<legend" in html
    assert html.count('type="radio"') == 5
    for label in ("Very satisfied", "Satisfied", "Fairly satisfied", "Dissatisfied", "Very dissatisfied"):
        assert f">{label}</label>" in html


def test_the_levels_are_named_in_the_users_language(logged_in, booking):
    """The names are the Level labels, which the catalogue gives as 非常满意 … 非常不满意."""
    with translation.override("zh-hans"):
        html = logged_in.get(form_url(booking)).content.decode()

        assert '<html lang="zh-hans">' in html
        for _value, label in Level.choices:
            assert f">{label}</label>" in html


def test_sending_the_form_keeps_the_rating_and_thanks(logged_in, booking, mother):
    response = logged_in.post(
        form_url(booking), {"level": "2", "attitude": "1", "content": "", "comment": "没人接待"}, follow=True
    )

    rating = Rating.objects.get()
    assert (rating.resident, rating.booking, rating.level, rating.attitude, rating.content, rating.comment) == (
        mother,
        booking,
        2,
        1,
        None,
        "没人接待",
    )
    assert RectificationCase.objects.filter(rating=rating).exists()
    assert "Thank you for telling us. The centre will call you back and tell you what it changes." in (
        response.content.decode()
    )


def test_a_form_without_a_level_is_refused(logged_in, booking):
    response = logged_in.post(form_url(booking), {"comment": "嗯"})

    assert response.status_code == 200
    assert "Please choose how satisfied you are." in response.content.decode()
    assert Rating.objects.count() == 0


def test_sending_the_form_again_is_refused_and_changes_nothing(logged_in, booking):
    logged_in.post(form_url(booking), {"level": "5"})

    response = logged_in.post(form_url(booking), {"level": "1"})

    assert "You have already rated this. Thank you." in response.content.decode()
    assert list(Rating.objects.values_list("level", flat=True)) == [5]
    assert RectificationCase.objects.count() == 0


def test_the_form_of_something_rated_leads_back_to_the_list(logged_in, booking):
    rating_of(booking)

    response = logged_in.get(form_url(booking), follow=True)

    assert response.redirect_chain == [(reverse("ratings:home"), 302)]
    assert "You have already rated this. Thank you." in response.content.decode()


def test_someone_elses_booking_or_appointment_is_a_404(logged_in, centre):
    theirs = attended_booking(resident("13900001111"), centre=centre)
    their_appointment = served_appointment(resident("13900002222"), centre=centre)

    assert logged_in.get(form_url(theirs)).status_code == 404
    assert logged_in.post(form_url(theirs), {"level": "1"}).status_code == 404
    url = reverse("ratings:rate_appointment", kwargs={"code": their_appointment.code})
    assert logged_in.post(url, {"level": "1"}).status_code == 404
    assert logged_in.get(reverse("ratings:rate_booking", kwargs={"code": "ZZZZ9999"})).status_code == 404
    assert Rating.objects.count() == 0


def test_the_reply_shows_and_the_follow_up_is_offered_once(logged_in, booking):
    first = rating_of(booking, level=Level.VERY_DISSATISFIED)
    RectificationCase.objects.filter(rating=first).update(
        status=RectificationCase.Status.REPLIED, replied_at=timezone.now(), reply="已增加一名志愿者接待"
    )

    html = logged_in.get(reverse("ratings:home")).content.decode()
    assert "已增加一名志愿者接待" in html
    assert "Rate again after the reply" in html
    assert "已增加一名志愿者接待" in logged_in.get(form_url(booking)).content.decode()

    logged_in.post(form_url(booking), {"level": "4"})

    assert list(Rating.objects.values_list("level", "is_follow_up").order_by("pk")) == [(1, False), (4, True)]
    html = logged_in.get(reverse("ratings:home")).content.decode()
    assert "Rate again after the reply" not in html
    assert "Your rating after the reply:" in html


def test_no_follow_up_before_the_reply(logged_in, booking):
    rating_of(booking, level=Level.DISSATISFIED)

    response = logged_in.get(form_url(booking), follow=True)

    assert "You can rate this again once the centre has replied to your rating." in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).ratings.count() == 1


def test_a_rating_shows_when_the_session_was_and_the_follow_ups_comment(logged_in, centre, mother):
    booking = attended_booking(mother, centre=centre, ended_ago=dt.timedelta(days=3))
    first = rating_of(booking, level=Level.DISSATISFIED, comment="等了很久")
    RectificationCase.objects.filter(rating=first).update(
        status=RectificationCase.Status.REPLIED, replied_at=timezone.now(), reply="已整改"
    )
    rating_of(booking, level=Level.SATISFIED, comment="现在好多了")

    html = logged_in.get(reverse("ratings:home")).content.decode()

    session_time = timezone.localtime(booking.starts_at)
    assert f'<time datetime="{session_time.isoformat()}">' in html
    assert "Rated on " in html
    assert "现在好多了" in html and "等了很久" in html


def test_the_form_of_a_session_past_the_time_to_rate_is_not_offered(logged_in, centre, mother):
    old = attended_booking(mother, centre=centre, ended_ago=dt.timedelta(days=40))

    response = logged_in.get(form_url(old), follow=True)

    assert response.redirect_chain == [(reverse("ratings:home"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "The time to rate this has passed: a rating is given within 30 days."
    ]
    assert old.code not in response.content.decode()  # not in the list to rate either
