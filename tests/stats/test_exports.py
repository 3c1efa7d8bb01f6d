"""The figures of a statistics page as CSV and Excel files: the unit's months with
figures, newest first, then the units below in the chosen month; rates in per cent;
names always text (never a formula); the district's targets on a second sheet."""

import csv
import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from stats.models import DistrictTarget
from tests.centres.factories import CentreFactory, CommunityFactory, StreetFactory
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory, StreetStaffFactory
from tests.stats.test_pages import MARCH, Place, figures_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FEBRUARY = dt.date(2026, 2, 1)
HEADER = [
    "Month",
    "Level",
    "District, street or centre",
    "Activities held",
    "Featured activities held",
    "After-hours sessions",
    "Places booked",
    "Attendances",
    "Residents served",
    "Person-hours of service",
    "Fill rate (%)",
    "No-show rate (%)",
    "Waiting-list demand",
    "Appointments served",
    "Satisfaction (%)",
    "Bad-rating rate (%)",
    "Call-backs on time (%)",
    "Rectified on time (%)",
    "Sessions: Elder care",
    "Sessions: Childcare and early education",
    "Sessions: Medical and health",
    "Sessions: Culture and sports",
    "Sessions: Daily-life services",
    "Sessions: Convenience affairs",
    "Sessions: The centre's own service",
]


@pytest.fixture
def place():
    place = Place()
    common = {
        "activities_held": 212,
        "featured_activities_held": 185,
        "after_hours_sessions": 40,
        "places_booked": 3000,
        "attendances": 2700,
        "residents_served": 1500,
        "person_hours": Decimal("4050.50"),
        "fill_rate": Decimal("0.8125"),
        "no_show_rate": Decimal("0.1000"),
        "waiting_list_demand": 35,
        "appointments_served": 12,
        "bad_rating_rate": Decimal("0.0312"),
        "callback_on_time_rate": Decimal("0.9500"),
        "rectification_on_time_rate": Decimal("1.0000"),
        "by_function": {"eldercare": 100, "childcare": 112},
    }
    figures_row(place.district, MARCH, **common)
    figures_row(place.district, FEBRUARY, activities_held=170)
    figures_row(place.other_street, MARCH, activities_held=80, fill_rate=None, by_function={"medical": 80})
    return place


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_district_csv_has_its_months_then_its_streets(client, place):
    client.force_login(DistrictStaffFactory(area=place.district))

    response = client.get(reverse("stats:district_csv", kwargs={"pk": place.district.pk}), {"month": "2026-03"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote('丰泽区 statistics 2026-03.csv')}"
    assert csv_rows(response) == [
        HEADER,
        ["2026-03", "District", "丰泽区", "212", "185", "40", "3000", "2700", "1500", "4050.5", "81.2", "10.0"]
        + ["35", "12", "", "3.1", "95.0", "100.0", "100", "112", "0", "0", "0", "0", "0"],
        ["2026-02", "District", "丰泽区", "170", "0", "0", "0", "0", "0", "0.0", "", "", "0", "0"]
        + ["", "", "", ""]
        + ["0"] * 7,
        ["2026-03", "Street / town", "东湖街道", "80", "0", "0", "0", "0", "0", "0.0", "", "", "0", "0"]
        + ["", "", "", ""]
        + ["0", "0", "80", "0", "0", "0", "0"],
        ["2026-03", "Street / town", "丰泽街道"] + [""] * 22,
    ]


def test_the_workbook_has_the_same_figures_as_numbers_and_the_targets(client, place):
    DistrictTarget.objects.create(district=place.district, metric="featured_activities_held", minimum=180)
    DistrictTarget.objects.create(district=place.district, metric="fill_rate", minimum=Decimal("0.85"))
    client.force_login(DistrictStaffFactory(area=place.district))

    response = client.get(reverse("stats:district_xlsx", kwargs={"pk": place.district.pk}), {"month": "2026-03"})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Figures", "Targets"]
    figures = [list(row) for row in workbook["Figures"].iter_rows(values_only=True)]
    assert figures[0] == HEADER
    assert figures[1][:12] == ["2026-03", "District", "丰泽区", 212, 185, 40, 3000, 2700, 1500, 4050.5, 81.2, 10]
    assert [row[2] for row in figures[1:]] == ["丰泽区", "丰泽区", "东湖街道", "丰泽街道"]
    assert figures[1][14:18] == [None, 3.1, 95, 100]
    assert figures[4][3:] == [None] * 22
    assert [list(row) for row in workbook["Targets"].iter_rows(values_only=True)] == [
        ["Figure", "Target: at least", "2026-03", "Met or not"],
        ["Featured activities held", 180, 185, "Met"],
        ["Fill rate (%)", 85, 81.2, "Not met"],
    ]


def test_a_street_workbook_has_no_targets_sheet(client, place):
    client.force_login(StreetStaffFactory(area=place.other_street))

    response = client.get(reverse("stats:street_xlsx", kwargs={"pk": place.other_street.pk}), {"month": "2026-03"})

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Figures"]
    assert [row[:4] for row in workbook["Figures"].iter_rows(min_row=2, values_only=True)] == [
        ("2026-03", "Street / town", "东湖街道", 80),
        ("2026-03", "Centre", "圣湖社区党群服务中心", None),
    ]


def test_a_name_that_looks_like_a_formula_stays_text(client, place):
    sneaky = CentreFactory(
        name='=HYPERLINK("http://example.com","点击")', slug="sneaky", area=CommunityFactory(parent=place.street)
    )
    figures_row(sneaky, MARCH, activities_held=3)
    client.force_login(StreetStaffFactory(area=place.street))
    url = {"pk": place.street.pk}

    rows = csv_rows(client.get(reverse("stats:street_csv", kwargs=url), {"month": "2026-03"}))
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("stats:street_xlsx", kwargs=url), {"month": "2026-03"}).content)
    )

    assert rows[1][:4] == ["2026-03", "Centre", '\'=HYPERLINK("http://example.com","点击")', "3"]
    cell = workbook["Figures"]["C2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://example.com","点击")', "s")


