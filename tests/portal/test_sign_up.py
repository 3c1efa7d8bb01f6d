import datetime as dt
import re

import pytest
from django.contrib.auth import get_user
from django.urls import reverse
from django.utils import timezone

from portal.models import PhoneCode, User
from tests.portal.conftest import PASSWORD, code_in
from tests.portal.factories import PhoneCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13900000001"


@pytest.fixture
def url():
    return reverse("portal:sign_up")


def sign_up_data(**changes):
    return {
        "phone": PHONE,
        "code": "123456",
        "name": "林晓梅",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "sign_up": "1",
    } | changes


def codes_now():
    return list(PhoneCode.objects.order_by("pk").values_list("pk", "attempts", "used_at"))


def assert_refused(response, field, message, *, users_before=0):
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert User.objects.count() == users_before
    assert not get_user(response.wsgi_request).is_authenticated


def test_page_has_labelled_fields_and_both_buttons(client, url):
    response = client.get(url)

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    labels = {
        "phone": "Mobile number",
        "code": "Verification code",
        "name": "Your name",
        "password": "Password",
        "password_confirm": "Password again",
    }
    for field, label in labels.items():
        assert re.search(rf'<label for="id_{field}" class="form-label[^"]*"> {label}', html), field
    assert 'name="send_code"' in html
    assert 'name="sign_up"' in html


