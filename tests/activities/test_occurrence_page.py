"""A session's own page at /activities/<pk>/: everything a resident needs to go."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from activities import services
from activities.models import Audience
from centres.models import ServiceFunctionCode
from tests.activities.factories import ActivityFactory, open_centre, session
from tests.centres.factories import CommunityFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = dt.time
# Monday 28 September 2026: National Day (1–7 October) is that Thursday.
NOW = dt.datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)
WEDNESDAY = dt.date(2026, 9, 30)
NATIONAL_DAY = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def centre():
    community = CommunityFactory(name="华丰社区", parent__name="泉秀街道", parent__parent__name="丰泽区")
    return open_centre(name="华丰社区党群服务中心", slug="huafeng", area=community, address="泉秀路100号")


@pytest.fixture
def homework(centre):
    partner = services.partner_save(centre=centre, name="阳光社工服务社", kind="social_organisation")
    brand = services.brand_save(area=centre.district, name="四点半课堂")
    return ActivityFactory(
        centre=centre,
        title="四点钟课堂",
        description="作业辅导与阅读。",
        service_function=ServiceFunctionCode.CHILDCARE,
        audience=Audience.CHILDREN,
        min_age=6,
        max_age=12,
        partner=partner,
        brand=brand,
        booking_required=True,
        booking_opens_days=3,
        booking_closes_minutes=90,
        capacity=25,
    )


def page(client, occurrence, prefix="/en"):
    return client.get(f"{prefix}/activities/{occurrence.pk}/")


def test_the_page_says_when_where_for_whom_and_who_organises(client, homework, english):
    occurrence = session(homework, date=WEDNESDAY, starts=T(17, 30), ends=T(19))
    response = page(client, occurrence)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "四点钟课堂" in html
    assert "Wed 30 Sep 2026" in html and "17:30–19:00" in html
    assert 'href="/en/centres/huafeng/"' in html and "泉秀路100号" in html
    assert "多功能活动室" in html
    assert "Children · ages 6–12" in html
    assert "阳光社工服务社" in html
    assert "Childcare and early education" in html
    assert f'href="/en/activities/brands/{homework.brand.slug}/"' in html
    assert "作业辅导与阅读。" in html
    assert "After hours: Extended hours" in html
    assert f'href="/en/activities/{occurrence.pk}/event.ics"' in html
    assert "Add to my phone's calendar" in html


def test_booking_says_when_it_opens_and_closes(client, homework, english):
    occurrence = session(homework, date=dt.date(2026, 10, 14), starts=T(17, 30), ends=T(19))
    html = page(client, occurrence).content.decode()
    assert "Booking needed." in html
    opens = (
        "Booking opens 3 days before the session. It opens on Sun 11 Oct 2026. It closes 90 minutes before the start."
    )
    assert opens in html
    assert "cancel at least 120 minutes before the start" in html


def test_booking_already_open_gives_no_date(client, homework, english):
    html = page(client, session(homework, date=WEDNESDAY, starts=T(17, 30), ends=T(19))).content.decode()
    assert "Booking opens 3 days before the session. It closes 90 minutes before the start." in html


def test_a_drop_in_activity_needs_no_booking(client, centre, english):
    activity = ActivityFactory(centre=centre, title="阅览室开放", booking_required=False)
    html = page(client, session(activity, date=WEDNESDAY, starts=T(9), ends=T(11))).content.decode()
    assert "Drop in, no booking needed." in html
    assert "Booking needed" not in html
    # Run by the centre itself.
    organiser = html[html.index("Organiser") :]
    assert organiser.index("华丰社区党群服务中心") < organiser.index("</dd>")


def test_a_session_on_a_public_holiday_names_it(client, centre):
    activity = ActivityFactory(centre=centre, title="国庆游园")
    html = page(client, session(activity, date=NATIONAL_DAY, starts=T(9, 30), ends=T(11)), prefix="").content.decode()
    assert "2026年10月1日 周四" in html
    assert "国庆节" in html


def test_a_cancelled_session_says_so_with_its_reason(client, homework, english):
    occurrence = session(homework, date=WEDNESDAY, starts=T(17, 30), ends=T(19))
    services.occurrences_cancel(occurrence=occurrence, reason="教室维修")
    html = page(client, occurrence).content.decode()
    assert 'id="cancelled-notice"' in html
    assert "This session is cancelled." in html and "Reason: 教室维修" in html
    assert "<del>四点钟课堂</del>" in html


def test_other_dates_of_the_activity_are_listed_up_to_ten(client, homework):
    first = session(homework, date=WEDNESDAY, starts=T(17, 30), ends=T(19))
    others = [
        session(homework, date=dt.date(2026, 10, day), starts=T(17, 30), ends=T(19))
        for day in (12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27)
    ]
    services.occurrences_cancel(occurrence=others[0], reason="停电")
    response = page(client, first)
    listed = response.context["other_dates"]
    assert [o.pk for o in listed] == [o.pk for o in others[:10]]
    html = response.content.decode()
    assert f'href="/en/activities/{others[9].pk}/"' in html
    assert f'href="/en/activities/{others[10].pk}/"' not in html
    assert f'href="/en/activities/{first.pk}/"' not in html


def test_a_poster_is_shown(client, centre, english):
    out = io.BytesIO()
    Image.new("RGB", (300, 400), "red").save(out, "JPEG")
    activity = ActivityFactory(
        centre=centre, title="重阳节活动", poster=SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")
    )
    html = page(client, session(activity, date=WEDNESDAY, starts=T(9), ends=T(11))).content.decode()
    assert 'alt="Poster: 重阳节活动"' in html


def test_unknown_and_unpublished_sessions_are_not_found(client):
    hidden_centre = open_centre(is_published=False)
    occurrence = session(ActivityFactory(centre=hidden_centre), date=WEDNESDAY, starts=T(9), ends=T(10))
    assert client.get(f"/activities/{occurrence.pk}/").status_code == 404
    assert client.get("/activities/999999/").status_code == 404


def test_the_page_is_kept_until_the_session_ends_or_midnight(rf, centre):
    from activities.views import OccurrenceDetailView

    # A drop-in session: a session with a booking panel is drawn afresh for every request
    # (tests/bookings/test_booking_pages.py).
    reading = ActivityFactory(centre=centre, title="阅览室开放", booking_required=False)
    today = session(reading, date=NOW.date(), starts=T(17, 30), ends=T(19))
    response = OccurrenceDetailView.as_view()(rf.get("/"), pk=today.pk)
    assert response.valid_until == dt.datetime(2026, 9, 28, 19, 0, tzinfo=SHANGHAI)


def test_the_page_costs_the_same_queries_with_many_other_dates(client, homework):
    occurrence = session(homework, date=WEDNESDAY, starts=T(17, 30), ends=T(19))
    with CaptureQueriesContext(connection) as few:
        page(client, occurrence)
    services.series_create(
        activity=homework,
        rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        first_date=dt.date(2026, 10, 12),
        count=40,
        starts=T(17, 30),
        ends=T(19),
        room=None,
    )
    with CaptureQueriesContext(connection) as many:
        assert len(page(client, occurrence).context["other_dates"]) == 10
    assert len(many) == len(few) <= 3
