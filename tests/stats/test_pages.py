"""The statistics pages: each staff role in its scope (anything else a 404), the chosen
month against the twelve before it, the ranking of the units below with drill-down,
the district's targets met or not, plain messages for a malformed month and a month
without figures, and a fixed number of queries whatever the size of the district."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from centres.models import Area, Centre
from stats.models import DistrictTarget, MonthlyFigures
from stats.selectors import add_months, last_month
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import (
    CentreStaffFactory,
    DistrictStaffFactory,
    RepresentativeFactory,
    StreetStaffFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MARCH = dt.date(2026, 3, 1)


def figures_row(unit: Area | Centre, month: dt.date, **values) -> MonthlyFigures:
    """A row of monthly figures for a centre or an area, as the roll-up writes it."""
    if isinstance(unit, Centre):
        where = {"level": "centre", "centre": unit, "street": unit.street, "district": unit.district}
    elif unit.level == Area.Level.DISTRICT:
        where = {"level": "district", "area": unit, "street": None, "district": unit}
    elif unit.level == Area.Level.STREET:
        where = {"level": "street", "area": unit, "street": unit, "district": unit.parent}
    else:
        where = {"level": "community", "area": unit, "street": unit.parent, "district": unit.parent.parent}
    return MonthlyFigures.objects.create(month=month, computed_at=timezone.now(), **where, **values)


class Place:
    """丰泽区 with two streets; 丰泽街道 has two centres, 东湖街道 one. 金东区 is elsewhere."""

    def __init__(self):
        self.district = DistrictFactory(name="丰泽区")
        self.street = StreetFactory(name="丰泽街道", parent=self.district)
        self.other_street = StreetFactory(name="东湖街道", parent=self.district)
        self.centre = CentreFactory(
            name="丰泽社区党群服务中心", slug="fengze", area=CommunityFactory(name="丰泽社区", parent=self.street)
        )
        self.neighbour = CentreFactory(
            name="华丰社区党群服务中心", slug="huafeng", area=CommunityFactory(name="华丰社区", parent=self.street)
        )
        self.other_centre = CentreFactory(
            name="圣湖社区党群服务中心",
            slug="shenghu",
            area=CommunityFactory(name="圣湖社区", parent=self.other_street),
        )
        self.elsewhere_district = DistrictFactory(name="金东区", city="金华市")
        self.elsewhere_street = StreetFactory(name="多湖街道", parent=self.elsewhere_district)
        self.elsewhere_centre = CentreFactory(
            name="光南社区党群服务中心",
            slug="guangnan",
            area=CommunityFactory(name="光南社区", parent=self.elsewhere_street),
        )


@pytest.fixture
def place():
    return Place()


def district_url(area, **query):
    return _with(reverse("stats:district", kwargs={"pk": area.pk}), query)


def street_url(area, **query):
    return _with(reverse("stats:street", kwargs={"pk": area.pk}), query)


def centre_url(centre, **query):
    return _with(reverse("stats:centre", kwargs={"slug": centre.slug}), query)


def _with(url, query):
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def text_of(response) -> str:
    """The page's text without tags, spaces folded."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# Who sees what ------------------------------------------------------------------------


def pages(place):
    return {
        "district": district_url(place.district),
        "street": street_url(place.street),
        "other_street": street_url(place.other_street),
        "centre": centre_url(place.centre),
        "neighbour": centre_url(place.neighbour),
        "other_centre": centre_url(place.other_centre),
        "elsewhere_district": district_url(place.elsewhere_district),
        "elsewhere_street": street_url(place.elsewhere_street),
        "elsewhere_centre": centre_url(place.elsewhere_centre),
        "district_csv": reverse("stats:district_csv", kwargs={"pk": place.district.pk}),
        "street_xlsx": reverse("stats:street_xlsx", kwargs={"pk": place.street.pk}),
        "centre_csv": reverse("stats:centre_csv", kwargs={"slug": place.centre.slug}),
        "other_centre_xlsx": reverse("stats:centre_xlsx", kwargs={"slug": place.other_centre.slug}),
        "targets": reverse("stats:targets"),
    }


