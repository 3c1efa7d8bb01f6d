import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from portal.models import PhoneCode
from portal.services import (
    phone_code_hash,
    phone_code_send,
    phone_code_verify,
    phone_codes_purge_expired,
)
from portal.tasks import purge_expired_phone_codes
from tests.portal.conftest import code_in
from tests.portal.factories import PhoneCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13900000001"
SIGN_UP = PhoneCode.Purpose.SIGN_UP
RESET = PhoneCode.Purpose.PASSWORD_RESET


def _codes():
    return list(PhoneCode.objects.order_by("pk").values_list("phone", "purpose", "attempts", "used_at", "expires_at"))


def test_send_stores_only_a_hash_and_texts_the_code_after_commit(django_capture_on_commit_callbacks, sms_outbox):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        phone_code = phone_code_send(phone=PHONE, purpose=SIGN_UP)
        assert sms_outbox == []

    assert len(callbacks) == 1
    assert [message.phone for message in sms_outbox] == [PHONE]
    code = code_in(sms_outbox[0])
    assert sms_outbox[0].message == f"Your verification code is {code}, valid for 10 minutes. Do not tell it to anyone."
    phone_code.refresh_from_db()
    assert phone_code.code_hash == phone_code_hash(phone=PHONE, purpose=SIGN_UP, code=code)
    assert code not in phone_code.code_hash
    assert phone_code.expires_at - phone_code.created_at == dt.timedelta(minutes=10)
    assert (phone_code.attempts, phone_code.used_at) == (0, None)


def test_send_refuses_a_malformed_number(sms_outbox):
    with pytest.raises(ValidationError) as refused:
        phone_code_send(phone="1390000000", purpose=SIGN_UP)

    assert refused.value.message_dict == {"phone": ["Enter an 11-digit mainland mobile number, such as 13812345678."]}
    assert PhoneCode.objects.count() == 0
    assert sms_outbox == []


def test_send_refuses_within_the_resend_interval(django_capture_on_commit_callbacks, sms_outbox):
    earlier = PhoneCodeFactory(phone=PHONE, created_at=timezone.now() - dt.timedelta(seconds=45))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        phone_code_send(phone=PHONE, purpose=SIGN_UP)

    assert refused.value.message_dict == {
        "phone": ["A code was sent a moment ago. Please wait 15 seconds before asking for another one."]
    }
    assert list(PhoneCode.objects.values_list("pk", flat=True)) == [earlier.pk]
    assert sms_outbox == []


def test_send_again_after_the_interval_works(django_capture_on_commit_callbacks, sms_outbox):
    PhoneCodeFactory(phone=PHONE, created_at=timezone.now() - dt.timedelta(seconds=61))

    with django_capture_on_commit_callbacks(execute=True):
        phone_code_send(phone=PHONE, purpose=SIGN_UP)

    assert PhoneCode.objects.filter(phone=PHONE).count() == 2
    assert len(sms_outbox) == 1


def test_send_refuses_after_the_daily_limit(django_capture_on_commit_callbacks, sms_outbox):
    # Ten codes today already (for another purpose, so the resend interval does not apply).
    PhoneCodeFactory.create_batch(10, phone=PHONE, purpose=RESET)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        phone_code_send(phone=PHONE, purpose=SIGN_UP)

    assert refused.value.message_dict == {
        "phone": ["Too many codes have been sent to this number today. Please try again tomorrow."]
    }
    assert PhoneCode.objects.filter(phone=PHONE).count() == 10
    assert sms_outbox == []


