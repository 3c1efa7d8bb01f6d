import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from tests.portal.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13900000001"
WRONG = "Wrong mobile number or password. Please check both and try again."


@pytest.fixture
def url():
    return reverse("portal:login")


def test_login_page_has_labelled_fields_and_links_to_sign_up_and_reset(client, url):
    response = client.get(url)

    html = " ".join(response.content.decode().split())
    form = response.context["form"]
    assert (form.fields["phone"].label, form.fields["password"].label) == ("Mobile number", "Password")
    assert '<label for="id_phone" class="form-label requiredField"> Mobile number' in html
    assert '<label for="id_password" class="form-label requiredField"> Password' in html
    assert f'href="{reverse("portal:sign_up")}"' in html
    assert f'href="{reverse("portal:password_reset")}"' in html


def test_right_number_and_password_log_in_and_go_home(client, url):
    user = UserFactory(phone=PHONE)

    response = client.post(url, {"phone": PHONE, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    assert get_user(response.wsgi_request) == user


def test_login_goes_back_to_the_page_asked_for(client, url):
    UserFactory(phone=PHONE)
    account = reverse("portal:account")

    response = client.post(f"{url}?next={account}", {"phone": PHONE, "password": DEFAULT_PASSWORD, "next": account})

    assert response.url == account


def test_number_typed_with_spaces_and_full_width_digits_is_understood(client, url):
    user = UserFactory(phone=PHONE)

    response = client.post(url, {"phone": "１３９ 0000 0001", "password": DEFAULT_PASSWORD})

    assert get_user(response.wsgi_request) == user


def test_wrong_password_gets_a_clear_message_and_keeps_the_number(client, url):
    UserFactory(phone=PHONE)

    response = client.post(url, {"phone": PHONE, "password": "not-my-password"})

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [WRONG]
    assert WRONG in html
    assert f'value="{PHONE}"' in html
    assert "not-my-password" not in html
    assert not get_user(response.wsgi_request).is_authenticated


def test_unknown_number_gets_the_same_message(client, url):
    response = client.post(url, {"phone": "13900009999", "password": DEFAULT_PASSWORD})

    assert response.context["form"].non_field_errors() == [WRONG]


def test_malformed_number_is_pointed_out(client, url):
    response = client.post(url, {"phone": "1390000", "password": DEFAULT_PASSWORD})

    assert response.context["form"].errors == {
        "phone": ["Enter an 11-digit mainland mobile number, such as 13812345678."]
    }


def test_deactivated_account_cannot_log_in(client, url):
    UserFactory(phone=PHONE, is_active=False)

    response = client.post(url, {"phone": PHONE, "password": DEFAULT_PASSWORD})

    assert response.context["form"].non_field_errors() == [WRONG]
    assert not get_user(response.wsgi_request).is_authenticated


def test_logout_is_a_post_and_logs_out(client):
    client.force_login(UserFactory())

    response = client.post(reverse("portal:logout"))

    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    assert not get_user(response.wsgi_request).is_authenticated
