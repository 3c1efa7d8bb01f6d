"""Tomorrow's rosters (bookings/staff_digest.py): each evening, every active member of a
centre's staff gets one message per centre of theirs with something on tomorrow, counted
by hand below; nothing for a centre with nothing on; nothing twice."""

import datetime as dt

import pytest
from django.utils import timezone

from activities.models import Occurrence, Series
from bookings.models import Appointment, Booking
from bookings.staff_digest import tomorrows_rosters_send
from bookings.tasks import send_tomorrows_rosters
from portal import sms
from portal.models import Notification
from portal.notifications import notifications_send_due
from tests.activities.factories import ActivityFactory
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import CentreStaffFactory, StreetStaffFactory
from tests.stats.factories import AppointmentFactory, BookingFactory, OccurrenceFactory, at, course_booking, place

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, 18:00 in Quanzhou: tomorrow is Tuesday 8 December.
NOW = at(2026, 12, 7, 18)
WAITING = Booking.Status.WAITING


@pytest.fixture(autouse=True)
def sms_outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def area():
    district = DistrictFactory(name="丰泽区")
    street = StreetFactory(name="丰泽街道", parent=district)
    return {
        "street": street,
        "fengze": CommunityFactory(name="丰泽社区", parent=street),
        "shenghu": CommunityFactory(name="圣湖社区", parent=street),
    }


@pytest.fixture
def fengze(area):
    """丰泽社区党群服务中心 and its Tuesday: three sessions (08:30, a course's 16:00, 19:00)
    with 4 places booked and 3 people on waiting lists, and 1 confirmed appointment; around
    them what does not count."""
    centre = CentreFactory(name="丰泽社区党群服务中心", slug="fengze", area=area["fengze"])
    health = ActivityFactory(centre=centre, title="健康讲座", capacity=2)
    morning = OccurrenceFactory(activity=health, starts_at=at(2026, 12, 8, 8, 30))
    place(morning, person_name="王大妈")
    place(morning, person_name="李大爷")
    place(morning, person_name="陈阿姨", status=Booking.Status.OFFERED)  # holds a place, still on the list
    place(morning, person_name="张先生", status=WAITING, held=False)
    place(morning, person_name="刘女士", status=Booking.Status.CANCELLED, held=False)
    evening = ActivityFactory(centre=centre, title="青年夜校·摄影", capacity=10)
    night = OccurrenceFactory(activity=evening, starts_at=at(2026, 12, 8, 19))
    place(night, person_name="林晓禾")
    # A course: its places are at each session, its waiting list is the course's.
    childcare = ActivityFactory(centre=centre, title="四点半课堂", capacity=1)
    series = Series.objects.create(
        activity=childcare,
        rule="FREQ=WEEKLY",
        first_date=dt.date(2026, 12, 1),
        count=2,
        starts=dt.time(16),
        ends=dt.time(18, 30),
        is_course=True,
    )
    first, second = (
        OccurrenceFactory(activity=childcare, series=series, starts_at=at(2026, 12, day, 16)) for day in (1, 8)
    )
    course_booking(series, [first, second], person_name="林小满")
    BookingFactory(
        occurrence=None,
        course=series,
        starts_at=first.starts_at,
        ends_at=second.ends_at,
        person_name="林一诺",
        status=WAITING,
    )
    # Not tomorrow, or not held: none of these counts.
    OccurrenceFactory(activity=health, starts_at=at(2026, 12, 8, 10), status=Occurrence.Status.CANCELLED)  # cancelled
    place(OccurrenceFactory(activity=health, starts_at=at(2026, 12, 7, 23, 30)), person_name="今晚")
    place(OccurrenceFactory(activity=health, starts_at=at(2026, 12, 9, 0, 0)), person_name="后天")
    AppointmentFactory(centre=centre, starts_at=at(2026, 12, 8, 9), checked_in_at=None)
    AppointmentFactory(centre=centre, starts_at=at(2026, 12, 8, 7), checked_in_at=None, status="requested")
    AppointmentFactory(centre=centre, starts_at=at(2026, 12, 9, 9), checked_in_at=None)
    return centre


@pytest.fixture
def shenghu(area):
    """圣湖社区党群服务中心: one session tomorrow at 19:00, nobody booked."""
    centre = CentreFactory(name="圣湖社区党群服务中心", slug="shenghu", area=area["shenghu"])
    OccurrenceFactory(activity=ActivityFactory(centre=centre, title="太极拳"), starts_at=at(2026, 12, 8, 19))
    return centre


@pytest.fixture
def street_centre(area):
    """丰泽街道党群服务中心: two appointments tomorrow, no session."""
    centre = CentreFactory(name="丰泽街道党群服务中心", slug="fengze-street", area=area["street"], kind="street")
    AppointmentFactory(centre=centre, starts_at=at(2026, 12, 8, 14), checked_in_at=None)
    AppointmentFactory(centre=centre, starts_at=at(2026, 12, 8, 9, 30), checked_in_at=None)
    AppointmentFactory(
        centre=centre, starts_at=at(2026, 12, 8, 8), checked_in_at=None, status=Appointment.Status.CANCELLED
    )
    return centre


