"""Booking on a phone, in a real Chromium: a parent signs up, adds a child, books
after-school care, sees the pass and cancels; a full evening course puts a resident on
the waiting list, who accepts the place offered when a holder cancels on their own phone;
centre staff check a child in by the code typed from the pass.

The pages are the Chinese ones (the default language). The sign-up and log-in pages are
translated and their words are pinned in Chinese; the booking pages' sentences are looked
up in the catalogue (``zh``), so these tests read what a Chinese page shows whether the
catalogue already translates them or not.

``BROWSER_SHOTS=/some/dir`` saves screenshots of the pass and the roster there."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from activities.models import Audience
from bookings.models import Booking, Dependant, Place
from bookings.services import held_places
from centres.models import ServiceFunctionCode
from portal import sms
from portal.models import User
from portal.templatetags.portal_tags import when
from tests.activities.factories import open_centre
from tests.bookings.factories import book, bookable_session, born_years_ago, child_of, course, fill, resident
from tests.browser.conftest import PHONE, PHONE_UA
from tests.portal.factories import DEFAULT_PASSWORD, CentreStaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

T = dt.time
PHONE_WIDTH = PHONE["width"]


# A pass's address (the booking form's "#booking" may ride along on the redirect).
PASS_URL = re.compile(r"/bookings/[2-9A-Z]{8}/(#booking)?$")


def pass_url(page, booking: Booking) -> re.Pattern:
    return re.compile(re.escape(f"{page.base_url}/bookings/{booking.code}/") + r"(#booking)?$")


def zh(message: str, **values) -> str:
    """What the Chinese page says for ``message`` (with its ``%(name)s`` values)."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return text % values if values else text


def zh_n(singular: str, plural: str, number: int, **values) -> str:
    with translation.override("zh-hans"):
        return translation.ngettext(singular, plural, number) % values


def what(booking: Booking) -> str:
    """How the pages name what was booked: “activity” on <when>."""
    with translation.override("zh-hans"):
        return zh("“%(activity)s” on %(when)s", activity=booking.activity.title, when=when(booking.starts_at))


def snapshot(page, name: str) -> None:
    folder = os.environ.get("BROWSER_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


# Draws the pass's QR image on a canvas and reads it with the portal's own jsQR (the
# roster's camera fallback), so the test knows what a scanner at the door would read.
READ_QR = """async (svg) => {
  const image = new Image();
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(svg));
  await image.decode();
  const size = 400;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, size, size);
  context.drawImage(image, 0, 0, size, size);
  const found = window.jsQR(context.getImageData(0, 0, size, size).data, size, size);
  return found ? found.data : null;
}"""


def qr_text(page, svg) -> str | None:
    page.add_script_tag(url=f"{page.base_url}/static/vendor/jsqr/jsQR.js")
    return svg.evaluate(READ_QR)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def log_in(page, phone: str, next_url: str) -> None:
    page.goto(f"{page.base_url}/login/?next={next_url}")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{page.base_url}{next_url}")


def sign_up(page, *, phone: str, name: str, password: str) -> None:
    sms.outbox.clear()
    page.goto(f"{page.base_url}/sign-up/")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("您的姓名").fill(name)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_role("status")).to_contain_text(f"{phone[:3]}****{phone[-4:]}")
    code = re.search(r"\d{6}", sms.outbox[-1].message).group()
    page.get_by_label("验证码").fill(code)
    page.get_by_label(re.compile(r"^\s*密码\W*$")).fill(password)
    page.get_by_label("再次输入密码").fill(password)
    page.get_by_role("button", name="注册", exact=True).last.click()
    expect(page.get_by_role("status")).to_contain_text("欢迎")


def open_menu_link(page, name: str) -> None:
    page.get_by_role("button", name="打开菜单").click()
    page.get_by_role("navigation", name=zh("Main menu")).get_by_role("link", name=name, exact=True).click()


@pytest.fixture
def after_school():
    """After-school care for children aged 6–12 on the next working day, 16:30–18:30,
    20 places, booking open now."""
    centre = open_centre(name="华丰社区党群服务中心", slug="huafeng", address="泉秀路100号")
    return bookable_session(
        centre=centre,
        title="四点钟课堂",
        service_function=ServiceFunctionCode.CHILDCARE,
        audience=Audience.CHILDREN,
        min_age=6,
        max_age=12,
        capacity=20,
        starts=T(16, 30),
        ends=T(18, 30),
    )


