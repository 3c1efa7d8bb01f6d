"""One rating per booking under real concurrency: the same form sent from two (or more)
threads at once, each on its own PostgreSQL connection, makes one rating and one case.

The service checks for an earlier rating first, but two writers can both pass that check;
the held test stops every writer right after its check until all have passed it, so the
race does happen, and the unique constraint is what refuses the second: it is answered
like any other second rating, and nothing of it is left (no second case, no message)."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from portal.models import Notification
from ratings import services
from ratings.models import Level, Rating, RectificationCase
from ratings.services import RatingRefused, rating_create
from tests.activities.factories import open_centre
from tests.concurrency import run_together
from tests.portal.factories import CentreStaffFactory
from tests.ratings.factories import attended_booking

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.usefixtures("english"),
]


@pytest.fixture
def booking():
    centre = open_centre(slug="concurrency")
    CentreStaffFactory(centres=[centre])
    return attended_booking(centre=centre)


def submit(booking):
    def rate():
        # A thread starts in the default language: the refusals are read in English.
        with translation.override("en"):
            return rating_create(resident=booking.resident, booking=booking, level=Level.VERY_DISSATISFIED)

    return rate


def outcome(results):
    made = [result for result in results if isinstance(result, Rating)]
    refused = [result.messages for result in results if isinstance(result, RatingRefused)]
    return len(made), refused


def test_two_submits_held_after_their_check_make_one_rating(booking, monkeypatch):
    passed_the_check = threading.Barrier(2)
    check = services._is_follow_up

    def held(ratings):
        answer = check(ratings)
        passed_the_check.wait(timeout=30)  # both saw no earlier rating
        return answer

    monkeypatch.setattr(services, "_is_follow_up", held)

    results = run_together([submit(booking), submit(booking)])

    assert outcome(results) == (1, [["You have already rated this. Thank you."]])
    assert Rating.objects.filter(booking=booking).count() == 1
    assert RectificationCase.objects.count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.CASE).count() == 1


def test_eight_submits_at_once_make_one_rating(booking):
    results = run_together([submit(booking) for _ in range(8)])

    made, refused = outcome(results)
    # A submit that reads the ratings after the first one was saved is told it may rate
    # again after the reply; one that raced it to the insert, that it has rated.
    told = {
        ("You have already rated this. Thank you.",),
        ("You can rate this again once the centre has replied to your rating. We will send you a message.",),
    }
    assert (made, len(refused)) == (1, 7)
    assert {tuple(messages) for messages in refused} <= told, refused
    assert Rating.objects.filter(booking=booking).count() == 1
    assert RectificationCase.objects.count() == 1
