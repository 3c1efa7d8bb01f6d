"""The centre's page at /centres/<slug>/ shows its sessions of the next seven days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities import services
from activities.models import Audience
from centres.models import ServiceFunctionCode
from tests.activities.factories import ActivityFactory, open_centre, session
from tests.centres.factories import CommunityFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = dt.time
NOW = dt.datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)  # Tuesday


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def centre():
    community = CommunityFactory(name="华丰社区", parent__name="泉秀街道", parent__parent__name="丰泽区")
    return open_centre(name="华丰社区党群服务中心", slug="huafeng", area=community)


@pytest.fixture
def week(centre):
    homework = ActivityFactory(
        centre=centre,
        title="四点钟课堂",
        service_function=ServiceFunctionCode.CHILDCARE,
        audience=Audience.CHILDREN,
        min_age=6,
        max_age=12,
    )
    talk = ActivityFactory(centre=centre, title="健康讲座")
    sessions = {
        "today": session(homework, date=NOW.date(), starts=T(17, 30), ends=T(19)),
        "monday": session(homework, date=dt.date(2026, 11, 23), starts=T(17, 30), ends=T(19)),
        "next tuesday": session(homework, date=dt.date(2026, 11, 24), starts=T(17, 30), ends=T(19)),
        "thursday": session(talk, date=dt.date(2026, 11, 19), starts=T(10), ends=T(11)),
    }
    services.occurrences_cancel(occurrence=sessions["thursday"], reason="讲师生病")
    other = open_centre(name="别的中心")
    session(ActivityFactory(centre=other, title="别处的活动"), date=NOW.date(), starts=T(10, 30), ends=T(11))
    return sessions


def test_the_centre_page_lists_the_next_seven_days_by_day(client, centre, week, english):
    response = client.get("/en/centres/huafeng/")
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('id="calendar"') : html.index("calendar.ics")]
    assert "Activities this week" in html
    for label in ("Tue 17 Nov 2026", "Thu 19 Nov 2026", "Mon 23 Nov 2026"):
        assert label in section
    assert "Tue 24 Nov 2026" not in html
    assert section.index("Tue 17 Nov") < section.index("Thu 19 Nov") < section.index("Mon 23 Nov")
    assert "17:30–19:00" in section and "Children · ages 6–12" in section
    assert "<del>健康讲座</del>" in section and "讲师生病" in section
    assert "别处的活动" not in html
    assert f'href="/en/activities/{week["today"].pk}/"' in html


def test_the_centre_page_links_to_the_full_calendar_and_the_feed(client, centre, week):
    html = client.get("/centres/huafeng/").content.decode()
    assert 'href="/centres/huafeng/activities/"' in html
    assert 'href="/centres/huafeng/calendar.ics"' in html


def test_a_quiet_week_says_so(client, centre, english):
    html = client.get("/en/centres/huafeng/").content.decode()
    assert "No activities planned in the next seven days." in html


def test_the_centre_page_costs_the_same_queries_for_a_busy_week(client, centre, week):
    with CaptureQueriesContext(connection) as few:
        client.get("/centres/huafeng/")
    busy = ActivityFactory(centre=centre, title="广场舞")
    for day in range(1, 7):
        for hour in (9, 10, 11, 14, 15):
            session(busy, date=NOW.date() + dt.timedelta(days=day), starts=T(hour), ends=T(hour, 45), room=None)
    with CaptureQueriesContext(connection) as many:
        assert "广场舞" in client.get("/centres/huafeng/").content.decode()
    assert len(many) == len(few)


def test_a_new_session_shows_on_the_cached_centre_page(
    client, centre, week, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 120
    assert "乒乓球" not in client.get("/centres/huafeng/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        activity = ActivityFactory(centre=centre, title="乒乓球")
        session(activity, date=dt.date(2026, 11, 20), starts=T(9), ends=T(10))
    assert "乒乓球" in client.get("/centres/huafeng/").content.decode()
