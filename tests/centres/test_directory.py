"""The public directory at /centres/: filters, pagination, htmx, and its query count."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from centres.models import Centre, ServiceFunctionCode
from centres.services import centre_hours_replace, date_exception_add, service_function_save
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory, weekday_hours

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = dt.time
URL = "/centres/"
TUESDAY_MORNING = dt.datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)
TUESDAY_EVENING = dt.datetime(2026, 11, 17, 19, 0, tzinfo=SHANGHAI)

FENGZE = "丰泽社区党群服务中心"
SHENGHU = "圣湖社区党群服务中心"
DONGHU = "东湖街道党群服务中心"
BEIXING = "北星社区党群服务中心"
HIDDEN = "丰泽社区老年活动站"
EVERY_PUBLISHED = {FENGZE, SHENGHU, DONGHU, BEIXING}


@pytest.fixture
def now(monkeypatch):
    """Tuesday 17 November 2026, 10:00 in Shanghai, unless a test says otherwise."""

    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    freeze(TUESDAY_MORNING)
    return freeze


@pytest.fixture
def areas():
    district = DistrictFactory(name="丰泽区")
    fengze_street = StreetFactory(name="丰泽街道", parent=district)
    donghu_street = StreetFactory(name="东湖街道", parent=district)
    donghai_street = StreetFactory(name="东海街道", parent=district)
    return {
        "丰泽街道": fengze_street,
        "东湖街道": donghu_street,
        "东海街道": donghai_street,
        "丰泽社区": CommunityFactory(name="丰泽社区", parent=fengze_street),
        "圣湖社区": CommunityFactory(name="圣湖社区", parent=donghu_street),
        "北星社区": CommunityFactory(name="北星社区", parent=donghai_street),
    }


def make_centre(*, functions=(), periods=(), **fields):
    centre = CentreFactory(**fields)
    centre_hours_replace(centre=centre, periods=periods)
    for code in functions:
        service_function_save(centre=centre, code=code, description="每周二、四上午")
    return centre


@pytest.fixture
def directory(areas, now):
    """Four published centres in three streets, and one unpublished that matches every filter."""
    evenings_and_weekends = weekday_hours(evening_until=T(20, 30), weekend=(T(9), T(17)))
    return {
        FENGZE: make_centre(
            name=FENGZE,
            area=areas["丰泽社区"],
            address="丰泽街道温陵南路12号",
            functions=[ServiceFunctionCode.ELDERCARE, ServiceFunctionCode.CHILDCARE],
            periods=weekday_hours(evening_until=T(20, 30)),
        ),
        SHENGHU: make_centre(
            name=SHENGHU,
            area=areas["圣湖社区"],
            address="田安南路88号",
            functions=[ServiceFunctionCode.MEDICAL],
            periods=weekday_hours(weekend=(T(9), T(17))),
        ),
        DONGHU: make_centre(
            name=DONGHU,
            kind=Centre.Kind.STREET,
            area=areas["东湖街道"],
            address="刺桐路501号",
            functions=[ServiceFunctionCode.AFFAIRS, ServiceFunctionCode.ELDERCARE],
            periods=evenings_and_weekends,
        ),
        BEIXING: make_centre(
            name=BEIXING,
            area=areas["北星社区"],
            address="东海大街8号",
            functions=[ServiceFunctionCode.CULTURE_SPORTS],
            periods=weekday_hours(),
        ),
        HIDDEN: make_centre(
            name=HIDDEN,
            area=areas["丰泽社区"],
            address="刺桐路1号",
            is_published=False,
            functions=[ServiceFunctionCode.ELDERCARE, ServiceFunctionCode.MEDICAL],
            periods=evenings_and_weekends,
        ),
    }


def listed(response):
    assert response.status_code == 200
    return {centre.name for centre in response.context["centres"]}


def test_without_filters_every_published_centre_is_listed(client, directory):
    response = client.get(URL)

    assert listed(response) == EVERY_PUBLISHED
    assert response.context["paginator"].count == 4
    assert HIDDEN not in response.content.decode()


def test_filter_by_street_includes_the_street_level_centre(client, directory, areas):
    assert listed(client.get(URL, {"street": areas["东湖街道"].pk})) == {SHENGHU, DONGHU}
    assert listed(client.get(URL, {"street": areas["丰泽街道"].pk})) == {FENGZE}


def test_filter_by_community(client, directory, areas):
    assert listed(client.get(URL, {"community": areas["圣湖社区"].pk})) == {SHENGHU}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (ServiceFunctionCode.ELDERCARE, {FENGZE, DONGHU}),
        (ServiceFunctionCode.MEDICAL, {SHENGHU}),
        (ServiceFunctionCode.DAILY_LIFE, set()),
    ],
)
def test_filter_by_service_function(client, directory, code, expected):
    assert listed(client.get(URL, {"function": code})) == expected


def test_filter_open_now_in_the_morning(client, directory):
    assert listed(client.get(URL, {"open_now": "on"})) == EVERY_PUBLISHED


def test_filter_open_now_in_the_evening(client, directory, now):
    now(TUESDAY_EVENING)

    response = client.get(URL, {"open_now": "on"})

    assert listed(response) == {FENGZE, DONGHU}


def test_filter_open_now_on_a_closed_date(client, directory, now):
    date_exception_add(centre=directory[FENGZE], date=TUESDAY_EVENING.date(), is_closed=True, note="消防演练")
    now(TUESDAY_EVENING)

    assert listed(client.get(URL, {"open_now": "on"})) == {DONGHU}


def test_filter_open_in_the_evening(client, directory):
    assert listed(client.get(URL, {"evenings": "on"})) == {FENGZE, DONGHU}


def test_filter_open_at_weekends(client, directory):
    assert listed(client.get(URL, {"weekends": "on"})) == {SHENGHU, DONGHU}


def test_search_by_name(client, directory):
    assert listed(client.get(URL, {"q": "北星"})) == {BEIXING}


def test_search_by_address(client, directory):
    assert listed(client.get(URL, {"q": "刺桐路"})) == {DONGHU}
    assert listed(client.get(URL, {"q": " 田安南路 "})) == {SHENGHU}


def test_search_by_the_community_name(client, directory):
    assert listed(client.get(URL, {"q": "圣湖社区"})) == {SHENGHU}


def test_search_without_a_match_lists_nothing(client, directory):
    response = client.get(URL, {"q": "万里街道"})

    assert listed(response) == set()
    assert response.context["paginator"].count == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"street": "东湖街道", "function": ServiceFunctionCode.ELDERCARE}, {DONGHU}),
        ({"evenings": "on", "weekends": "on"}, {DONGHU}),
        ({"community": "圣湖社区", "weekends": "on"}, {SHENGHU}),
        ({"street": "东湖街道", "q": "社区"}, {SHENGHU}),
        ({"function": ServiceFunctionCode.MEDICAL, "evenings": "on"}, set()),
        (
            {"street": "丰泽街道", "function": ServiceFunctionCode.ELDERCARE, "evenings": "on", "open_now": "on"},
            {FENGZE},
        ),
    ],
    ids=["street+function", "evenings+weekends", "community+weekends", "street+search", "no match", "four filters"],
)
def test_filters_combine(client, directory, areas, query, expected):
    query = {name: areas[value].pk if value in areas else value for name, value in query.items()}

    assert listed(client.get(URL, query)) == expected


def test_a_community_outside_the_chosen_street_is_ignored_and_the_street_applies(client, directory, areas):
    response = client.get(URL, {"street": areas["丰泽街道"].pk, "community": areas["圣湖社区"].pk})

    assert listed(response) == {FENGZE}


@pytest.mark.parametrize(
    "query",
    [
        {"street": "abc"},
        {"street": "999999"},
        {"community": "-1"},
        {"community": "1.5"},
        {"function": "karaoke"},
        {"function": "own"},
        {"street": "abc", "community": "xyz", "function": "karaoke"},
        {"street": "99999999999999999999999"},
        {"q": "丰泽\x00"},
        {"q": "社" * 51},
    ],
    ids=[
        "street abc",
        "unknown street",
        "negative",
        "decimal",
        "unknown function",
        "own",
        "all three",
        "overflow",
        "nul",
        "too long",
    ],
)
def test_an_invalid_filter_value_is_left_out_and_every_centre_is_listed(client, directory, query):
    response = client.get(URL, query)

    assert listed(response) == EVERY_PUBLISHED


def test_an_invalid_filter_value_leaves_the_valid_filters_applied(client, directory):
    assert listed(client.get(URL, {"street": "abc", "evenings": "on"})) == {FENGZE, DONGHU}


def test_a_street_filter_given_a_community_id_is_left_out(client, directory, areas):
    assert listed(client.get(URL, {"street": areas["圣湖社区"].pk})) == EVERY_PUBLISHED


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "刺桐路"},
        {"q": HIDDEN},
        {"community": "丰泽社区"},
        {"street": "丰泽街道"},
        {"function": ServiceFunctionCode.ELDERCARE},
        {"function": ServiceFunctionCode.MEDICAL, "open_now": "on"},
        {"evenings": "on", "weekends": "on"},
    ],
)
def test_an_unpublished_centre_never_appears(client, directory, areas, query):
    query = {name: areas[value].pk if value in areas else value for name, value in query.items()}

    response = client.get(URL, query)

    results = response.content.decode().split('<div id="results">')[1]
    assert HIDDEN not in listed(response)
    assert HIDDEN not in results
    assert directory[HIDDEN].get_absolute_url() not in response.content.decode()


def test_the_page_shows_each_centre_with_its_link_and_services(client, directory):
    content = client.get(URL, {"q": "刺桐路"}).content.decode()

    assert f'<a href="/centres/{directory[DONGHU].slug}/">{DONGHU}</a>' in content
    assert "刺桐路501号" in content
    assert content.count('class="list-inline-item badge') == 2


# Pagination: 20 a page


@pytest.fixture
def many_centres(areas, now):
    return [
        CentreFactory(name=f"第{number:02d}党群服务中心", area=areas["丰泽社区"], address=f"丰泽街道{number}号")
        for number in range(1, 26)
    ]


def test_the_first_page_has_twenty_centres(client, many_centres):
    response = client.get(URL)

    assert len(response.context["centres"]) == 20
    assert response.context["page_obj"].number == 1
    assert response.context["paginator"].num_pages == 2


def test_the_second_page_has_the_rest(client, many_centres):
    first = listed(client.get(URL))
    response = client.get(URL, {"page": "2"})

    assert len(listed(response)) == 5
    assert response.context["page_obj"].number == 2
    assert first | listed(response) == {centre.name for centre in many_centres}


def test_a_page_past_the_end_shows_the_last_page(client, many_centres):
    response = client.get(URL, {"page": "999"})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert len(response.context["centres"]) == 5


@pytest.mark.parametrize("page", ["abc", "", "1.5", "-"])
def test_a_page_that_is_not_a_number_shows_the_first_page(client, many_centres, page):
    response = client.get(URL, {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert len(response.context["centres"]) == 20


def test_a_page_past_the_end_of_an_empty_result_shows_the_empty_first_page(client, directory):
    response = client.get(URL, {"q": "万里街道", "page": "3"})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert listed(response) == set()


def test_page_links_keep_the_filters(client, many_centres, areas):
    response = client.get(URL, {"street": areas["丰泽街道"].pk, "page": "1"})

    assert f'href="?street={areas["丰泽街道"].pk}&amp;page=2"' in response.content.decode()


# htmx


def test_an_htmx_request_gets_only_the_results(client, directory):
    response = client.get(URL, {"evenings": "on"}, headers={"HX-Request": "true"})

    templates = {template.name for template in response.templates}
    content = response.content.decode()
    assert listed(response) == {FENGZE, DONGHU}
    assert "centres/partials/centre_results.html" in templates
    assert "base.html" not in templates
    assert "centres/centre_list.html" not in templates
    assert "<html" not in content
    assert 'role="search"' not in content
    assert 'id="result-count"' in content


def test_a_request_without_htmx_gets_the_whole_page(client, directory):
    response = client.get(URL, {"evenings": "on"})

    content = response.content.decode()
    assert "<html" in content
    assert 'role="search"' in content
    assert '<div id="results">' in content


def test_a_boosted_htmx_request_gets_the_whole_page(client, directory):
    response = client.get(URL, headers={"HX-Request": "true", "HX-Boosted": "true"})

    assert "<html" in response.content.decode()


# Query count: the same for 3 centres as for 40


def add_busy_centres(count, area):
    for _ in range(count):
        centre = make_centre(
            area=area,
            functions=[ServiceFunctionCode.ELDERCARE, ServiceFunctionCode.CHILDCARE, ServiceFunctionCode.MEDICAL],
            periods=weekday_hours(evening_until=T(20, 30), weekend=(T(9), T(17)), appointment=(T(7), T(8))),
        )
        date_exception_add(centre=centre, date=dt.date(2026, 11, 18), is_closed=True, note="设备检修")


@pytest.mark.parametrize(
    "query",
    [{}, {"function": "eldercare", "evenings": "on", "weekends": "on", "open_now": "on", "q": "社区", "page": "2"}],
    ids=["unfiltered", "filtered"],
)
def test_the_directory_costs_the_same_queries_for_40_centres_as_for_3(
    client, areas, now, django_assert_max_num_queries, query
):
    add_busy_centres(3, areas["丰泽社区"])
    with CaptureQueriesContext(connection) as with_three:
        assert len(client.get(URL, query).context["centres"]) == 3

    add_busy_centres(37, areas["丰泽社区"])
    with django_assert_max_num_queries(len(with_three)):
        response = client.get(URL, query)

    assert len(response.context["centres"]) == 20
    assert response.context["paginator"].count == 40
