"""Fixes found by the end-to-end browser test of ratings (tests/browser/test_ratings_end_to_end.py)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ratings.models import Level, Rating, RectificationCase
from tests.bookings.factories import resident
from tests.ratings.factories import attended_booking, rating_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_coming_back_after_the_follow_up_says_it_was_rated_again_after_the_reply(client):
    someone = resident("13812345678", name="王秀英")
    booking = attended_booking(someone, title="太极拳晨练")
    first = rating_of(booking, level=Level.VERY_DISSATISFIED)
    RectificationCase.objects.filter(rating=first).update(
        status=RectificationCase.Status.REPLIED, replied_at=timezone.now(), reply="已整改"
    )
    rating_of(booking, level=Level.SATISFIED)
    client.force_login(someone)

    response = client.get(reverse("ratings:rate_booking", kwargs={"code": booking.code}), follow=True)

    assert response.redirect_chain == [(reverse("ratings:home"), 302)]
    page = response.content.decode()
    assert "You have already rated this again after the centre&#x27;s reply. Thank you." in page
    assert "You have already rated this. Thank you." not in page
    assert Rating.objects.filter(booking=booking).count() == 2
