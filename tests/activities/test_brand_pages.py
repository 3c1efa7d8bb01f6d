"""Brands and projects: /activities/brands/ and a page per brand."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities import services
from tests.activities.factories import ActivityFactory, BrandFactory, open_centre, session
from tests.centres.factories import CommunityFactory, DistrictFactory, StreetFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = dt.time
NOW = dt.datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)  # Tuesday
WED, THU = dt.date(2026, 11, 18), dt.date(2026, 11, 19)


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def brands():
    fengze = DistrictFactory(name="丰泽区")
    licheng = DistrictFactory(name="鲤城区")
    street = StreetFactory(name="东湖街道", parent=fengze)
    a = open_centre(name="东湖社区党群服务中心", slug="donghu", area=CommunityFactory(name="东湖社区", parent=street))
    b = open_centre(name="圣湖社区党群服务中心", slug="shenghu", area=CommunityFactory(name="圣湖社区", parent=street))
    hidden = open_centre(name="未公开中心", slug="hidden", area=CommunityFactory(parent=street), is_published=False)
    other = open_centre(name="开元社区党群服务中心", area=CommunityFactory(parent__parent=licheng))
    station = services.brand_save(area=street, name="红色驿站", description="为户外劳动者提供歇脚、热水和充电。")
    evening = services.brand_save(area=fengze, name="青年夜校")
    empty = services.brand_save(area=licheng, name="邻里义剪")
    rest = ActivityFactory(centre=a, title="驿站歇脚", brand=station)
    rest_b = ActivityFactory(centre=b, title="爱心午餐", brand=station)
    hidden_rest = ActivityFactory(centre=hidden, title="隐藏驿站", brand=station)
    sessions = [
        session(rest, date=WED, starts=T(9), ends=T(10)),
        session(rest, date=THU, starts=T(9), ends=T(10)),
        session(rest_b, date=THU, starts=T(11), ends=T(12)),
        session(hidden_rest, date=THU, starts=T(11), ends=T(12)),
    ]
    services.occurrences_cancel(occurrence=sessions[1], reason="暴雨")
    return {"station": station, "evening": evening, "empty": empty, "a": a, "b": b, "other": other, "rest": rest}


def test_the_brand_list_groups_brands_by_district_with_upcoming_counts(client, brands):
    response = client.get("/activities/brands/")
    assert response.status_code == 200
    listed = [(brand.district.name, brand.name, brand.upcoming) for brand in response.context["brands"]]
    # Cancelled sessions and unpublished centres are not counted.
    assert listed == [("丰泽区", "红色驿站", 2), ("丰泽区", "青年夜校", 0), ("鲤城区", "邻里义剪", 0)]
    html = response.content.decode()
    assert html.index("丰泽区") < html.index("红色驿站") < html.index("鲤城区") < html.index("邻里义剪")
    assert f'href="/activities/brands/{brands["station"].slug}/"' in html


def test_a_brand_page_shows_its_description_area_centres_and_sessions(client, brands, english):
    response = client.get(f"/en/activities/brands/{brands['station'].slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>红色驿站</h1>" in html
    assert "为户外劳动者提供歇脚、热水和充电。" in html
    assert "Area: 东湖街道" in html
    assert [centre.name for centre in response.context["centres"]] == ["东湖社区党群服务中心", "圣湖社区党群服务中心"]
    assert "未公开中心" not in html and "隐藏驿站" not in html
    assert response.context["paginator"].count == 3
    assert "<del>驿站歇脚</del>" in html and "暴雨" in html
    assert "爱心午餐" in html


def test_past_sessions_are_left_out(client, brands, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 18, 12, 0, tzinfo=SHANGHAI))
    response = client.get(f"/activities/brands/{brands['station'].slug}/")
    assert response.context["paginator"].count == 2


def test_an_unknown_brand_is_not_found(client, brands):
    assert client.get("/activities/brands/nothing-here/").status_code == 404


def test_a_brand_without_sessions_says_so(client, brands, english):
    html = client.get(f"/en/activities/brands/{brands['empty'].slug}/").content.decode()
    assert "No sessions planned yet." in html
    assert "No centre runs this brand" in html


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_brand_pages_cost_the_same_queries_for_many_sessions(client, brands):
    detail = f"/activities/brands/{brands['station'].slug}/"
    few_list, few_detail = count(client, "/activities/brands/"), count(client, detail)
    for _ in range(8):
        ActivityFactory(centre=brands["a"], brand=BrandFactory(area=brands["a"].district))
    more = ActivityFactory(centre=brands["b"], title="驿站热水", brand=brands["station"])
    for day in range(1, 40):
        session(more, date=NOW.date() + dt.timedelta(days=day), starts=T(9, 30), ends=T(10), room=None)
    assert count(client, "/activities/brands/") == few_list == 1
    assert count(client, detail) == few_detail <= 4
