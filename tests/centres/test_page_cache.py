import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from centres import page_cache
from centres.hours import CentreHours
from centres.models import OpeningPeriod
from centres.services import centre_hours_replace, centre_update, room_save
from tests.centres.factories import CentreFactory, weekday_hours

pytestmark = pytest.mark.django_db


def _main(response) -> str:
    """The page without the per-response CSRF token of the language switch."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 120


@pytest.fixture
def centre():
    centre = CentreFactory(name="浔美社区党群服务中心", slug="xunmei")
    centre_hours_replace(centre=centre, periods=weekday_hours(evening_until=dt.time(20, 30)))
    return centre


@pytest.mark.parametrize("url", ["/centres/", "/centres/?evenings=on&page=1", "/centres/xunmei/"])
def test_a_page_seen_again_within_the_minute_costs_no_query(
    client, centre, url, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(page_cache, "minute_stamp", lambda: "202611221900")
    first = client.get(url)

    with django_assert_num_queries(0):
        again = client.get(url)

    assert first.status_code == again.status_code == 200
    assert _main(again) == _main(first)
    assert "浔美社区党群服务中心" in again.content.decode()


def test_a_change_through_a_service_shows_at_once(client, centre, django_capture_on_commit_callbacks):
    client.get("/centres/")
    client.get("/centres/xunmei/")

    with django_capture_on_commit_callbacks(execute=True):
        centre_update(centre=centre, name="浔美社区邻里中心")
        room_save(centre=centre, name="青年夜校教室", capacity=40)

    assert "浔美社区邻里中心" in client.get("/centres/").content.decode()
    detail = client.get("/centres/xunmei/").content.decode()
    assert "浔美社区邻里中心" in detail
    assert "青年夜校教室" in detail


def test_each_language_has_its_own_copy(client, centre):
    assert 'lang="zh-hans"' in client.get("/centres/xunmei/").content.decode()
    english = client.get("/en/centres/xunmei/").content.decode()
    assert "Opening hours this week" in english
    assert "本周开放时间" not in english


def test_with_open_now_the_next_minute_renders_the_list_afresh(
    client, centre, monkeypatch, django_assert_max_num_queries
):
    from tests.portal.factories import UserFactory

    client.force_login(UserFactory())  # past the whole-page cache, to the fragments
    monkeypatch.setattr(page_cache, "minute_stamp", lambda: "202611221900")
    client.get("/centres/", {"open_now": "on"})
    monkeypatch.setattr(page_cache, "minute_stamp", lambda: "202611221901")

    with django_assert_max_num_queries(10) as captured:
        client.get("/centres/", {"open_now": "on"})

    assert len(captured.captured_queries) > 0


def _counting_render(valid_until):
    calls = []

    def render():
        calls.append(1)
        return page_cache.Rendered(f"render {len(calls)}", valid_until)

    return render, calls


def test_a_fragment_is_kept_until_its_time_is_past():
    render, calls = _counting_render(timezone.now() + dt.timedelta(minutes=5))

    assert page_cache.cached_fragment("test", "a", render=render).value == "render 1"
    assert page_cache.cached_fragment("test", "a", render=render).value == "render 1"
    assert len(calls) == 1


def test_a_fragment_whose_time_is_past_is_rendered_afresh():
    render, calls = _counting_render(timezone.now() - dt.timedelta(seconds=1))

    assert page_cache.cached_fragment("test", "b", render=render).value == "render 1"
    assert page_cache.cached_fragment("test", "b", render=render).value == "render 2"


SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_page_is_true_until_the_next_opening_or_closing_time():
    hours = CentreHours(
        [
            OpeningPeriod(day=0, kind="regular", opens=dt.time(8, 30), closes=dt.time(17, 30)),
            OpeningPeriod(day=0, kind="extended", opens=dt.time(17, 30), closes=dt.time(20, 30)),
            OpeningPeriod(day=1, kind="regular", opens=dt.time(8, 30), closes=dt.time(17, 30)),
        ]
    )
    monday_morning = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    monday_evening = dt.datetime(2026, 11, 23, 20, 30, tzinfo=SHANGHAI)

    assert hours.next_change(monday_morning) == dt.datetime(2026, 11, 23, 17, 30, tzinfo=SHANGHAI)
    assert hours.next_change(monday_evening) == dt.datetime(2026, 11, 24, 8, 30, tzinfo=SHANGHAI)
    assert page_cache.valid_until(monday_morning, [hours.next_change(monday_morning)]) == dt.datetime(
        2026, 11, 23, 17, 30, tzinfo=SHANGHAI
    )
    # Past 20:30 the next change is tomorrow morning, but "today" on the page ends at midnight.
    assert page_cache.valid_until(monday_evening, [hours.next_change(monday_evening)]) == dt.datetime(
        2026, 11, 24, 0, 0, tzinfo=SHANGHAI
    )


def test_an_unknown_centre_is_still_a_404_after_a_cached_page(client, centre):
    client.get("/centres/xunmei/")

    assert client.get("/centres/no-such-centre/").status_code == 404


def test_a_logged_in_users_page_never_reaches_a_visitor(client, centre):
    from tests.portal.factories import UserFactory

    resident = UserFactory(name="林晓禾")
    client.force_login(resident)
    assert "林晓禾" in client.get("/centres/").content.decode()

    visitor = Client()
    page = visitor.get("/centres/").content.decode()
    assert "林晓禾" not in page
    assert "浔美社区党群服务中心" in page


def test_a_visitors_page_is_not_shown_to_a_logged_in_user(client, centre):
    from tests.portal.factories import UserFactory

    Client().get("/centres/xunmei/")
    client.force_login(UserFactory(name="蔡秀兰"))

    assert "蔡秀兰" in client.get("/centres/xunmei/").content.decode()


def test_a_visitors_page_sets_no_cookie_and_holds_no_csrf_token(centre):
    visitor = Client()

    for _ in range(2):
        response = visitor.get("/centres/xunmei/")
        assert response.cookies == {} or not response.cookies
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_htmx_and_full_pages_are_kept_apart(centre):
    visitor = Client()
    full = visitor.get("/centres/").content.decode()
    partial = visitor.get("/centres/", headers={"HX-Request": "true"}).content.decode()

    assert "<html" in full
    assert "<html" not in partial
    assert "浔美社区党群服务中心" in partial


def test_a_visitors_open_now_list_is_kept_no_later_than_the_next_minute(centre):
    response = Client().get("/centres/", {"open_now": "on"})

    assert response.valid_until <= page_cache.next_minute()


def _expired_copy(name, part):
    """A cached copy of fragment ``name`` whose time passed a second ago; its key."""
    from django.core.cache import cache

    render, _calls = _counting_render(None)
    page_cache.cached_fragment(name, part, render=render)
    key = page_cache.fragment_key(name, part)
    copy = cache.get(key)
    cache.set(key, dataclasses.replace(copy, fresh_until=timezone.now() - dt.timedelta(seconds=1)), 60)
    return key


def test_while_one_request_renders_an_expired_copy_the_others_get_the_old_one():
    from django.core.cache import cache

    key = _expired_copy("stale", "x")
    assert cache.add(f"{key}:rendering", 1, 30)  # another worker is rendering it
    render, calls = _counting_render(None)

    assert page_cache.cached_fragment("stale", "x", render=render).value == "render 1"
    assert calls == []


def test_the_first_request_to_see_an_expired_copy_renders_it_afresh():
    _expired_copy("stale", "y")
    render, calls = _counting_render(None)

    page_cache.cached_fragment("stale", "y", render=render)

    assert calls == [1]


def test_a_copy_of_older_data_is_never_served(django_capture_on_commit_callbacks):
    from django.core.cache import cache

    key = _expired_copy("stale", "z")
    cache.add(f"{key}:rendering", 1, 30)
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.public_pages_changed()
    render, calls = _counting_render(None)

    page_cache.cached_fragment("stale", "z", render=render)

    assert calls == [1]


def test_on_a_miss_one_request_renders_and_the_others_wait_for_its_copy(settings):
    """Just after a change, 8 requests at once render the page once, not 8 times."""
    import threading
    import time as time_module

    from centres.page_cache import Rendered, cached_fragment

    settings.PAGE_CACHE_SECONDS = 60
    renders = []
    barrier = threading.Barrier(8)
    results = []

    def slow_render():
        renders.append(1)
        time_module.sleep(0.2)
        return Rendered("page")

    def visit():
        barrier.wait()
        results.append(cached_fragment("stampede", "x", render=slow_render).value)

    threads = [threading.Thread(target=visit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["page"] * 8
    assert len(renders) == 1


def test_when_the_renderer_keeps_nothing_the_waiting_requests_render_themselves(settings):
    import threading

    from centres.page_cache import Rendered, cached_fragment

    settings.PAGE_CACHE_SECONDS = 60
    barrier = threading.Barrier(4)
    results = []

    def not_found():
        return Rendered(None, keep=False)

    def visit():
        barrier.wait()
        results.append(cached_fragment("missing", "y", render=not_found).value)

    threads = [threading.Thread(target=visit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [None] * 4