def statuses(client, place):
    return {name: client.get(url).status_code for name, url in pages(place).items()}


def test_district_staff_see_their_district_its_streets_and_centres_and_nothing_else(client, place):
    client.force_login(DistrictStaffFactory(area=place.district))

    assert statuses(client, place) == {
        "district": 200,
        "street": 200,
        "other_street": 200,
        "centre": 200,
        "neighbour": 200,
        "other_centre": 200,
        "elsewhere_district": 404,
        "elsewhere_street": 404,
        "elsewhere_centre": 404,
        "district_csv": 200,
        "street_xlsx": 200,
        "centre_csv": 200,
        "other_centre_xlsx": 200,
        "targets": 200,
    }


def test_street_staff_see_their_street_and_its_centres_only(client, place):
    client.force_login(StreetStaffFactory(area=place.street))

    assert statuses(client, place) == {
        "district": 404,
        "street": 200,
        "other_street": 404,
        "centre": 200,
        "neighbour": 200,
        "other_centre": 404,
        "elsewhere_district": 404,
        "elsewhere_street": 404,
        "elsewhere_centre": 404,
        "district_csv": 404,
        "street_xlsx": 200,
        "centre_csv": 200,
        "other_centre_xlsx": 404,
        "targets": 404,
    }


def test_centre_staff_see_their_own_centres_only(client, place):
    client.force_login(CentreStaffFactory(centres=[place.centre, place.other_centre]))

    assert statuses(client, place) == {
        "district": 404,
        "street": 404,
        "other_street": 404,
        "centre": 200,
        "neighbour": 404,
        "other_centre": 200,
        "elsewhere_district": 404,
        "elsewhere_street": 404,
        "elsewhere_centre": 404,
        "district_csv": 404,
        "street_xlsx": 404,
        "centre_csv": 200,
        "other_centre_xlsx": 200,
        "targets": 404,
    }


@pytest.mark.parametrize("factory", [UserFactory, RepresentativeFactory])
def test_residents_and_representatives_get_404_everywhere(client, place, factory):
    client.force_login(factory(home_community=place.centre.area))

    assert set(statuses(client, place).values()) == {404}
    assert client.get(reverse("stats:home")).status_code == 404


def test_district_staff_without_a_district_get_404(client, place):
    client.force_login(DistrictStaffFactory(area=place.street))  # a street is no district

    assert client.get(district_url(place.district)).status_code == 404
    assert client.get(street_url(place.street)).status_code == 404
    assert client.get(reverse("stats:targets")).status_code == 404


def test_visitors_not_logged_in_are_sent_to_log_in(client, place):
    response = client.get(district_url(place.district))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_an_unknown_unit_is_404(client, place):
    client.force_login(DistrictStaffFactory(area=place.district))

    assert client.get(reverse("stats:district", kwargs={"pk": 999999})).status_code == 404
    assert client.get(reverse("stats:street", kwargs={"pk": place.district.pk})).status_code == 404
    assert client.get(reverse("stats:centre", kwargs={"slug": "no-such-centre"})).status_code == 404


# Where the statistics start --------------------------------------------------------------


def test_the_start_page_takes_district_staff_to_their_district(client, place):
    client.force_login(DistrictStaffFactory(area=place.district))

    response = client.get(reverse("stats:home"))

    assert response.status_code == 302
    assert response["Location"] == district_url(place.district)


def test_the_start_page_takes_street_staff_to_their_street(client, place):
    client.force_login(StreetStaffFactory(area=place.street))

    assert client.get(reverse("stats:home"))["Location"] == street_url(place.street)


def test_the_start_page_takes_staff_of_one_centre_to_it(client, place):
    client.force_login(CentreStaffFactory(centres=[place.centre]))

    assert client.get(reverse("stats:home"))["Location"] == centre_url(place.centre)


