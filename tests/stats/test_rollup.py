"""The monthly roll-up on a small known data set: October 2026 in two districts, every
figure worked out by hand below (see ``stats/rollup.py`` for the definitions)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from activities.models import Occurrence, Series
from bookings.models import Appointment, Booking
from centres.models import Centre, ServiceFunctionCode
from stats.models import METRIC_NAMES, MonthlyFigures
from stats.rollup import monthly_figures_compute
from tests.activities.factories import ActivityFactory, BrandFactory
from tests.bookings.factories import child_of, resident
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.stats.factories import AppointmentFactory, OccurrenceFactory, at, course_booking, place

OCTOBER = dt.date(2026, 10, 1)
AFTER_OCTOBER = at(2026, 11, 2, 10)
P = "13500000001"  # a guest without an account, by phone: a walk-in, then booked by staff, then an appointment
WALK = Booking.Source.WALK_IN
STAFF = Booking.Source.STAFF


def build_october():
    """Two districts. 丰泽区: 丰泽街道 with the communities 丰泽社区 (centre A) and 圣湖社区
    (centre B) and the street's own centre E; 东湖街道 with 星光社区 (centre F). 金东区:
    one community with centre H. People: residents r1–r5, r1's child k1, a guest with the
    phone P, a guest without a phone."""
    d = SimpleNamespace()
    d.district = DistrictFactory(name="丰泽区")
    d.s1 = StreetFactory(name="丰泽街道", parent=d.district)
    d.s2 = StreetFactory(name="东湖街道", parent=d.district)
    d.c1a = CommunityFactory(name="丰泽社区", parent=d.s1)
    d.c1b = CommunityFactory(name="圣湖社区", parent=d.s1)
    d.c2a = CommunityFactory(name="星光社区", parent=d.s2)
    d.district2 = DistrictFactory(name="金东区", city="金华市")
    d.s3 = StreetFactory(name="多湖街道", parent=d.district2)
    d.c3 = CommunityFactory(name="光南社区", parent=d.s3)
    d.a = CentreFactory(name="丰泽社区党群服务中心", area=d.c1a)
    d.b = CentreFactory(name="圣湖社区党群服务中心", area=d.c1b)
    d.e = CentreFactory(name="丰泽街道党群服务中心", area=d.s1, kind=Centre.Kind.STREET)
    d.f = CentreFactory(name="星光社区党群服务中心", area=d.c2a)
    d.h = CentreFactory(name="光南社区党群服务中心", area=d.c3)
    brand = BrandFactory(name="泉心为民", area=d.district)

    r1, r2, r3, r4, r5 = (resident(f"1380000000{n}", name=f"居民{n}") for n in range(1, 6))
    k1 = child_of(r1, name="林小满")

    # Centre A. a1: 2 h, branded, after hours. Booked r1 (came), r2 (came), k1 (did not
    # come), r4 (from the waiting list, came); r3 gave up before; r5 still waiting.
    a1_activity = ActivityFactory(
        centre=d.a, title="青年夜校·摄影", service_function=ServiceFunctionCode.CULTURE_SPORTS, capacity=10, brand=brand
    )
    a1 = OccurrenceFactory(
        activity=a1_activity, starts_at=at(2026, 10, 5, 19), ends_at=at(2026, 10, 5, 21), is_after_hours=True
    )
    place(a1, resident=r1, came=True)
    place(a1, resident=r2, came=True)
    place(a1, resident=r1, dependant=k1)
    place(a1, resident=r4, came=True, offered_at=at(2026, 10, 3, 9), confirmed_at=at(2026, 10, 3, 10))
    place(a1, resident=r3, status=Booking.Status.CANCELLED, held=False)
    place(a1, resident=r5, status=Booking.Status.WAITING, held=False).delete()  # a waiting entry has no place
    # a2: cancelled by the centre, with its booking and its waiting list: nothing counts.
    a2 = OccurrenceFactory(
        activity=a1_activity,
        starts_at=at(2026, 10, 12, 19),
        ends_at=at(2026, 10, 12, 21),
        status=Occurrence.Status.CANCELLED,
        is_after_hours=True,
    )
    place(a2, resident=r5, status=Booking.Status.CANCELLED, cancelled_by_centre=True, held=False)
    place(a2, resident=r2, status=Booking.Status.CANCELLED, confirmed_at=None, held=False).delete()
    # a3: the last evening of October, 23:30 to 00:30; a4 and a6 just outside October.
    elders = ActivityFactory(
        centre=d.a, title="长者智能手机课", service_function=ServiceFunctionCode.ELDERCARE, capacity=5
    )
    a3 = OccurrenceFactory(
        activity=elders, starts_at=at(2026, 10, 31, 23, 30), ends_at=at(2026, 11, 1, 0, 30), is_after_hours=True
    )
    place(a3, resident=r1, came=True)
    place(a3, resident=r3, came=True)
    a4 = OccurrenceFactory(activity=elders, starts_at=at(2026, 9, 30, 23, 30), ends_at=at(2026, 10, 1, 0, 30))
    place(a4, resident=r4, came=True)
    a6 = OccurrenceFactory(activity=elders, starts_at=at(2026, 11, 1, 0, 0), ends_at=at(2026, 11, 1, 1, 0))
    place(a6, resident=r2, came=True)
    # a5: a drop-in market, 1.5 h: three walk-ins (P; r2, found by phone; a guest without a phone).
    market = ActivityFactory(
        centre=d.a,
        title="邻里市集",
        service_function=ServiceFunctionCode.DAILY_LIFE,
        capacity=30,
        booking_required=False,
    )
    a5 = OccurrenceFactory(activity=market, starts_at=at(2026, 10, 20, 10), ends_at=at(2026, 10, 20, 11, 30))
    place(a5, guest_phone=P, person_name="陈先生", source=WALK, came=True)
    place(a5, resident=r2, source=WALK, came=True)
    place(a5, person_name="路过的居民", source=WALK, came=True)
    AppointmentFactory(centre=d.a, resident=r1, starts_at=at(2026, 10, 10, 19))
    AppointmentFactory(centre=d.a, resident=r2, starts_at=at(2026, 10, 12, 19), checked_in_at=None, no_show=True)

    # Centre B: a course of two sessions of 2.5 h. k1 came to the first only, r3 to the
    # second only, r5 came to the first and then gave the course up (its second place
    # released); r2 was offered a place from the waiting list and let it lapse.
    childcare = ActivityFactory(
        centre=d.b, title="四点半课堂", service_function=ServiceFunctionCode.CHILDCARE, capacity=4
    )
    series = Series.objects.create(
        activity=childcare,
        rule="FREQ=WEEKLY",
        first_date=dt.date(2026, 10, 8),
        count=2,
        starts=dt.time(16),
        ends=dt.time(18, 30),
        is_course=True,
    )
    b1, b2 = (
        OccurrenceFactory(
            activity=childcare, series=series, starts_at=at(2026, 10, day, 16), ends_at=at(2026, 10, day, 18, 30)
        )
        for day in (8, 15)
    )
    course_booking(series, [b1, b2], resident=r1, dependant=k1, attended=[b1])
    course_booking(series, [b1, b2], resident=r3, attended=[b2])
    course_booking(series, [b1, b2], resident=r5, attended=[b1], released=[b2], status=Booking.Status.CANCELLED)
    course_booking(
        series,
        [b1, b2],
        resident=r2,
        released=[b1, b2],
        status=Booking.Status.LAPSED,
        offered_at=at(2026, 10, 6, 9),
        confirmed_at=None,
    )

    # Centre E (the street's own centre): two branded 1 h sessions; at e1 r1 came, P
    # (booked by staff) came, r3 did not; e2 nobody booked.
    talks = ActivityFactory(
        centre=d.e,
        title="泉心为民·读书会",
        service_function=ServiceFunctionCode.CULTURE_SPORTS,
        capacity=20,
        brand=brand,
    )
    e1 = OccurrenceFactory(activity=talks, starts_at=at(2026, 10, 15, 9), ends_at=at(2026, 10, 15, 10))
    OccurrenceFactory(activity=talks, starts_at=at(2026, 10, 22, 9), ends_at=at(2026, 10, 22, 10))
    place(e1, resident=r1, came=True)
    place(e1, guest_phone=P, person_name="陈先生", source=STAFF, came=True)
    place(e1, resident=r3)

    # Centre F: no sessions; two appointments served in October (r5; P at 20:00 on the
    # 31st), one just after.
    AppointmentFactory(centre=d.f, resident=r5, starts_at=at(2026, 10, 11, 19))
    AppointmentFactory(centre=d.f, guest_phone=P, person_name="陈先生", starts_at=at(2026, 10, 31, 20))
    AppointmentFactory(centre=d.f, resident=r4, starts_at=at(2026, 11, 1, 0, 10))

    # Centre H, the other district: one 1 h session, r1 came.
    health = ActivityFactory(centre=d.h, title="健康讲座", service_function=ServiceFunctionCode.ELDERCARE, capacity=10)
    h1 = OccurrenceFactory(activity=health, starts_at=at(2026, 10, 9, 10), ends_at=at(2026, 10, 9, 11))
    place(h1, resident=r1, came=True)
    return d


def figures(
    activities=0,
    featured=0,
    after_hours=0,
    booked=0,
    attended=0,
    residents=0,
    hours="0.00",
    fill=None,
    no_show=None,
    waiting=0,
    appointments=0,
    by_function=None,
):
    return {
        "activities_held": activities,
        "featured_activities_held": featured,
        "after_hours_sessions": after_hours,
        "places_booked": booked,
        "attendances": attended,
        "residents_served": residents,
        "person_hours": Decimal(hours),
        "fill_rate": None if fill is None else Decimal(fill),
        "no_show_rate": None if no_show is None else Decimal(no_show),
        "waiting_list_demand": waiting,
        "appointments_served": appointments,
        "satisfaction": None,
        "bad_rating_rate": None,
        "callback_on_time_rate": None,
        "rectification_on_time_rate": None,
        "by_function": by_function or {},
    }


# A: sessions a1, a3, a5 (a2 cancelled, a4 in September, a6 in November). Booked a1 4 +
# a3 2 + a5 3 = 9; came 3 + 2 + 3 = 8; hours 3×2 + 2×1 + 3×1.5 = 12.5; fill (4+2)/(10+5)
# (the market needs no booking); no-show: k1 of 4 + 0 of 2 booked ahead = 1/6; waiting:
# r4 and r5 at a1 (r2's entry was for the cancelled a2); people r1 r2 r3 r4 P guest = 6.
CENTRE_A = figures(
    activities=3,
    featured=1,
    after_hours=2,
    booked=9,
    attended=8,
    residents=6,
    hours="12.50",
    fill="0.4000",
    no_show="0.1667",
    waiting=2,
    appointments=1,
    by_function={"culture_sports": 1, "daily_life": 1, "eldercare": 1},
)
# B: b1 booked k1 r3 r5 (came k1 r5), b2 booked k1 r3 (came r3): 5 booked, 3 came, 3 × 2.5 h;
# fill 5/(4+4); no-show 2/5; waiting r2 (lapsed offer); people k1 r3 r5.
CENTRE_B = figures(
    activities=2,
    booked=5,
    attended=3,
    residents=3,
    hours="7.50",
    fill="0.6250",
    no_show="0.4000",
    waiting=1,
    by_function={"childcare": 2},
)
# E: e1 booked r1 P r3, came r1 P; fill 3/(20+20); no-show 1/3; people r1 P.
CENTRE_E = figures(
    activities=2,
    featured=2,
    booked=3,
    attended=2,
    residents=2,
    hours="2.00",
    fill="0.0750",
    no_show="0.3333",
    by_function={"culture_sports": 2},
)
# F: no session (rates null), appointments of r5 and P.
CENTRE_F = figures(residents=2, appointments=2)
CENTRE_H = figures(
    activities=1,
    booked=1,
    attended=1,
    residents=1,
    hours="1.00",
    fill="0.1000",
    no_show="0.0000",
    by_function={"eldercare": 1},
)
# 丰泽街道 = A + B + E, but people r1 r2 r3 r4 P guest k1 r5 = 8 (not 6 + 3 + 2); fill
# (6+5+3)/(15+8+40) = 14/63; no-show (1+2+1)/(6+5+3) = 4/14.
STREET_1 = figures(
    activities=7,
    featured=3,
    after_hours=2,
    booked=17,
    attended=13,
    residents=8,
    hours="22.00",
    fill="0.2222",
    no_show="0.2857",
    waiting=3,
    appointments=1,
    by_function={"childcare": 2, "culture_sports": 3, "daily_life": 1, "eldercare": 1},
)
# 丰泽区 = 丰泽街道 + 东湖街道 (F): F's people r5 and P were counted already: still 8.
DISTRICT_1 = STREET_1 | {"appointments_served": 3}


def values(row: MonthlyFigures) -> dict:
    return {name: getattr(row, name) for name in METRIC_NAMES} | {"by_function": row.by_function}


def row_of(month=OCTOBER, *, centre=None, area=None) -> MonthlyFigures:
    if centre is not None:
        return MonthlyFigures.objects.get(month=month, level="centre", centre=centre)
    return MonthlyFigures.objects.get(month=month, level=area.level, area=area)


def snapshot(month=OCTOBER) -> dict:
    return {
        (row.level, row.centre_id or row.area_id, row.street_id, row.district_id): values(row)
        for row in MonthlyFigures.objects.filter(month=month)
    }


@pytest.fixture
def october(db):
    return build_october()


@pytest.mark.django_db
def test_each_centre_has_the_figures_worked_out_by_hand(october):
    assert monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER) == 14

    assert values(row_of(centre=october.a)) == CENTRE_A
    assert values(row_of(centre=october.b)) == CENTRE_B
    assert values(row_of(centre=october.e)) == CENTRE_E
    assert values(row_of(centre=october.f)) == CENTRE_F
    assert values(row_of(centre=october.h)) == CENTRE_H


@pytest.mark.django_db
def test_communities_streets_and_districts_count_people_once_and_divide_their_own_totals(october):
    monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER)

    assert values(row_of(area=october.c1a)) == CENTRE_A
    assert values(row_of(area=october.c1b)) == CENTRE_B
    assert values(row_of(area=october.c2a)) == CENTRE_F
    assert values(row_of(area=october.c3)) == CENTRE_H
    assert values(row_of(area=october.s1)) == STREET_1
    assert values(row_of(area=october.s2)) == CENTRE_F
    assert values(row_of(area=october.s3)) == CENTRE_H
    assert values(row_of(area=october.district)) == DISTRICT_1
    assert values(row_of(area=october.district2)) == CENTRE_H


@pytest.mark.django_db
def test_rows_carry_their_street_and_district_for_scoping(october):
    monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER)

    rows = MonthlyFigures.objects.filter(month=OCTOBER)
    units = {(row.level, row.centre_id or row.area_id): (row.street_id, row.district_id) for row in rows}
    d = october
    assert units == {
        ("centre", d.a.pk): (d.s1.pk, d.district.pk),
        ("centre", d.b.pk): (d.s1.pk, d.district.pk),
        ("centre", d.e.pk): (d.s1.pk, d.district.pk),
        ("centre", d.f.pk): (d.s2.pk, d.district.pk),
        ("centre", d.h.pk): (d.s3.pk, d.district2.pk),
        ("community", d.c1a.pk): (d.s1.pk, d.district.pk),
        ("community", d.c1b.pk): (d.s1.pk, d.district.pk),
        ("community", d.c2a.pk): (d.s2.pk, d.district.pk),
        ("community", d.c3.pk): (d.s3.pk, d.district2.pk),
        ("street", d.s1.pk): (d.s1.pk, d.district.pk),
        ("street", d.s2.pk): (d.s2.pk, d.district.pk),
        ("street", d.s3.pk): (d.s3.pk, d.district2.pk),
        ("district", d.district.pk): (None, d.district.pk),
        ("district", d.district2.pk): (None, d.district2.pk),
    }
    assert {row.month for row in rows} == {OCTOBER}


@pytest.mark.django_db
def test_running_again_gives_the_same_rows_and_no_duplicates(october):
    monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER)
    first = snapshot()

    assert monthly_figures_compute(month=dt.date(2026, 10, 17), now=AFTER_OCTOBER) == 14

    assert snapshot() == first
    assert MonthlyFigures.objects.count() == 14


@pytest.mark.django_db
def test_running_again_after_a_late_check_in_replaces_the_month(october):
    monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER)
    missed = Booking.objects.get(dependant__name="林小满", occurrence__starts_at=at(2026, 10, 5, 19)).places.get()
    missed.checked_in_at = at(2026, 10, 5, 19, 20)
    missed.save()

    monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER)

    a = values(row_of(centre=october.a))
    assert (a["attendances"], a["residents_served"], a["person_hours"], a["no_show_rate"]) == (
        9,
        7,
        Decimal("14.50"),
        Decimal("0.0000"),
    )
    assert MonthlyFigures.objects.count() == 14


@pytest.mark.django_db
def test_other_months_are_left_alone(october):
    monthly_figures_compute(month=dt.date(2026, 9, 1), now=AFTER_OCTOBER)
    september = snapshot(dt.date(2026, 9, 1))

    monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER)
    monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER)

    assert snapshot(dt.date(2026, 9, 1)) == september
    # September: a4 (23:30 on the 30th) at A, r4 came for an hour.
    assert values(row_of(dt.date(2026, 9, 1), centre=october.a)) == figures(
        activities=1,
        booked=1,
        attended=1,
        residents=1,
        hours="1.00",
        fill="0.2000",
        no_show="0.0000",
        by_function={"eldercare": 1},
    )
    assert MonthlyFigures.objects.count() == 28


@pytest.mark.django_db
def test_month_edges_follow_shanghai_time_whatever_the_server_zone(october, settings):
    settings.TIME_ZONE = "UTC"

    monthly_figures_compute(month=dt.date(2026, 11, 1), now=at(2026, 11, 2, 10))

    # November: a6 at 00:00 on the 1st (r2, 1 h) and F's appointment at 00:10; not a3,
    # which started at 23:30 on 31 October Shanghai time (15:30 UTC).
    assert values(row_of(dt.date(2026, 11, 1), centre=october.a)) == figures(
        activities=1,
        booked=1,
        attended=1,
        residents=1,
        hours="1.00",
        fill="0.2000",
        no_show="0.0000",
        by_function={"eldercare": 1},
    )
    assert values(row_of(dt.date(2026, 11, 1), centre=october.f)) == figures(residents=1, appointments=1)


@pytest.mark.django_db
def test_a_month_not_over_counts_what_has_started(october):
    monthly_figures_compute(month=OCTOBER, now=at(2026, 10, 12, 18))

    # By 12 October 18:00: a1 only at A (a5 on the 20th, a3 on the 31st not yet), b1 at B,
    # nothing at E; the appointment of the 10th at A.
    a = values(row_of(centre=october.a))
    assert (a["activities_held"], a["places_booked"], a["attendances"], a["appointments_served"]) == (1, 4, 3, 1)
    assert values(row_of(area=october.s1))["activities_held"] == 2


@pytest.mark.django_db
def test_a_cancelled_session_counts_nothing():
    centre = CentreFactory()
    activity = ActivityFactory(centre=centre, capacity=10)
    session = OccurrenceFactory(activity=activity, status=Occurrence.Status.CANCELLED, is_after_hours=True)
    # Even a place left held and ticked at the cancelled session is not counted.
    place(session, resident=resident("13800000009"), came=True)
    place(session, resident=resident("13800000008"), status=Booking.Status.WAITING, confirmed_at=None, held=False)

    monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER)

    assert values(row_of(centre=centre)) == figures()
    assert values(row_of(area=centre.district)) == figures()


@pytest.mark.django_db
def test_a_quiet_month_gives_every_centre_and_area_a_row_of_zeros(october):
    assert monthly_figures_compute(month=dt.date(2026, 6, 1), now=AFTER_OCTOBER) == 14

    rows = MonthlyFigures.objects.filter(month=dt.date(2026, 6, 1))
    assert [values(row) for row in rows] == [figures()] * 14


@pytest.mark.django_db
def test_appointments_cancelled_or_declined_are_not_served():
    centre = CentreFactory()
    AppointmentFactory(centre=centre, status=Appointment.Status.CANCELLED)
    AppointmentFactory(centre=centre, status=Appointment.Status.DECLINED)
    AppointmentFactory(centre=centre, guest_phone=P, person_name="陈先生")

    monthly_figures_compute(month=OCTOBER, now=AFTER_OCTOBER)

    assert values(row_of(centre=centre)) == figures(residents=1, appointments=1)
