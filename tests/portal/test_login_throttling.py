import datetime as dt

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth import get_user
from django.urls import reverse

from portal.models import PhoneCode
from portal.services import password_reset_with_code
from tests.portal.factories import DEFAULT_PASSWORD, PhoneCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13900000001"
OTHER_PHONE = "13900000002"
HOME_ADDRESS = "10.0.0.1"
OTHER_ADDRESS = "10.0.0.2"


def log_in(client, phone, password, address=HOME_ADDRESS):
    return client.post(reverse("portal:login"), {"phone": phone, "password": password}, REMOTE_ADDR=address)


def fail_five_times(client, phone=PHONE, address=HOME_ADDRESS):
    return [log_in(client, phone, "wrong-password", address) for _ in range(5)]


@pytest.fixture
def users():
    return UserFactory(phone=PHONE), UserFactory(phone=OTHER_PHONE)


def test_four_failures_still_show_the_login_form(client, users):
    responses = [log_in(client, PHONE, "wrong-password") for _ in range(4)]

    assert [response.status_code for response in responses] == [200] * 4
    assert log_in(client, PHONE, DEFAULT_PASSWORD).status_code == 302


def test_fifth_failure_locks_the_number_from_that_address_with_a_plain_message(client, users):
    responses = fail_five_times(client)

    locked = responses[-1]
    html = " ".join(locked.content.decode().split())
    assert [response.status_code for response in responses] == [200, 200, 200, 200, 429]
    assert "Too many wrong tries" in html
    assert "The mobile number or password was wrong too many times." in html
    assert "Please try again in 15 minutes." in html
    assert f'href="{reverse("portal:password_reset")}"' in html


def test_failures_are_recorded_against_the_number_and_address(client, users):
    fail_five_times(client)

    assert list(AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")) == [
        (PHONE, HOME_ADDRESS, 5)
    ]


def test_locked_number_cannot_log_in_even_with_the_right_password(client, users):
    fail_five_times(client)

    response = log_in(client, PHONE, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert "Please try again in 15 minutes." in " ".join(response.content.decode().split())
    assert not get_user(response.wsgi_request).is_authenticated


def test_cool_off_time_shown_comes_from_the_setting(client, users, settings):
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=30)

    locked = fail_five_times(client)[-1]

    assert "Please try again in 30 minutes." in " ".join(locked.content.decode().split())


def test_another_number_from_the_same_address_still_logs_in(client, users):
    fail_five_times(client)

    response = log_in(client, OTHER_PHONE, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert get_user(response.wsgi_request) == users[1]


def test_the_same_number_from_another_address_still_logs_in(client, users):
    fail_five_times(client)

    response = log_in(client, PHONE, DEFAULT_PASSWORD, address=OTHER_ADDRESS)

    assert response.status_code == 302
    assert get_user(response.wsgi_request) == users[0]


def test_lock_ends_after_the_cool_off_time(client, users):
    fail_five_times(client)
    # Travel 16 minutes ahead: the failures are now older than the 15-minute cool-off.
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))

    response = log_in(client, PHONE, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert get_user(response.wsgi_request) == users[0]


def test_lock_is_still_on_just_before_the_cool_off_ends(client, users):
    fail_five_times(client)
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=14))

    assert log_in(client, PHONE, DEFAULT_PASSWORD).status_code == 429


def test_axes_reset_unlocks_the_number(client, users):
    fail_five_times(client)

    assert reset(username=PHONE) == 1

    assert log_in(client, PHONE, DEFAULT_PASSWORD).status_code == 302


def test_resetting_the_password_lifts_the_lock(client, users, django_capture_on_commit_callbacks):
    fail_five_times(client)
    PhoneCodeFactory(phone=PHONE, purpose=PhoneCode.Purpose.PASSWORD_RESET, code="135790")

    with django_capture_on_commit_callbacks(execute=True):
        password_reset_with_code(phone=PHONE, code="135790", new_password="Xunmei-new-2026")

    assert AccessAttempt.objects.filter(username=PHONE).count() == 0
    assert log_in(client, PHONE, "Xunmei-new-2026").status_code == 302