def test_the_start_page_lists_the_centres_of_staff_with_several(client, place):
    client.force_login(CentreStaffFactory(centres=[place.other_centre, place.centre]))

    response = client.get(reverse("stats:home"))

    assert response.status_code == 200
    assert [(centre.name, url) for centre, url in response.context["centre_links"]] == [
        ("圣湖社区党群服务中心", centre_url(place.other_centre)),
        ("丰泽社区党群服务中心", centre_url(place.centre)),
    ]


def test_the_start_page_says_so_when_no_centre_is_assigned(client):
    client.force_login(CentreStaffFactory())

    response = client.get(reverse("stats:home"))

    assert response.status_code == 200
    assert "No centres are assigned to you yet" in text_of(response)


def test_staff_have_a_statistics_link_and_residents_do_not(client, place):
    client.force_login(StreetStaffFactory(area=place.street))
    assert f'href="{reverse("stats:home")}"' in client.get(reverse("staff:dashboard")).content.decode()

    client.force_login(UserFactory())
    assert f'href="{reverse("stats:home")}"' not in client.get(reverse("portal:home")).content.decode()


# The month -------------------------------------------------------------------------------


def test_the_page_shows_last_month_by_default(client, place):
    client.force_login(DistrictStaffFactory(area=place.district))

    response = client.get(district_url(place.district))

    assert response.status_code == 200
    assert response.context["month"] == last_month(timezone.localdate())
    assert response.context["metric"] == "activities_held"


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "March", "2026-3-1", "99999-01", "1999-12", "2026/03"])
def test_a_malformed_month_is_a_plain_message_not_an_error(client, place, month):
    client.force_login(DistrictStaffFactory(area=place.district))

    response = client.get(district_url(place.district), {"month": month})

    assert response.status_code == 400
    assert f"“{month}” is not a month the page can show. Choose a month, written like 2026-03." in text_of(response)
    assert "month" not in response.context or response.context.get("month") is None
    assert 'name="month"' in response.content.decode()  # the picker is there to try again


def test_an_unknown_figure_shows_the_default_one(client, place):
    client.force_login(DistrictStaffFactory(area=place.district))

    response = client.get(district_url(place.district), {"month": "2026-03", "metric": "<script>"})

    assert response.status_code == 200
    assert response.context["metric"] == "activities_held"
    assert "<script>" not in response.content.decode()


def test_a_month_without_figures_says_so_and_how_they_are_made(client, place):
    client.force_login(StreetStaffFactory(area=place.street))

    response = client.get(street_url(place.street), {"month": "2026-03"})

    assert response.status_code == 200
    text = text_of(response)
    assert "There are no figures for March 2026 yet." in text
    assert "on the 1st of the next month at 01:00" in text
    assert "python manage.py stats_recompute --month 2026-03" in text


def test_the_month_before_and_after_are_linked_up_to_last_month(client, place):
    client.force_login(DistrictStaffFactory(area=place.district))
    newest = last_month(timezone.localdate())

    latest = client.get(district_url(place.district), {"month": f"{newest:%Y-%m}"}).context
    older = client.get(district_url(place.district), {"month": "2020-05", "metric": "attendances"}).context

    assert latest["next_url"] is None and latest["latest_url"] is None
    assert older["previous_url"] == district_url(place.district, month="2020-04", metric="attendances")
    assert older["next_url"] == district_url(place.district, month="2020-06", metric="attendances")
    assert older["latest_url"] == district_url(place.district, month=f"{newest:%Y-%m}", metric="attendances")


# What a page shows -----------------------------------------------------------------------


