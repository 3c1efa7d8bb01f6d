import datetime as dt

import pytest
from playwright.sync_api import expect

from activities.models import Activity, Occurrence
from centres.services import centre_hours_replace, room_save
from tests.activities.factories import next_weekday
from tests.centres.factories import CentreFactory, weekday_hours
from tests.portal.factories import DEFAULT_PASSWORD, CentreStaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def centre():
    centre = CentreFactory(name="华丰社区党群服务中心", slug="huafeng")
    centre_hours_replace(
        centre=centre, periods=weekday_hours(evening_until=dt.time(21), weekend=(dt.time(9), dt.time(17)))
    )
    room_save(centre=centre, name="多功能活动室", capacity=40)
    return centre


def log_in(page, phone, next_url):
    page.goto(f"{page.base_url}/login/?next={next_url}")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()


def create_activity(page, title):
    page.get_by_role("link", name="新建活动").first.click()
    page.locator("#id_title").fill(title)
    page.locator("#id_service_function").select_option("culture_sports")
    page.locator("#id_audience").select_option("young_adults")
    page.locator("#id_capacity").fill("20")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_activity option:checked")).to_have_text(title)


def fill_series(page, *, date, starts, ends, room, count):
    page.locator("#id_first_date").fill(date.isoformat())
    page.locator("#id_starts").fill(starts)
    page.locator("#id_ends").fill(ends)
    page.locator("#id_room").select_option(str(room.pk))
    page.locator("input[name=repeat][value=weekly]").check()
    page.locator("input[name=weekdays][value='1']").check()
    page.locator("input[name=ends_by][value=count]").check()
    page.locator("#id_count").fill(str(count))


def test_a_staff_member_creates_an_eight_week_evening_class_series_and_is_stopped_by_a_room_clash(phone_page, centre):
    page = phone_page
    CentreStaffFactory(phone="13900007788", centres=[centre])
    room = centre.rooms.get()
    tuesday = next_weekday(1)

    log_in(page, "13900007788", f"/staff/centres/{centre.slug}/schedule/")
    expect(page.get_by_role("heading", level=1)).to_have_text("华丰社区党群服务中心")
    expect(page.locator(".week-grid")).to_be_visible()

    create_activity(page, "青年夜校·摄影")
    fill_series(page, date=tuesday, starts="19:00", ends="21:00", room=room, count=8)
    page.locator("button[value=check]").click()

    preview = page.locator("#preview")
    expect(preview.locator(".preview-sessions li")).to_have_count(8)
    expect(preview.locator(".preview-sessions li").first).to_contain_text("19:00–21:00")
    expect(preview.locator(".badge-after-hours").first).to_be_visible()
    expect(preview.locator(".alert-danger")).to_have_count(0)
    assert not Occurrence.objects.exists()

    page.locator("button[value=save]").click()
    expect(page.get_by_role("status")).to_contain_text("已为“青年夜校·摄影”安排了 8 个场次。")
    expect(page.locator(".session-chip", has_text="青年夜校·摄影")).to_have_count(1)
    photography = Activity.objects.get(title="青年夜校·摄影")
    assert photography.occurrences.count() == 8

    page.get_by_role("link", name="周安排").first.click()
    create_activity(page, "书法班")
    fill_series(page, date=tuesday + dt.timedelta(weeks=3), starts="20:00", ends="21:00", room=room, count=4)
    page.locator("button[value=save]").click()

    alert = page.locator("main form .alert-danger")
    expect(alert).to_contain_text("“青年夜校·摄影”")
    expect(alert).to_contain_text("19:00–21:00")
    expect(alert.locator("li")).to_have_count(4)
    # What was typed is still there.
    expect(page.locator("#id_starts")).to_have_value("20:00")
    expect(page.locator("#id_count")).to_have_value("4")
    assert not Activity.objects.get(title="书法班").occurrences.exists()
    assert Occurrence.objects.count() == 8
