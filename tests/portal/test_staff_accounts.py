import pytest
from django.urls import reverse

from portal.models import User
from tests.portal.conftest import PASSWORD
from tests.portal.factories import (
    CentreStaffFactory,
    DistrictStaffFactory,
    RepresentativeFactory,
    StreetStaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(fengze):
    return DistrictStaffFactory(phone="13900000001", name="区委组织部王科长", area=fengze["district"])


@pytest.fixture
def street_staff(fengze):
    return StreetStaffFactory(phone="13900000002", name="东湖街道李干事", area=fengze["street"])


def pages(account):
    return {
        "list": reverse("staff_accounts:list"),
        "create": reverse("staff_accounts:create"),
        "update": reverse("staff_accounts:update", args=[account.pk]),
        "deactivate": reverse("staff_accounts:deactivate", args=[account.pk]),
        "reactivate": reverse("staff_accounts:reactivate", args=[account.pk]),
    }


def accounts_state():
    return list(User.objects.order_by("pk").values_list("phone", "name", "role", "area", "is_active", "password"))


def centre_links():
    return sorted(User.centres.through.objects.values_list("user_id", "centre_id"))


# Who may open what -----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "create", "update", "deactivate", "reactivate"])
def test_anonymous_is_sent_to_log_in(client, street_staff, page):
    url = pages(street_staff)[page]

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('portal:login')}?next={url}"


@pytest.mark.parametrize("page", ["list", "create", "update", "deactivate", "reactivate"])
@pytest.mark.parametrize("role", ["resident", "representative", "centre_staff", "street_staff"])
def test_everyone_but_district_staff_gets_not_found(client, fengze, street_staff, role, page):
    user = {
        "resident": lambda: UserFactory(home_community=fengze["community"]),
        "representative": lambda: RepresentativeFactory(area=fengze["community"]),
        "centre_staff": lambda: CentreStaffFactory(centres=[fengze["centre"]]),
        "street_staff": lambda: StreetStaffFactory(area=fengze["street"]),
    }[role]()
    client.force_login(user)

    assert client.get(pages(street_staff)[page]).status_code == 404
    assert client.post(pages(street_staff)[page]).status_code == 404


@pytest.mark.parametrize("page", ["list", "create", "update", "deactivate", "reactivate"])
def test_district_staff_may_open_every_page(client, manager, street_staff, page):
    client.force_login(manager)

    assert client.get(pages(street_staff)[page]).status_code == 200


def test_district_staff_without_a_district_gets_not_found(client, street_staff):
    client.force_login(DistrictStaffFactory(area=None))

    assert client.get(reverse("staff_accounts:list")).status_code == 404


@pytest.mark.parametrize("page", ["update", "deactivate", "reactivate"])
def test_account_of_another_district_is_not_found(client, manager, jindong, page):
    outsider = StreetStaffFactory(phone="13900000009", area=jindong["street"])
    client.force_login(manager)
    before = accounts_state()

    assert client.get(pages(outsider)[page]).status_code == 404
    assert client.post(pages(outsider)[page], {"name": "改名", "role": "street_staff"}).status_code == 404
    assert accounts_state() == before


@pytest.mark.parametrize("page", ["update", "deactivate"])
def test_resident_account_is_not_found(client, manager, fengze, page):
    resident = UserFactory(phone="13900000008", home_community=fengze["community"])
    client.force_login(manager)

    assert client.get(pages(resident)[page]).status_code == 404


# The list ---------------------------------------------------------------------------------


@pytest.fixture
def district_accounts(fengze, jindong, manager, street_staff):
    return {
        "centre": CentreStaffFactory(phone="13900000003", name="圣湖专管员", centres=[fengze["centre"]]),
        "representative": RepresentativeFactory(phone="13900000004", name="圣湖群众代表", area=fengze["community"]),
        "resident": UserFactory(phone="13900000005", name="居民张大爷", home_community=fengze["community"]),
        "outsider": StreetStaffFactory(phone="13900000006", name="多湖街道干部", area=jindong["street"]),
        "outside_centre": CentreStaffFactory(phone="13900000007", name="光南专管员", centres=[jindong["centre"]]),
    }


def test_list_shows_the_district_staff_with_masked_numbers(client, manager, district_accounts):
    client.force_login(manager)

    response = client.get(reverse("staff_accounts:list"))

    html = response.content.decode()
    assert [account.name for account in response.context["accounts"]] == [
        "东湖街道李干事",
        "区委组织部王科长",
        "圣湖专管员",
        "圣湖群众代表",
    ]
    for masked in ("139****0001", "139****0002", "139****0003", "139****0004"):
        assert masked in html
    for phone in ("13900000001", "13900000002", "13900000003", "13900000004"):
        assert phone not in html
    assert "圣湖社区党群服务中心" in html
    assert "居民张大爷" not in html
    assert "多湖街道干部" not in html
    assert "光南专管员" not in html