def test_the_district_page_shows_the_month_against_the_month_before_and_a_year_before(client, place):
    figures_row(place.district, MARCH, activities_held=212, featured_activities_held=185, fill_rate=Decimal("0.8125"))
    figures_row(place.district, dt.date(2026, 2, 1), activities_held=170, fill_rate=Decimal("0.75"))
    figures_row(place.district, dt.date(2025, 3, 1), activities_held=1234)
    figures_row(place.district, dt.date(2025, 2, 1), activities_held=999)  # thirteen months back: not shown
    client.force_login(DistrictStaffFactory(area=place.district))

    response = client.get(district_url(place.district), {"month": "2026-03"})

    table = {row["metric"]: (row["current"], row["previous"], row["year_ago"]) for row in response.context["table"]}
    assert table["activities_held"] == ("212", "170", "1,234")
    assert table["featured_activities_held"] == ("185", "0", "0")
    assert table["fill_rate"] == ("81.2%", "75.0%", "—")
    assert table["satisfaction"] == ("—", "—", "—")
    months = [row["month"] for row in response.context["trend_rows"]]
    assert months[::6] == ["March 2025", "September 2025", "March 2026"]
    assert [row["number"] for row in response.context["trend_rows"]] == [1234] + [None] * 10 + [170, 212]
    assert response.context["chart_data"]["trend"]["values"] == [1234] + [None] * 10 + [170, 212]
    text = text_of(response)
    assert "Statistics of 丰泽区" in text
    assert "Activities held 212 170 1,234" in text


def test_rates_are_charted_in_per_cent(client, place):
    figures_row(place.centre, MARCH, fill_rate=Decimal("0.8125"))
    client.force_login(CentreStaffFactory(centres=[place.centre]))

    response = client.get(centre_url(place.centre, month="2026-03", metric="fill_rate"))

    assert response.context["chart_data"]["trend"]["values"][-1] == 81.2
    assert response.context["chart_data"]["trend"]["percent"] is True
    assert response.context["trend_rows"][-1]["shown"] == "81.2%"


def test_the_rating_rates_are_shown_and_ranked_in_per_cent(client, place):
    rates = {
        "satisfaction": Decimal("0.9130"),
        "bad_rating_rate": Decimal("0.0435"),
        "callback_on_time_rate": Decimal("0.8000"),
        "rectification_on_time_rate": Decimal("1.0000"),
    }
    figures_row(place.street, MARCH, **rates)
    figures_row(place.centre, MARCH, bad_rating_rate=Decimal("0.0435"))
    client.force_login(StreetStaffFactory(area=place.street))

    response = client.get(street_url(place.street, month="2026-03", metric="bad_rating_rate"))

    table = {row["metric"]: row["current"] for row in response.context["table"]}
    assert [table[name] for name in rates] == ["91.3%", "4.4%", "80.0%", "100.0%"]
    assert response.context["metric_label"] == "Bad-rating rate"
    assert response.context["chart_data"]["trend"]["percent"] is True
    # The chart rounds as the table does.
    assert response.context["chart_data"]["trend"]["values"][-1] == 4.4
    assert response.context["chart_data"]["ranking"]["values"][0] == 4.4
    text = text_of(response)
    assert "Call-backs on time 80.0% — —" in text
    assert "Rectified on time 100.0% — —" in text


def test_sessions_by_service_function_are_shown_in_the_standard_order(client, place):
    figures_row(place.centre, MARCH, activities_held=30, by_function={"medical": 4, "eldercare": 20, "childcare": 6})
    client.force_login(CentreStaffFactory(centres=[place.centre]))

    response = client.get(centre_url(place.centre, month="2026-03"))

    assert [(row["label"], row["sessions"]) for row in response.context["function_rows"]] == [
        ("Elder care", 20),
        ("Childcare and early education", 6),
        ("Medical and health", 4),
        ("Culture and sports", 0),
        ("Daily-life services", 0),
        ("Convenience affairs", 0),
        ("The centre's own service", 0),
    ]
    assert "Elder care 20" in text_of(response)


def test_the_district_ranks_its_streets_and_links_to_them(client, place):
    figures_row(place.district, MARCH, attendances=900)
    figures_row(place.street, MARCH, attendances=300)
    figures_row(place.other_street, MARCH, attendances=600)
    figures_row(place.elsewhere_street, MARCH, attendances=5000)  # another district
    figures_row(place.centre, MARCH, attendances=7000)  # a centre: not a street
    client.force_login(DistrictStaffFactory(area=place.district))

    response = client.get(district_url(place.district, month="2026-03", metric="attendances"))

    assert [(row["rank"], row["name"], row["shown"], row["url"]) for row in response.context["ranking_rows"]] == [
        (1, "东湖街道", "600", street_url(place.other_street, month="2026-03", metric="attendances")),
        (2, "丰泽街道", "300", street_url(place.street, month="2026-03", metric="attendances")),
    ]
    assert "Streets and towns ranked by Attendances, March 2026" in text_of(response)


