"""Special dates and sessions: a day cannot be closed, or its hours cut, under sessions
planned on it; a change that leaves them covered goes through and relabels them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from activities.models import Occurrence
from centres.models import ServiceKind
from centres.services import date_exception_add
from tests.activities.factories import ActivityFactory, next_weekday, open_centre, session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def evening_class():
    centre = open_centre()
    activity = ActivityFactory(centre=centre, title="青年夜校·茶艺")
    return session(activity, date=next_weekday(1), starts=dt.time(19), ends=dt.time(20, 30))


def test_closing_a_day_with_a_session_on_it_is_refused_naming_the_session(evening_class):
    date = next_weekday(1)
    with pytest.raises(ValidationError) as refused:
        date_exception_add(centre=evening_class.centre, date=date, is_closed=True, note="停电")
    assert "“青年夜校·茶艺” 19:00–20:30" in refused.value.messages[0]
    assert "Move or cancel them first" in refused.value.messages[0]
    assert not evening_class.centre.date_exceptions.exists()


def test_special_hours_that_cut_a_session_short_are_refused(evening_class):
    with pytest.raises(ValidationError):
        date_exception_add(
            centre=evening_class.centre,
            date=next_weekday(1),
            is_closed=False,
            kind=ServiceKind.REGULAR,
            opens=dt.time(9),
            closes=dt.time(20),
        )
    assert not evening_class.centre.date_exceptions.exists()


def test_special_hours_that_still_cover_the_session_relabel_it(evening_class):
    assert evening_class.after_hours_kind == ServiceKind.EXTENDED
    date_exception_add(
        centre=evening_class.centre,
        date=next_weekday(1),
        is_closed=False,
        kind=ServiceKind.APPOINTMENT,
        opens=dt.time(18),
        closes=dt.time(21),
    )
    evening_class.refresh_from_db()
    assert evening_class.after_hours_kind == ServiceKind.APPOINTMENT


def test_a_cancelled_session_does_not_stop_the_day_being_closed(evening_class):
    Occurrence.objects.filter(pk=evening_class.pk).update(status=Occurrence.Status.CANCELLED)
    date_exception_add(centre=evening_class.centre, date=next_weekday(1), is_closed=True, note="停电")
    assert evening_class.centre.date_exceptions.count() == 1
