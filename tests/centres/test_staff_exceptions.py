"""Special dates: /staff/centres/<slug>/exceptions/ lists the coming ones, adds and removes."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from centres.holidays import DayType
from centres.models import DateException, ServiceKind
from centres.services import date_exception_add
from centres.staff_views import national_days_ahead
from tests.centres.factories import CentreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

T = dt.time


@pytest.fixture
def centre():
    return CentreFactory(name="北星社区党群服务中心", slug="beixing")


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def next_national_day() -> dt.date:
    today = timezone.localdate()
    national_day = dt.date(today.year, 10, 1)
    return national_day if national_day > today else dt.date(today.year + 1, 10, 1)


def url(centre):
    return reverse("staff:exceptions", kwargs={"slug": centre.slug})


def stored(centre):
    return [
        (e.date, e.is_closed, e.kind, e.opens, e.closes, e.note)
        for e in centre.date_exceptions.order_by("date", "opens")
    ]


def test_the_page_lists_the_coming_dates_only(staff_client, centre):
    date_exception_add(centre=centre, date=in_days(-3), is_closed=True, note="停电")
    coming = date_exception_add(centre=centre, date=in_days(5), is_closed=True, note="设备检修")
    later = date_exception_add(centre=centre, date=in_days(30), is_closed=False, opens=T(9), closes=T(12), note="义诊")

    response = staff_client.get(url(centre))

    assert response.status_code == 200
    assert response.context["exceptions"] == [coming, later]
    html = response.content.decode()
    assert "设备检修" in html and "义诊" in html and "停电" not in html


def test_adding_a_closed_day(staff_client, centre):
    date = in_days(10)

    response = staff_client.post(url(centre), {"date": date.isoformat(), "status": "closed", "note": "设备检修"})

    assert response.status_code == 302
    assert response["Location"] == url(centre)
    assert stored(centre) == [(date, True, ServiceKind.REGULAR, None, None, "设备检修")]


def test_times_given_for_a_closed_day_are_dropped(staff_client, centre):
    date = in_days(10)

    staff_client.post(url(centre), {"date": date.isoformat(), "status": "closed", "opens": "09:00", "closes": "12:00"})

    assert stored(centre) == [(date, True, ServiceKind.REGULAR, None, None, "")]


def test_opening_on_a_national_holiday_at_special_hours(staff_client, centre):
    date = next_national_day()
    data = {
        "date": date.isoformat(),
        "status": "open",
        "kind": "staggered",
        "opens": "09:00",
        "closes": "16:00",
        "note": "国庆节邻里集市",
    }

    response = staff_client.post(url(centre), data)

    assert response.status_code == 302
    assert stored(centre) == [(date, False, ServiceKind.STAGGERED, T(9), T(16), "国庆节邻里集市")]


def test_special_hours_need_both_times(staff_client, centre):
    data = {"date": in_days(3).isoformat(), "status": "open", "kind": "regular", "opens": "09:00", "note": "调休上班"}

    response = staff_client.post(url(centre), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {"closes": ["Enter the closing time, e.g. 17:00."]}
    assert response.context["form"]["note"].value() == "调休上班"
    assert stored(centre) == []


def test_a_date_in_the_past_is_refused(staff_client, centre):
    response = staff_client.post(url(centre), {"date": in_days(-1).isoformat(), "status": "closed"})

    assert response.context["form"].errors == {"date": ["This date has passed. Choose today or a later date."]}
    assert stored(centre) == []


def test_closing_a_day_that_has_special_hours_gives_the_service_message_and_changes_nothing(staff_client, centre):
    date = in_days(7)
    date_exception_add(centre=centre, date=date, is_closed=False, opens=T(9), closes=T(12), note="义诊")
    before = stored(centre)

    response = staff_client.post(url(centre), {"date": date.isoformat(), "status": "closed", "note": "停电"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"{date:%Y-%m-%d} already has special hours. Remove them before marking the day closed."
    ]
    assert stored(centre) == before


def test_overlapping_special_hours_are_refused(staff_client, centre):
    date = in_days(7)
    date_exception_add(centre=centre, date=date, is_closed=False, opens=T(9), closes=T(12))
    before = stored(centre)
    data = {"date": date.isoformat(), "status": "open", "kind": "regular", "opens": "11:00", "closes": "14:00"}

    response = staff_client.post(url(centre), data)

    assert response.context["form"].non_field_errors() == [
        f"Two periods on {date:%Y-%m-%d} overlap (09:00–12:00 and 11:00–14:00)."
    ]
    assert stored(centre) == before


def test_removing_a_date_asks_first_then_deletes_on_post(staff_client, centre):
    exception = date_exception_add(centre=centre, date=in_days(4), is_closed=True, note="设备检修")
    delete_url = reverse("staff:exception_delete", kwargs={"slug": centre.slug, "pk": exception.pk})

    confirm = staff_client.get(delete_url)
    assert confirm.status_code == 200
    assert DateException.objects.filter(pk=exception.pk).exists()

    response = staff_client.post(delete_url)

    assert response.status_code == 302
    assert response["Location"] == url(centre)
    assert stored(centre) == []


def test_a_date_of_another_centre_cannot_be_removed(staff_client, centre):
    other = date_exception_add(centre=CentreFactory(), date=in_days(4), is_closed=True)

    response = staff_client.post(reverse("staff:exception_delete", kwargs={"slug": centre.slug, "pk": other.pk}))

    assert response.status_code == 404
    assert DateException.objects.filter(pk=other.pk).exists()


def test_the_national_calendar_lists_public_holidays_and_make_up_working_days():
    days = national_days_ahead(dt.date(2025, 9, 20))[:4]

    assert [(day.date, day.type, str(day.holiday_name)) for day in days] == [
        (dt.date(2025, 9, 28), DayType.MAKE_UP_WORKING_DAY, "National Day"),
        (dt.date(2025, 10, 1), DayType.PUBLIC_HOLIDAY, "National Day"),
        (dt.date(2025, 10, 2), DayType.PUBLIC_HOLIDAY, "National Day"),
        (dt.date(2025, 10, 3), DayType.PUBLIC_HOLIDAY, "National Day"),
    ]


def test_a_date_in_the_link_fills_in_the_form(staff_client, centre):
    date = in_days(20)

    response = staff_client.get(url(centre) + f"?date={date.isoformat()}")
    nonsense = staff_client.get(url(centre) + "?date=not-a-date")

    assert response.context["form"]["date"].value() == date
    assert nonsense.context["form"]["date"].value() is None