FENGZE_TEXT = (
    "Tomorrow, Tue 8 Dec, at 丰泽社区党群服务中心: 3 sessions, the first at 08:30, with 4 places booked "
    "and 3 people on waiting lists; 1 appointment."
)
SHENGHU_TEXT = (
    "Tomorrow, Tue 8 Dec, at 圣湖社区党群服务中心: 1 session, the first at 19:00, with 0 places booked "
    "and 0 people on waiting lists; 0 appointments."
)
STREET_TEXT = "Tomorrow, Tue 8 Dec, at 丰泽街道党群服务中心: no sessions; 2 appointments, the first at 09:30."


def messages():
    """(recipient, kind, text, link) of every message, in code-point order."""
    return sorted(Notification.objects.values_list("recipient__name", "kind", "text", "url"))


def test_each_staff_member_gets_each_of_their_centres_day(fengze, shenghu, street_centre):
    CentreStaffFactory(name="黄雅琴", centres=[fengze, shenghu])
    CentreStaffFactory(name="蔡明", centres=[fengze])
    CentreStaffFactory(name="郑芳", centres=[street_centre])

    assert tomorrows_rosters_send(now=NOW) == 4

    roster = Notification.Kind.ROSTER
    assert messages() == [
        ("蔡明", roster, FENGZE_TEXT, "/en/staff/centres/fengze/schedule/?week=2026-12-08"),
        ("郑芳", roster, STREET_TEXT, "/en/staff/centres/fengze-street/appointments/day/2026-12-08/"),
        ("黄雅琴", roster, FENGZE_TEXT, "/en/staff/centres/fengze/schedule/?week=2026-12-08"),
        ("黄雅琴", roster, SHENGHU_TEXT, "/en/staff/centres/shenghu/schedule/?week=2026-12-08"),
    ]
    assert set(Notification.objects.values_list("dedupe_key", flat=True)) == {
        f"roster-2026-12-08-{fengze.pk}-{user_pk}" for user_pk in fengze.staff.values_list("pk", flat=True)
    } | {
        f"roster-2026-12-08-{shenghu.pk}-{shenghu.staff.get().pk}",
        f"roster-2026-12-08-{street_centre.pk}-{street_centre.staff.get().pk}",
    }


def test_staff_get_only_their_own_active_centres(fengze, shenghu, area):
    quiet = CentreFactory(name="圣湖社区老年活动站", area=area["shenghu"])
    CentreStaffFactory(name="黄雅琴", centres=[shenghu])
    CentreStaffFactory(name="蔡明", centres=[fengze], is_active=False)
    CentreStaffFactory(name="郑芳", centres=[quiet])  # nothing on tomorrow
    StreetStaffFactory(name="陈志远", area=area["street"])  # oversees the street, keeps no roster

    assert tomorrows_rosters_send(now=NOW) == 1

    assert messages() == [
        ("黄雅琴", "roster", SHENGHU_TEXT, "/en/staff/centres/shenghu/schedule/?week=2026-12-08"),
    ]


def test_a_second_run_sends_nothing_again(fengze, shenghu, sms_outbox):
    CentreStaffFactory(name="黄雅琴", centres=[fengze, shenghu], phone="13800000002")
    assert tomorrows_rosters_send(now=NOW) == 2
    notifications_send_due()

    assert tomorrows_rosters_send(now=NOW) == 0
    assert tomorrows_rosters_send(now=NOW + dt.timedelta(hours=5)) == 0  # 23:00, still Monday
    notifications_send_due()

    assert Notification.objects.count() == 2
    assert sorted((message.phone, message.message) for message in sms_outbox) == [
        ("13800000002", FENGZE_TEXT),
        ("13800000002", SHENGHU_TEXT),
    ]


def test_the_next_evening_tells_of_the_next_day(fengze):
    CentreStaffFactory(name="黄雅琴", centres=[fengze])
    assert tomorrows_rosters_send(now=NOW) == 1

    assert tomorrows_rosters_send(now=NOW + dt.timedelta(days=1)) == 1  # Wednesday: its 00:00 session

    assert Notification.objects.get(dedupe_key__startswith="roster-2026-12-09-").text == (
        "Tomorrow, Wed 9 Dec, at 丰泽社区党群服务中心: 1 session, the first at 00:00, with 1 place booked "
        "and 0 people on waiting lists; 1 appointment."
    )


