"""District staff set the monthly targets of their district: a form with one box per
figure (empty: no target), shares in per cent, checked by ``district_target_set``."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stats.models import DistrictTarget
from stats.services import district_target_set, district_targets_set
from tests.centres.factories import DistrictFactory, StreetFactory
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory, StreetStaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def url():
    """The form's address, in English (reversed under the ``english`` fixture)."""
    return reverse("stats:targets")


@pytest.fixture
def district():
    return DistrictFactory(name="丰泽区")


@pytest.fixture
def staff(district):
    return DistrictStaffFactory(area=district, name="郑文斌")


def targets_of(district) -> dict[str, Decimal]:
    return dict(DistrictTarget.objects.filter(district=district).values_list("metric", "minimum"))


def test_district_staff_set_targets_and_see_them_again(client, url, district, staff):
    client.force_login(staff)

    response = client.post(url, {"featured_activities_held": "180", "fill_rate": "85", "person_hours": "5000.5"})

    assert response.status_code == 302
    assert response["Location"] == url
    assert targets_of(district) == {
        "featured_activities_held": Decimal("180.00"),
        "fill_rate": Decimal("0.85"),
        "person_hours": Decimal("5000.50"),
    }
    assert set(DistrictTarget.objects.values_list("updated_by", flat=True)) == {staff.pk}
    form = client.get(url).context["form"]
    assert {name: form.initial[name] for name in form.initial} == {
        "featured_activities_held": 180,
        "fill_rate": 85,
        "person_hours": Decimal("5000.50"),
    }


def test_an_empty_box_removes_the_target(client, url, district, staff):
    DistrictTarget.objects.create(district=district, metric="attendances", minimum=10000)
    DistrictTarget.objects.create(district=district, metric="activities_held", minimum=300)
    client.force_login(staff)

    client.post(url, {"activities_held": "300", "attendances": ""})

    assert targets_of(district) == {"activities_held": Decimal("300.00")}


def test_an_unchanged_target_keeps_who_set_it(client, url, district, staff):
    first = DistrictStaffFactory(area=district)
    district_target_set(district=district, metric="activities_held", minimum=Decimal(300), by=first)
    client.force_login(staff)

    client.post(url, {"activities_held": "300", "attendances": "9000"})

    assert dict(DistrictTarget.objects.values_list("metric", "updated_by")) == {
        "activities_held": first.pk,
        "attendances": staff.pk,
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"activities_held": "-1"}, "activities_held", "Ensure this value is greater than or equal to 0."),
        ({"activities_held": "12.5"}, "activities_held", "Enter a whole number."),
        ({"fill_rate": "120"}, "fill_rate", "Ensure this value is less than or equal to 100."),
        ({"attendances": "很多"}, "attendances", "Enter a whole number."),
        ({"person_hours": "1.234"}, "person_hours", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_a_wrong_value_is_refused_and_nothing_is_saved(client, url, district, staff, data, field, message):
    DistrictTarget.objects.create(district=district, metric="featured_activities_held", minimum=180)
    client.force_login(staff)

    response = client.post(url, data | {"featured_activities_held": "200"})

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert "Nothing was saved." in response.content.decode()
    assert targets_of(district) == {"featured_activities_held": Decimal("180.00")}


def test_the_rates_that_should_stay_low_have_no_target(client, url, staff):
    client.force_login(staff)

    form = client.get(url).context["form"]

    assert "no_show_rate" not in form.fields
    assert "bad_rating_rate" not in form.fields
    assert form.fields["fill_rate"].label == "Fill rate, in per cent"
    assert form.fields["callback_on_time_rate"].label == "Call-backs on time, in per cent"
    assert form.fields["rectification_on_time_rate"].label == "Rectified on time, in per cent"
    assert len(form.fields) == 13


@pytest.mark.parametrize("factory", [StreetStaffFactory, CentreStaffFactory])
def test_only_district_staff_open_the_targets(client, url, district, factory):
    client.force_login(factory(area=StreetFactory(parent=district)))

    assert client.get(url).status_code == 404
    assert client.post(url, {"activities_held": "1"}).status_code == 404
    assert targets_of(district) == {}


def test_targets_are_the_district_s_own(client, url, district, staff):
    elsewhere = DistrictFactory(name="金东区")
    DistrictTarget.objects.create(district=elsewhere, metric="activities_held", minimum=50)
    client.force_login(staff)

    client.post(url, {"activities_held": "300"})

    assert targets_of(elsewhere) == {"activities_held": Decimal("50.00")}
    assert targets_of(district) == {"activities_held": Decimal("300.00")}


# The service -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "minimum", "message"),
    [
        ("no_show_rate", Decimal("0.1"), "There is no target for this figure."),
        ("bad_rating_rate", Decimal("0.05"), "There is no target for this figure."),
        ("callback_on_time_rate", Decimal("1.01"), "A share cannot be more than 100%."),
        ("bookings", Decimal(1), "There is no target for this figure."),
        ("fill_rate", Decimal("1.5"), "A share cannot be more than 100%."),
        ("activities_held", Decimal(-1), "A target cannot be below zero."),
        ("person_hours", Decimal("1.001"), "Give the target with at most two decimals."),
    ],
)
def test_the_service_refuses_a_wrong_target(district, staff, metric, minimum, message):
    with pytest.raises(ValidationError) as refused:
        district_target_set(district=district, metric=metric, minimum=minimum, by=staff)

    assert refused.value.messages == [message]
    assert targets_of(district) == {}


def test_the_service_sets_targets_for_a_district_only(district, staff):
    with pytest.raises(ValidationError) as refused:
        district_target_set(district=StreetFactory(parent=district), metric="activities_held", minimum=1, by=staff)

    assert refused.value.messages == ["Targets are set for a district."]
    assert DistrictTarget.objects.count() == 0


def test_several_targets_are_set_all_or_none(district, staff):
    with pytest.raises(ValidationError):
        district_targets_set(
            district=district,
            minimums={"activities_held": Decimal(300), "fill_rate": Decimal(2)},
            by=staff,
        )

    assert targets_of(district) == {}
