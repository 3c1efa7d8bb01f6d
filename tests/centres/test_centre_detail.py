"""A centre's public page at /centres/<slug>/ (and /en/centres/<slug>/)."""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from centres.models import ServiceFunctionCode
from centres.services import (
    centre_hours_replace,
    centre_photo_add,
    date_exception_add,
    room_save,
    service_function_save,
)
from tests.centres.factories import CentreFactory, CommunityFactory, weekday_hours

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = dt.time
# Monday 5 October 2026, 10:00: the fifth day of the National Day holiday (1–7 October);
# Saturday 10 October is worked in lieu.
HOLIDAY_MONDAY = dt.datetime(2026, 10, 5, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: HOLIDAY_MONDAY)


def jpeg(colour="red"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def centre():
    community = CommunityFactory(name="华丰社区", parent__name="泉秀街道", parent__parent__name="丰泽区")
    centre = CentreFactory(
        name="华丰社区党群服务中心", area=community, address="泉秀路100号", phone="0595-22886655", floor_area=1200
    )
    centre_hours_replace(
        centre=centre,
        periods=weekday_hours(
            evening_until=T(20, 30), weekend=(T(9), T(17)), holiday=(T(9), T(12)), appointment=(T(20, 30), T(21, 30))
        ),
    )
    date_exception_add(centre=centre, date=dt.date(2026, 10, 9), is_closed=True, note="设备检修")
    service_function_save(centre=centre, code=ServiceFunctionCode.CHILDCARE, description="4点钟课堂 16:00–18:30")
    service_function_save(centre=centre, code=ServiceFunctionCode.OWN, name="家风家训馆", description="家训展览")
    room_save(centre=centre, name="四点钟课堂教室", capacity=30, purpose="课后托管")
    room_save(centre=centre, name="党建书吧", capacity=1, purpose="阅读")
    centre_photo_add(centre=centre, upload=jpeg(), caption="四点钟课堂")
    return centre


def page(client, centre, prefix=""):
    response = client.get(f"{prefix}/centres/{centre.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def timetable_rows(content):
    body = content.split('<table class="table timetable">')[1].split("</table>")[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, flags=re.DOTALL)


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_shows_the_centre_its_services_and_rooms(client, centre):
    content = page(client, centre)

    assert "<h1>华丰社区党群服务中心</h1>" in content
    assert "泉秀路100号" in content
    assert 'href="tel:0595-22886655"' in content
    assert "<dd>4点钟课堂 16:00–18:30</dd>" in content
    assert "<dt>家风家训馆</dt>" in content
    assert "<dd>家训展览</dd>" in content
    assert "<strong>四点钟课堂教室</strong>" in content
    assert "<small>课后托管</small>" in content
    assert "<strong>党建书吧</strong>" in content
    photo = centre.photos.get()
    assert f'src="{photo.thumbnail.url}"' in content
    assert f'href="{photo.image.url}"' in content


def test_the_timetable_has_seven_days_from_today_with_today_marked(client, centre):
    rows = timetable_rows(page(client, centre))

    assert [text_of(row).split(" ")[:2] for row in rows] == [
        ["10月5日", "周一"],
        ["10月6日", "周二"],
        ["10月7日", "周三"],
        ["10月8日", "周四"],
        ["10月9日", "周五"],
        ["10月10日", "周六"],
        ["10月11日", "周日"],
    ]
    assert [row for row in rows if 'aria-current="date"' in row] == [rows[0]]


def test_the_timetable_follows_holidays_make_up_days_and_date_exceptions(client, centre):
    rows = [text_of(row) for row in timetable_rows(page(client, centre, "/en"))]

    assert rows == [
        "Mon 5 Oct National Day 09:00–12:00 Staggered weekend and holiday hours 20:30–21:30 By appointment",
        "Tue 6 Oct National Day 09:00–12:00 Staggered weekend and holiday hours 20:30–21:30 By appointment",
        "Wed 7 Oct National Day 09:00–12:00 Staggered weekend and holiday hours 20:30–21:30 By appointment",
        "Thu 8 Oct 08:30–17:30 17:30–20:30 Extended hours 20:30–21:30 By appointment",
        "Fri 9 Oct Closed 设备检修",
        "Sat 10 Oct National Day · make-up working day "
        "08:30–17:30 17:30–20:30 Extended hours 20:30–21:30 By appointment",
        "Sun 11 Oct 09:00–17:00 Staggered weekend and holiday hours 20:30–21:30 By appointment",
    ]


def test_the_page_shows_the_after_hours_badges_and_the_open_status(client, centre):
    content = page(client, centre, "/en")
    header = text_of(content.split('<header class="mb-4">')[1].split("</header>")[0])

    assert header == (
        "华丰社区党群服务中心 Community centre · 丰泽区 泉秀街道 华丰社区 Open now until 12:00 "
        "Open in the evening Open at weekends 365 days, never closed"
    )


def test_a_centre_without_after_hours_service_has_no_badges(client):
    centre = CentreFactory(name="北星社区党群服务中心")
    centre_hours_replace(centre=centre, periods=weekday_hours())

    content = page(client, centre, "/en")

    assert "badge" not in content.split('<header class="mb-4">')[1].split("</header>")[0]
    assert "Closed now" in content
    assert "opens Thu 8 Oct 08:30" in content


def test_the_english_page_answers_in_english(client, centre):
    content = page(client, centre, "/en")

    assert '<html lang="en">' in content
    assert "<dt>Childcare and early education</dt>" in content
    assert "Opening hours this week" in content


def test_the_default_page_is_in_simplified_chinese(client, centre):
    assert '<html lang="zh-hans">' in page(client, centre)


def test_an_unpublished_centre_is_not_found(client, centre):
    centre.is_published = False
    centre.save(update_fields=["is_published"])

    assert client.get(f"/centres/{centre.slug}/").status_code == 404
    assert client.get(f"/en/centres/{centre.slug}/").status_code == 404


def test_an_unknown_centre_is_not_found(client, centre):
    assert client.get("/centres/no-such-centre/").status_code == 404


def add_rooms_functions_and_photos(centre, count):
    for number in range(count):
        service_function_save(centre=centre, code=ServiceFunctionCode.OWN, name=f"特色服务{number}", position=number)
        room_save(centre=centre, name=f"活动室{number}", capacity=20)
        centre_photo_add(centre=centre, upload=jpeg(), caption=f"照片{number}")


def test_the_page_costs_the_same_queries_for_20_rooms_functions_and_photos_as_for_2(
    client, django_assert_max_num_queries
):
    small, big = CentreFactory(), CentreFactory()
    for centre in (small, big):
        centre_hours_replace(centre=centre, periods=weekday_hours(evening_until=T(20, 30), holiday=(T(9), T(12))))
        date_exception_add(centre=centre, date=dt.date(2026, 10, 9), is_closed=True)
    add_rooms_functions_and_photos(small, 2)
    add_rooms_functions_and_photos(big, 20)

    with CaptureQueriesContext(connection) as with_two:
        page(client, small)
    with django_assert_max_num_queries(len(with_two)):
        content = page(client, big)

    assert content.count("<dt>特色服务") == 20
    assert content.count("<strong>活动室") == 20
    assert content.count('loading="lazy"') == 20
