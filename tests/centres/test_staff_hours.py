"""The weekly opening hours page: /staff/centres/<slug>/hours/."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from centres.models import Day, ServiceKind
from centres.services import centre_hours_replace
from tests.centres.factories import CentreFactory, weekday_hours

pytestmark = pytest.mark.django_db

T = dt.time


@pytest.fixture(autouse=True)
def _english():
    """Pages and messages in English (the catalogue may translate them into Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def centre():
    return CentreFactory(name="浔美社区党群服务中心", slug="xunmei")


def url(centre):
    return reverse("staff:hours", kwargs={"slug": centre.slug})


def post_data(rows, initial=0):
    data = {
        "hours-TOTAL_FORMS": str(len(rows)),
        "hours-INITIAL_FORMS": str(initial),
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data |= {f"hours-{index}-{name}": value for name, value in row.items()}
    return data


def row(day="", kind="regular", opens="", closes="", delete=False):
    values = {"day": day, "kind": kind, "opens": opens, "closes": closes}
    if delete:
        values["DELETE"] = "on"
    return values


def stored(centre):
    return [(p.day, p.kind, p.opens, p.closes) for p in centre.opening_periods.order_by("day", "opens")]


def flags(centre):
    centre.refresh_from_db()
    return centre.opens_evenings, centre.opens_weekends, centre.opens_all_year


def test_saving_hours_for_every_day_sets_the_evening_weekend_and_all_year_flags(staff_client, centre):
    rows = [
        row("working_days", "regular", "08:30", "17:30"),
        row("working_days", "extended", "17:30", "20:30"),
        row("weekend", "staggered", "09:00", "17:00"),
        row(str(Day.HOLIDAY), "staggered", "09:00", "12:00"),
        row(),
        row(),
    ]

    response = staff_client.post(url(centre), post_data(rows))

    assert response.status_code == 302
    assert response["Location"] == url(centre)
    working_days = [
        (day, kind, opens, closes)
        for day in range(5)
        for kind, opens, closes in (("regular", T(8, 30), T(17, 30)), ("extended", T(17, 30), T(20, 30)))
    ]
    assert stored(centre) == working_days + [
        (Day.SATURDAY, "staggered", T(9), T(17)),
        (Day.SUNDAY, "staggered", T(9), T(17)),
        (Day.HOLIDAY, "staggered", T(9), T(12)),
    ]
    assert flags(centre) == (True, True, True)


def test_office_hours_only_clear_the_flags(staff_client, centre):
    centre_hours_replace(centre=centre, periods=weekday_hours(evening_until=T(20, 30), weekend=(T(9), T(17))))
    assert flags(centre) == (True, True, False)
    data = post_data([row("working_days", "regular", "08:30", "17:30")])

    staff_client.post(url(centre), data)

    assert stored(centre) == [(day, "regular", T(8, 30), T(17, 30)) for day in range(5)]
    assert flags(centre) == (False, False, False)


def test_blank_rows_are_ignored(staff_client, centre):
    data = post_data([row(), row(str(Day.SATURDAY), "staggered", "09:00", "12:00"), row(kind="extended")])

    response = staff_client.post(url(centre), data)

    assert response.status_code == 302
    assert stored(centre) == [(Day.SATURDAY, "staggered", T(9), T(12))]
    assert flags(centre) == (False, True, False)


def test_the_page_shows_saved_hours_with_working_days_as_one_row(staff_client, centre):
    centre_hours_replace(centre=centre, periods=weekday_hours(weekend=(T(9), T(17))))

    response = staff_client.get(url(centre))

    formset = response.context["formset"]
    assert formset.initial == [
        {"day": "working_days", "kind": "regular", "opens": T(8, 30), "closes": T(17, 30)},
        {"day": "weekend", "kind": "staggered", "opens": T(9), "closes": T(17)},
    ]
    assert len(formset.forms) == 5  # two saved rows and three empty ones
    assert 'value="08:30"' in response.content.decode()


def test_ticking_remove_deletes_a_row(staff_client, centre):
    centre_hours_replace(centre=centre, periods=weekday_hours(weekend=(T(9), T(17))))
    rows = [
        row("working_days", "regular", "08:30", "17:30"),
        row("weekend", "staggered", "09:00", "17:00", delete=True),
    ]

    staff_client.post(url(centre), post_data(rows, initial=2))

    assert stored(centre) == [(day, "regular", T(8, 30), T(17, 30)) for day in range(5)]
    assert flags(centre) == (False, False, False)


def test_overlapping_periods_are_refused_nothing_changes_and_the_rows_stay_on_the_page(staff_client, centre):
    centre_hours_replace(centre=centre, periods=weekday_hours(evening_until=T(20, 30)))
    before = stored(centre)
    rows = [row(str(Day.MONDAY), "regular", "08:30", "12:00"), row(str(Day.MONDAY), "extended", "11:00", "19:00")]

    response = staff_client.post(url(centre), post_data(rows))

    assert response.status_code == 200
    assert response.context["hours_errors"] == ["Two periods on Monday overlap (08:30–12:00 and 11:00–19:00)."]
    html = response.content.decode()
    assert "Two periods on Monday overlap (08:30–12:00 and 11:00–19:00)." in html
    assert [
        (f["day"].value(), f["kind"].value(), f["opens"].value(), f["closes"].value())
        for f in response.context["formset"]
    ] == [
        ("0", "regular", "08:30", "12:00"),
        ("0", "extended", "11:00", "19:00"),
    ]
    assert 'value="11:00"' in html and 'value="19:00"' in html
    assert stored(centre) == before
    assert flags(centre) == (True, False, False)


def test_a_period_closing_before_it_opens_is_refused_on_its_row(staff_client, centre):
    centre_hours_replace(centre=centre, periods=weekday_hours())
    before = stored(centre)
    rows = [row(str(Day.TUESDAY), "regular", "17:00", "09:00")]

    response = staff_client.post(url(centre), post_data(rows))

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors == {"closes": ["Closing time must be after opening time."]}
    assert stored(centre) == before


def test_a_half_filled_row_says_what_is_missing(staff_client, centre):
    response = staff_client.post(url(centre), post_data([row(opens="08:30")]))

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors == {
        "day": ["Choose the day."],
        "closes": ["Enter the closing time, e.g. 17:30."],
    }
    assert stored(centre) == []


def test_a_public_holiday_row_makes_the_centre_open_all_year_with_appointments(staff_client, centre):
    rows = [
        row("working_days", "regular", "08:30", "17:30"),
        row("weekend", "appointment", "09:00", "11:00"),
        row(str(Day.HOLIDAY), "appointment", "09:00", "11:00"),
    ]

    staff_client.post(url(centre), post_data(rows))

    assert flags(centre) == (False, False, True)
    assert ServiceKind.APPOINTMENT in {kind for _day, kind, _o, _c in stored(centre)}
