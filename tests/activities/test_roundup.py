"""The monthly round-up (activities/roundup.py): on 1 December 2026 each resident who asked
for it gets December's featured activities near them (or the district's most booked) and
their community's most popular projects of November, counted by hand below; nothing
for someone with nothing to be told; nothing twice."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from activities.models import Occurrence
from activities.roundup import TEXT_LIMIT, month_bounds, monthly_roundup_send
from activities.tasks import send_monthly_roundup
from bookings.models import Booking
from portal import sms
from portal.models import Notification
from portal.notifications import notifications_send_due
from tests.activities.factories import ActivityFactory, BrandFactory
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import UserFactory
from tests.stats.factories import BookingFactory, OccurrenceFactory, at, place

pytestmark = pytest.mark.django_db

DECEMBER = dt.date(2026, 12, 1)
NOW = at(2026, 12, 1, 9)  # the beat's run
BASE = "https://portal.example.cn"


@pytest.fixture(autouse=True)
def _portal_address(settings):
    settings.PORTAL_BASE_URL = BASE + "/"


@pytest.fixture(autouse=True)
def sms_outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def booked(occurrence, count: int, **fields) -> None:
    for n in range(count):
        place(occurrence, person_name=f"居民{n}", **fields)


@pytest.fixture
def areas():
    """丰泽区: 丰泽街道 (丰泽社区 with centre A, 圣湖社区 without one, the street's own centre
    E) and 东湖街道 (星光社区, centre F). 金东区: 光南社区, centre H."""
    d = SimpleNamespace()
    d.fengze_district = DistrictFactory(name="丰泽区")
    d.fengze_street = StreetFactory(name="丰泽街道", parent=d.fengze_district)
    d.fengze = CommunityFactory(name="丰泽社区", parent=d.fengze_street)
    d.shenghu = CommunityFactory(name="圣湖社区", parent=d.fengze_street)
    d.donghu = StreetFactory(name="东湖街道", parent=d.fengze_district)
    d.xingguang = CommunityFactory(name="星光社区", parent=d.donghu)
    d.jindong = DistrictFactory(name="金东区", city="金华市")
    d.duohu = StreetFactory(name="多湖街道", parent=d.jindong)
    d.guangnan = CommunityFactory(name="光南社区", parent=d.duohu)
    d.a = CentreFactory(name="丰泽社区党群服务中心", area=d.fengze)
    d.e = CentreFactory(name="丰泽街道党群服务中心", area=d.fengze_street, kind="street")
    d.f = CentreFactory(name="星光社区党群服务中心", area=d.xingguang)
    d.h = CentreFactory(name="光南社区党群服务中心", area=d.guangnan)
    return d


@pytest.fixture
def programme(areas):
    """December's featured activities and November's places booked.

    Featured in December, still to come at 09:00 on the 1st: 青年夜校·摄影 at A (from Tue
    8 Dec; 3 places booked in November), 邻里市集 at E (Sat 5 Dec; none), 太极拳 at F (Thu
    3 Dec; 5), 光南读书会 at H (Fri 4 Dec; none). Projects of 丰泽社区 in November (centre
    A): 泉心为民 3 places, 一老一小 1 place; of 星光社区 (F): 泉心为民 5 places."""
    d = areas
    quanxin = BrandFactory(name="泉心为民", area=d.fengze_district)
    yilao = BrandFactory(name="一老一小", area=d.fengze)
    guangnan = BrandFactory(name="光南书香", area=d.jindong)

    night_school = ActivityFactory(centre=d.a, title="青年夜校·摄影", brand=quanxin)
    OccurrenceFactory(activity=night_school, starts_at=at(2026, 12, 8, 19))
    OccurrenceFactory(activity=night_school, starts_at=at(2026, 12, 15, 19))
    november = OccurrenceFactory(activity=night_school, starts_at=at(2026, 11, 17, 19))
    booked(november, 3)
    place(november, person_name="退订", status=Booking.Status.CANCELLED, held=False)  # gave it up before
    place(november, person_name="候补", status=Booking.Status.WAITING, held=False)
    called_off = OccurrenceFactory(
        activity=night_school, starts_at=at(2026, 11, 24, 19), status=Occurrence.Status.CANCELLED
    )
    booked(called_off, 2)
    booked(OccurrenceFactory(activity=night_school, starts_at=at(2026, 10, 27, 19)), 4)  # October
    meals = ActivityFactory(centre=d.a, title="长者助餐", brand=yilao)
    booked(OccurrenceFactory(activity=meals, starts_at=at(2026, 11, 10, 11)), 1)
    market = ActivityFactory(centre=d.e, title="邻里市集", brand=yilao)
    OccurrenceFactory(activity=market, starts_at=at(2026, 12, 5, 10))
    taichi = ActivityFactory(centre=d.f, title="太极拳", brand=quanxin)
    OccurrenceFactory(activity=taichi, starts_at=at(2026, 12, 3, 7))
    booked(OccurrenceFactory(activity=taichi, starts_at=at(2026, 11, 12, 7)), 5)
    reading = ActivityFactory(centre=d.h, title="光南读书会", brand=guangnan)
    OccurrenceFactory(activity=reading, starts_at=at(2026, 12, 4, 19))

    # Not featured in December: no brand, only before 09:00 on the 1st, cancelled, in
    # January, or at a centre not shown to the public.
    OccurrenceFactory(activity=ActivityFactory(centre=d.a, title="书法班"), starts_at=at(2026, 12, 2, 19))
    early = ActivityFactory(centre=d.a, title="晨练", brand=quanxin)
    OccurrenceFactory(activity=early, starts_at=at(2026, 12, 1, 7))
    talk = ActivityFactory(centre=d.a, title="健康讲座", brand=quanxin)
    OccurrenceFactory(activity=talk, starts_at=at(2026, 12, 9, 9), status=Occurrence.Status.CANCELLED)
    OccurrenceFactory(activity=ActivityFactory(centre=d.a, title="新年音乐会", brand=quanxin), starts_at=at(2027, 1, 2))
    hidden = CentreFactory(name="丰泽社区筹建站", area=d.fengze, is_published=False)
    OccurrenceFactory(activity=ActivityFactory(centre=hidden, title="筹备会", brand=quanxin), starts_at=at(2026, 12, 2))
    return d


def calendar(street=None) -> str:
    query = f"&street={street.pk}" if street else ""
    return f"/en/activities/?view=month&start=2026-12-01{query}"


def resident(name, community=None, **fields):
    return UserFactory(name=name, home_community=community, wants_monthly_roundup=True, **fields)


def messages():
    """(recipient, kind, text, link) of every message, in code-point order."""
    return sorted(Notification.objects.values_list("recipient__name", "kind", "text", "url"))


def test_residents_get_featured_activities_near_them_and_their_communitys_projects(programme):
    d = programme
    resident("林晓禾", d.fengze, phone="13800000001")
    resident("蔡秀兰", d.shenghu)
    resident("陈志远", d.xingguang)
    UserFactory(name="不订阅", home_community=d.fengze)
    resident("已注销", d.fengze, is_active=False)

    assert monthly_roundup_send(now=NOW) == 3

    roundup = Notification.Kind.ROUNDUP
    assert messages() == [
        (
            "林晓禾",
            roundup,
            "December 2026, featured activities near you: 邻里市集 at 丰泽街道党群服务中心 from Sat 5 Dec; "
            "青年夜校·摄影 at 丰泽社区党群服务中心 from Tue 8 Dec. Most popular projects in 丰泽社区 last month: "
            "泉心为民 (3 places booked); 一老一小 (1 place booked). "
            f"See more: {BASE}{calendar(d.fengze_street)}",
            calendar(d.fengze_street),
        ),
        (
            "蔡秀兰",
            roundup,
            "December 2026, featured activities near you: 邻里市集 at 丰泽街道党群服务中心 from Sat 5 Dec. "
            f"See more: {BASE}{calendar(d.fengze_street)}",
            calendar(d.fengze_street),
        ),
        (
            "陈志远",
            roundup,
            "December 2026, featured activities near you: 太极拳 at 星光社区党群服务中心 from Thu 3 Dec. "
            "Most popular projects in 星光社区 last month: 泉心为民 (5 places booked). "
            f"See more: {BASE}{calendar(d.donghu)}",
            calendar(d.donghu),
        ),
    ]
    assert all(len(text) <= TEXT_LIMIT for _name, _kind, text, _url in messages())


def test_residents_without_a_community_get_their_districts_most_booked(programme):
    d = programme
    jindong_regular = resident("金东常客")
    BookingFactory(occurrence=OccurrenceFactory(activity=ActivityFactory(centre=d.h)), resident=jindong_regular)
    BookingFactory(occurrence=OccurrenceFactory(activity=ActivityFactory(centre=d.h)), resident=jindong_regular)
    BookingFactory(occurrence=OccurrenceFactory(activity=ActivityFactory(centre=d.a)), resident=jindong_regular)
    resident("新居民")  # never booked: everyone's most booked

    assert monthly_roundup_send(now=NOW) == 2

    assert messages() == [
        (
            "新居民",
            "roundup",
            "December 2026, the most booked featured activities: 太极拳 at 星光社区党群服务中心 from Thu 3 Dec; "
            "青年夜校·摄影 at 丰泽社区党群服务中心 from Tue 8 Dec; 光南读书会 at 光南社区党群服务中心 from Fri 4 Dec. "
            f"See more: {BASE}{calendar()}",
            calendar(),
        ),
        (
            "金东常客",
            "roundup",
            "December 2026, the most booked featured activities in 金东区: 光南读书会 at 光南社区党群服务中心 "
            f"from Fri 4 Dec. See more: {BASE}{calendar()}",
            calendar(),
        ),
    ]


def test_a_community_with_nothing_near_gets_the_districts_most_booked(programme):
    d = programme
    street = StreetFactory(name="北峰街道", parent=d.fengze_district)
    resident("群峰居民", CommunityFactory(name="群峰社区", parent=street))

    assert monthly_roundup_send(now=NOW) == 1

    assert Notification.objects.get().text == (
        "December 2026, the most booked featured activities in 丰泽区: 太极拳 at 星光社区党群服务中心 from Thu 3 Dec; "
        "青年夜校·摄影 at 丰泽社区党群服务中心 from Tue 8 Dec; 邻里市集 at 丰泽街道党群服务中心 from Sat 5 Dec. "
        f"See more: {BASE}{calendar()}"
    )


def test_a_long_round_up_lists_only_what_fits(areas):
    d = areas
    brand = BrandFactory(name="丰泽社区“一老一小”幸福家园共建项目", area=d.fengze)
    other = BrandFactory(name="泉州市丰泽区新时代文明实践志愿服务品牌", area=d.fengze_district)
    for day, title in ((2, "青年夜校·短视频拍摄与剪辑进阶班"), (3, "长者智能手机使用与防诈骗课堂"), (4, "亲子阅读")):
        activity = ActivityFactory(centre=d.a, title=title, brand=brand)
        OccurrenceFactory(activity=activity, starts_at=at(2026, 12, day, 19))
        booked(OccurrenceFactory(activity=activity, starts_at=at(2026, 11, day, 19)), day)
    booked(OccurrenceFactory(activity=ActivityFactory(centre=d.a, brand=other), starts_at=at(2026, 11, 9, 9)), 1)
    resident("林晓禾", d.fengze)

    assert monthly_roundup_send(now=NOW) == 1

    text = Notification.objects.get().text
    # Five items are too long: the first activity and the first project are kept, the
    # other activities dropped. Whether the second project fits too depends on the
    # length of the link, whose street id the database numbers.
    assert text.startswith(
        "December 2026, featured activities near you: "
        "青年夜校·短视频拍摄与剪辑进阶班 at 丰泽社区党群服务中心 from Wed 2 Dec. "
        "Most popular projects in 丰泽社区 last month: 丰泽社区“一老一小”幸福家园共建项目 (9 places booked)"
    )
    assert text.endswith(f". See more: {BASE}{calendar(d.fengze_street)}")
    assert "长者智能手机使用与防诈骗课堂" not in text and "亲子阅读" not in text
    assert len(text) <= TEXT_LIMIT


def test_a_second_run_sends_nothing_again(programme, sms_outbox):
    resident("林晓禾", programme.fengze, phone="13800000001")
    resident("新居民", phone="13800000009")
    assert monthly_roundup_send(now=NOW) == 2
    notifications_send_due()

    assert monthly_roundup_send(now=NOW) == 0
    assert monthly_roundup_send(month=DECEMBER, now=at(2026, 12, 2, 9)) == 0
    notifications_send_due()

    assert Notification.objects.count() == 2
    assert sorted(message.phone for message in sms_outbox) == ["13800000001", "13800000009"]
    assert {message.message for message in sms_outbox} == set(Notification.objects.values_list("text", flat=True))


def test_nothing_is_sent_when_nothing_featured_is_on(areas):
    d = areas
    brand = BrandFactory(name="泉心为民", area=d.fengze_district)
    featured = ActivityFactory(centre=d.a, title="青年夜校·摄影", brand=brand)
    booked(OccurrenceFactory(activity=featured, starts_at=at(2026, 11, 17, 19)), 3)  # November only
    OccurrenceFactory(activity=featured, starts_at=at(2026, 12, 10, 19), status=Occurrence.Status.CANCELLED)
    OccurrenceFactory(activity=ActivityFactory(centre=d.a, title="书法班"), starts_at=at(2026, 12, 2, 19))
    resident("林晓禾", d.fengze)
    resident("新居民")

    assert monthly_roundup_send(now=NOW) == 0

    assert Notification.objects.count() == 0


def test_the_round_up_is_in_the_residents_language(programme):
    resident("蔡秀兰", programme.shenghu, language="zh-hans")

    monthly_roundup_send(now=NOW)

    message = Notification.objects.get()
    assert "2026年12月" in message.text
    assert "12月5日 周六" in message.text
    assert message.url == f"/activities/?view=month&start=2026-12-01&street={programme.fengze_street.pk}"
    assert message.text.endswith(f"{BASE}{message.url}")


@pytest.mark.parametrize("communities", [1, 10])
def test_the_queries_do_not_grow_with_the_residents(programme, communities, django_assert_max_num_queries):
    """The residents, the districts of those without a community, the featured
    activities, their places last month, the communities' projects, the keys sent
    before, and one insert in a savepoint."""
    d = programme
    for n in range(communities):
        community = CommunityFactory(parent=d.fengze_street)
        for _ in range(3):
            resident(f"居民{n}", community)
    resident("林晓禾", d.fengze)
    homeless = resident("新居民")
    BookingFactory(occurrence=OccurrenceFactory(activity=ActivityFactory(centre=d.h)), resident=homeless)

    with django_assert_max_num_queries(9):
        sent = monthly_roundup_send(now=NOW)

    assert sent == 3 * communities + 2


def test_the_task_sends_this_months_round_up(areas):
    d = areas
    now = timezone.now()
    _start, until = month_bounds(timezone.localdate())
    featured = ActivityFactory(centre=d.a, title="青年夜校·摄影", brand=BrandFactory(area=d.fengze_district))
    OccurrenceFactory(activity=featured, starts_at=now + (until - now) / 2)
    resident("林晓禾", d.fengze)

    assert send_monthly_roundup.delay().get() == 1
    assert send_monthly_roundup.delay().get() == 0

    message = Notification.objects.get()
    assert message.dedupe_key == f"roundup-{timezone.localdate():%Y-%m}-{message.recipient_id}"


def test_the_link_opens_the_month_of_the_residents_street(client, programme):
    resident("林晓禾", programme.fengze)
    monthly_roundup_send(now=NOW)

    response = client.get(Notification.objects.get().url)

    assert response.status_code == 200
    assert response.context["month"] == DECEMBER
    shown = {
        (session.activity.title, session.centre.name)
        for week in response.context["weeks"]
        for day in week
        for session in day.sessions
    }
    assert shown == {
        ("书法班", "丰泽社区党群服务中心"),
        ("晨练", "丰泽社区党群服务中心"),
        ("健康讲座", "丰泽社区党群服务中心"),
        ("青年夜校·摄影", "丰泽社区党群服务中心"),
        ("邻里市集", "丰泽街道党群服务中心"),
    }
