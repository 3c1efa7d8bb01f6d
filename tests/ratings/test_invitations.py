"""Inviting residents to rate: one message per booking or appointment attended in the last
three days, with the link to its rating form; never twice, never for what is rated, in a
fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import Notification
from ratings.invitations import invitation_text, invite_to_rate
from tests.activities.factories import open_centre
from tests.bookings.factories import resident
from tests.ratings.factories import attended_booking, rating_of, served_appointment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre():
    return open_centre(name="圣湖社区党群服务中心", slug="shenghu")


def invitations():
    return list(
        Notification.objects.filter(kind=Notification.Kind.RATING)
        .order_by("dedupe_key")
        .values_list("recipient__name", "text", "url", "dedupe_key")
    )


def test_whoever_attended_in_the_last_three_days_is_invited_once(centre):
    booking = attended_booking(resident("13800000001", name="王丽"), centre=centre, title="亲子手工")
    appointment = served_appointment(resident("13800000002", name="李强"), centre=centre, topic="法律咨询")

    assert invite_to_rate() == 2

    assert invitations() == [
        (
            "李强",
            "How was “法律咨询” at 圣湖社区党群服务中心? Please tell us: rating it takes a minute.",
            reverse("ratings:rate_appointment", kwargs={"code": appointment.code}),
            f"rate-appointment-{appointment.pk}",
        ),
        (
            "王丽",
            "How was “亲子手工” at 圣湖社区党群服务中心? Please tell us: rating it takes a minute.",
            reverse("ratings:rate_booking", kwargs={"code": booking.code}),
            f"rate-booking-{booking.pk}",
        ),
    ]
    assert invite_to_rate() == 0
    assert len(invitations()) == 2


def test_no_show_older_rated_or_not_ended_are_not_invited(centre):
    attended_booking(centre=centre, checked_in=False)
    attended_booking(centre=centre, ended_ago=dt.timedelta(days=3, minutes=1))
    served_appointment(centre=centre, checked_in=False)
    served_appointment(centre=centre, ended_ago=dt.timedelta(days=4))
    rating_of(attended_booking(centre=centre))
    rating_of(appointment=served_appointment(centre=centre))
    attended_booking(centre=centre, ended_ago=-dt.timedelta(minutes=30))  # checked in, still going on

    assert invite_to_rate() == 0
    assert invitations() == []


def test_the_invitation_is_in_the_residents_language(centre):
    booking = attended_booking(resident("13800000003", language="zh-hans"), centre=centre, title="书法班")

    invite_to_rate()

    [(_name, text, url, _key)] = invitations()
    with translation.override("zh-hans"):
        assert text == invitation_text("书法班", "圣湖社区党群服务中心")
        assert url == reverse("ratings:rate_booking", kwargs={"code": booking.code})


def test_the_queries_do_not_grow_with_the_residents(centre, django_assert_num_queries):
    for _ in range(2):
        attended_booking(centre=centre)
        served_appointment(centre=centre)
    with django_assert_num_queries(6):
        assert invite_to_rate() == 4

    for _ in range(6):
        attended_booking(centre=centre)
        served_appointment(centre=centre)
    with django_assert_num_queries(6):
        assert invite_to_rate() == 12