def test_the_street_ranks_its_centres_with_those_without_figures_last(client, place):
    figures_row(place.street, MARCH, activities_held=12)
    figures_row(place.neighbour, MARCH, activities_held=12)
    figures_row(place.other_centre, MARCH, activities_held=50)  # another street
    client.force_login(StreetStaffFactory(area=place.street))

    response = client.get(street_url(place.street, month="2026-03"))

    assert [(row["rank"], row["name"], row["shown"]) for row in response.context["ranking_rows"]] == [
        (1, "华丰社区党群服务中心", "12"),
        (None, "丰泽社区党群服务中心", "—"),
    ]
    assert response.context["chart_data"]["ranking"]["values"] == [12, None]


def test_a_centre_page_ranks_nothing(client, place):
    figures_row(place.centre, MARCH, activities_held=12)
    client.force_login(CentreStaffFactory(centres=[place.centre]))

    response = client.get(centre_url(place.centre, month="2026-03"))

    assert response.context["ranking_rows"] == []
    assert 'id="ranking-table"' not in response.content.decode()


def test_the_breadcrumbs_lead_back_up_only_within_the_scope(client, place):
    query = {"month": "2026-03", "metric": "activities_held"}
    client.force_login(DistrictStaffFactory(area=place.district))
    assert client.get(centre_url(place.centre, **query)).context["breadcrumbs"] == [
        ("丰泽区", district_url(place.district, **query)),
        ("丰泽街道", street_url(place.street, **query)),
        ("丰泽社区党群服务中心", None),
    ]

    client.force_login(StreetStaffFactory(area=place.street))
    assert client.get(centre_url(place.centre, **query)).context["breadcrumbs"] == [
        ("丰泽街道", street_url(place.street, **query)),
        ("丰泽社区党群服务中心", None),
    ]

    client.force_login(CentreStaffFactory(centres=[place.centre]))
    assert client.get(centre_url(place.centre, **query)).context["breadcrumbs"] == [("丰泽社区党群服务中心", None)]


def test_every_chart_has_a_table_of_its_numbers_and_a_label(client, place):
    figures_row(place.district, MARCH, activities_held=10, by_function={"eldercare": 10})
    figures_row(place.street, MARCH, activities_held=10)
    client.force_login(DistrictStaffFactory(area=place.district))

    html = client.get(district_url(place.district, month="2026-03")).content.decode()

    canvases = re.findall(r"<canvas [^>]*>", html)
    charts = [re.search(r'data-stats-chart="(\w+)"', canvas)[1] for canvas in canvases]
    assert charts == ["trend", "functions", "ranking"]
    assert all('role="img"' in canvas and "aria-label=" in canvas for canvas in canvases)
    assert html.count("data-chart-box hidden") == 3  # shown only once drawn
    assert html.count('<details class="stats-numbers" open') == 2 and 'id="ranking-table"' in html
    assert '<script src="/static/vendor/chartjs/chart.umd.min.js" defer></script>' in html


# Targets ---------------------------------------------------------------------------------


