import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from activities import feeds
from activities.models import Audience, Occurrence
from activities.recurrence import aware
from activities.services import occurrences_cancel, occurrences_reschedule
from centres.holidays import DayType, national_day
from centres.models import Centre, ServiceFunctionCode
from centres.services import room_save
from tests.activities.factories import ActivityFactory, PartnerFactory, open_centre, room_of, session

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def working_day(after: dt.date | None = None, weekday: int = 1) -> dt.date:
    """The next working day on ``weekday`` (default Tuesday) after ``after``."""
    day = (after or timezone.localdate()) + dt.timedelta(days=1)
    while day.weekday() != weekday or national_day(day).type != DayType.WORKING_DAY:
        day += dt.timedelta(days=1)
    return day


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def uids(calendar: Calendar) -> set[str]:
    return {str(event["UID"]) for event in calendar.events}


def uid(occurrence) -> str:
    return f"occurrence-{occurrence.pk}@testserver"


def history(activity, *, days_ago: int, hour: int = 10) -> Occurrence:
    """A past session, written directly (the services refuse the past)."""
    date = timezone.localdate() - dt.timedelta(days=days_ago)
    return Occurrence.objects.create(
        activity=activity,
        centre=activity.centre,
        room=room_of(activity.centre),
        starts_at=aware(date, dt.time(hour)),
        ends_at=aware(date, dt.time(hour + 1)),
    )


@pytest.fixture
def centre():
    return open_centre(name="浔美社区党群服务中心", slug="xunmei", address="泉州市丰泽区浔美路8号")


@pytest.fixture
def calligraphy(centre):
    partner = PartnerFactory(centre=centre, name="翰墨志愿服务队")
    return ActivityFactory(
        centre=centre, title="书法班", description="毛笔书法入门。", partner=partner, booking_opens_days=5
    )


def test_a_centre_feed_is_a_calendar_with_every_property(client, centre, calligraphy, english):
    date = working_day()
    evening = session(calligraphy, date=date, starts=dt.time(19), ends=dt.time(20, 30))

    response = client.get(f"/en/centres/{centre.slug}/calendar.ics")

    calendar = parse(response)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == feeds.PRODID
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "浔美社区党群服务中心"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in response.content
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Shanghai"]
    assert calendar.get_missing_tzids() == set()

    [event] = calendar.events
    url = f"http://testserver/en/activities/{evening.pk}/"
    assert str(event["UID"]) == f"occurrence-{evening.pk}@testserver"
    assert event.stamp is not None
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event["DTEND"].params["TZID"] == "Asia/Shanghai"
    assert event.start == dt.datetime.combine(date, dt.time(19), SHANGHAI) == evening.starts_at
    assert event.end == dt.datetime.combine(date, dt.time(20, 30), SHANGHAI)
    assert f"DTSTART;TZID=Asia/Shanghai:{date:%Y%m%d}T190000\r\n".encode() in response.content
    assert event.summary == "书法班"
    assert event.location == "浔美社区党群服务中心, 多功能活动室, 泉州市丰泽区浔美路8号"
    assert event.description == (
        "毛笔书法入门。\n"
        "For whom: Everyone\n"
        "Organiser: 翰墨志愿服务队\n"
        "How to take part: book a place on the session's page; booking opens 5 days before the session.\n"
        "After-hours service: Extended hours\n"
        f"Details and booking: {url}"
    )
    assert event.url == url
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.sequence == 0
    last_change = max(evening.updated_at, calligraphy.updated_at, centre.updated_at)
    assert event.last_modified == last_change.replace(microsecond=0)
    assert event.categories == ["Culture and sports"]


def test_the_text_is_in_the_language_of_the_request(client, centre, calligraphy):
    session(calligraphy, date=working_day(), starts=dt.time(19), ends=dt.time(20, 30))

    [chinese] = parse(client.get("/centres/xunmei/calendar.ics")).events
    [english] = parse(client.get("/en/centres/xunmei/calendar.ics")).events

    assert chinese.categories == ["文化体育"]
    assert "延时服务" in chinese.description
    assert chinese.url.startswith("http://testserver/activities/")
    assert english.categories == ["Culture and sports"]
    assert "Extended hours" in english.description
    assert english.url.startswith("http://testserver/en/activities/")
    assert chinese["UID"] == english["UID"]


def test_uids_take_the_configured_domain_whatever_host_was_asked(client, centre, calligraphy, settings):
    settings.CALENDAR_UID_DOMAIN = "portal.example.cn"
    settings.ALLOWED_HOSTS = ["testserver", "other.example.cn"]
    evening = session(calligraphy, date=working_day(), starts=dt.time(19), ends=dt.time(20, 30))

    [first] = parse(client.get("/centres/xunmei/calendar.ics")).events
    [second] = parse(client.get("/centres/xunmei/calendar.ics", HTTP_HOST="other.example.cn")).events

    assert str(first["UID"]) == str(second["UID"]) == f"occurrence-{evening.pk}@portal.example.cn"


