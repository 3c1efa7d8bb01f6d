"""What centre staff see of their centre's ratings: the resident masked (the first
character of the name and "**", the phone as 138****5678), the level, aspects, comment,
date and what was rated, in one query whatever the number of ratings."""

import pytest

from ratings.models import Level
from ratings.selectors import rated_thing_title, ratings_for_centre
from tests.activities.factories import open_centre
from tests.bookings.factories import resident
from tests.ratings.factories import attended_booking, rating_of, served_appointment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_centres_ratings_show_the_resident_masked(django_assert_num_queries):
    centre = open_centre()
    first = rating_of(
        attended_booking(resident("13812345678", name="王丽"), centre=centre, title="亲子手工"),
        level=Level.DISSATISFIED,
        attitude=2,
        comment="没人接待",
    )
    second = rating_of(
        appointment=served_appointment(resident("13998765432", name="欧阳明"), centre=centre, topic="法律咨询"),
        level=Level.VERY_SATISFIED,
    )
    rating_of(attended_booking(centre=open_centre()))  # another centre's

    with django_assert_num_queries(1):
        rows = [
            (r.pk, r.resident_masked_name, r.resident_masked_phone, r.level, r.attitude, r.comment)
            + (rated_thing_title(r), getattr(r, "case", None) is not None)
            for r in ratings_for_centre(centre)
        ]

    assert rows == [
        (second.pk, "欧**", "139****5432", 5, None, "", "法律咨询", False),
        (first.pk, "王**", "138****5678", 2, 2, "没人接待", "亲子手工", True),
    ]