def test_send_code_texts_a_code_and_keeps_what_was_typed_except_passwords(
    client, url, django_capture_on_commit_callbacks, sms_outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, sign_up_data(code="", sign_up=None, send_code="1") | {"sign_up": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert "We have sent a 6-digit code to 139****0001. It is valid for 10 minutes." in html
    assert [message.phone for message in sms_outbox] == [PHONE]
    form = response.context["form"]
    assert not form.is_bound
    assert form.initial == {"phone": PHONE, "code": "", "name": "林晓梅"}
    assert f'value="{PHONE}"' in html
    assert 'value="林晓梅"' in html
    assert PASSWORD not in html
    assert User.objects.count() == 0


def test_signing_up_with_the_texted_code_logs_in_and_welcomes(
    client, url, django_capture_on_commit_callbacks, sms_outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"phone": PHONE, "send_code": "1"})
    code = code_in(sms_outbox[0])

    response = client.post(url, sign_up_data(code=code), follow=True)

    user = User.objects.get()
    assert (user.phone, user.name, user.role, user.is_active) == (PHONE, "林晓梅", User.Role.RESIDENT, True)
    assert user.check_password(PASSWORD)
    assert response.redirect_chain == [(reverse("portal:home"), 302)]
    assert get_user(response.wsgi_request) == user
    assert "Welcome! Your account is ready and you are logged in." in response.content.decode()
    assert PhoneCode.objects.get().used_at is not None


def test_number_typed_with_spaces_and_country_code_is_understood(client, url):
    PhoneCodeFactory(phone=PHONE)

    client.post(url, sign_up_data(phone="+86 139 0000 0001"))

    assert User.objects.get().phone == PHONE


def test_malformed_number_is_refused_when_sending_a_code(client, url, sms_outbox):
    response = client.post(url, {"phone": "1390000", "name": "林晓梅", "send_code": "1"})

    assert_refused(response, "phone", "Enter an 11-digit mainland mobile number, such as 13812345678.")
    assert 'value="林晓梅"' in response.content.decode()
    assert PhoneCode.objects.count() == 0
    assert sms_outbox == []


def test_malformed_number_is_refused_when_signing_up(client, url):
    response = client.post(url, sign_up_data(phone="23900000001"))

    assert_refused(response, "phone", "Enter an 11-digit mainland mobile number, such as 13812345678.")


def test_wrong_code_is_refused_and_counted(client, url):
    phone_code = PhoneCodeFactory(phone=PHONE, code="123456")

    response = client.post(url, sign_up_data(code="654321"))

    assert_refused(response, "code", "The code is wrong. Please check the text message. You can try 4 more times.")
    phone_code.refresh_from_db()
    assert (phone_code.attempts, phone_code.used_at) == (1, None)
    html = response.content.decode()
    assert 'value="654321"' in html
    assert PASSWORD not in html


def test_code_that_is_not_six_digits_is_refused_without_counting_a_try(client, url):
    PhoneCodeFactory(phone=PHONE)
    before = codes_now()

    response = client.post(url, sign_up_data(code="12ab"))

    assert_refused(response, "code", "Enter the 6-digit code from the text message.")
    assert codes_now() == before


def test_expired_code_is_refused(client, url):
    PhoneCodeFactory(phone=PHONE, created_at=timezone.now() - dt.timedelta(minutes=10, seconds=1))
    before = codes_now()

    response = client.post(url, sign_up_data())

    assert_refused(response, "code", "This code has expired. Please ask for a new code.")
    assert codes_now() == before


def test_used_code_is_refused(client, url):
    PhoneCodeFactory(phone=PHONE, used_at=timezone.now())
    before = codes_now()

    response = client.post(url, sign_up_data())

    assert_refused(response, "code", "This code has already been used. Please ask for a new code.")
    assert codes_now() == before


def test_right_code_after_too_many_wrong_tries_is_refused(client, url):
    PhoneCodeFactory(phone=PHONE, code="123456")
    for wrong in ("000001", "000002", "000003", "000004", "000005"):
        client.post(url, sign_up_data(code=wrong))
    before = codes_now()
    assert before[0][1] == 5

    response = client.post(url, sign_up_data(code="123456"))

    assert_refused(response, "code", "This code was entered wrongly too many times. Please ask for a new code.")
    assert codes_now() == before


def test_asking_again_too_soon_is_refused_and_keeps_what_was_typed(client, url, sms_outbox):
    PhoneCodeFactory(phone=PHONE, created_at=timezone.now() - dt.timedelta(seconds=30))
    before = codes_now()

    response = client.post(url, {"phone": PHONE, "name": "林晓梅", "password": PASSWORD, "send_code": "1"})

    assert_refused(
        response, "phone", "A code was sent a moment ago. Please wait 30 seconds before asking for another one."
    )
    html = response.content.decode()
    assert 'value="林晓梅"' in html
    assert PASSWORD not in html
    assert codes_now() == before
    assert sms_outbox == []


def test_asking_more_often_than_the_daily_limit_is_refused(client, url, sms_outbox):
    PhoneCodeFactory.create_batch(10, phone=PHONE, purpose=PhoneCode.Purpose.PASSWORD_RESET)
    before = codes_now()

    response = client.post(url, {"phone": PHONE, "send_code": "1"})

    assert_refused(response, "phone", "Too many codes have been sent to this number today. Please try again tomorrow.")
    assert codes_now() == before
    assert sms_outbox == []


def test_weak_password_is_refused_and_the_code_stays_usable(client, url):
    PhoneCodeFactory(phone=PHONE)
    before = codes_now()

    response = client.post(url, sign_up_data(password="12345678", password_confirm="12345678"))

    assert response.context["form"].errors["password"] == [
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert User.objects.count() == 0
    assert codes_now() == before


def test_short_password_is_refused(client, url):
    PhoneCodeFactory(phone=PHONE)

    response = client.post(url, sign_up_data(password="Lin-7x", password_confirm="Lin-7x"))

    assert_refused(response, "password", "This password is too short. It must contain at least 8 characters.")


def test_different_passwords_are_refused(client, url):
    PhoneCodeFactory(phone=PHONE)
    before = codes_now()

    response = client.post(url, sign_up_data(password_confirm=PASSWORD + "x"))

    assert_refused(response, "password_confirm", "The two passwords are different. Please type them again.")
    assert codes_now() == before
    assert PASSWORD not in response.content.decode()


def test_registered_number_is_refused(client, url):
    existing = UserFactory(phone=PHONE, name="已注册")
    PhoneCodeFactory(phone=PHONE)
    before = codes_now()

    response = client.post(url, sign_up_data())

    assert_refused(
        response,
        "phone",
        "This mobile number is already registered. Please log in, or reset your password if you have forgotten it.",
        users_before=1,
    )
    assert codes_now() == before
    existing.refresh_from_db()
    assert existing.name == "已注册"


def test_logged_in_user_is_sent_home(client, url):
    client.force_login(UserFactory())

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == reverse("portal:home")


def test_a_half_typed_code_does_not_stop_sending_a_code_and_is_kept(
    client, url, django_capture_on_commit_callbacks, sms_outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        data = sign_up_data(code="12", name="林" * 51, send_code="1")
        del data["sign_up"]
        response = client.post(url, data)

    assert [message.phone for message in sms_outbox] == [PHONE]
    assert response.context["form"].initial == {"phone": PHONE, "code": "12", "name": "林" * 51}
    assert User.objects.count() == 0
