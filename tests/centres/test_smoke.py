import datetime as dt

import pytest

from centres.services import centre_hours_replace
from tests.centres.factories import CentreFactory, weekday_hours
from tests.portal.factories import CentreStaffFactory

pytestmark = pytest.mark.django_db


def test_factories_make_a_centre_with_hours_and_staff():
    centre = CentreFactory()
    centre_hours_replace(centre=centre, periods=weekday_hours(evening_until=dt.time(20, 30)))
    staff = CentreStaffFactory(centres=[centre])
    centre.refresh_from_db()
    assert centre.street == centre.area.parent
    assert centre.district == centre.area.parent.parent
    assert centre.opens_evenings is True
    assert list(staff.centres.all()) == [centre]
    assert staff.check_password("Fengze-2026-portal")
