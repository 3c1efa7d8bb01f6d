"""The bad-rating rate and the on-time rates of rectification in the monthly figures.

The bad-rating rate is the share of the month's counted ratings at the two lowest levels.
A call-back (a reply) counts in the month its deadline falls, once the deadline has
passed at the roll-up, and is on time when it was made by the deadline. Each level divides
its own totals.

The data set (October 2026, Asia/Shanghai; ✓ on time, ✗ late or missing, – not counted):

Centre ONE (community 圣湖, street 东湖). Ratings in October: very satisfied, satisfied,
fairly satisfied, the bad ratings of c1, c2, c3, and a follow-up (fairly satisfied) to the
September case s1: 7, of which 3 bad. Not counted: a very dissatisfied rating found
malicious on appeal (its case withdrawn, never called back), one on 1 November at 00:30,
and s1's own rating (September).
    c1  call-back due 11 Oct ✓; reply due 31 Oct 23:30, replied at 23:30 ✓
    c2  call-back due 13 Oct, made an hour late ✗; reply due in November –
    c3  call-back due 21 Oct, never made ✗; reply due in November –
    s1  call-back due in September –; reply due 16 Oct, made on the 18th ✗
    → bad 3/7, call-backs 1/3, replies 1/2

Centre TWO (community 丰泽, street 东湖). Ratings in October: very satisfied twice,
satisfied, and c4's bad rating: 4, of which 1 bad.
    c4  call-back due 31 Oct 23:30, made at 20:00 ✓; reply due in November –
    c5  (rated in September) call-back due 1 Oct 00:00, made at 00:00 ✓; reply due
        22 Oct, made on the 21st ✓
    c6  (rated in September) call-back due 30 Sep 23:59 –; reply due 20 Oct, made on
        the 25th ✗
    → bad 1/4, call-backs 2/2, replies 1/2

Centre FAR (community 北峰, street 北峰街道, same district). Ratings: fairly satisfied
and c7's bad rating: 2, of which 1 bad.
    c7  call-back due 6 Oct, made an hour early ✓; reply due 27 Oct, never made ✗
    → bad 1/2, call-backs 1/1, replies 0/1

Centre QUIET (community 东湖社区, street 东湖): nothing, so no rates.

Street 东湖: bad 4/11, call-backs 3/5, replies 2/4. District: bad 5/13, call-backs 4/6,
replies 2/5.

Rolled up at 23:00 on 31 October, the two deadlines at 23:30 are still to come: c1's
reply and c4's call-back (made already) are left out.
"""

import datetime as dt
from decimal import Decimal

import pytest

from ratings.models import Level, Rating, RectificationCase
from stats.models import MonthlyFigures
from stats.rollup import monthly_figures_compute
from tests.activities.factories import open_centre
from tests.centres.factories import CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import UserFactory
from tests.ratings.case_factories import bad_case
from tests.stats.factories import OccurrenceFactory, at, place

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
RATES = ("bad_rating_rate", "callback_on_time_rate", "rectification_on_time_rate")
Status = RectificationCase.Status


def rate(centre, level, *, when, excluded=False) -> Rating:
    """A rating of a session the resident came to the day before."""
    session = OccurrenceFactory(activity__centre=centre, starts_at=when - dt.timedelta(days=1))
    resident = UserFactory()
    booking = place(session, came=True, resident=resident).booking
    return Rating.objects.create(
        centre=centre, booking=booking, resident=resident, level=level, created_at=when, is_excluded=excluded
    )


def follow_up(case, level, *, when) -> Rating:
    first = case.rating
    return Rating.objects.create(
        centre=first.centre,
        booking=first.booking,
        resident=first.resident,
        level=level,
        is_follow_up=True,
        created_at=when,
    )


@pytest.fixture
def units():
    district = DistrictFactory(name="丰泽区")
    street = StreetFactory(name="东湖街道", parent=district)
    far_street = StreetFactory(name="北峰街道", parent=district)
    return {
        "district": district,
        "street": street,
        "far_street": far_street,
        "one": open_centre(area=CommunityFactory(name="圣湖社区", parent=street)),
        "two": open_centre(area=CommunityFactory(name="丰泽社区", parent=street)),
        "quiet": open_centre(area=CommunityFactory(name="东湖社区", parent=street)),
        "far": open_centre(area=CommunityFactory(name="北峰社区", parent=far_street)),
    }