@pytest.fixture
def evening_class():
    """A weekly evening course of four sessions, 19:00–20:30, for 2 people, already full."""
    centre = open_centre(name="华丰社区党群服务中心", slug="huafeng", address="泉秀路100号")
    evening = course(centre=centre, title="青年夜校·摄影", audience=Audience.YOUNG_ADULTS, capacity=2, sessions=4)
    fill(course=evening)
    return evening


@pytest.fixture
def other_phone(browser, live_server):
    """A second phone (another resident's), in its own browser context."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", user_agent=PHONE_UA)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def test_a_parent_signs_up_adds_a_child_books_after_school_care_sees_the_pass_and_cancels(phone_page, after_school):
    page = phone_page
    session = after_school
    sign_up(page, phone="13800003456", name="林阿姨", password="Huafeng-2026-lin")
    parent = User.objects.get(phone="13800003456")

    # The family page, from "My bookings" in the menu.
    open_menu_link(page, zh("My bookings"))
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("My bookings"))
    page.get_by_role("link", name=zh("My family members")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("My family"))
    expect(page.get_by_text(zh("You have not added any family members yet."))).to_be_visible()
    page.get_by_role("link", name=zh("Add a family member")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Add a family member"))
    birth_date = born_years_ago(7)
    page.get_by_label(zh("Name")).fill("小明")
    page.get_by_label(zh("Date of birth")).fill(birth_date.isoformat())
    expect(page.get_by_label(zh("Relation"))).to_have_value(Dependant.Relation.CHILD)
    page.get_by_label(zh("Who may collect the child")).fill("妈妈林阿姨，外公林建国")
    page.locator("main form").get_by_role("button", name=zh("Save")).click()

    expect(page.get_by_role("status")).to_contain_text(zh("%(name)s has been added to your family.", name="小明"))
    expect(page.get_by_role("heading", level=2, name="小明")).to_be_visible()
    expect(page.locator("main")).to_contain_text(zh_n("%(years)s year old", "%(years)s years old", 7, years=7))
    child = Dependant.objects.get(guardian=parent)
    assert (child.name, child.birth_date, child.relation, child.collectors) == (
        "小明",
        birth_date,
        Dependant.Relation.CHILD,
        "妈妈林阿姨，外公林建国",
    )

    # The session's page: the parent cannot come themselves, the child can.
    page.goto(f"{page.base_url}/activities/{session.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("四点钟课堂")
    panel = page.locator("#booking")
    expect(panel.locator("#places-left")).to_contain_text(
        zh_n("%(free)s of %(capacity)s place left", "%(free)s of %(capacity)s places left", 20, free=20, capacity=20)
    )
    expect(panel.locator("#person-self")).to_be_disabled()
    child_box = panel.locator(f"#person-{child.pk}")
    expect(panel.locator(f"label[for=person-{child.pk}]")).to_contain_text(
        "小明 " + zh_n("(%(age)s year old)", "(%(age)s years old)", 7, age=7)
    )
    child_box.check()
    panel.get_by_role("button", name=zh("Book"), exact=True).click()

    # The pass, with its code and QR image.
    expect(page).to_have_url(PASS_URL)
    booking = Booking.objects.get(resident=parent)
    expect(page).to_have_url(pass_url(page, booking))
    assert (booking.occurrence_id, booking.dependant_id, booking.person_name, booking.status) == (
        session.pk,
        child.pk,
        "小明",
        Booking.Status.CONFIRMED,
    )
    assert held_places([session.pk]) == {session.pk: 1}
    expect(page.get_by_role("status")).to_contain_text(
        zh("Booked: %(what)s for %(names)s. Show the pass at the door.", what=what(booking), names="小明")
    )
    pass_card = page.locator("#pass")
    expect(pass_card.get_by_role("heading", level=1)).to_have_text("四点钟课堂")
    expect(pass_card.locator("#pass-status")).to_have_text(zh("Booked"))
    expect(pass_card.locator(".pass-code")).to_have_text(booking.code_display)
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", booking.code_display)
    qr = pass_card.locator(".pass-qr svg")
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("role", "img")
    expect(qr).to_have_attribute("aria-label", zh("QR code of the pass %(code)s", code=booking.code_display))
    assert qr_text(page, qr) == booking.code
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH
    expect(pass_card).to_contain_text("小明")
    expect(pass_card).to_contain_text("华丰社区党群服务中心")
    expect(pass_card).to_contain_text("16:30–18:30")
    assert fits_the_phone(page)
    snapshot(page, "pass")

    # My bookings, then cancel through the confirmation.
    page.locator(".breadcrumb").get_by_role("link", name=zh("My bookings")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("My bookings"))
    card = page.locator("#coming article", has_text="四点钟课堂")
    expect(card).to_contain_text("小明")
    expect(card.get_by_role("link", name=zh("Pass %(code)s", code=booking.code_display))).to_be_visible()
    card.get_by_role("link", name=zh("Cancel"), exact=True).click()
    expect(page).to_have_url(f"{page.base_url}/bookings/{booking.code}/cancel/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Cancel this booking?"))
    # Nothing is cancelled by opening the question.
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    page.get_by_role("button", name=zh("Yes, cancel")).click()

    expect(page).to_have_url(f"{page.base_url}/bookings/")
    expect(page.get_by_role("status")).to_contain_text(
        zh(
            "Cancelled: %(what)s for %(name)s. Thank you for freeing the place.",
            what=what(booking),
            name="小明",
        )
    )
    expect(page.locator("#coming article")).to_have_count(0)
    expect(page.locator("#past li", has_text="四点钟课堂")).to_contain_text(zh("Cancelled"))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.closed_at is not None
    assert list(booking.places.values_list("occurrence_id", "is_held")) == [(session.pk, False)]
    assert held_places([session.pk]) == {}

    # The place is free again on the session's page, and the child can be booked again.
    page.goto(f"{page.base_url}/activities/{session.pk}/")
    expect(page.locator("#places-left")).to_contain_text(
        zh_n("%(free)s of %(capacity)s place left", "%(free)s of %(capacity)s places left", 20, free=20, capacity=20)
    )
    expect(page.locator(f"#person-{child.pk}")).to_be_enabled()


def test_a_full_evening_course_puts_a_resident_on_the_waiting_list_who_accepts_the_place_a_holder_frees(
    phone_page, other_phone, evening_class
):
    page = phone_page
    sessions = list(evening_class.occurrences.order_by("starts_at"))
    session_ids = [s.pk for s in sessions]
    holders = list(Booking.objects.filter(course=evening_class).order_by("pk"))
    assert len(holders) == 2 and held_places(session_ids) == dict.fromkeys(session_ids, 2)
    chen = resident(phone="13800002222", name="陈师傅")

    log_in(page, chen.phone, f"/activities/{sessions[0].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("青年夜校·摄影")
    panel = page.locator("#booking")
    expect(panel.locator("#booking-heading")).to_have_text(zh("Book the course"))
    expect(panel.locator(".course-dates li")).to_have_count(len(sessions))
    expect(panel.locator("#places-left")).to_contain_text(zh("Fully booked"))
    expect(panel.get_by_role("button", name=zh("Book the course"))).to_have_count(0)
    panel.locator("#person-self").check()
    panel.get_by_role("button", name=zh("Join the waiting list")).click()

    expect(page).to_have_url(PASS_URL)
    waiting = Booking.objects.get(resident=chen)
    expect(page).to_have_url(pass_url(page, waiting))
    assert (waiting.course_id, waiting.status, waiting.places.count()) == (evening_class.pk, Booking.Status.WAITING, 0)
    expect(page.get_by_role("status")).to_contain_text(
        zh(
            "On the waiting list for %(what)s: %(names)s. We will tell you if a place frees up.",
            what=what(waiting),
            names="陈师傅",
        )
    )
    expect(page.locator("#pass-status")).to_have_text(zh("On the waiting list"))
    expect(page.locator("#waiting")).to_contain_text(zh("No. %(position)s in the queue", position=1))
    # No QR code while there is no place.
    expect(page.locator(".pass-qr")).to_have_count(0)

    page.locator(".breadcrumb").get_by_role("link", name=zh("My bookings")).click()
    entry = page.locator("#waiting article", has_text="青年夜校·摄影")
    expect(entry).to_contain_text(zh("No. %(position)s in the queue", position=1))
    expect(page.locator("#offers")).to_have_count(0)
    expect(page.locator("#coming article")).to_have_count(0)

    # One of the two holders cancels on their own phone.
    holder = holders[0]
    other = other_phone
    log_in(other, holder.resident.phone, "/bookings/")
    other.locator("#coming article", has_text="青年夜校·摄影").get_by_role(
        "link", name=zh("Cancel"), exact=True
    ).click()
    expect(other.get_by_role("heading", level=1)).to_have_text(zh("Cancel this booking?"))
    expect(other.locator("main")).to_contain_text(
        zh_n(
            "This cancels the whole course (%(sessions)s session).",
            "This cancels the whole course (%(sessions)s sessions).",
            len(sessions),
            sessions=len(sessions),
        )
    )
    other.get_by_role("button", name=zh("Yes, cancel")).click()
    expect(other).to_have_url(f"{other.base_url}/bookings/")
    expect(other.get_by_role("status")).to_contain_text(
        zh(
            "Cancelled: %(what)s for %(name)s. Thank you for freeing the place.",
            what=what(holder),
            name=holder.person_name,
        )
    )
    holder.refresh_from_db()
    assert holder.status == Booking.Status.CANCELLED
    # The freed place was offered to the first on the list when the cancelling committed.
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.OFFERED
    assert waiting.offer_expires_at > timezone.now()
    assert held_places(session_ids) == dict.fromkeys(session_ids, 2)

    # The offer is on the waiting resident's "My bookings"; one click takes it.
    page.reload()
    offer = page.locator("#offers article", has_text="青年夜校·摄影")
    expect(offer).to_be_visible()
    expect(page.locator("#waiting")).to_have_count(0)
    offer.get_by_role("button", name=zh("Accept the place")).click()

    expect(page).to_have_url(pass_url(page, waiting))
    expect(page.get_by_role("status")).to_contain_text(
        zh("Booked: %(what)s for %(name)s. Show the pass at the door.", what=what(waiting), name="陈师傅")
    )
    expect(page.locator("#pass-status")).to_have_text(zh("Booked"))
    expect(page.locator(".pass-code")).to_have_text(waiting.code_display)
    expect(page.locator(".pass-qr svg")).to_be_visible()
    expect(page.locator(".pass-sessions li")).to_have_count(len(sessions))
    assert fits_the_phone(page)

    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    assert sorted(waiting.places.filter(is_held=True).values_list("occurrence_id", flat=True)) == sorted(session_ids)
    # Two places at each session: the other holder's and the one accepted, never three.
    assert held_places(session_ids) == dict.fromkeys(session_ids, 2)
    holding = Booking.objects.filter(course=evening_class, status=Booking.Status.CONFIRMED).order_by("pk")
    assert list(holding) == [holders[1], waiting]


def test_centre_staff_check_a_child_in_by_the_pass_code_typed_in_lower_case_with_a_dash(phone_page, after_school):
    session = after_school
    parent = resident(phone="13800003333", name="李梅")
    child = child_of(parent, age=7, name="小明", collectors="妈妈李梅")
    [booking] = book(parent, session, people=[child])
    place = booking.places.get()
    staff = CentreStaffFactory(phone="13900007788", centres=[session.centre])
    roster = f"/staff/centres/{session.centre.slug}/sessions/{session.pk}/roster/"
    page = phone_page

    log_in(page, staff.phone, roster)
    expect(page.locator("#roster-heading")).to_contain_text("四点钟课堂")
    row = page.locator(f"#place-{place.pk}")
    expect(row).to_contain_text("小明")
    expect(row).to_contain_text("妈妈李梅")
    expect(row).to_contain_text(zh("Not yet"))
    code_box = page.get_by_label(zh("Pass code"), exact=True)
    expect(code_box).to_be_focused()
    check_in = page.locator("#code-form").get_by_role("button", name=zh("Check in"), exact=True)

    # A code that is no booking's here is refused, and nothing changes.
    wrong = "ABCDEFGH" if booking.code != "ABCDEFGH" else "HGFEDCBA"
    code_box.fill(f"{wrong[:4]}-{wrong[4:]}".lower())
    check_in.click()
    result = page.locator("#check-in-result .alert")
    expect(result).to_have_text(zh("No booking for this session has the code %(code)s.", code=wrong))
    expect(result).to_have_class(re.compile(r"\balert-danger\b"))
    expect(row).to_contain_text(zh("Not yet"))
    place.refresh_from_db()
    assert (place.checked_in_at, place.checked_in_by) == (None, None)
    assert not Place.objects.filter(checked_in_at__isnull=False).exists()

    # The code as people type it: lower case, with the dash.
    typed = booking.code_display.lower()
    assert "-" in typed and typed != booking.code
    code_box.fill(typed)
    check_in.click()
    expect(result).to_have_text(zh("%(name)s checked in ✓", name="小明"))
    expect(result).to_have_class(re.compile(r"\balert-success\b"))
    place.refresh_from_db()
    assert place.checked_in_at is not None and place.checked_in_by == staff
    assert timezone.now() - place.checked_in_at < dt.timedelta(minutes=1)
    expect(row).to_have_class(re.compile(r"\bis-checked-in\b"))
    expect(row).to_contain_text("✓ " + timezone.localtime(place.checked_in_at).strftime("%H:%M"))
    expect(page.locator("#checked-in-count")).to_contain_text(zh("%(checked)s of %(booked)s", checked=1, booked=1))
    assert fits_the_phone(page)
    snapshot(page, "roster")
