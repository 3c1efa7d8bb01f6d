import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from tests.portal.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Shenghu-new-2026"


@pytest.fixture
def resident(fengze):
    return UserFactory(phone="13900000001", name="陈阿婆")


def test_anonymous_is_sent_to_log_in(client):
    url = reverse("portal:account")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('portal:login')}?next={url}"


def test_page_shows_communities_grouped_by_street(client, resident, fengze, jindong):
    client.force_login(resident)

    response = client.get(reverse("portal:account"))

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "139****0001" in html
    assert '<label for="id_home_community" class="form-label"> Your community' in html
    community = fengze["community"]
    assert f'<optgroup label="丰泽区 东湖街道"> <option value="{community.pk}">圣湖社区</option> </optgroup>' in html
    assert '<optgroup label="丰泽区 泉秀街道">' in html
    assert '<optgroup label="金东区 多湖街道">' in html


def test_name_and_community_are_saved(client, resident, fengze):
    client.force_login(resident)

    response = client.post(
        reverse("portal:account"), {"name": " 陈秀英 ", "home_community": fengze["community"].pk}, follow=True
    )

    resident.refresh_from_db()
    assert (resident.name, resident.home_community) == ("陈秀英", fengze["community"])
    assert response.redirect_chain == [(reverse("portal:account"), 302)]
    assert "Your details have been saved." in response.content.decode()


def test_community_can_be_cleared(client, resident, fengze):
    resident.home_community = fengze["community"]
    resident.save()
    client.force_login(resident)

    client.post(reverse("portal:account"), {"name": "陈阿婆", "home_community": ""})

    resident.refresh_from_db()
    assert resident.home_community is None


def test_a_street_is_not_accepted_as_a_community(client, resident, fengze):
    client.force_login(resident)

    response = client.post(reverse("portal:account"), {"name": "新名字", "home_community": fengze["street"].pk})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "home_community": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert 'value="新名字"' in response.content.decode()
    resident.refresh_from_db()
    assert (resident.name, resident.home_community) == ("陈阿婆", None)


def test_too_long_name_is_refused(client, resident):
    client.force_login(resident)

    response = client.post(reverse("portal:account"), {"name": "名" * 51, "home_community": ""})

    assert response.context["form"].errors == {"name": ["Ensure this value has at most 50 characters (it has 51)."]}
    resident.refresh_from_db()
    assert resident.name == "陈阿婆"


def test_password_change_keeps_the_user_logged_in(client, resident):
    client.force_login(resident)

    response = client.post(
        reverse("portal:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
        follow=True,
    )

    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)
    assert response.redirect_chain == [(reverse("portal:account"), 302)]
    assert "Your password has been changed." in response.content.decode()
    assert get_user(response.wsgi_request) == resident


def test_password_change_with_a_wrong_current_password_changes_nothing(client, resident):
    client.force_login(resident)
    before = resident.password

    response = client.post(
        reverse("portal:password_change"),
        {"old_password": "not-it", "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )

    assert response.context["form"].errors == {
        "old_password": ["Your current password is wrong. Please type it again."]
    }
    html = response.content.decode()
    assert NEW_PASSWORD not in html
    assert "not-it" not in html
    resident.refresh_from_db()
    assert resident.password == before


def test_password_change_refuses_a_weak_or_mismatched_password(client, resident):
    client.force_login(resident)
    before = resident.password
    url = reverse("portal:password_change")

    weak = client.post(url, {"old_password": DEFAULT_PASSWORD, "new_password": "123", "new_password_confirm": "123"})
    mismatched = client.post(
        url, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": "Other-2026-pw"}
    )

    assert weak.context["form"].errors == {
        "new_password": [
            "This password is too short. It must contain at least 8 characters.",
            "This password is too common.",
            "This password is entirely numeric.",
        ]
    }
    assert mismatched.context["form"].errors == {
        "new_password_confirm": ["The two passwords are different. Please type them again."]
    }
    resident.refresh_from_db()
    assert resident.password == before


def test_password_change_needs_login(client):
    url = reverse("portal:password_change")

    response = client.get(url)

    assert response.url == f"{reverse('portal:login')}?next={url}"
