"""A resident on a phone-sized screen filters the calendar to after-hours childcare for a
7-year-old and opens a session."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Audience
from centres.holidays import DayType, national_day
from centres.models import ServiceFunctionCode
from tests.activities.factories import ActivityFactory, open_centre, session
from tests.centres.factories import CommunityFactory

pytestmark = pytest.mark.django_db(transaction=True)

T = dt.time


def next_working_day() -> dt.date:
    today = timezone.localdate()
    return next(
        today + dt.timedelta(days=n)
        for n in range(1, 30)
        if national_day(today + dt.timedelta(days=n)).type == DayType.WORKING_DAY
    )


@pytest.fixture
def calendar():
    community = CommunityFactory(name="华丰社区", parent__name="泉秀街道", parent__parent__name="丰泽区")
    centre = open_centre(name="华丰社区党群服务中心", slug="huafeng", area=community, address="泉秀路100号")
    day = next_working_day()
    childcare = {"service_function": ServiceFunctionCode.CHILDCARE, "audience": Audience.CHILDREN}
    homework = ActivityFactory(
        centre=centre, title="四点钟课堂", description="作业辅导。", min_age=6, max_age=12, **childcare
    )
    toddlers = ActivityFactory(centre=centre, title="亲子早教", min_age=1, max_age=3, **childcare)
    reading = ActivityFactory(centre=centre, title="绘本阅读", min_age=3, max_age=5, **childcare)
    choir = ActivityFactory(
        centre=centre, title="老年合唱团", service_function=ServiceFunctionCode.ELDERCARE, audience=Audience.ELDERS
    )
    daytime = ActivityFactory(centre=centre, title="白天托管", min_age=6, max_age=12, **childcare)
    return {
        "homework": session(homework, date=day, starts=T(17, 30), ends=T(19)),
        "toddlers": session(toddlers, date=day, starts=T(18), ends=T(19), room=None),
        "reading": session(reading, date=day, starts=T(19, 15), ends=T(20), room=None),
        "choir": session(choir, date=day, starts=T(19, 30), ends=T(20, 30), room=None),
        "daytime": session(daytime, date=day, starts=T(10), ends=T(11)),
    }


def test_a_resident_on_a_phone_filters_to_after_hours_childcare_and_opens_a_session(phone_page, calendar):
    page = phone_page
    page.goto(f"{page.base_url}/activities/")
    # The list is the default on a phone.
    expect(page.locator(".view-switch [aria-current=page]")).to_have_attribute("href", "/activities/?view=list")
    expect(page.locator(".month-grid")).to_have_count(0)
    for title in ("四点钟课堂", "亲子早教", "绘本阅读", "老年合唱团", "白天托管"):
        expect(page.get_by_role("link", name=title)).to_be_visible()

    # Open the filters with the keyboard, fill them in, and submit.
    summary = page.locator(".filter-panel > summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_function")).to_be_visible()
    page.locator("#id_function").select_option("childcare")
    page.locator("#id_age").fill("7")
    page.locator("#id_after_hours").focus()
    page.keyboard.press("Space")
    expect(page.locator("#id_after_hours")).to_be_checked()
    page.locator("#id_age").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"function=childcare&.*age=7&.*after_hours=on"))
    expect(page.locator("#active-filters .badge")).to_have_count(3)
    expect(page.get_by_role("link", name="四点钟课堂")).to_be_visible()
    for title in ("亲子早教", "绘本阅读", "老年合唱团", "白天托管"):
        expect(page.get_by_role("link", name=title)).to_have_count(0)
    # The filters stay as the resident set them.
    expect(page.locator("#id_age")).to_have_value("7")
    expect(page.locator("#id_function")).to_have_value("childcare")
    # Still a list, and nothing is wider than the phone.
    expect(page.locator(".month-grid")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="四点钟课堂").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("四点钟课堂")
    facts = page.locator(".occurrence-facts")
    expect(facts).to_contain_text("17:30–19:00")
    expect(facts).to_contain_text("华丰社区党群服务中心")
    expect(facts).to_contain_text("泉秀路100号")
    expect(facts).to_contain_text("多功能活动室")
    expect(facts).to_contain_text("6")
    expect(page.locator("#take-part")).to_be_visible()
    expect(page.locator(".badge-after-hours")).to_be_visible()
    expect(page.locator(f"a[href='/activities/{calendar['homework'].pk}/event.ics']")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