def test_a_cancelled_session_says_so_with_its_reason(client, centre, calligraphy, english):
    cancelled = session(calligraphy, date=working_day(), starts=dt.time(19), ends=dt.time(20, 30))
    kept = session(calligraphy, date=working_day(weekday=3), starts=dt.time(19), ends=dt.time(20, 30))
    occurrences_cancel(occurrence=cancelled, reason="老师生病")

    events = {str(e["UID"]): e for e in parse(client.get("/en/centres/xunmei/calendar.ics")).events}

    assert str(events[uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert events[uid(cancelled)].summary == "Cancelled: 书法班"
    assert events[uid(cancelled)].description.startswith("This session is cancelled: 老师生病\n毛笔书法入门。")
    assert str(events[uid(kept)]["STATUS"]) == "CONFIRMED"
    assert events[uid(kept)].summary == "书法班"


def test_a_moved_session_keeps_its_uid_and_gets_a_higher_sequence(client, centre, calligraphy):
    moved = session(calligraphy, date=working_day(), starts=dt.time(19), ends=dt.time(20, 30))
    two_hours_ago = timezone.now() - dt.timedelta(hours=2)
    Occurrence.objects.filter(pk=moved.pk).update(created_at=two_hours_ago, updated_at=two_hours_ago)
    type(calligraphy).objects.filter(pk=calligraphy.pk).update(updated_at=two_hours_ago)
    Centre.objects.filter(pk=centre.pk).update(updated_at=two_hours_ago)
    [before] = parse(client.get("/centres/xunmei/calendar.ics")).events

    moved.refresh_from_db()
    occurrences_reschedule(occurrence=moved, starts=dt.time(18), ends=dt.time(19, 30), room=room_of(centre))

    [after] = parse(client.get("/centres/xunmei/calendar.ics")).events
    assert str(after["UID"]) == str(before["UID"]) == uid(moved)
    assert before.sequence == 0
    assert after.sequence > before.sequence
    assert after.last_modified > before.last_modified
    assert after.start.time() == dt.time(18)
    assert before.start.time() == dt.time(19)


def test_a_feed_reaches_from_30_days_ago_to_180_days_ahead(client, centre, calligraphy):
    old = history(calligraphy, days_ago=31)
    recent = history(calligraphy, days_ago=29)
    soon = session(calligraphy, date=working_day(), starts=dt.time(19), ends=dt.time(20, 30))
    far_date = timezone.localdate() + dt.timedelta(days=181)
    too_far = Occurrence.objects.create(
        activity=calligraphy,
        centre=centre,
        starts_at=aware(far_date, dt.time(10)),
        ends_at=aware(far_date, dt.time(11)),
    )

    calendar = parse(client.get("/centres/xunmei/calendar.ics"))

    assert uids(calendar) == {uid(recent), uid(soon)}
    assert [e.start for e in calendar.events] == [recent.starts_at, soon.starts_at]
    assert uid(old) not in uids(calendar) and uid(too_far) not in uids(calendar)


def test_the_filters_dates_narrow_the_feed_but_never_widen_it(client, centre, calligraphy):
    recent = history(calligraphy, days_ago=10)
    old = history(calligraphy, days_ago=60)
    first = working_day()
    later = working_day(first + dt.timedelta(days=7))
    soon = session(calligraphy, date=first, starts=dt.time(19), ends=dt.time(20, 30))
    next_week = session(calligraphy, date=later, starts=dt.time(19), ends=dt.time(20, 30))

    def feed(query):
        return uids(parse(client.get(f"/centres/xunmei/calendar.ics?{query}")))

    assert feed(f"start={first}") == {uid(soon), uid(next_week)}
    assert feed(f"end={first}") == {uid(recent), uid(soon)}
    assert feed(f"start={first}&end={first}") == {uid(soon)}
    assert feed("start=2000-01-01&end=2100-01-01") == {uid(recent), uid(soon), uid(next_week)}
    assert uid(old) not in feed("start=2000-01-01")
    # An end before the start is refused, as the HTML calendar refuses it; the start holds.
    assert feed(f"start={later}&end={first}") == {uid(next_week)}


@pytest.mark.parametrize(
    "query",
    ["start=soon&end=2026-13-45", "age=abc&after_hours=maybe", "centre=nowhere&function=magic&audience=cats", "age=-4"],
)
def test_a_malformed_filter_is_ignored(client, centre, calligraphy, query):
    shown = session(calligraphy, date=working_day(), starts=dt.time(19), ends=dt.time(20, 30))

    calendar = parse(client.get(f"/activities/calendar.ics?{query}"))

    assert uids(calendar) == {uid(shown)}


def test_the_calendar_feed_applies_the_filters_of_the_calendar(client, centre, calligraphy, english):
    other = open_centre(name="金山社区党群服务中心", slug="jinshan")
    day = working_day()
    evening = session(calligraphy, date=day, starts=dt.time(19), ends=dt.time(20, 30))
    morning = session(calligraphy, date=day, starts=dt.time(9), ends=dt.time(10))
    lunch = ActivityFactory(centre=other, title="长者午餐", service_function=ServiceFunctionCode.ELDERCARE)
    meal = session(lunch, date=day, starts=dt.time(11), ends=dt.time(12, 30))
    homework = ActivityFactory(
        centre=other,
        title="四点半课堂",
        service_function=ServiceFunctionCode.CHILDCARE,
        audience=Audience.CHILDREN,
        min_age=6,
        max_age=12,
    )
    class_ = session(homework, date=day, starts=dt.time(16, 30), ends=dt.time(18, 30))
    Centre.objects.filter(pk=other.pk)  # both published

    def feed(query=""):
        return parse(client.get(f"/en/activities/calendar.ics?{query}"))

    assert uids(feed()) == {uid(evening), uid(morning), uid(meal), uid(class_)}
    assert str(feed()["X-WR-CALNAME"]) == "Activities"
    assert uids(feed("centre=jinshan")) == {uid(meal), uid(class_)}
    assert str(feed("centre=jinshan")["X-WR-CALNAME"]) == "金山社区党群服务中心"
    assert uids(feed("function=eldercare")) == {uid(meal)}
    assert str(feed("function=eldercare")["X-WR-CALNAME"]) == "Activities · Elder care"
    assert uids(feed("after_hours=on")) == {uid(evening), uid(class_)}
    assert str(feed("after_hours=on")["X-WR-CALNAME"]) == "Activities · after hours"
    # A child of 8 may join what is for everyone and what is for children of 6–12.
    assert uids(feed("age=8")) == {uid(evening), uid(morning), uid(meal), uid(class_)}
    assert uids(feed("age=14")) == {uid(evening), uid(morning), uid(meal)}
    assert str(feed("age=14")["X-WR-CALNAME"]) == "Activities · for a child of 14"
    assert uids(feed("audience=children")) == {uid(class_)}
    street = centre.street
    assert uids(feed(f"street={street.pk}")) == {uid(evening), uid(morning)}
    assert str(feed(f"street={street.pk}")["X-WR-CALNAME"]) == f"Activities · {street.name}"
    assert uids(feed("centre=jinshan&after_hours=on&function=childcare")) == {uid(class_)}


def test_a_centre_feed_takes_the_filters_too(client, centre, calligraphy):
    day = working_day()
    evening = session(calligraphy, date=day, starts=dt.time(19), ends=dt.time(20, 30))
    session(calligraphy, date=day, starts=dt.time(9), ends=dt.time(10))

    calendar = parse(client.get("/centres/xunmei/calendar.ics?after_hours=on&centre=elsewhere"))

    assert uids(calendar) == {uid(evening)}


def test_sessions_of_unpublished_centres_are_not_in_the_feeds(client, centre, calligraphy):
    hidden = open_centre(slug="hidden")
    shown = session(calligraphy, date=working_day(), starts=dt.time(19), ends=dt.time(20, 30))
    session(ActivityFactory(centre=hidden), date=working_day(), starts=dt.time(19), ends=dt.time(20, 30))
    Centre.objects.filter(pk=hidden.pk).update(is_published=False)

    assert uids(parse(client.get("/activities/calendar.ics"))) == {uid(shown)}


@pytest.mark.parametrize("slug", ["nowhere", "hidden"])
def test_an_unknown_or_unpublished_centre_has_no_feed(client, slug):
    hidden = open_centre(slug="hidden")
    Centre.objects.filter(pk=hidden.pk).update(is_published=False)

    assert client.get(f"/centres/{slug}/calendar.ics").status_code == 404


def test_one_session_downloads_as_a_file(client, centre, calligraphy):
    date = working_day()
    one = session(calligraphy, date=date, starts=dt.time(19), ends=dt.time(20, 30))
    session(calligraphy, date=working_day(date), starts=dt.time(19), ends=dt.time(20, 30))

    response = client.get(f"/activities/{one.pk}/event.ics")

    calendar = parse(response)
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''%E4%B9%A6%E6%B3%95%E7%8F%AD%20{date:%Y-%m-%d}.ics"
    )
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "书法班"
    assert [str(e["UID"]) for e in calendar.events] == [uid(one)]
    assert calendar.events[0].start == one.starts_at
    assert calendar.events[0]["DTSTART"].params["TZID"] == "Asia/Shanghai"


def test_a_session_unknown_or_of_an_unpublished_centre_has_no_file(client, centre, calligraphy):
    one = session(calligraphy, date=working_day(), starts=dt.time(19), ends=dt.time(20, 30))
    assert client.get(f"/activities/{one.pk + 1}/event.ics").status_code == 404

    Centre.objects.filter(pk=centre.pk).update(is_published=False)

    assert client.get(f"/activities/{one.pk}/event.ics").status_code == 404


def _many_sessions(centre, *, activities: int, per_activity: int, room_name: str = "多功能活动室") -> None:
    """Sessions of several activities, every other one with an organiser of its own, in
    the past and to come, in the room ``room_name`` (made if need be)."""
    room = centre.rooms.filter(name=room_name).first() or room_save(centre=centre, name=room_name, capacity=40)
    rows = []
    # Hour after hour, half of them before now and half after, whatever the time of day.
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) - dt.timedelta(
        hours=activities * per_activity // 2
    )
    for index in range(activities):
        partner = PartnerFactory(centre=centre) if index % 2 else None
        activity = ActivityFactory(centre=centre, partner=partner, audience=Audience.ELDERS)
        for number in range(per_activity):
            starts = start + dt.timedelta(hours=index + number * activities)
            rows.append(
                Occurrence(
                    activity=activity,
                    centre=centre,
                    room=room,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(minutes=50),
                    is_after_hours=number % 2 == 0,
                    after_hours_kind="extended" if number % 2 == 0 else "regular",
                )
            )
    Occurrence.objects.bulk_create(rows)


