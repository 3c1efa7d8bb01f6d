"""Dates and times the Chinese way (2026年11月22日 周日 19:00), English on /en/."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUNDAY_EVENING = dt.datetime(2026, 11, 22, 19, 0, tzinfo=SHANGHAI)


def render(template, **context):
    return Template("{% load portal_tags %}" + template).render(Context(context))


def test_when_in_chinese():
    with translation.override("zh-hans"):
        assert render("{{ moment|when }}", moment=SUNDAY_EVENING) == "2026年11月22日 周日 19:00"


def test_when_in_english():
    with translation.override("en"):
        assert render("{{ moment|when }}", moment=SUNDAY_EVENING) == "Sun 22 Nov 2026 19:00"


def test_when_shows_a_utc_moment_in_shanghai_time_across_midnight():
    saturday_utc = dt.datetime(2026, 11, 21, 16, 30, tzinfo=dt.UTC)  # 00:30 on Sunday in Shanghai

    with translation.override("zh-hans"):
        assert render("{{ moment|when }}", moment=saturday_utc) == "2026年11月22日 周日 00:30"
    with translation.override("en"):
        assert render("{{ moment|when }}", moment=saturday_utc) == "Sun 22 Nov 2026 00:30"


@pytest.mark.parametrize(
    ("date", "chinese", "english"),
    [
        (dt.date(2026, 11, 16), "2026年11月16日 周一", "Mon 16 Nov 2026"),
        (dt.date(2026, 10, 1), "2026年10月1日 周四", "Thu 1 Oct 2026"),
        (dt.date(2027, 1, 2), "2027年1月2日 周六", "Sat 2 Jan 2027"),
    ],
)
def test_full_date_in_both_languages(date, chinese, english):
    with translation.override("zh-hans"):
        assert render("{{ date|full_date }}", date=date) == chinese
    with translation.override("en"):
        assert render("{{ date|full_date }}", date=date) == english


def test_day_label_without_the_year():
    with translation.override("zh-hans"):
        assert render("{{ date|day_label }}", date=dt.date(2026, 11, 22)) == "11月22日 周日"
    with translation.override("en"):
        assert render("{{ date|day_label }}", date=dt.date(2026, 11, 22)) == "Sun 22 Nov"


def test_hhmm_gives_hours_and_minutes():
    assert render("{{ time|hhmm }}", time=dt.time(8, 30)) == "08:30"
    assert render("{{ moment|hhmm }}", moment=SUNDAY_EVENING) == "19:00"


def test_nothing_renders_as_empty():
    with translation.override("zh-hans"):
        assert render("[{{ none|when }}|{{ none|full_date }}|{{ none|day_label }}|{{ none|weekday }}]", none=None) == (
            "[|||]"
        )


def test_midnight_is_a_time_not_nothing():
    assert render("{{ time|hhmm }}", time=dt.time(0, 0)) == "00:00"


def test_hhmm_and_weekday_show_a_utc_moment_in_shanghai_time():
    # As a DateTimeField comes back from PostgreSQL: aware, in UTC.
    saturday_utc = dt.datetime(2026, 11, 21, 16, 30, tzinfo=dt.UTC)  # 00:30 on Sunday in Shanghai

    assert render("{{ moment|hhmm }}", moment=saturday_utc) == "00:30"
    with translation.override("zh-hans"):
        assert render("{{ moment|weekday }} {{ moment|day_label }}", moment=saturday_utc) == "周日 11月22日 周日"
    with translation.override("en"):
        assert render("{{ moment|weekday }}", moment=saturday_utc) == "Sun"
