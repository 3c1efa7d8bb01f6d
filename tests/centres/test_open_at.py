"""CentreQuerySet.open_at(moment) says in SQL what CentreHours.status_at says in Python."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from centres.hours import CentreHours
from centres.models import Centre, Day, ServiceKind
from centres.services import centre_hours_replace, date_exception_add
from tests.centres.factories import CentreFactory, weekday_hours

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = dt.time

CLOSED_DATE = dt.date(2026, 11, 18)  # a Wednesday
SPECIAL_DATE = dt.date(2026, 11, 19)  # a Thursday
SPECIAL_SUNDAY = dt.date(2026, 11, 22)


def at(year, month, day, hour, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def centres():
    """Seven centres whose hours differ in every way the rules care about."""
    office = CentreFactory(name="丰泽社区党群服务中心")
    centre_hours_replace(centre=office, periods=weekday_hours())

    evenings = CentreFactory(name="圣湖社区党群服务中心")
    centre_hours_replace(
        centre=evenings,
        periods=weekday_hours(evening_until=T(20, 30), weekend=(T(9), T(17)), holiday=(T(9), T(12))),
    )

    appointments = CentreFactory(name="浔美社区党群服务中心")
    centre_hours_replace(
        centre=appointments,
        periods=[{"day": day, "kind": ServiceKind.APPOINTMENT, "opens": T(7), "closes": T(22)} for day in Day.values],
    )

    mondays = CentreFactory(name="华丰社区党群服务中心")
    centre_hours_replace(
        centre=mondays,
        periods=[{"day": Day.MONDAY, "kind": ServiceKind.REGULAR, "opens": T(8), "closes": T(12)}]
        + [{"day": Day.SATURDAY, "kind": ServiceKind.STAGGERED, "opens": T(14), "closes": T(18)}],
    )

    closed_on_date = CentreFactory(name="北星社区党群服务中心")
    centre_hours_replace(centre=closed_on_date, periods=weekday_hours(evening_until=T(20, 30)))
    date_exception_add(centre=closed_on_date, date=CLOSED_DATE, is_closed=True, note="设备检修")

    special = CentreFactory(name="群峰社区党群服务中心")
    centre_hours_replace(centre=special, periods=weekday_hours())
    date_exception_add(
        centre=special, date=SPECIAL_DATE, is_closed=False, kind=ServiceKind.EXTENDED, opens=T(13), closes=T(21)
    )
    date_exception_add(
        centre=special, date=SPECIAL_SUNDAY, is_closed=False, kind=ServiceKind.REGULAR, opens=T(9), closes=T(11)
    )
    date_exception_add(
        centre=special,
        date=SPECIAL_SUNDAY,
        is_closed=False,
        kind=ServiceKind.APPOINTMENT,
        opens=T(14),
        closes=T(17),
    )

    CentreFactory(name="城东社区党群服务中心")  # no hours at all
    return Centre.objects.all()


MOMENTS = {
    "weekday morning": (at(2026, 11, 17, 10), {"丰泽", "圣湖", "北星", "群峰"}),
    "weekday at regular closing": (at(2026, 11, 17, 17, 30), {"圣湖", "北星"}),
    "weekday evening": (at(2026, 11, 17, 19), {"圣湖", "北星"}),
    "weekday at extended closing": (at(2026, 11, 17, 20, 30), set()),
    "monday morning": (at(2026, 11, 23, 9), {"丰泽", "圣湖", "华丰", "北星", "群峰"}),
    "saturday": (at(2026, 11, 21, 15), {"圣湖", "华丰"}),
    "national day morning": (at(2026, 10, 1, 10), {"圣湖"}),
    "national day afternoon": (at(2026, 10, 1, 15), set()),
    "make-up saturday morning": (at(2026, 2, 28, 10), {"丰泽", "华丰", "北星", "群峰", "圣湖"}),
    "make-up saturday afternoon": (at(2026, 2, 28, 15), {"丰泽", "北星", "群峰", "圣湖"}),
    "closed date morning": (at(2026, 11, 18, 10), {"丰泽", "圣湖", "群峰"}),
    "closed date evening": (at(2026, 11, 18, 19), {"圣湖"}),
    "special hours before they start": (at(2026, 11, 19, 10), {"丰泽", "圣湖", "北星"}),
    "special hours in the evening": (at(2026, 11, 19, 20), {"圣湖", "北星", "群峰"}),
    "special sunday morning": (at(2026, 11, 22, 10), {"圣湖", "群峰"}),
    "special sunday appointments": (at(2026, 11, 22, 15), {"圣湖"}),
    "utc sunday night is monday morning": (
        dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC),
        {"丰泽", "圣湖", "华丰", "北星", "群峰"},
    ),
}


def short_names(centres):
    return {centre.name.removesuffix("社区党群服务中心") for centre in centres}


@pytest.mark.parametrize(("moment", "expected"), MOMENTS.values(), ids=MOMENTS.keys())
def test_open_at_returns_exactly_the_centres_open_for_walk_in_at_that_moment(centres, moment, expected):
    in_python = {
        centre
        for centre in centres.prefetch_related("opening_periods", "date_exceptions")
        if CentreHours.for_centre(centre).status_at(moment).is_open
    }

    in_sql = set(Centre.objects.open_at(moment))

    assert short_names(in_sql) == expected
    assert in_sql == in_python


def test_open_at_chains_with_other_filters(centres):
    evening = at(2026, 11, 17, 19)

    assert short_names(Centre.objects.open_at(evening).search("圣湖")) == {"圣湖"}
    assert short_names(Centre.objects.open_evenings().open_at(at(2026, 11, 18, 19))) == {"圣湖"}


def test_open_at_takes_one_query(centres, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(Centre.objects.open_at(at(2026, 11, 17, 10)))
