"""``manage.py load_demo_data``: realistic demo data, one login per role, safe to re-run.

The demo data is loaded once for this module, inside a transaction that is rolled back
when the module is done; each test runs in a savepoint of it, as usual.
"""

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count
from django.utils import timezone

from centres import demo
from centres.models import Area, Centre, CentrePhoto, DateException, OpeningPeriod, Room, ServiceFunction
from centres.services import centre_hours_replace, date_exception_add
from portal.models import User
from tests.demo import demo_loaded  # noqa: F401 (a fixture)
from tests.demo import load_demo as load

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded")]

STANDARD_CODES = {"eldercare", "childcare", "medical", "culture_sports", "daily_life", "affairs"}


@pytest.fixture(autouse=True)
def _media_root():
    """Keep the module's media folder (the suite's own fixture gives each test a new one)."""


def counts() -> dict:
    return {
        "areas": Counter(Area.objects.values_list("level", flat=True)),
        "centres": Counter(Centre.objects.values_list("kind", flat=True)),
        "rooms": Room.objects.count(),
        "functions": ServiceFunction.objects.count(),
        "periods": OpeningPeriod.objects.count(),
        "exceptions": DateException.objects.count(),
        "photos": CentrePhoto.objects.count(),
        "users": User.objects.count(),
        "staff_links": User.centres.through.objects.count(),
    }


def test_demo_data_has_districts_streets_communities_and_centres_of_several_kinds():
    areas = Counter(Area.objects.values_list("level", flat=True))
    assert areas["district"] >= 2
    assert areas["street"] >= 6
    assert areas["community"] >= 20
    assert {"丰泽区", "金东区"} <= set(Area.objects.districts().values_list("name", flat=True))
    kinds = Counter(Centre.objects.values_list("kind", flat=True))
    assert sum(kinds.values()) >= 25
    assert len(kinds) >= 4
    assert {"community", "street", "village", "park", "building", "new_employment"} <= set(kinds)
    assert Centre.objects.filter(is_published=True).count() == sum(kinds.values())


def test_every_demo_centre_has_rooms_functions_hours_and_a_photo():
    centres = Centre.objects.annotate(
        rooms_n=Count("rooms", distinct=True),
        functions_n=Count("functions", distinct=True),
        periods_n=Count("opening_periods", distinct=True),
        photos_n=Count("photos", distinct=True),
    )
    for centre in centres:
        assert centre.rooms_n >= 1, centre.name
        assert centre.functions_n >= 1, centre.name
        assert centre.periods_n >= 1, centre.name
        assert 1 <= centre.photos_n <= 3, centre.name
        assert centre.street.level == "street"
        assert centre.district == centre.street.parent
    photo = CentrePhoto.objects.first()
    assert photo.image.name.endswith(".jpg")
    assert photo.thumbnail.name.endswith("_thumb.jpg")
    assert photo.image.storage.exists(photo.image.name)
    assert photo.thumbnail.storage.exists(photo.thumbnail.name)
    assert max(photo.width, photo.height) <= 1600
    # The six standard functions all appear somewhere, and some centres add their own ("X").
    assert set(ServiceFunction.objects.values_list("code", flat=True)) == STANDARD_CODES | {"own"}
    assert ServiceFunction.objects.filter(code="own", name="家风家训馆").exists()
    # Hours cover the after-hours models: extended evenings, weekends, 365 days, appointments.
    assert Centre.objects.filter(opens_evenings=True).exists()
    assert Centre.objects.filter(opens_weekends=True).exists()
    assert Centre.objects.filter(opens_all_year=True).exists()
    assert Centre.objects.filter(opens_evenings=False, opens_weekends=False).exists()
    assert OpeningPeriod.objects.filter(kind="appointment").exists()
    assert OpeningPeriod.objects.filter(day=7).exists()
    assert DateException.objects.filter(is_closed=True).exists()
    assert DateException.objects.filter(is_closed=False).exists()


def test_one_demo_login_per_role_with_its_scope():
    logins = {login["role"]: login for login in demo.DEMO_LOGINS}
    assert set(logins) == set(User.Role.values)
    assert len(demo.DEMO_LOGINS) == len(User.Role.values)
    users = {user.role: user for user in User.objects.filter(phone__in=[x["phone"] for x in demo.DEMO_LOGINS])}
    assert set(users) == set(User.Role.values)
    for role, user in users.items():
        assert user.phone == logins[role]["phone"]
        assert user.check_password(demo.DEMO_PASSWORD)
        assert user.is_active
    assert users["resident"].home_community.name == "丰泽社区"
    assert sorted(users["centre_staff"].centres.values_list("slug", flat=True)) == [
        "fengze-community",
        "fengze-street",
    ]
    assert (users["street_staff"].area.name, users["street_staff"].area.level) == ("丰泽街道", "street")
    assert (users["district_staff"].area.name, users["district_staff"].area.level) == ("丰泽区", "district")
    assert (users["representative"].area.name, users["representative"].area.level) == ("丰泽社区", "community")


def test_demo_logins_authenticate_with_the_demo_password(rf):
    for login in demo.DEMO_LOGINS:
        user = authenticate(rf.post("/login/"), username=login["phone"], password=demo.DEMO_PASSWORD)
        assert user is not None, login["phone"]
        assert user.phone == login["phone"]


def test_loading_twice_changes_no_count():
    # The module loaded the data once already; this is the second run.
    first = counts()
    photo_names = sorted(CentrePhoto.objects.values_list("image", flat=True))
    exceptions = sorted(DateException.objects.values_list("centre__slug", "date", "opens", "note"))

    load()

    assert counts() == first
    assert sorted(CentrePhoto.objects.values_list("image", flat=True)) == photo_names
    assert sorted(DateException.objects.values_list("centre__slug", "date", "opens", "note")) == exceptions


def test_loading_again_restores_demo_hours_and_keeps_exceptions_added_by_staff():
    centre = Centre.objects.get(slug="fengze-community")
    periods = sorted(centre.opening_periods.values_list("day", "kind", "opens", "closes"))
    centre_hours_replace(centre=centre, periods=[])
    staff_exception = date_exception_add(
        centre=centre, date=timezone.localdate() + dt.timedelta(days=150), is_closed=True, note="社区换届选举，暂停开放"
    )

    load()

    assert sorted(centre.opening_periods.values_list("day", "kind", "opens", "closes")) == periods
    assert DateException.objects.filter(pk=staff_exception.pk).exists()


def test_a_staff_exception_on_a_demo_date_is_kept_and_the_reload_does_not_fail():
    demo_row = DateException.objects.filter(note__in=demo.DEMO_EXCEPTION_NOTES).select_related("centre").first()
    centre, date = demo_row.centre, demo_row.date
    DateException.objects.filter(centre=centre, date=date).delete()
    staff_row = date_exception_add(centre=centre, date=date, is_closed=True, note="临时停电检修")

    load()

    assert list(centre.date_exceptions.filter(date=date).values_list("pk", "note")) == [(staff_row.pk, "临时停电检修")]