@pytest.mark.parametrize(
    "url", ["/centres/xunmei/calendar.ics", "/activities/calendar.ics?centre=xunmei&age=70&after_hours=on"]
)
def test_a_feed_costs_the_same_queries_whatever_the_number_of_sessions(
    client, centre, url, django_assert_max_num_queries
):
    _many_sessions(centre, activities=1, per_activity=2)
    with CaptureQueriesContext(connection) as few:
        small = parse(client.get(url))

    _many_sessions(centre, activities=12, per_activity=30, room_name="舞蹈室")
    with django_assert_max_num_queries(len(few)), CaptureQueriesContext(connection) as many:
        large = parse(client.get(url))

    # The centre (by slug or through the filter form), the past and the coming sessions.
    assert len(many) == len(few) == 3
    assert len(large.events) > 10 * len(small.events)


def test_a_feed_holds_the_nearest_sessions_at_most(client, centre, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_COMING_EVENTS", 5)
    monkeypatch.setattr(feeds, "MAX_PAST_EVENTS", 3)
    _many_sessions(centre, activities=2, per_activity=240)  # 10 days back, 10 ahead
    now = timezone.now()

    events = parse(client.get("/centres/xunmei/calendar.ics")).events

    assert len(events) == 8
    past = [e for e in events if e.end <= now]
    coming = [e for e in events if e.end > now]
    assert len(past) == 3 and len(coming) == 5
    nearest_coming = Occurrence.objects.filter(ends_at__gt=now).order_by("starts_at")[:5]
    assert [e.start for e in coming] == [o.starts_at for o in nearest_coming]


@pytest.fixture
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 120


@pytest.mark.usefixtures("_page_cache_on")
def test_a_cached_feed_costs_no_query_and_a_change_shows_at_once(
    client, centre, calligraphy, django_assert_num_queries, django_capture_on_commit_callbacks
):
    one = session(calligraphy, date=working_day(), starts=dt.time(19), ends=dt.time(20, 30))
    first = client.get("/centres/xunmei/calendar.ics")

    with django_assert_num_queries(0):
        again = client.get("/centres/xunmei/calendar.ics")
    english = client.get("/en/centres/xunmei/calendar.ics")

    assert again.content == first.content
    assert parse(english).events[0].categories == ["Culture and sports"]
    assert parse(again).events[0].categories == ["文化体育"]

    with django_capture_on_commit_callbacks(execute=True):
        occurrences_cancel(occurrence=one, reason="场地维修")

    [event] = parse(client.get("/centres/xunmei/calendar.ics")).events
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_feed_is_true_until_midnight(rf, centre, calligraphy):
    session(calligraphy, date=working_day(), starts=dt.time(19), ends=dt.time(20, 30))
    request = rf.get("/centres/xunmei/calendar.ics")

    response = feeds.CentreFeedView.as_view()(request, slug="xunmei")

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert response.valid_until == aware(tomorrow, dt.time())