def test_list_filters_by_role(client, manager, district_accounts):
    client.force_login(manager)

    response = client.get(reverse("staff_accounts:list"), {"role": "representative"})

    assert [account.name for account in response.context["accounts"]] == ["圣湖群众代表"]


def test_list_costs_the_same_queries_for_more_accounts(
    client, manager, district_accounts, fengze, django_assert_num_queries
):
    client.force_login(manager)
    client.get(reverse("staff_accounts:list"))
    with django_assert_num_queries(6) as few:  # 5 for the list, 1 for the header's unread messages
        client.get(reverse("staff_accounts:list"))
    for n in range(10):
        CentreStaffFactory(name=f"专管员{n}", centres=[fengze["centre"], fengze["other_centre"]])
        RepresentativeFactory(name=f"代表{n}", area=fengze["other_community"])

    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("staff_accounts:list"))


# Create -----------------------------------------------------------------------------------


def create_data(**changes):
    return {
        "phone": "13800000001",
        "name": "浔美专管员",
        "role": "centre_staff",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    } | changes


def test_create_centre_staff(client, manager, fengze):
    client.force_login(manager)

    response = client.post(reverse("staff_accounts:create"), create_data(centres=[fengze["centre"].pk]), follow=True)

    created = User.objects.get(phone="13800000001")
    assert (created.name, created.role, created.area, created.is_active) == (
        "浔美专管员",
        User.Role.CENTRE_STAFF,
        None,
        True,
    )
    assert list(created.centres.all()) == [fengze["centre"]]
    assert created.check_password(PASSWORD)
    assert response.redirect_chain == [(reverse("staff_accounts:list"), 302)]
    assert "An account for 浔美专管员 has been created." in response.content.decode()


@pytest.mark.parametrize(
    ("role", "area_key", "field"),
    [("street_staff", "street", "street"), ("representative", "community", "community")],
)
def test_create_street_staff_and_representative(client, manager, fengze, role, area_key, field):
    client.force_login(manager)

    client.post(
        reverse("staff_accounts:create"),
        create_data(role=role, **{field: fengze[area_key].pk, "centres": [fengze["centre"].pk]}),
    )

    created = User.objects.get(phone="13800000001")
    assert (created.role, created.area) == (role, fengze[area_key])
    assert list(created.centres.all()) == []


def test_create_district_staff_for_the_own_district(client, manager, fengze):
    client.force_login(manager)

    client.post(reverse("staff_accounts:create"), create_data(role="district_staff"))

    created = User.objects.get(phone="13800000001")
    assert (created.role, created.area) == (User.Role.DISTRICT_STAFF, fengze["district"])


def test_centre_of_another_district_is_refused_and_nothing_is_created(client, manager, fengze, jindong):
    client.force_login(manager)
    before, links_before = accounts_state(), centre_links()

    response = client.post(
        reverse("staff_accounts:create"), create_data(centres=[fengze["centre"].pk, jindong["centre"].pk])
    )

    assert response.status_code == 200
    assert response.context["form"].errors["centres"] == [
        f"Select a valid choice. {jindong['centre'].pk} is not one of the available choices."
    ]
    assert accounts_state() == before
    assert centre_links() == links_before
    html = response.content.decode()
    assert 'value="浔美专管员"' in html
    assert PASSWORD not in html


