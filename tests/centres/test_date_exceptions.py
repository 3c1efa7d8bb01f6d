"""date_exception_add: a date is either closed or has special hours, never both, and its
special hours never overlap."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from centres.models import DateException, ServiceKind
from centres.services import date_exception_add
from tests.centres.factories import CentreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

T = dt.time
SUNDAY = dt.date(2026, 11, 22)


def stored(centre):
    return list(
        DateException.objects.filter(centre=centre)
        .order_by("date", "opens")
        .values_list("date", "is_closed", "kind", "opens", "closes", "note")
    )


def test_a_closed_day_is_saved():
    centre = CentreFactory()

    exception = date_exception_add(centre=centre, date=SUNDAY, is_closed=True, note="消防演练")

    assert stored(centre) == [(SUNDAY, True, ServiceKind.REGULAR, None, None, "消防演练")]
    assert exception.pk is not None


def test_special_hours_side_by_side_are_saved():
    centre = CentreFactory()

    date_exception_add(centre=centre, date=SUNDAY, is_closed=False, opens=T(9), closes=T(12), note="义诊")
    date_exception_add(
        centre=centre,
        date=SUNDAY,
        is_closed=False,
        kind=ServiceKind.EXTENDED,
        opens=T(12),
        closes=T(14),
        note="邻里义剪",
    )

    assert stored(centre) == [
        (SUNDAY, False, ServiceKind.REGULAR, T(9), T(12), "义诊"),
        (SUNDAY, False, ServiceKind.EXTENDED, T(12), T(14), "邻里义剪"),
    ]


def test_closing_a_day_that_has_special_hours_is_refused_and_nothing_changes():
    centre = CentreFactory()
    date_exception_add(centre=centre, date=SUNDAY, is_closed=False, opens=T(9), closes=T(12))
    before = stored(centre)

    with pytest.raises(ValidationError) as refused:
        date_exception_add(centre=centre, date=SUNDAY, is_closed=True, note="停电")

    assert refused.value.messages == [
        "2026-11-22 already has special hours. Remove them before marking the day closed."
    ]
    assert stored(centre) == before


def test_adding_hours_to_a_closed_day_is_refused_and_nothing_changes():
    centre = CentreFactory()
    date_exception_add(centre=centre, date=SUNDAY, is_closed=True)
    before = stored(centre)

    with pytest.raises(ValidationError) as refused:
        date_exception_add(centre=centre, date=SUNDAY, is_closed=False, opens=T(9), closes=T(12))

    assert refused.value.messages == ["2026-11-22 is already marked closed. Remove that before adding hours."]
    assert stored(centre) == before


def test_closing_a_day_twice_is_refused_and_nothing_changes():
    centre = CentreFactory()
    date_exception_add(centre=centre, date=SUNDAY, is_closed=True, note="消防演练")
    before = stored(centre)

    with pytest.raises(ValidationError):
        date_exception_add(centre=centre, date=SUNDAY, is_closed=True, note="又一次")

    assert stored(centre) == before


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(T(11), T(13)), (T(8), T(9, 30)), (T(9), T(12)), (T(10), T(11)), (T(8), T(18))],
    ids=["overlaps the end", "overlaps the start", "the same", "inside", "around"],
)
def test_overlapping_special_hours_are_refused_and_nothing_changes(opens, closes):
    centre = CentreFactory()
    date_exception_add(centre=centre, date=SUNDAY, is_closed=False, opens=T(9), closes=T(12))
    before = stored(centre)

    with pytest.raises(ValidationError) as refused:
        date_exception_add(centre=centre, date=SUNDAY, is_closed=False, opens=opens, closes=closes)

    assert len(refused.value.messages) == 1
    assert refused.value.messages[0].startswith("Two periods on 2026-11-22 overlap")
    assert stored(centre) == before


def test_the_overlap_message_names_both_periods():
    centre = CentreFactory()
    date_exception_add(centre=centre, date=SUNDAY, is_closed=False, opens=T(9), closes=T(12))

    with pytest.raises(ValidationError) as refused:
        date_exception_add(centre=centre, date=SUNDAY, is_closed=False, opens=T(11), closes=T(13))

    assert refused.value.messages == ["Two periods on 2026-11-22 overlap (09:00–12:00 and 11:00–13:00)."]


def test_hours_that_end_before_they_start_are_refused_and_nothing_is_saved():
    centre = CentreFactory()

    with pytest.raises(ValidationError) as refused:
        date_exception_add(centre=centre, date=SUNDAY, is_closed=False, opens=T(12), closes=T(9))

    assert refused.value.message_dict == {"closes": ["Closing time must be after opening time."]}
    assert stored(centre) == []


def test_hours_without_a_closing_time_are_refused_and_nothing_is_saved():
    centre = CentreFactory()

    with pytest.raises(ValidationError) as refused:
        date_exception_add(centre=centre, date=SUNDAY, is_closed=False, opens=T(9))

    # full_clean also reports the database constraint, in its generic wording.
    assert refused.value.messages[0] == "Give the opening and closing times, or mark the day closed."
    assert stored(centre) == []


def test_another_centre_or_another_date_does_not_conflict():
    centre, neighbour = CentreFactory(), CentreFactory()
    date_exception_add(centre=neighbour, date=SUNDAY, is_closed=True)
    date_exception_add(centre=centre, date=SUNDAY - dt.timedelta(days=1), is_closed=True)

    date_exception_add(centre=centre, date=SUNDAY, is_closed=False, opens=T(9), closes=T(12))

    assert stored(centre) == [
        (SUNDAY - dt.timedelta(days=1), True, ServiceKind.REGULAR, None, None, ""),
        (SUNDAY, False, ServiceKind.REGULAR, T(9), T(12), ""),
    ]