def test_codes_of_yesterday_do_not_count_towards_the_daily_limit(django_capture_on_commit_callbacks, sms_outbox):
    start_of_today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    PhoneCodeFactory.create_batch(10, phone=PHONE, purpose=RESET, created_at=start_of_today - dt.timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        phone_code_send(phone=PHONE, purpose=SIGN_UP)

    assert len(sms_outbox) == 1


def test_sign_up_code_is_refused_for_a_registered_number(sms_outbox):
    UserFactory(phone=PHONE)

    with pytest.raises(ValidationError) as refused:
        phone_code_send(phone=PHONE, purpose=SIGN_UP)

    assert refused.value.message_dict == {
        "phone": [
            "This mobile number is already registered. Please log in, or reset your password if you have forgotten it."
        ]
    }
    assert PhoneCode.objects.count() == 0


def test_reset_code_for_an_unknown_number_is_made_but_not_sent(django_capture_on_commit_callbacks, sms_outbox):
    with django_capture_on_commit_callbacks(execute=True):
        phone_code_send(phone=PHONE, purpose=RESET)

    assert PhoneCode.objects.filter(phone=PHONE, purpose=RESET).count() == 1
    assert sms_outbox == []


def test_reset_code_for_a_registered_number_is_sent(django_capture_on_commit_callbacks, sms_outbox):
    UserFactory(phone=PHONE)

    with django_capture_on_commit_callbacks(execute=True):
        phone_code_send(phone=PHONE, purpose=RESET)

    assert [message.phone for message in sms_outbox] == [PHONE]


def test_verify_accepts_the_right_code_once():
    phone_code = PhoneCodeFactory(phone=PHONE, code="246810")

    assert phone_code_verify(phone=PHONE, purpose=SIGN_UP, code="246810") == phone_code

    phone_code.refresh_from_db()
    assert phone_code.used_at is not None
    with pytest.raises(ValidationError) as refused:
        phone_code_verify(phone=PHONE, purpose=SIGN_UP, code="246810")
    assert refused.value.messages == ["This code has already been used. Please ask for a new code."]


def test_verify_counts_a_wrong_try_and_says_how_many_are_left():
    phone_code = PhoneCodeFactory(phone=PHONE, code="246810")

    with pytest.raises(ValidationError) as refused:
        phone_code_verify(phone=PHONE, purpose=SIGN_UP, code="111111")

    assert refused.value.message_dict == {
        "code": ["The code is wrong. Please check the text message. You can try 4 more times."]
    }
    phone_code.refresh_from_db()
    assert (phone_code.attempts, phone_code.used_at) == (1, None)


def test_verify_kills_the_code_after_the_last_wrong_try():
    phone_code = PhoneCodeFactory(phone=PHONE, code="246810", attempts=4)

    with pytest.raises(ValidationError) as refused:
        phone_code_verify(phone=PHONE, purpose=SIGN_UP, code="111111")
    assert refused.value.messages == ["The code is wrong, and it can no longer be used. Please ask for a new code."]

    with pytest.raises(ValidationError) as refused:
        phone_code_verify(phone=PHONE, purpose=SIGN_UP, code="246810")
    assert refused.value.messages == ["This code was entered wrongly too many times. Please ask for a new code."]
    phone_code.refresh_from_db()
    assert (phone_code.attempts, phone_code.used_at) == (5, None)


def test_verify_refuses_an_expired_code():
    created = timezone.now() - dt.timedelta(minutes=11)
    phone_code = PhoneCodeFactory(phone=PHONE, code="246810", created_at=created)

    with pytest.raises(ValidationError) as refused:
        phone_code_verify(phone=PHONE, purpose=SIGN_UP, code="246810")

    assert refused.value.messages == ["This code has expired. Please ask for a new code."]
    phone_code.refresh_from_db()
    assert (phone_code.attempts, phone_code.used_at) == (0, None)


def test_verify_accepts_only_the_latest_code():
    PhoneCodeFactory(phone=PHONE, code="111111", created_at=timezone.now() - dt.timedelta(minutes=2))
    PhoneCodeFactory(phone=PHONE, code="222222")

    with pytest.raises(ValidationError):
        phone_code_verify(phone=PHONE, purpose=SIGN_UP, code="111111")

    assert phone_code_verify(phone=PHONE, purpose=SIGN_UP, code="222222").used_at is not None


def test_verify_does_not_mix_purposes():
    PhoneCodeFactory(phone=PHONE, code="246810", purpose=RESET)

    with pytest.raises(ValidationError) as refused:
        phone_code_verify(phone=PHONE, purpose=SIGN_UP, code="246810")

    assert refused.value.messages == ["Please ask for a verification code first."]


def test_purge_deletes_codes_expired_more_than_a_day_ago():
    now = timezone.now()
    old = PhoneCodeFactory(created_at=now - dt.timedelta(days=1, minutes=11))
    expired_today = PhoneCodeFactory(created_at=now - dt.timedelta(minutes=30))
    live = PhoneCodeFactory()

    assert phone_codes_purge_expired() == 1

    assert set(PhoneCode.objects.values_list("pk", flat=True)) == {expired_today.pk, live.pk}
    assert not PhoneCode.objects.filter(pk=old.pk).exists()


def test_purge_task_runs_the_purge_and_is_safe_to_repeat():
    PhoneCodeFactory(created_at=timezone.now() - dt.timedelta(days=2))

    assert purge_expired_phone_codes.apply().get() == 1
    assert purge_expired_phone_codes.apply().get() == 0
    assert PhoneCode.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_number_send_one_code(sms_outbox):
    """Eight requests at once: the per-number lock lets exactly one through."""
    barrier = threading.Barrier(8)
    outcomes = []

    def request_code():
        try:
            barrier.wait()
            phone_code_send(phone=PHONE, purpose=SIGN_UP)
            outcomes.append("sent")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=request_code) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused"] * 7 + ["sent"]
    assert PhoneCode.objects.filter(phone=PHONE).count() == 1
    assert len(sms_outbox) == 1
