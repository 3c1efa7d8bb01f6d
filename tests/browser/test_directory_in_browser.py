import datetime as dt

import pytest
from playwright.sync_api import expect

from centres.models import ServiceFunctionCode
from centres.services import centre_hours_replace, room_save, service_function_save
from tests.centres.factories import CentreFactory, CommunityFactory, weekday_hours

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def centres():
    huafeng = CommunityFactory(name="华丰社区", parent__name="泉秀街道", parent__parent__name="丰泽区")
    beixing = CommunityFactory(name="北星社区", parent__name="东海街道", parent__parent=huafeng.parent.parent)
    evening = CentreFactory(name="华丰社区党群服务中心", area=huafeng, address="泉秀路100号")
    centre_hours_replace(centre=evening, periods=weekday_hours(evening_until=dt.time(20, 30)))
    service_function_save(centre=evening, code=ServiceFunctionCode.CHILDCARE, description="4点钟课堂 16:00–18:30")
    room_save(centre=evening, name="四点钟课堂教室", capacity=30, purpose="课后托管")
    daytime = CentreFactory(name="北星社区党群服务中心", area=beixing, address="东海大街8号")
    centre_hours_replace(centre=daytime, periods=weekday_hours())
    service_function_save(centre=daytime, code=ServiceFunctionCode.ELDERCARE, description="日间照料")
    return evening, daytime


def test_a_resident_on_a_phone_filters_the_directory_and_opens_a_centre(phone_page, centres):
    page = phone_page
    page.goto(f"{page.base_url}/centres/")
    expect(page.locator("#result-count")).to_contain_text("2")

    page.get_by_label("在晚上开放").check()
    page.get_by_role("button", name="显示服务中心").click()
    expect(page).to_have_url(f"{page.base_url}/centres/?q=&street=&community=&function=&evenings=on")
    expect(page.locator("#result-count")).to_contain_text("1")
    expect(page.get_by_role("link", name="华丰社区党群服务中心")).to_be_visible()
    expect(page.get_by_role("link", name="北星社区党群服务中心")).to_have_count(0)

    page.get_by_role("link", name="华丰社区党群服务中心").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("华丰社区党群服务中心")
    expect(page.get_by_text("4点钟课堂 16:00–18:30")).to_be_visible()
    expect(page.locator("tr[aria-current=date]")).to_have_count(1)
    # Nothing on the page is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_resident_switches_the_language_and_stays_on_the_page(phone_page, centres):
    page = phone_page
    page.goto(f"{page.base_url}/centres/{centres[0].slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_role("navigation", name="语言").get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{page.base_url}/en/centres/{centres[0].slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Opening hours this week")).to_be_visible()
    page.get_by_role("navigation", name="Language").get_by_role("link", name="简体中文").click()
    expect(page).to_have_url(f"{page.base_url}/centres/{centres[0].slug}/")
    expect(page.get_by_role("heading", name="本周开放时间")).to_be_visible()
