import re

import pytest
from playwright.sync_api import expect

from portal import sms
from portal.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_signs_up_on_a_phone_with_a_text_message_code(phone_page):
    sms.outbox.clear()
    page = phone_page
    page.goto(f"{page.base_url}/")
    page.get_by_role("button", name="打开菜单").click()
    page.get_by_role("link", name="注册").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("注册")

    page.get_by_label("手机号码").fill("13900001234")
    page.get_by_label("您的姓名").fill("林阿姨")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_role("status")).to_contain_text("139****1234")
    # What was typed before the code was sent is still there.
    expect(page.get_by_label("手机号码")).to_have_value("13900001234")
    expect(page.get_by_label("您的姓名")).to_have_value("林阿姨")

    assert [message.phone for message in sms.outbox] == ["13900001234"]
    code = re.search(r"\d{6}", sms.outbox[0].message).group()
    page.get_by_label("验证码").fill(code)
    page.get_by_label(re.compile(r"^\s*密码\W*$")).fill("Huafeng-2026-lin")
    page.get_by_label("再次输入密码").fill("Huafeng-2026-lin")
    page.get_by_role("button", name="注册", exact=True).last.click()

    expect(page.get_by_role("status")).to_contain_text("欢迎")
    user = User.objects.get(phone="13900001234")
    assert (user.name, user.role) == ("林阿姨", User.Role.RESIDENT)


def test_a_wrong_code_is_refused_and_nothing_typed_is_lost(phone_page):
    sms.outbox.clear()
    page = phone_page
    page.goto(f"{page.base_url}/sign-up/")
    page.get_by_label("手机号码").fill("13900004321")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_role("status")).to_contain_text("139****4321")

    page.get_by_label("验证码").fill("000000" if "000000" not in sms.outbox[0].message else "111111")
    page.get_by_label("您的姓名").fill("陈师傅")
    page.get_by_label(re.compile(r"^\s*密码\W*$")).fill("Huafeng-2026-chen")
    page.get_by_label("再次输入密码").fill("Huafeng-2026-chen")
    page.get_by_role("button", name="注册", exact=True).last.click()

    expect(page.get_by_text("验证码不正确")).to_be_visible()
    expect(page.get_by_label("手机号码")).to_have_value("13900004321")
    expect(page.get_by_label("您的姓名")).to_have_value("陈师傅")
    assert not User.objects.filter(phone="13900004321").exists()