def test_nothing_is_sent_when_nothing_is_on_tomorrow(area):
    centre = CentreFactory(name="丰泽社区党群服务中心", area=area["fengze"])
    CentreStaffFactory(centres=[centre])
    activity = ActivityFactory(centre=centre)
    OccurrenceFactory(activity=activity, starts_at=at(2026, 12, 8, 9), status=Occurrence.Status.CANCELLED)
    OccurrenceFactory(activity=activity, starts_at=at(2026, 12, 9, 9))
    AppointmentFactory(centre=centre, starts_at=at(2026, 12, 8, 9), status=Appointment.Status.REQUESTED)

    assert tomorrows_rosters_send(now=NOW) == 0

    assert Notification.objects.count() == 0


def test_tomorrow_is_the_next_day_in_asia_shanghai(fengze):
    """10:30 UTC on Monday is 18:30 in Quanzhou; 17:00 UTC is already Tuesday 01:00 there."""
    CentreStaffFactory(name="黄雅琴", centres=[fengze])
    utc = dt.UTC

    assert tomorrows_rosters_send(now=dt.datetime(2026, 12, 7, 10, 30, tzinfo=utc)) == 1
    assert tomorrows_rosters_send(now=dt.datetime(2026, 12, 7, 17, 0, tzinfo=utc)) == 1

    assert sorted(Notification.objects.values_list("dedupe_key", flat=True)) == [
        f"roster-2026-12-08-{fengze.pk}-{fengze.staff.get().pk}",
        f"roster-2026-12-09-{fengze.pk}-{fengze.staff.get().pk}",
    ]


def test_the_message_is_in_the_staff_members_language(shenghu):
    CentreStaffFactory(name="黄雅琴", centres=[shenghu], language="zh-hans")

    tomorrows_rosters_send(now=NOW)

    message = Notification.objects.get()
    assert "12月8日 周二" in message.text
    assert "19:00" in message.text
    assert message.url == "/staff/centres/shenghu/schedule/?week=2026-12-08"


def _busy_centres(area, count: int) -> None:
    """``count`` centres, each with two sessions tomorrow (places, a waiting list), an
    appointment and two members of staff."""
    for n in range(count):
        centre = CentreFactory(area=area["fengze"])
        CentreStaffFactory.create_batch(2, centres=[centre])
        activity = ActivityFactory(centre=centre)
        for hour in (9, 15):
            session = OccurrenceFactory(activity=activity, starts_at=at(2026, 12, 8, hour))
            place(session, person_name=f"居民{n}")
            place(session, person_name=f"候补{n}", status=WAITING, held=False)
        AppointmentFactory(centre=centre, starts_at=at(2026, 12, 8, 10), checked_in_at=None)


@pytest.mark.parametrize("centres", [1, 12])
def test_the_queries_do_not_grow_with_the_centres(area, centres, django_assert_max_num_queries):
    """Four aggregates, the staff, the keys sent before, and one insert in a savepoint."""
    _busy_centres(area, centres)

    with django_assert_max_num_queries(9):
        sent = tomorrows_rosters_send(now=NOW)

    assert sent == 2 * centres
    assert Notification.objects.filter(
        text__contains="2 sessions, the first at 09:00, with 2 places booked"
    ).count() == (2 * centres)


def test_the_task_tells_of_tomorrow(area):
    centre = CentreFactory(name="丰泽社区党群服务中心", slug="fengze", area=area["fengze"])
    CentreStaffFactory(name="黄雅琴", centres=[centre])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    OccurrenceFactory(
        activity=ActivityFactory(centre=centre),
        starts_at=dt.datetime.combine(tomorrow, dt.time(9, 30), tzinfo=timezone.get_default_timezone()),
    )

    assert send_tomorrows_rosters.delay().get() == 1
    assert send_tomorrows_rosters.delay().get() == 0

    assert Notification.objects.get().url == f"/en/staff/centres/fengze/schedule/?week={tomorrow.isoformat()}"


def test_the_links_open_that_day_for_the_staff_member(client, fengze, street_centre):
    staff = CentreStaffFactory(name="黄雅琴", centres=[fengze, street_centre])
    tomorrows_rosters_send(now=NOW)
    client.force_login(staff)

    week = client.get(Notification.objects.get(url__contains="/schedule/").url)
    appointments = client.get(Notification.objects.get(url__contains="/appointments/").url)

    assert week.status_code == 200
    assert week.context["monday"] == dt.date(2026, 12, 7)
    cells = [cell for day in week.context["days"] for cell in day.cells]
    assert sorted(session.starts_at for _room, sessions in cells for session in sessions) == [
        at(2026, 12, 7, 23, 30),
        at(2026, 12, 8, 8, 30),
        at(2026, 12, 8, 10),
        at(2026, 12, 8, 16),
        at(2026, 12, 8, 19),
        at(2026, 12, 9, 0, 0),
    ]
    assert appointments.status_code == 200
    assert appointments.context["date"] == dt.date(2026, 12, 8)
    assert [a.starts_at for a in appointments.context["active"]] == [at(2026, 12, 8, 9, 30), at(2026, 12, 8, 14)]
