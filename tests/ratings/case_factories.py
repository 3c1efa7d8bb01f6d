"""Bad ratings with their rectification cases, made directly (not through the rating
service), with deadlines given by hand, so tests of cases do not depend on it."""

import datetime as dt

import pytest
from django.utils import timezone

from activities.models import Occurrence
from ratings.cases import CaseRefused
from ratings.models import Level, Rating, RectificationCase
from tests.activities.factories import open_centre
from tests.bookings.factories import bookable_session, booking_for
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory, StreetStaffFactory, UserFactory


def bad_case(
    centre=None,
    *,
    resident=None,
    level: int = Level.VERY_DISSATISFIED,
    opened_at: dt.datetime | None = None,
    callback_due_at: dt.datetime | None = None,
    reply_due_at: dt.datetime | None = None,
    **fields,
) -> RectificationCase:
    """A bad rating of a booking at ``centre`` (a new open centre) and its case, opened
    ``opened_at`` (now) with the call-back due a day and the reply 21 days later unless given."""
    centre = centre or open_centre()
    resident = resident or UserFactory()
    # One session per centre, shared by its cases (20 places).
    occurrence = Occurrence.objects.filter(centre=centre).first() or bookable_session(centre=centre)
    booking = booking_for(resident, occurrence)
    opened_at = opened_at or timezone.now()
    rating = Rating.objects.create(
        centre=centre, booking=booking, resident=resident, level=level, comment="等了很久没人管", created_at=opened_at
    )
    return RectificationCase.objects.create(
        rating=rating,
        centre=centre,
        street_id=centre.street_id,
        district_id=centre.district_id,
        opened_at=opened_at,
        callback_due_at=callback_due_at or opened_at + dt.timedelta(days=1),
        reply_due_at=reply_due_at or opened_at + dt.timedelta(days=21),
        **fields,
    )


def people_of(centre) -> dict:
    """Everyone of the role × action matrix, around ``centre``."""
    other = open_centre()
    return {
        "centre_staff": CentreStaffFactory(centres=[centre]),
        "other_centre_staff": CentreStaffFactory(centres=[other]),
        "street_staff": StreetStaffFactory(area=centre.street),
        "district_staff": DistrictStaffFactory(area=centre.district),
        "other_district_staff": DistrictStaffFactory(area=other.district),
        "resident": UserFactory(),
    }


def case_snapshot(case) -> tuple:
    """The case's row and its rating's, to show a refusal changed neither."""
    return (
        RectificationCase.objects.filter(pk=case.pk).values().get(),
        Rating.objects.filter(pk=case.rating_id).values().get(),
    )


def refused(case, code, message, call) -> None:
    """``call`` is refused with ``code`` and ``message``, and the case is as it was."""
    before = case_snapshot(case)
    with pytest.raises(CaseRefused) as caught:
        call()
    assert (caught.value.code, caught.value.messages) == (code, [message])
    assert case_snapshot(case) == before