def test_the_district_page_says_whether_each_target_is_met(client, place):
    figures_row(place.district, MARCH, featured_activities_held=172, attendances=12000, fill_rate=Decimal("0.8"))
    district_staff = DistrictStaffFactory(area=place.district)
    DistrictTarget.objects.create(district=place.district, metric="featured_activities_held", minimum=180)
    DistrictTarget.objects.create(district=place.district, metric="attendances", minimum=11000)
    DistrictTarget.objects.create(district=place.district, metric="fill_rate", minimum=Decimal("0.80"))
    DistrictTarget.objects.create(district=place.district, metric="satisfaction", minimum=Decimal("0.9"))
    DistrictTarget.objects.create(district=place.elsewhere_district, metric="activities_held", minimum=1)
    client.force_login(district_staff)

    response = client.get(district_url(place.district, month="2026-03"))

    targets = {row["metric"]: (row["target"], row["met"]) for row in response.context["table"] if row["target"]}
    assert targets == {
        "featured_activities_held": ("≥ 180", False),
        "attendances": ("≥ 11,000", True),
        "fill_rate": ("≥ 80%", True),
        "satisfaction": ("≥ 90%", None),
    }
    text = text_of(response)
    assert "Featured activities held 172 — — ≥ 180 ✗ Not met" in text
    assert "Attendances 12,000 — — ≥ 11,000 ✓ Met" in text
    assert "Satisfaction — — — ≥ 90% No figure" in text
    assert f'href="{reverse("stats:targets")}"' in response.content.decode()


def test_street_pages_do_not_compare_with_the_district_targets(client, place):
    figures_row(place.street, MARCH, featured_activities_held=172)
    DistrictTarget.objects.create(district=place.district, metric="featured_activities_held", minimum=180)
    client.force_login(DistrictStaffFactory(area=place.district))

    response = client.get(street_url(place.street, month="2026-03"))

    assert all(row["target"] == "" and row["met"] is None for row in response.context["table"])
    assert "Not met" not in text_of(response)


# Queries ---------------------------------------------------------------------------------


def _district_with(place, streets: int, centres_per_street: int, months: int = 13):
    month = MARCH
    for number in range(streets):
        street = StreetFactory(name=f"第{number}街道", parent=place.district)
        for index in range(centres_per_street):
            centre = CentreFactory(area=CommunityFactory(name=f"第{number}-{index}社区", parent=street))
            figures_row(centre, month, activities_held=index)
        for back in range(months):
            figures_row(street, add_months(MARCH, -back), activities_held=number)
    for back in range(months):
        figures_row(place.district, add_months(MARCH, -back), activities_held=back)


# session, user, the unit, its thirteen months, the units below and their figures (not
# on a centre's page), the district's targets (only on its page), the unread messages
PAGE_QUERIES = {"district": 8, "street": 7, "centre": 5}


@pytest.mark.parametrize("size", [(1, 1), (8, 6)])
def test_the_district_page_costs_the_same_queries_whatever_its_size(client, place, django_assert_max_num_queries, size):
    _district_with(place, *size)
    client.force_login(DistrictStaffFactory(area=place.district))

    with django_assert_max_num_queries(PAGE_QUERIES["district"]):
        response = client.get(district_url(place.district, month="2026-03"))

    assert response.status_code == 200
    assert len(response.context["ranking_rows"]) == size[0] + 2


@pytest.mark.parametrize("centres", [1, 30])
def test_the_street_page_costs_the_same_queries_whatever_its_size(
    client, place, django_assert_max_num_queries, centres
):
    for index in range(centres):
        centre = CentreFactory(area=CommunityFactory(name=f"第{index}社区", parent=place.street))
        figures_row(centre, MARCH, activities_held=index)
    figures_row(place.street, MARCH, activities_held=centres)
    client.force_login(StreetStaffFactory(area=place.street))

    with django_assert_max_num_queries(PAGE_QUERIES["street"]):
        response = client.get(street_url(place.street, month="2026-03"))

    assert len(response.context["ranking_rows"]) == centres + 2


def test_the_centre_page_costs_a_fixed_number_of_queries(client, place, django_assert_max_num_queries):
    for back in range(13):
        figures_row(place.centre, add_months(MARCH, -back), activities_held=back)
    client.force_login(CentreStaffFactory(centres=[place.centre]))

    with django_assert_max_num_queries(PAGE_QUERIES["centre"]):
        response = client.get(centre_url(place.centre, month="2026-03"))

    assert [row["number"] for row in response.context["trend_rows"]] == list(range(12, -1, -1))
