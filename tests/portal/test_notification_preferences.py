"""The resident's message settings (/account/messages/): language, text messages,
emails (an address is then required), monthly round-up; and sign-up keeps the language
the resident signed up in, so their first messages come in it."""

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import User
from portal.notifications import notification_send
from tests.portal.conftest import PASSWORD
from tests.portal.factories import PhoneCodeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def url():
    return reverse("portal:notification_preferences")


@pytest.fixture
def resident(client):
    user = UserFactory(phone="13900000001", language="zh-hans", notify_by_sms=True, notify_by_email=False)
    client.force_login(user)
    return user


def choices(user: User) -> tuple:
    user.refresh_from_db()
    return (user.language, user.notify_by_sms, user.notify_by_email, user.email, user.wants_monthly_roundup)


def test_login_is_required(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={url}"


def test_login_is_required_to_save(client, url):
    user = UserFactory(language="zh-hans")

    response = client.post(url, {"language": "en", "notify_by_sms": "on"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))
    assert choices(user) == ("zh-hans", True, False, "", False)


def test_page_shows_the_current_choices(client, url, resident, django_assert_max_num_queries):
    resident.email, resident.wants_monthly_roundup = "lin@example.cn", True
    resident.save()

    with django_assert_max_num_queries(6):
        response = client.get(url)

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert response.context["form"].initial == {
        "language": "zh-hans",
        "notify_by_sms": True,
        "notify_by_email": False,
        "email": "lin@example.cn",
        "wants_monthly_roundup": True,
    }
    assert "My message settings" in html
    assert "Every message also stays in your inbox in the portal." in html
    assert 'name="language" value="zh-hans" id="id_language_0" required checked>' in html
    assert 'name="language" value="en" id="id_language_1" required>' in html
    assert 'id="id_notify_by_sms" checked>' in html
    assert 'id="id_notify_by_email">' in html
    assert 'name="email" value="lin@example.cn"' in html


def test_choices_are_saved(client, url, resident):
    response = client.post(
        url,
        {
            "language": "en",
            "notify_by_email": "on",
            "email": "lin@example.cn",
            "wants_monthly_roundup": "on",
        },
        follow=True,
    )

    assert response.redirect_chain == [(url, 302)]
    assert "Your choices are saved." in response.content.decode()
    assert choices(resident) == ("en", False, True, "lin@example.cn", True)


def test_emails_need_an_address(client, url, resident):
    response = client.post(url, {"language": "en", "notify_by_sms": "on", "notify_by_email": "on", "email": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["Give the email address to send emails to."]}
    assert "Give the email address to send emails to." in response.content.decode()
    assert choices(resident) == ("zh-hans", True, False, "", False)


def test_a_malformed_address_is_refused(client, url, resident):
    response = client.post(url, {"language": "en", "notify_by_email": "on", "email": "lin at example"})

    # (The form also says "Give the email address to send emails to." here: reported.)
    assert response.context["form"].errors["email"][0] == "Enter a valid email address."
    assert choices(resident) == ("zh-hans", True, False, "", False)


def test_an_unknown_language_is_refused(client, url, resident):
    response = client.post(url, {"language": "fr", "notify_by_sms": "on"})

    assert response.context["form"].errors == {
        "language": ["Select a valid choice. fr is not one of the available choices."]
    }
    assert choices(resident) == ("zh-hans", True, False, "", False)


def test_an_address_without_emails_ticked_is_kept_but_not_written_to(client, url, resident, sms_outbox, mailoutbox):
    client.post(url, {"language": "zh-hans", "email": "lin@example.cn"})

    assert choices(resident) == ("zh-hans", False, False, "lin@example.cn", False)
    message = notification_send(recipient=resident, text="hello")
    assert (message.sms_to, message.email_to, message.delivery) == ("", "", "none")


def test_the_next_message_follows_the_new_choices(client, url, resident, django_capture_on_commit_callbacks):
    client.post(url, {"language": "en", "notify_by_email": "on", "email": "lin@example.cn"})
    resident.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        message = notification_send(recipient=resident, text=lambda: translation.get_language())

    assert (message.text, message.sms_to, message.email_to) == ("en", "", "lin@example.cn")


def test_the_account_page_links_to_the_settings(client, url, resident):
    response = client.get(reverse("portal:account"))

    assert f'href="{url}"' in response.content.decode()


# --- Sign-up keeps the language of the request ----------------------------------------------


def sign_up(client, phone: str):
    PhoneCodeFactory(phone=phone, code="123456")
    return client.post(
        reverse("portal:sign_up"),
        {
            "phone": phone,
            "code": "123456",
            "name": "林晓梅",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "sign_up": "1",
        },
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_sign_up_keeps_the_language_of_the_page(client, language):
    with translation.override(language):
        response = sign_up(client, "13900000077")

    assert response.status_code == 302
    assert User.objects.get(phone="13900000077").language == language


def test_sign_up_on_the_chinese_page_gives_chinese_messages(client):
    with translation.override("zh-hans"):
        assert reverse("portal:sign_up") == "/sign-up/"
        sign_up(client, "13900000078")
    user = User.objects.get(phone="13900000078")

    message = notification_send(recipient=user, text=lambda: translation.gettext("This booking is no longer active."))

    assert (user.language, message.text) == ("zh-hans", "这个预约已经失效了。")
