"""The Simplified Chinese catalogue is complete and safe to use.

Chinese is the portal's main language: an untranslated or fuzzy entry shows English to
residents, and a placeholder lost in translation breaks the page with a KeyError. These
tests read the ``.po`` file itself (polib), so they need neither a database nor a build
step; only the last one reads the compiled ``.mo`` through Django and is skipped when
the catalogues have not been compiled.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = ZH_PO.with_suffix(".mo")
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
CJK = re.compile(r"[\u4e00-\u9fff]")
# What may legitimately carry ASCII punctuation inside Chinese text: placeholders,
# template tags, clock times (08:30), HTML tags and web addresses.
NOT_TEXT = re.compile(r"%\(\w+\)[sdif]|\{\{.*?\}\}|\{%.*?%\}|\d:\d\d|<[^>]+>|https?://\S+")


@pytest.fixture(scope="module")
def zh():
    return polib.pofile(str(ZH_PO))


def _translations(entry):
    """Every translated text of an entry: msgstr, or each plural form."""
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _label(entry):
    return repr(entry.msgid) + (f" / {entry.msgid_plural!r}" if entry.msgid_plural else "")


def test_both_catalogues_exist():
    assert ZH_PO.is_file(), f"{ZH_PO} is missing; run makemessages -l zh_Hans"
    assert EN_PO.is_file(), f"{EN_PO} is missing; run makemessages -l en"


def test_chinese_has_one_plural_form(zh):
    assert zh.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    wrong = [_label(e) for e in zh if e.msgid_plural and sorted(e.msgstr_plural) != [0]]
    assert not wrong, f"Plural entries must have exactly msgstr[0] in Chinese: {wrong}"


def test_no_untranslated_entries(zh):
    untranslated = [_label(e) for e in zh.untranslated_entries()]
    assert not untranslated, f"{len(untranslated)} entries have no Chinese translation: {untranslated}"


def test_no_fuzzy_entries(zh):
    fuzzy = [_label(e) for e in zh.fuzzy_entries()]
    assert not fuzzy, f"{len(fuzzy)} entries are marked fuzzy and need checking: {fuzzy}"


def test_python_format_placeholders_are_kept(zh):
    """Each translation has exactly the %(name)s placeholders of its English source."""
    broken = []
    for entry in zh:
        if entry.obsolete or "python-format" not in entry.flags:
            continue
        expected = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for text in _translations(entry):
            if text and set(PLACEHOLDER.findall(text)) != expected:
                broken.append(f"{_label(entry)} -> {text!r}")
    assert not broken, "Placeholders differ between English and Chinese:\n" + "\n".join(broken)


def test_chinese_text_uses_full_width_punctuation(zh):
    """，：；（）？！ in Chinese sentences, not their ASCII look-alikes."""
    ascii_punctuation = []
    for entry in zh:
        for text in _translations(entry):
            plain = NOT_TEXT.sub("", text)
            if CJK.search(plain) and re.search(r"[,;:()?!]", plain):
                ascii_punctuation.append(f"{_label(entry)} -> {text!r}")
    assert not ascii_punctuation, "ASCII punctuation in Chinese text:\n" + "\n".join(ascii_punctuation)


# Browser tests find buttons, labels and messages by these words.
REQUIRED = {
    "Open now": "现在开放",
    "Open in the evening": "在晚上开放",
    "Show centres": "显示服务中心",
    "Language": "语言",
    "Open the menu": "打开菜单",
    "Sign up": "注册",
    "Log in": "登录",
    "Mobile number": "手机号码",
    "Your name": "您的姓名",
    "Send me a code": "发送验证码",
    "Verification code": "验证码",
    "Password": "密码",
    "Password again": "再次输入密码",
    "New activity": "新建活动",
    "Week schedule": "周安排",
}
# Plural entries the browser tests read, by msgid: their one Chinese form.
REQUIRED_PLURAL = {
    "%(count)s session of “%(title)s” is planned.": "已为“%(title)s”安排了 %(count)s 个场次。",
}


def test_words_the_browser_tests_rely_on(zh):
    by_msgid = {entry.msgid: entry for entry in zh if not entry.msgid_plural}
    wrong = {
        msgid: by_msgid[msgid].msgstr if msgid in by_msgid else "(no such msgid)"
        for msgid, expected in REQUIRED.items()
        if msgid not in by_msgid or by_msgid[msgid].msgstr != expected
    }
    assert not wrong, f"Translations the browser tests need have changed: {wrong}"
    plurals = {entry.msgid: entry for entry in zh if entry.msgid_plural}
    wrong_plural = {
        msgid: plurals[msgid].msgstr_plural.get(0) if msgid in plurals else "(no such msgid)"
        for msgid, expected in REQUIRED_PLURAL.items()
        if msgid not in plurals or plurals[msgid].msgstr_plural.get(0) != expected
    }
    assert not wrong_plural, f"Plural translations the browser tests need have changed: {wrong_plural}"

    wrong_code = [
        f"{_label(e)} -> {text!r}"
        for e in zh
        if e.msgid.startswith("The code is wrong")
        for text in _translations(e)
        if not text.startswith("验证码不正确")
    ]
    assert not wrong_code, f"'The code is wrong…' must start with 验证码不正确: {wrong_code}"
    assert "欢迎" in by_msgid["Welcome! Your account is ready and you are logged in."].msgstr
    code_sent = "We have sent a 6-digit code to %(phone)s. It is valid for %(minutes)d minutes."
    assert "%(phone)s" in by_msgid[code_sent].msgstr, "The code-sent message must show the masked number"


def test_django_serves_the_chinese_catalogue():
    if not ZH_MO.is_file():
        pytest.skip(f"{ZH_MO.name} is not compiled; run `python manage.py compile_catalogues` first")
    with translation.override("zh-hans"):
        assert translation.gettext("Open now") == "现在开放"
        assert translation.ngettext("%(counter)s centre found", "%(counter)s centres found", 3) == (
            "找到 %(counter)s 个服务中心"
        )
