import pytest
from django.urls import reverse

from portal.models import User
from tests.portal.conftest import PASSWORD
from tests.portal.factories import PhoneCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser(phone="13700000001", password=PASSWORD))
    return client


def test_superuser_adds_a_user_by_phone(superuser_client):
    response = superuser_client.post(
        reverse("admin:portal_user_add"),
        {
            "phone": "13700000002",
            "name": "管理员添加",
            "role": "resident",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(phone="13700000002")
    assert (user.name, user.role) == ("管理员添加", User.Role.RESIDENT)
    assert user.check_password(PASSWORD)


def test_user_change_and_list_pages_open(superuser_client):
    user = User.objects.create_user(phone="13700000003", password=PASSWORD)

    assert superuser_client.get(reverse("admin:portal_user_changelist"), {"q": "137"}).status_code == 200
    assert superuser_client.get(reverse("admin:portal_user_change", args=[user.pk])).status_code == 200


def test_phone_codes_are_read_only_and_masked(superuser_client):
    code = PhoneCodeFactory(phone="13700000004")

    listing = superuser_client.get(reverse("admin:portal_phonecode_changelist"))
    detail = superuser_client.get(reverse("admin:portal_phonecode_change", args=[code.pk]))

    assert "137****0004" in listing.content.decode()
    assert detail.status_code == 200
    assert code.code_hash not in detail.content.decode()
    assert superuser_client.get(reverse("admin:portal_phonecode_add")).status_code == 403
