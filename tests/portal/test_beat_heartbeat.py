"""The beat scheduler's heartbeat: a task every minute records it; staff pages warn when
it is older than BEAT_STALE_AFTER (reminders and offers' expiry are then not running);
residents never see the warning. The check is asked of the database at most every
BEAT_CHECK_SECONDS per process (tests/conftest.py pins it as fresh; these tests reset it)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import context_processors
from portal.models import Heartbeat
from portal.notifications import beat_is_stale, heartbeat_record
from portal.tasks import beat_heartbeat
from tests.centres.factories import DistrictFactory
from tests.portal.factories import DistrictStaffFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)
WARNING = "Reminders are not going out."


@pytest.fixture
def check_now(monkeypatch):
    """The next page asks the database again, as the first page after 30 s would."""

    def reset():
        monkeypatch.setitem(context_processors._beat_check, "at", float("-inf"))

    reset()
    return reset


@pytest.fixture
def staff(client):
    user = DistrictStaffFactory(area=DistrictFactory(name="丰泽区"))
    client.force_login(user)
    return user


def page(client, name="staff:dashboard") -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def test_the_task_records_the_heartbeat(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: T0)

    beat_heartbeat.delay().get()
    beat_heartbeat.delay().get()

    assert list(Heartbeat.objects.values_list("name", "beat_at")) == [("beat", T0)]


def test_the_beat_runs_the_heartbeat_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["beat-heartbeat"]

    assert (entry["task"], entry["schedule"]) == ("portal.tasks.beat_heartbeat", dt.timedelta(minutes=1))
    assert beat_heartbeat.name == "portal.tasks.beat_heartbeat"


def test_stale_only_after_the_allowed_time(settings):
    settings.BEAT_STALE_AFTER = dt.timedelta(minutes=5)

    assert beat_is_stale(now=T0) is True  # never seen
    heartbeat_record(now=T0)
    assert beat_is_stale(now=T0 + dt.timedelta(minutes=5)) is False
    assert beat_is_stale(now=T0 + dt.timedelta(minutes=5, seconds=1)) is True
    heartbeat_record(now=T0 + dt.timedelta(minutes=6))
    assert beat_is_stale(now=T0 + dt.timedelta(minutes=6, seconds=1)) is False


def test_staff_pages_warn_when_the_beat_is_stale(client, staff, check_now, english):
    heartbeat_record(now=timezone.now() - settings.BEAT_STALE_AFTER - dt.timedelta(seconds=1))

    html = page(client)

    assert WARNING in html
    assert "Please tell the portal's administrator." in html


def test_staff_pages_warn_when_the_beat_never_ran(client, staff, check_now, english):
    assert WARNING in page(client)


def test_staff_pages_do_not_warn_while_the_beat_runs(client, staff, check_now, english):
    heartbeat_record()

    assert WARNING not in page(client)


def test_residents_are_never_warned(client, check_now, english):
    client.force_login(UserFactory())

    assert WARNING not in page(client, "portal:home")
    assert WARNING not in page(client, "portal:account")


def test_visitors_are_never_warned(client, check_now, english):
    assert WARNING not in page(client, "portal:home")


def test_the_warning_goes_once_the_beat_is_back(client, staff, check_now, english):
    assert WARNING in page(client)

    heartbeat_record()
    assert WARNING in page(client)  # the answer is kept for BEAT_CHECK_SECONDS ...
    check_now()
    assert WARNING not in page(client)  # ... then asked again


def test_the_check_costs_one_query_at_most_every_30_seconds(client, staff, check_now):
    heartbeat_record()

    with CountQueries() as asked:
        page(client)
    with CountQueries() as cached:
        page(client)

    assert asked.heartbeat_queries == 1
    assert cached.heartbeat_queries == 0
    assert context_processors.BEAT_CHECK_SECONDS == 30


class CountQueries:
    """The queries of the heartbeat table made inside the block."""

    def __enter__(self):
        self._capture = CaptureQueriesContext(connection)
        self._capture.__enter__()
        return self

    def __exit__(self, *exc):
        self._capture.__exit__(*exc)
        table = Heartbeat._meta.db_table
        self.heartbeat_queries = sum(table in query["sql"] for query in self._capture.captured_queries)
