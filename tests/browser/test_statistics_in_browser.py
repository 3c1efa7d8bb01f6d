"""Statistics on a phone, in a real Chromium: district staff open the statistics from the
menu, see last month's charts drawn by the portal's own Chart.js, drill down from the
district to a street and to a centre, and download the centre's figures as an Excel
file and a CSV file. Without JavaScript the same numbers are there as tables.

The figures are made by the roll-up itself (``stats.rollup.monthly_figures_compute``)
from sessions and check-ins of last month.

``BROWSER_SHOTS=/some/dir`` saves screenshots of the pages there."""

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from playwright.sync_api import expect

from centres.models import ServiceFunctionCode
from stats.models import DistrictTarget
from stats.rollup import monthly_figures_compute
from stats.selectors import last_month
from tests.activities.factories import ActivityFactory, BrandFactory
from tests.browser.conftest import PHONE
from tests.browser.test_booking_in_browser import fits_the_phone, snapshot
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import DEFAULT_PASSWORD, DistrictStaffFactory
from tests.stats.factories import OccurrenceFactory, at, place

pytestmark = pytest.mark.django_db(transaction=True)


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def month_label(month) -> str:
    return f"{month.year}年{month.month}月"


def held(centre, month, *, sessions: int, came: int, function=ServiceFunctionCode.ELDERCARE, brand=None):
    """``sessions`` sessions at ``centre`` in ``month``, each with the same ``came`` people
    checked in (guests known by their mobile numbers) and one who did not come."""
    activity = ActivityFactory(centre=centre, service_function=function, brand=brand)
    for day in range(sessions):
        occurrence = OccurrenceFactory(activity=activity, starts_at=at(month.year, month.month, 2 + day, 19))
        for person in range(came):
            place(occurrence, came=True, person_name=f"居民{person}", guest_phone=f"137000000{person:02d}")
        place(occurrence, came=False, person_name="没来的人", guest_phone="13700009999")


@pytest.fixture
def district():
    """丰泽区 with 丰泽街道 (two centres) and 东湖街道 (one), last month's figures, and a
    target of 180 featured activities a month."""
    month = last_month(timezone.localdate())
    district = DistrictFactory(name="丰泽区")
    fengze = StreetFactory(name="丰泽街道", parent=district)
    donghu = StreetFactory(name="东湖街道", parent=district)
    brand = BrandFactory(name="红色驿站", area=district)
    centre = CentreFactory(
        name="丰泽社区党群服务中心", slug="fengze", area=CommunityFactory(name="丰泽社区", parent=fengze)
    )
    neighbour = CentreFactory(
        name="华丰社区党群服务中心", slug="huafeng", area=CommunityFactory(name="华丰社区", parent=fengze)
    )
    shenghu = CentreFactory(
        name="圣湖社区党群服务中心", slug="shenghu", area=CommunityFactory(name="圣湖社区", parent=donghu)
    )
    held(centre, month, sessions=4, came=3, brand=brand)
    held(centre, month, sessions=2, came=2, function=ServiceFunctionCode.CHILDCARE)
    held(neighbour, month, sessions=1, came=5)
    held(shenghu, month, sessions=3, came=1, function=ServiceFunctionCode.MEDICAL)
    monthly_figures_compute(month=month)
    DistrictTarget.objects.create(district=district, metric="featured_activities_held", minimum=180)
    return district


def log_in(page, phone: str) -> None:
    page.goto(f"{page.base_url}/login/?next=/staff/")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{page.base_url}/staff/")