def test_the_file_follows_the_month_of_the_page(client, place):
    client.force_login(CentreStaffFactory(centres=[place.centre]))
    figures_row(place.centre, FEBRUARY, activities_held=7)
    figures_row(place.centre, MARCH, activities_held=9)

    rows = csv_rows(client.get(reverse("stats:centre_csv", kwargs={"slug": "fengze"}), {"month": "2026-02"}))

    assert [row[:4] for row in rows[1:]] == [["2026-02", "Centre", "丰泽社区党群服务中心", "7"]]


def test_a_malformed_month_sends_back_to_the_page_with_a_message(client, place):
    client.force_login(DistrictStaffFactory(area=place.district))

    response = client.get(
        reverse("stats:district_csv", kwargs={"pk": place.district.pk}), {"month": "2026-13"}, follow=True
    )

    assert response.redirect_chain == [(reverse("stats:district", kwargs={"pk": place.district.pk}), 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "“2026-13” is not a month the page can show. Choose a month, written like 2026-03."
    ]


def test_the_page_links_to_its_files_for_the_same_month_and_figure(client, place):
    client.force_login(DistrictStaffFactory(area=place.district))

    response = client.get(reverse("stats:district", kwargs={"pk": place.district.pk}), {"month": "2026-03"})

    base = reverse("stats:district", kwargs={"pk": place.district.pk})
    assert response.context["csv_url"] == f"{base}figures.csv?month=2026-03&metric=activities_held"
    assert response.context["xlsx_url"] == f"{base}figures.xlsx?month=2026-03&metric=activities_held"


@pytest.mark.parametrize("streets", [0, 12])
def test_a_file_costs_the_same_queries_whatever_the_size(client, place, django_assert_max_num_queries, streets):
    for number in range(streets):
        street = StreetFactory(name=f"第{number}街道", parent=place.district)
        figures_row(street, MARCH, activities_held=number)
    client.force_login(DistrictStaffFactory(area=place.district))

    # session, user, the district, its months, its streets, their figures, its targets
    with django_assert_max_num_queries(7):
        response = client.get(reverse("stats:district_xlsx", kwargs={"pk": place.district.pk}), {"month": "2026-03"})

    assert response.status_code == 200
