"""The public calendars at /activities/ and /centres/<slug>/activities/: the list, week
and month views, every filter, links that keep the filters, bad input, the default view
by device, and a fixed number of queries."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities import services
from activities.models import Audience
from centres.models import ServiceFunctionCode
from tests.activities.factories import ActivityFactory, open_centre, session
from tests.centres.factories import CommunityFactory, DistrictFactory, StreetFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = dt.time
# Tuesday 17 November 2026, 10:00 in Shanghai: no public holiday that month.
NOW = dt.datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)
WED, THU, FRI, SAT = (dt.date(2026, 11, day) for day in (18, 19, 20, 21))
PHONE_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"

HOMEWORK = "四点钟课堂"
CALLIGRAPHY = "书法班"
HEALTH_TALK = "健康讲座"
CHOIR = "老年合唱团"
READING = "亲子阅读"
HIDDEN = "隐藏活动"
EVERY_PUBLIC = {HOMEWORK, CALLIGRAPHY, HEALTH_TALK, CHOIR, READING}


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def data():
    """Two published centres in two streets of one district, and an unpublished one."""
    district = DistrictFactory(name="丰泽区")
    fengze = StreetFactory(name="丰泽街道", parent=district)
    donghu = StreetFactory(name="东湖街道", parent=district)
    fengze_community = CommunityFactory(name="丰泽社区", parent=fengze)
    shenghu = CommunityFactory(name="圣湖社区", parent=donghu)
    a = open_centre(name="丰泽社区党群服务中心", slug="fengze", area=fengze_community)
    b = open_centre(name="圣湖社区党群服务中心", slug="shenghu", area=shenghu)
    hidden = open_centre(name="未公开中心", slug="hidden", area=fengze_community, is_published=False)

    homework = ActivityFactory(
        centre=a,
        title=HOMEWORK,
        service_function=ServiceFunctionCode.CHILDCARE,
        audience=Audience.CHILDREN,
        min_age=6,
        max_age=12,
    )
    calligraphy = ActivityFactory(centre=a, title=CALLIGRAPHY)
    talk = ActivityFactory(centre=a, title=HEALTH_TALK, service_function=ServiceFunctionCode.MEDICAL)
    choir = ActivityFactory(
        centre=b, title=CHOIR, service_function=ServiceFunctionCode.ELDERCARE, audience=Audience.ELDERS
    )
    reading = ActivityFactory(
        centre=b,
        title=READING,
        service_function=ServiceFunctionCode.CHILDCARE,
        audience=Audience.CHILDREN,
        min_age=3,
        max_age=5,
    )
    sessions = {
        HOMEWORK: session(homework, date=WED, starts=T(17, 30), ends=T(19)),
        CALLIGRAPHY: session(calligraphy, date=THU, starts=T(10), ends=T(11)),
        HEALTH_TALK: session(talk, date=FRI, starts=T(19), ends=T(20)),
        CHOIR: session(choir, date=SAT, starts=T(9, 30), ends=T(11)),
        READING: session(reading, date=SAT, starts=T(14), ends=T(15)),
        HIDDEN: session(ActivityFactory(centre=hidden, title=HIDDEN), date=WED, starts=T(10), ends=T(11)),
    }
    services.occurrences_cancel(occurrence=sessions[HEALTH_TALK], reason="讲师生病")
    return {"a": a, "b": b, "hidden": hidden, "fengze": fengze, "shenghu": shenghu, "sessions": sessions}


SESSION_LINK = re.compile(r'<a[^>]*href="(?:/en)?/activities/\d+/"[^>]*>(.*?)</a>', re.S)


def titles(response) -> set[str]:
    """The titles of the sessions the page links to (not words elsewhere on the page)."""
    links = " | ".join(SESSION_LINK.findall(response.content.decode()))
    return {title for title in EVERY_PUBLIC | {HIDDEN} if title in links}


def get(client, url, ua=DESKTOP_UA, **headers):
    return client.get(url, HTTP_USER_AGENT=ua, **headers)


# Default view by device; the explicit view wins.


def test_the_default_view_is_a_month_on_a_computer(client, data):
    response = get(client, "/activities/")
    assert response.status_code == 200
    assert response.context["mode"] == "month"
    assert 'class="month-grid"' in response.content.decode()
    assert titles(response) == EVERY_PUBLIC
    assert "Sec-CH-UA-Mobile" in response["Vary"] and "User-Agent" in response["Vary"]


def test_the_default_view_is_a_list_on_a_phone(client, data):
    assert get(client, "/activities/", ua=PHONE_UA).context["mode"] == "list"
    assert get(client, "/activities/", HTTP_SEC_CH_UA_MOBILE="?1").context["mode"] == "list"


@pytest.mark.parametrize("mode", ["list", "week", "month"])
def test_the_chosen_view_wins_on_any_device(client, data, mode):
    for ua in (PHONE_UA, DESKTOP_UA):
        response = get(client, f"/activities/?view={mode}", ua=ua)
        assert response.context["mode"] == mode
        assert "User-Agent" not in response.get("Vary", "")


def test_an_unknown_view_falls_back_to_the_device_default(client, data):
    assert get(client, "/activities/?view=year", ua=PHONE_UA).context["mode"] == "list"


# The list view.


def test_the_list_groups_sessions_by_day_from_today_for_thirty_days(client, data):
    response = get(client, "/activities/?view=list")
    assert (response.context["range_start"], response.context["range_end"]) == (NOW.date(), dt.date(2026, 12, 17))
    assert [day.date for day in response.context["days"]] == [WED, THU, FRI, SAT]
    assert [o.activity.title for o in response.context["days"][3].sessions] == [CHOIR, READING]
    assert titles(response) == EVERY_PUBLIC


def session_html(html: str, title: str) -> str:
    """The list item of the session titled ``title``."""
    return next(chunk for chunk in html.split('<li class="session')[1:] if title in chunk)


def test_a_session_shows_time_centre_room_audience_and_after_hours(client, data, english):
    item = session_html(get(client, "/en/activities/?view=list").content.decode(), HOMEWORK)
    assert "17:30–19:00" in item
    assert "丰泽社区党群服务中心" in item
    assert "多功能活动室" in item
    assert "Children · ages 6–12" in item
    assert "After hours: Extended hours" in item
    assert f'href="/en/activities/{data["sessions"][HOMEWORK].pk}/"' in item


def test_a_cancelled_session_stays_visible_struck_with_its_reason(client, data):
    item = session_html(get(client, "/activities/?view=list").content.decode(), HEALTH_TALK)
    assert f"<del>{HEALTH_TALK}</del>" in item
    assert "讲师生病" in item
    assert "session-cancelled" in item


def test_the_list_is_paginated_and_keeps_the_filters(client, data):
    activity = ActivityFactory(centre=data["a"], title="太极拳")
    for day in range(1, 36):
        session(activity, date=NOW.date() + dt.timedelta(days=day), starts=T(9), ends=T(9, 30), room=None)
    response = get(client, "/activities/?view=list&centre=fengze&end=2026-12-31")
    assert response.context["paginator"].count == 3 + 35
    html = response.content.decode()
    assert "?view=list&amp;centre=fengze&amp;end=2026-12-31&amp;page=2" in html
    page2 = get(client, "/activities/?view=list&centre=fengze&end=2026-12-31&page=2")
    assert len(page2.context["page_obj"].object_list) == 8


def test_the_list_covers_a_chosen_date_range(client, data):
    response = get(client, f"/activities/?view=list&start={THU}&end={FRI}")
    assert titles(response) == {CALLIGRAPHY, HEALTH_TALK}


def test_a_day_long_list_from_the_start_date_only(client, data):
    response = get(client, f"/activities/?view=list&start={SAT}")
    assert response.context["range_end"] == SAT + dt.timedelta(days=30)
    assert titles(response) == {CHOIR, READING}


# Each filter.


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("street={fengze}", {HOMEWORK, CALLIGRAPHY, HEALTH_TALK}),
        ("community={shenghu}", {CHOIR, READING}),
        ("centre=shenghu", {CHOIR, READING}),
        ("function=childcare", {HOMEWORK, READING}),
        ("function=medical", {HEALTH_TALK}),
        ("audience=elders", {CHOIR}),
        ("audience=children", {HOMEWORK, READING}),
        ("age=7", {HOMEWORK, CALLIGRAPHY, HEALTH_TALK}),
        ("age=4", {READING, CALLIGRAPHY, HEALTH_TALK}),
        ("after_hours=on", {HOMEWORK, HEALTH_TALK, CHOIR, READING}),
        ("after_hours=on&function=childcare&age=7", {HOMEWORK}),
        ("street={fengze}&community={shenghu}", {HOMEWORK, CALLIGRAPHY, HEALTH_TALK}),
    ],
)
@pytest.mark.parametrize("mode", ["list", "week", "month"])
def test_each_filter_narrows_every_view(client, data, query, expected, mode):
    query = query.format(fengze=data["fengze"].pk, shenghu=data["shenghu"].pk)
    response = get(client, f"/activities/?view={mode}&{query}")
    assert response.status_code == 200
    assert titles(response) == expected
    assert not response.context["form"].errors


def test_the_filters_are_said_in_words(client, data):
    response = get(client, "/en/activities/?view=list&function=childcare&age=7&after_hours=on")
    assert response.context["active_filters"] == ["Childcare and early education", "Child's age: 7", "After hours"]


# Week and month.


def test_the_week_runs_monday_to_sunday_with_links_that_keep_the_filters(client, data):
    response = get(client, f"/activities/?view=week&start={THU}&function=childcare")
    assert [day.date for day in response.context["days"]] == [dt.date(2026, 11, 16 + i) for i in range(7)]
    assert titles(response) == {HOMEWORK, READING}
    assert response.context["total"] == 2
    previous = parse_qs(urlsplit(response.context["previous_url"]).query)
    following = parse_qs(urlsplit(response.context["next_url"]).query)
    assert previous == {"view": ["week"], "start": ["2026-11-09"], "function": ["childcare"]}
    assert following == {"view": ["week"], "start": ["2026-11-23"], "function": ["childcare"]}
    assert titles(get(client, response.context["next_url"])) == set()


def test_the_month_grid_shows_three_sessions_a_day_and_links_to_the_rest(client, data):
    activity = ActivityFactory(centre=data["a"], title="乒乓球")
    for hour in range(9, 15):
        session(activity, date=dt.date(2026, 11, 26), starts=T(hour), ends=T(hour, 30), room=None)
    response = get(client, "/activities/?view=month&centre=fengze")
    days = {day.date: day for week in response.context["weeks"] for day in week}
    busy = days[dt.date(2026, 11, 26)]
    assert (busy.total, len(busy.sessions), busy.more) == (6, 3, 3)
    assert [o.starts_at.astimezone(SHANGHAI).hour for o in busy.sessions] == [9, 10, 11]
    assert parse_qs(urlsplit(busy.more_url).query) == {
        "view": ["list"],
        "centre": ["fengze"],
        "start": ["2026-11-26"],
        "end": ["2026-11-26"],
    }
    more = get(client, busy.more_url)
    assert more.context["paginator"].count == 6
    assert response.context["total"] == 3 + 6
    # Monday 26 October to Sunday 6 December.
    assert response.context["weeks"][0][0].date == dt.date(2026, 10, 26)
    assert response.context["weeks"][-1][-1].date == dt.date(2026, 12, 6)
    assert not days[dt.date(2026, 10, 26)].in_month


def test_month_links_go_to_the_previous_and_next_month(client, data):
    response = get(client, "/activities/?view=month&start=2026-01-31&audience=elders")
    assert response.context["month"] == dt.date(2026, 1, 1)
    assert parse_qs(urlsplit(response.context["previous_url"]).query)["start"] == ["2025-12-01"]
    assert parse_qs(urlsplit(response.context["next_url"]).query)["start"] == ["2026-02-01"]
    assert "audience=elders" in response.context["next_url"]


def test_the_view_switcher_and_the_feed_link_keep_the_filters(client, data):
    response = get(client, f"/activities/?view=week&function=childcare&age=7&after_hours=on&start={THU}&page=2")
    links = {link["mode"]: parse_qs(urlsplit(link["url"]).query) for link in response.context["view_links"]}
    for mode, query in links.items():
        assert query == {
            "view": [mode],
            "function": ["childcare"],
            "age": ["7"],
            "after_hours": ["on"],
            "start": [str(THU)],
        }
    feed = urlsplit(response.context["feed_url"])
    assert feed.path == "/activities/calendar.ics"
    assert parse_qs(feed.query) == {"function": ["childcare"], "age": ["7"], "after_hours": ["on"]}


def test_the_calendar_page_has_a_labelled_filter_form_and_headings(client, data):
    html = get(client, "/activities/?view=list").content.decode()
    assert '<form method="get" action="/activities/"' in html
    assert 'role="search"' in html
    assert re.search(r'<label\s+for="id_age"', html)
    assert 'aria-describedby="id_age_helptext"' in html
    assert '<label for="id_after_hours"' in html
    assert "<h1>" in html and 'id="period-heading"' in html
    assert 'aria-current="page"' in html
    assert "/static/css/calendar.css" in html


# Bad input: the form says what is wrong, in the user's language, and sensible defaults apply.


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=2026-13-45", "start", "Enter a valid date."),
        (f"start={FRI}&end={WED}", "end", "The end date must not be before the start date."),
        ("centre=nowhere", "centre", "Select a valid choice. That choice is not one of the available choices."),
        ("age=abc", "age", "Enter a whole number."),
        ("age=40", "age", "Ensure this value is less than or equal to 17."),
        ("street=999999", "street", "Select a valid choice. That choice is not one of the available choices."),
        ("start=2026-01-01&end=2027-06-01", "end", "Choose at most a year at a time."),
        ("start=0001-01-01", "start", "Choose a date from 2000 to 2099."),
        ("start=9999-12-31", "start", "Choose a date from 2000 to 2099."),
    ],
)
@pytest.mark.parametrize("mode", ["list", "week", "month"])
def test_bad_input_shows_the_error_and_falls_back(client, data, english, query, field, message, mode):
    response = get(client, f"/en/activities/?view={mode}&{query}")
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    html = response.content.decode()
    assert message.replace("'", "&#x27;") in html
    assert 'id="filter-errors"' in html


def test_an_end_date_alone_before_today_is_an_error_in_the_list(client, data, english):
    response = get(client, "/en/activities/?view=list&end=2026-11-01")
    assert response.context["form"].errors["end"] == ["The end date must not be before the start date."]
    assert response.context["range_end"] == NOW.date() + dt.timedelta(days=30)
    assert titles(response) == EVERY_PUBLIC


def test_bad_input_keeps_what_the_user_typed(client, data):
    html = get(client, "/activities/?view=list&age=abc&start=2026-13-45").content.decode()
    assert 'name="age" value="abc"' in html
    assert 'value="2026-13-45"' in html


def test_a_bad_age_is_left_out_and_the_list_starts_today(client, data):
    response = get(client, "/activities/?view=list&age=abc&start=nonsense&function=childcare")
    assert response.context["range_start"] == NOW.date()
    assert titles(response) == {HOMEWORK, READING}


def test_errors_are_in_chinese_by_default(client, data):
    html = get(client, "/activities/?view=list&age=abc").content.decode()
    assert "输入整数" in html


def test_an_end_before_the_start_falls_back_to_thirty_days(client, data):
    response = get(client, f"/activities/?view=list&start={FRI}&end={WED}")
    assert (response.context["range_start"], response.context["range_end"]) == (FRI, FRI + dt.timedelta(days=30))


# The centre's calendar.


def test_the_centre_calendar_shows_only_that_centre(client, data):
    response = get(client, "/centres/shenghu/activities/?view=list")
    assert response.status_code == 200
    assert titles(response) == {CHOIR, READING}
    form = response.context["form"]
    assert {"street", "community", "centre"}.isdisjoint(form.fields)
    assert urlsplit(response.context["feed_url"]).path == "/centres/shenghu/calendar.ics"
    # A centre in the query cannot widen it.
    assert titles(get(client, "/centres/shenghu/activities/?view=list&centre=fengze")) == {CHOIR, READING}


@pytest.mark.parametrize("mode", ["list", "week", "month"])
def test_the_centre_calendar_filters(client, data, mode):
    response = get(client, f"/centres/fengze/activities/?view={mode}&after_hours=on")
    assert titles(response) == {HOMEWORK, HEALTH_TALK}


@pytest.mark.parametrize("slug", ["hidden", "nowhere"])
def test_an_unpublished_or_unknown_centre_calendar_is_not_found(client, data, slug):
    assert get(client, f"/centres/{slug}/activities/").status_code == 404


# Cached pages.


def test_the_page_expires_at_midnight(data, rf):
    from activities.views import CalendarView

    request = rf.get("/activities/", HTTP_USER_AGENT=DESKTOP_UA)
    response = CalendarView.as_view()(request)
    assert response.valid_until == dt.datetime(2026, 11, 18, 0, 0, tzinfo=SHANGHAI)


def test_the_page_cache_keeps_phones_and_computers_apart(client, data, settings):
    settings.PAGE_CACHE_SECONDS = 120
    computer = get(client, "/activities/")
    phone = get(client, "/activities/", ua=PHONE_UA)
    assert 'class="month-grid"' in computer.content.decode()
    assert 'class="month-grid"' not in phone.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = get(client, "/activities/", ua=PHONE_UA)
    assert len(queries) == 0
    assert again.content == phone.content
    assert "User-Agent" in again["Vary"]
    chosen = get(client, "/activities/?view=month", ua=PHONE_UA)
    assert 'class="month-grid"' in chosen.content.decode()


# A fixed number of queries, whatever the number of sessions.


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert get(client, url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/activities/?view=list",
        "/activities/?view=week&start=2026-11-19",
        "/activities/?view=month",
        "/activities/?view=month&function=culture_sports&age=7&street={street}&after_hours=",
        "/centres/fengze/activities/?view=list",
        "/centres/fengze/activities/?view=week&start=2026-11-19",
        "/centres/fengze/activities/?view=month",
    ],
)
def test_pages_cost_the_same_queries_for_few_or_many_sessions(client, data, url, django_assert_max_num_queries):
    url = url.format(street=data["fengze"].pk)
    few = query_count(client, url)
    partner = services.partner_save(centre=data["a"], name="夕阳红志愿队", kind="volunteer_team")
    brand = services.brand_save(area=data["fengze"], name="邻里乐")
    activity = ActivityFactory(centre=data["a"], title="广场舞", partner=partner, brand=brand)
    for day in range(1, 30):
        for hour in (9, 10, 11, 14):
            session(activity, date=NOW.date() + dt.timedelta(days=day), starts=T(hour), ends=T(hour, 45), room=None)
    with django_assert_max_num_queries(few):
        html = get(client, url).content.decode()
    assert "广场舞" in html
    assert few <= 8


def test_the_month_view_fetches_only_the_first_sessions_of_each_day(client, data):
    activity = ActivityFactory(centre=data["a"], title="广场舞")
    for hour in range(8, 17):
        session(activity, date=dt.date(2026, 11, 24), starts=T(hour, 30), ends=T(hour, 55), room=None)
    with CaptureQueriesContext(connection) as queries:
        get(client, "/activities/?view=month")
    full_rows = [q["sql"] for q in queries if '"activities_occurrence"."cancel_reason"' in q["sql"]]
    assert len(full_rows) == 1
    assert re.search(r"IN \(", full_rows[0])