def test_district_staff_drill_down_to_a_centre_and_download_its_figures(phone_page, district, tmp_path):
    page = phone_page
    month = last_month(timezone.localdate())
    log_in(page, DistrictStaffFactory(area=district).phone)

    # From the menu to the district's page for last month.
    page.locator(".navbar-toggler").click()
    page.locator("#nav-statistics").click()
    expect(page).to_have_url(f"{page.base_url}{reverse('stats:district', kwargs={'pk': district.pk})}")
    expect(page.locator("#shown-month")).to_have_text(month_label(month))
    expect(page.locator("[data-chart-box][data-drawn]")).to_have_count(3)
    for canvas in page.locator("canvas[data-stats-chart]").all():
        expect(canvas).to_be_visible()
        assert canvas.bounding_box()["height"] > 100
    expect(page.locator("details[data-chart-numbers][open]")).to_have_count(0)  # folded once drawn
    expect(page.locator("#figure-activities_held td").first).to_have_text("10")
    expect(page.locator("#figure-featured_activities_held td").first).to_have_text("4")
    expect(page.locator("#figure-featured_activities_held .stats-target")).to_contain_text(zh("Not met"))
    expect(page.locator("#figure-featured_activities_held .stats-target")).to_be_visible()
    ranking = page.locator("#ranking-table tbody tr")
    expect(ranking).to_have_count(2)
    expect(ranking.nth(0)).to_contain_text("丰泽街道")
    expect(ranking.nth(0)).to_contain_text("7")
    expect(ranking.nth(1)).to_contain_text("东湖街道")
    assert fits_the_phone(page)
    snapshot(page, "statistics-district")

    # Down to the street, then to the centre.
    page.locator("#ranking-table").get_by_role("link", name="丰泽街道").click()
    expect(page.locator("h1")).to_contain_text("丰泽街道")
    expect(page.locator("#shown-month")).to_have_text(month_label(month))
    expect(page.locator("#ranking-table tbody tr").nth(0)).to_contain_text("丰泽社区党群服务中心")
    expect(page.locator("#ranking-table tbody tr").nth(1)).to_contain_text("华丰社区党群服务中心")
    assert fits_the_phone(page)
    page.locator("#ranking-table").get_by_role("link", name="丰泽社区党群服务中心").click()
    expect(page.locator("h1")).to_contain_text("丰泽社区党群服务中心")
    expect(page.locator(".breadcrumb")).to_contain_text("丰泽区")
    expect(page.locator(".breadcrumb")).to_contain_text("丰泽街道")
    expect(page.locator("#figure-activities_held td").first).to_have_text("6")
    expect(page.locator("#figure-attendances td").first).to_have_text("16")
    expect(page.locator("[data-chart-box][data-drawn]")).to_have_count(2)  # no ranking below a centre
    assert fits_the_phone(page)
    snapshot(page, "statistics-centre")

    # The files.
    with page.expect_download() as download:
        page.locator("#downloads").get_by_role("link", name=zh("Excel file")).click()
    with translation.override("zh-hans"):
        filename = translation.gettext("%(unit)s statistics %(month)s") % {
            "unit": "丰泽社区党群服务中心",
            "month": f"{month:%Y-%m}",
        }
    assert download.value.suggested_filename == f"{filename}.xlsx"
    saved = tmp_path / "figures.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    assert [cell.value for cell in sheet[2]][:9] == [
        f"{month:%Y-%m}",
        zh("Centre"),
        "丰泽社区党群服务中心",
        6,  # activities held
        4,  # featured (with a brand)
        0,  # after-hours
        22,  # places booked
        16,  # attendances
        3,  # residents served: the same three people came each time
    ]

    with page.expect_download() as download:
        page.locator("#downloads").get_by_role("link", name=zh("CSV file")).click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[1][:5] == [f"{month:%Y-%m}", zh("Centre"), "丰泽社区党群服务中心", "6", "4"]


def test_without_javascript_the_numbers_are_tables(browser, live_server, district):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.base_url = live_server.url
    try:
        log_in(page, DistrictStaffFactory(area=district).phone)
        page.goto(f"{page.base_url}{reverse('stats:district', kwargs={'pk': district.pk})}")

        expect(page.locator("canvas[data-stats-chart]").first).to_be_hidden()
        expect(page.locator("details[data-chart-numbers][open]")).to_have_count(2)
        expect(page.locator("details[data-chart-numbers] table").first).to_be_visible()
        expect(page.locator("#functions-table tbody tr").first).to_contain_text("5")  # elder care: 4 + 1
        expect(page.locator("#ranking-table tbody tr")).to_have_count(2)
    finally:
        context.close()
