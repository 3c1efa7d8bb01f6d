"""Dates and times the Chinese way (2026年11月22日 周日 19:00), English on /en/."""

import datetime as dt

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import timezone
from django.utils.translation import get_language, get_language_info

register = template.Library()

WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _is_chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def weekday(value) -> str:
    if not value:
        return ""
    value = _local(value)
    return f"周{WEEKDAYS_ZH[value.weekday()]}" if _is_chinese() else WEEKDAYS_EN[value.weekday()]


@register.filter
def day_label(value) -> str:
    """11月22日 周日 / Sun 22 Nov"""
    if not value:
        return ""
    value = _local(value)
    if _is_chinese():
        return f"{value.month}月{value.day}日 {weekday(value)}"
    return f"{weekday(value)} {value.day} {MONTHS_EN[value.month - 1]}"


@register.filter
def full_date(value) -> str:
    """2026年11月22日 周日 / Sun 22 Nov 2026"""
    if not value:
        return ""
    value = _local(value)
    if _is_chinese():
        return f"{value.year}年{value.month}月{value.day}日 {weekday(value)}"
    return f"{weekday(value)} {value.day} {MONTHS_EN[value.month - 1]} {value.year}"


@register.filter
def when(value) -> str:
    """2026年11月22日 周日 19:00"""
    if not value:
        return ""
    value = _local(value)
    return f"{full_date(value)} {value:%H:%M}"


@register.filter
def hhmm(value) -> str:
    return f"{_local(value):%H:%M}" if value else ""


@register.filter
def soon(value) -> str:
    """A moment in the coming days, said the short way: 今天 08:30, 明天 08:30,
    11月25日 周三 08:30 (today 08:30, tomorrow 08:30, Wed 25 Nov 08:30)."""
    if not value:
        return ""
    value = _local(value)
    days_ahead = (value.date() - timezone.localdate()).days
    chinese = _is_chinese()
    if days_ahead == 0:
        day = "今天" if chinese else "today"
    elif days_ahead == 1:
        day = "明天" if chinese else "tomorrow"
    else:
        day = day_label(value)
    return f"{day} {value:%H:%M}"


@register.inclusion_tag("partials/language_switch.html", takes_context=True)
def language_switch(context):
    """Links to this same page in each language: plain links, so they need no form, no
    cookie and no JavaScript, and a screen reader announces them as links."""
    request = context["request"]
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": translate_url(request.get_full_path(), code),
                "is_current": code == current,
            }
        )
    return {"languages": links}
