"""Satisfaction in the monthly figures: the share of the month's ratings at "satisfied"
or "very satisfied", not counting those the district found malicious, per centre and per
level from the level's own totals."""

import datetime as dt
from decimal import Decimal

import pytest

from ratings.models import Level, Rating
from stats.models import MonthlyFigures
from stats.rollup import monthly_figures_compute
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import UserFactory
from tests.stats.factories import OccurrenceFactory, at, place

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)


def rate(centre, level, *, when, excluded=False):
    session = OccurrenceFactory(activity__centre=centre, starts_at=when - dt.timedelta(days=1))
    resident = UserFactory()
    booking = place(session, came=True, resident=resident).booking
    return Rating.objects.create(
        centre=centre,
        booking=booking,
        resident=resident,
        level=level,
        created_at=when,
        is_excluded=excluded,
    )


def test_satisfaction_is_the_share_of_satisfied_ratings_per_centre_and_per_street():
    district = DistrictFactory(name="丰泽区")
    street = StreetFactory(name="东湖街道", parent=district)
    one = CentreFactory(area=CommunityFactory(name="圣湖社区", parent=street))
    two = CentreFactory(area=CommunityFactory(name="丰泽社区", parent=street))
    quiet = CentreFactory(area=CommunityFactory(name="东湖社区", parent=street))
    rate(one, Level.VERY_SATISFIED, when=at(2026, 10, 3, 10))
    rate(one, Level.SATISFIED, when=at(2026, 10, 31, 23, 30))  # the month's last evening, Shanghai time
    rate(one, Level.DISSATISFIED, when=at(2026, 10, 12, 9))
    rate(one, Level.VERY_DISSATISFIED, when=at(2026, 10, 13, 9), excluded=True)  # malicious, on appeal
    rate(one, Level.VERY_SATISFIED, when=at(2026, 11, 1, 0, 30))  # November
    rate(two, Level.FAIRLY_SATISFIED, when=at(2026, 10, 20, 15))

    monthly_figures_compute(month=OCTOBER, now=at(2026, 11, 1, 1))

    satisfaction = dict(
        MonthlyFigures.objects.filter(month=OCTOBER, level="centre").values_list("centre_id", "satisfaction")
    )
    assert satisfaction == {one.pk: Decimal("0.6667"), two.pk: Decimal("0.0000"), quiet.pk: None}
    # The street's own totals: 2 satisfied of 4 ratings, not the average of 0.6667 and 0.
    street_row = MonthlyFigures.objects.get(month=OCTOBER, level="street", area=street)
    assert street_row.satisfaction == Decimal("0.5000")