@pytest.fixture
def october(units):
    one, two, far = units["one"], units["two"], units["far"]
    # The cases first: each centre's cases share one bookable session, made by the first.
    bad_case(
        one,
        level=Level.DISSATISFIED,
        opened_at=at(2026, 10, 10, 9),
        callback_due_at=at(2026, 10, 11, 9),
        called_back_at=at(2026, 10, 10, 15),
        reply_due_at=at(2026, 10, 31, 23, 30),
        replied_at=at(2026, 10, 31, 23, 30),
        status=Status.REPLIED,
    )
    bad_case(
        one,
        opened_at=at(2026, 10, 12, 9),
        callback_due_at=at(2026, 10, 13, 9),
        called_back_at=at(2026, 10, 13, 10),
        reply_due_at=at(2026, 11, 2, 9),
        status=Status.AWAITING_REPLY,
    )
    bad_case(one, opened_at=at(2026, 10, 20, 9), callback_due_at=at(2026, 10, 21, 9), reply_due_at=at(2026, 11, 10, 9))
    withdrawn = bad_case(
        one,
        opened_at=at(2026, 10, 13, 9),
        callback_due_at=at(2026, 10, 14, 9),
        reply_due_at=at(2026, 11, 3, 9),
        status=Status.WITHDRAWN,
        appeal=RectificationCase.Appeal.UPHELD,
    )
    Rating.objects.filter(pk=withdrawn.rating_id).update(is_excluded=True)
    september = bad_case(
        one,
        opened_at=at(2026, 9, 25, 9),
        callback_due_at=at(2026, 9, 26, 9),
        called_back_at=at(2026, 9, 25, 11),
        reply_due_at=at(2026, 10, 16, 9),
        replied_at=at(2026, 10, 18, 9),
        status=Status.REPLIED,
    )
    follow_up(september, Level.FAIRLY_SATISFIED, when=at(2026, 10, 19, 10))

    bad_case(
        two,
        opened_at=at(2026, 10, 30, 17),
        callback_due_at=at(2026, 10, 31, 23, 30),
        called_back_at=at(2026, 10, 31, 20),
        reply_due_at=at(2026, 11, 20, 23, 30),
        status=Status.AWAITING_REPLY,
    )
    bad_case(
        two,
        level=Level.DISSATISFIED,
        opened_at=at(2026, 9, 30, 10),
        callback_due_at=at(2026, 10, 1),
        called_back_at=at(2026, 10, 1),
        reply_due_at=at(2026, 10, 22, 9),
        replied_at=at(2026, 10, 21, 16),
        status=Status.REPLIED,
    )
    bad_case(
        two,
        opened_at=at(2026, 9, 29, 23, 59),
        callback_due_at=at(2026, 9, 30, 23, 59),
        reply_due_at=at(2026, 10, 20, 23, 59),
        replied_at=at(2026, 10, 25, 10),
        status=Status.REPLIED,
    )

    bad_case(
        far,
        opened_at=at(2026, 10, 5, 9),
        callback_due_at=at(2026, 10, 6, 9),
        called_back_at=at(2026, 10, 6, 8),
        reply_due_at=at(2026, 10, 27, 9),
        status=Status.AWAITING_REPLY,
    )

    rate(one, Level.VERY_SATISFIED, when=at(2026, 10, 3, 10))
    rate(one, Level.SATISFIED, when=at(2026, 10, 5, 10))
    rate(one, Level.FAIRLY_SATISFIED, when=at(2026, 10, 8, 10))
    rate(one, Level.VERY_DISSATISFIED, when=at(2026, 11, 1, 0, 30))  # November
    rate(two, Level.VERY_SATISFIED, when=at(2026, 10, 2, 10))
    rate(two, Level.VERY_SATISFIED, when=at(2026, 10, 9, 10))
    rate(two, Level.SATISFIED, when=at(2026, 10, 15, 10))
    rate(far, Level.FAIRLY_SATISFIED, when=at(2026, 10, 10, 10))
    return units


def rates_of(row: MonthlyFigures) -> tuple:
    return tuple(getattr(row, name) for name in RATES)


def figures(units) -> dict[str, tuple]:
    centres = {
        name: rates_of(MonthlyFigures.objects.get(month=OCTOBER, level="centre", centre=units[name]))
        for name in ("one", "two", "quiet", "far")
    }
    communities = {
        f"{name} community": rates_of(
            MonthlyFigures.objects.get(month=OCTOBER, level="community", area_id=units[name].area_id)
        )
        for name in ("one", "two", "quiet", "far")
    }
    areas = {
        name: rates_of(MonthlyFigures.objects.get(month=OCTOBER, area=units[name]))
        for name in ("street", "far_street", "district")
    }
    return centres | communities | areas


def rates(bad, callbacks, replies) -> tuple:
    return tuple(None if value is None else Decimal(value) for value in (bad, callbacks, replies))


def test_the_month_s_rates_per_centre_community_street_and_district(october):
    monthly_figures_compute(month=OCTOBER, now=at(2026, 11, 1, 1))

    one, two, far = (
        rates("0.4286", "0.3333", "0.5000"),
        rates("0.2500", "1.0000", "0.5000"),
        rates("0.5000", "1.0000", "0.0000"),
    )
    none = rates(None, None, None)
    assert figures(october) == {
        "one": one,
        "two": two,
        "quiet": none,
        "far": far,
        "one community": one,
        "two community": two,
        "quiet community": none,
        "far community": far,
        # The street's own totals (4/11, 3/5, 2/4), not the average of its centres' rates.
        "street": rates("0.3636", "0.6000", "0.5000"),
        "far_street": far,
        "district": rates("0.3846", "0.6667", "0.4000"),
    }


def test_a_deadline_still_to_come_at_the_roll_up_is_left_out(october):
    monthly_figures_compute(month=OCTOBER, now=at(2026, 10, 31, 23))

    found = figures(october)

    # c1's reply (due at 23:30) is not counted yet, nor c4's call-back, made at 20:00.
    assert found["one"] == rates("0.4286", "0.3333", "0.0000")
    assert found["two"] == rates("0.2500", "1.0000", "0.5000")
    assert found["street"] == rates("0.3636", "0.5000", "0.3333")
    assert found["district"] == rates("0.3846", "0.6000", "0.2500")


def test_the_month_after_counts_its_own_deadlines_only(october):
    monthly_figures_compute(month=dt.date(2026, 11, 1), now=at(2026, 11, 3, 12))

    street = MonthlyFigures.objects.get(month=dt.date(2026, 11, 1), area=october["street"])
    # One rating (very dissatisfied, 1 Nov); c2's reply due on 2 November, not made; the
    # withdrawn case's reply (3 November) is not counted.
    assert rates_of(street) == rates("1.0000", None, "0.0000")


def test_the_roll_up_reads_ratings_and_cases_in_one_query_each(october, django_assert_num_queries):
    # advisory lock, sessions, places, entries, appointments, ratings, cases, people,
    # centres, delete, insert; plus the savepoint's two
    with django_assert_num_queries(13):
        monthly_figures_compute(month=OCTOBER, now=at(2026, 11, 1, 1))