def test_street_of_another_district_is_refused(client, manager, jindong):
    client.force_login(manager)
    before = accounts_state()

    response = client.post(
        reverse("staff_accounts:create"), create_data(role="street_staff", street=jindong["street"].pk)
    )

    assert response.context["form"].errors == {
        "street": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert accounts_state() == before


@pytest.mark.parametrize(
    ("role", "field", "message"),
    [
        ("centre_staff", "centres", "Choose at least one centre for centre staff."),
        ("street_staff", "street", "Choose the street or town this person works for."),
        ("representative", "community", "Choose the community this representative belongs to."),
    ],
)
def test_missing_scope_is_refused(client, manager, fengze, role, field, message):
    client.force_login(manager)
    before = accounts_state()

    response = client.post(reverse("staff_accounts:create"), create_data(role=role))

    assert response.context["form"].errors == {field: [message]}
    assert message in response.content.decode()
    assert accounts_state() == before


def test_registered_number_is_refused(client, manager, fengze):
    UserFactory(phone="13800000001", name="已有居民")
    client.force_login(manager)
    before = accounts_state()

    response = client.post(reverse("staff_accounts:create"), create_data(centres=[fengze["centre"].pk]))

    assert response.context["form"].errors == {"phone": ["This mobile number already has an account."]}
    assert accounts_state() == before


def test_weak_or_mismatched_initial_password_is_refused(client, manager, fengze):
    client.force_login(manager)
    before = accounts_state()
    url = reverse("staff_accounts:create")

    weak = client.post(
        url, create_data(centres=[fengze["centre"].pk], password="12345678", password_confirm="12345678")
    )
    mismatched = client.post(url, create_data(centres=[fengze["centre"].pk], password_confirm="Different-2026"))

    assert weak.context["form"].errors == {
        "password": ["This password is too common.", "This password is entirely numeric."]
    }
    assert mismatched.context["form"].errors == {
        "password_confirm": ["The two passwords are different. Please type them again."]
    }
    assert accounts_state() == before


# Edit, deactivate, reactivate ---------------------------------------------------------


def test_edit_form_starts_with_the_current_values(client, manager, street_staff, fengze):
    client.force_login(manager)

    response = client.get(reverse("staff_accounts:update", args=[street_staff.pk]))

    form = response.context["form"]
    assert (form.initial["name"], form.initial["role"], form.initial["street"]) == (
        "东湖街道李干事",
        "street_staff",
        fengze["street"],
    )
    assert "phone" not in form.fields
    assert "password" not in form.fields
    assert "139****0002" in response.content.decode()


def test_edit_moves_street_staff_to_centre_staff(client, manager, street_staff, fengze):
    client.force_login(manager)

    response = client.post(
        reverse("staff_accounts:update", args=[street_staff.pk]),
        {"name": "李干事", "role": "centre_staff", "centres": [fengze["centre"].pk, fengze["other_centre"].pk]},
    )

    assert response.status_code == 302
    street_staff.refresh_from_db()
    assert (street_staff.name, street_staff.role, street_staff.area) == ("李干事", User.Role.CENTRE_STAFF, None)
    assert set(street_staff.centres.all()) == {fengze["centre"], fengze["other_centre"]}


def test_edit_with_a_missing_scope_changes_nothing(client, manager, street_staff):
    client.force_login(manager)
    before = accounts_state()

    response = client.post(
        reverse("staff_accounts:update", args=[street_staff.pk]), {"name": "李干事", "role": "representative"}
    )

    assert response.context["form"].errors == {"community": ["Choose the community this representative belongs to."]}
    assert 'value="李干事"' in response.content.decode()
    assert accounts_state() == before


def test_district_staff_cannot_change_their_own_role(client, manager, fengze):
    client.force_login(manager)
    before = accounts_state()

    response = client.post(
        reverse("staff_accounts:update", args=[manager.pk]),
        {"name": "王科长", "role": "street_staff", "street": fengze["street"].pk},
    )

    assert response.context["form"].errors == {
        "role": ["You cannot change your own role or area. Ask another district staff member."]
    }
    assert accounts_state() == before


def test_deactivate_asks_first_then_stops_the_login(client, manager, street_staff):
    client.force_login(manager)
    url = reverse("staff_accounts:deactivate", args=[street_staff.pk])

    confirm = client.get(url)
    assert "东湖街道李干事 (Street staff) will no longer be able to log in." in " ".join(
        confirm.content.decode().split()
    )
    street_staff.refresh_from_db()
    assert street_staff.is_active is True

    response = client.post(url, follow=True)

    street_staff.refresh_from_db()
    assert street_staff.is_active is False
    assert response.redirect_chain == [(reverse("staff_accounts:list"), 302)]
    assert "The account of 东湖街道李干事 has been deactivated. This person can no longer log in." in (
        response.content.decode()
    )
    client.logout()
    login = client.post(reverse("portal:login"), {"phone": street_staff.phone, "password": "Fengze-2026-portal"})
    assert login.status_code == 200


def test_reactivate(client, manager, street_staff):
    street_staff.is_active = False
    street_staff.save()
    client.force_login(manager)

    client.post(reverse("staff_accounts:reactivate", args=[street_staff.pk]))

    street_staff.refresh_from_db()
    assert street_staff.is_active is True


def test_district_staff_cannot_deactivate_themselves(client, manager):
    client.force_login(manager)

    response = client.post(reverse("staff_accounts:deactivate", args=[manager.pk]), follow=True)

    manager.refresh_from_db()
    assert manager.is_active is True
    assert "You cannot deactivate your own account." in response.content.decode()


@pytest.mark.parametrize("page", ["update", "deactivate", "reactivate"])
def test_centre_staff_of_two_districts_belongs_to_neither_alone(client, manager, fengze, jindong, page):
    shared = CentreStaffFactory(phone="13900000009", centres=[fengze["centre"], jindong["centre"]])
    client.force_login(manager)

    assert client.get(pages(shared)[page]).status_code == 404
    assert client.post(pages(shared)[page]).status_code == 404
    assert centre_links() == sorted([(shared.pk, fengze["centre"].pk), (shared.pk, jindong["centre"].pk)])
    assert "13900000009"[-4:] not in client.get(pages(shared)["list"]).content.decode()
