"""Ratings end to end in a real Chromium, in the portal's Chinese, each person in their
own browser (issue 6): a resident rates a session badly on their phone, the centre's
staff call back and reply, the resident rates once more; the district runs a star-rating
cycle from its criteria to the published level, with the centres applying, the street
and a representative scoring, and the results, their CSV and the audit trail.

The database gets only what nobody can do in the browser: the areas and centres, the
staff accounts, the attended session and the invitation the hourly beat writes.

``BROWSER_SHOTS=/some/dir`` saves screenshots of the main pages there."""

import csv
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from ratings.invitations import invite_to_rate
from ratings.models import Application, AuditEntry, Criterion, Cycle, Evidence, Level, Rating, RectificationCase
from tests.activities.factories import open_centre
from tests.bookings.factories import resident
from tests.browser.conftest import PHONE, PHONE_UA
from tests.centres.factories import CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import (
    DEFAULT_PASSWORD,
    CentreStaffFactory,
    DistrictStaffFactory,
    RepresentativeFactory,
    StreetStaffFactory,
)
from tests.ratings.factories import attended_booking, rating_of

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
D = Decimal


def zh(message: str, **values) -> str:
    """What the Chinese page says for ``message`` (with its ``%(name)s`` values)."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return text % values if values else text


def snapshot(page, name: str) -> None:
    folder = os.environ.get("BROWSER_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def alert(page):
    return page.locator(".alert").first


@pytest.fixture
def open_browser(browser, live_server):
    """``open_browser(phone=False)``: a page in a new browser context of its own, a
    desktop's or a phone's, in Chinese."""
    contexts = []

    def open_one(*, phone: bool = False):
        if phone:
            context = browser.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", user_agent=PHONE_UA
            )
        else:
            context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        return page

    yield open_one
    for context in contexts:
        context.close()


def log_in(page, phone: str, next_url: str) -> None:
    page.goto(f"{page.base_url}/login/?next={next_url}")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{page.base_url}{next_url}")


class World:
    """丰泽区 › 东湖街道 with two centres, 圣湖 and 刺桐, and a staff account of each role."""

    def __init__(self):
        self.district = DistrictFactory(name="丰泽区")
        self.street = StreetFactory(name="东湖街道", parent=self.district)
        shenghu = CommunityFactory(name="圣湖社区", parent=self.street)
        self.centre = open_centre(name="圣湖社区党群服务中心", slug="shenghu", area=shenghu)
        self.other = open_centre(
            name="刺桐社区党群服务中心", slug="citong", area=CommunityFactory(name="刺桐社区", parent=self.street)
        )
        self.centre_staff = CentreStaffFactory(name="陈专管", phone="13900000001", centres=[self.centre])
        self.other_staff = CentreStaffFactory(name="李专管", phone="13900000002", centres=[self.other])
        self.street_staff = StreetStaffFactory(name="东湖街道林干部", phone="13900000003", area=self.street)
        self.district_staff = DistrictStaffFactory(name="区委组织部黄科长", phone="13900000004", area=self.district)
        self.representative = RepresentativeFactory(name="群众代表郑大姐", phone="13900000005", area=shenghu)


@pytest.fixture
def world():
    return World()


# --- A bad rating, answered, and rated once more -------------------------------------------


def test_a_resident_rates_badly_the_centre_calls_back_and_replies_and_the_resident_rates_once_more(open_browser, world):
    someone = resident("13812345678", name="王秀英", language="zh-hans")
    booking = attended_booking(someone, centre=world.centre, title="太极拳晨练")
    assert invite_to_rate() == 1

    # The resident follows the invitation in their messages and rates 非常不满意.
    phone = open_browser(phone=True)
    log_in(phone, someone.phone, "/bookings/")
    phone.get_by_role("button", name="打开菜单").click()
    phone.locator("#nav-messages").click()
    phone.get_by_role("link", name=re.compile(f"^{zh('Open')}.*太极拳晨练")).click()
    expect(phone).to_have_url(f"{phone.base_url}/ratings/booking/{booking.code}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(zh("Rate what you used"))
    phone.locator("label.btn", has_text=re.compile("^非常不满意$")).click()
    expect(phone.get_by_role("radio", name="非常不满意")).to_be_checked()
    phone.locator("select[name=attitude]").select_option(str(Level.VERY_DISSATISFIED))
    phone.locator("select[name=timeliness]").select_option(str(Level.DISSATISFIED))
    phone.locator("textarea[name=comment]").fill("老师迟到半小时，也没人通知")
    snapshot(phone, "1-rating-form")
    phone.get_by_role("button", name=zh("Send my rating")).click()

    expect(phone).to_have_url(f"{phone.base_url}/ratings/")
    expect(alert(phone)).to_contain_text(
        zh("Thank you for telling us. The centre will call you back and tell you what it changes.")
    )
    rating = Rating.objects.get(booking=booking)
    assert (rating.level, rating.attitude, rating.content, rating.environment, rating.timeliness, rating.comment) == (
        Level.VERY_DISSATISFIED,
        Level.VERY_DISSATISFIED,
        None,
        None,
        Level.DISSATISFIED,
        "老师迟到半小时，也没人通知",
    )
    case = RectificationCase.objects.get(rating=rating)
    assert case.status == RectificationCase.Status.AWAITING_CALLBACK
    listed = phone.locator(f"#rating-{rating.pk}")
    expect(listed).to_contain_text("太极拳晨练")
    expect(listed).to_contain_text("非常不满意")
    expect(listed).to_contain_text(zh("Waiting for the call-back"))
    expect(phone.locator("#to-rate")).not_to_contain_text("太极拳晨练")

    # The centre's staff find the case from their workspace, the resident masked.
    staff = open_browser()
    log_in(staff, world.centre_staff.phone, "/staff/")
    staff.get_by_role("link", name=re.compile(zh("Residents' ratings and the rectification of bad ones"))).click()
    card = staff.locator(f"#case-{case.pk}")
    expect(card).to_contain_text("王** 138****5678")
    expect(card).to_contain_text("老师迟到半小时，也没人通知")
    expect(staff.locator("main")).not_to_contain_text("王秀英")
    expect(staff.locator("main")).not_to_contain_text("13812345678")
    snapshot(staff, "2-staff-case")

    # The case's own page gives the staff who owe the call-back the number to call.
    card.get_by_role("link", name=re.compile(zh("Open the case"))).click()
    expect(staff).to_have_url(f"{staff.base_url}/staff/ratings/cases/{case.pk}/")
    expect(staff.locator("main a[href='tel:13812345678']")).to_be_visible()
    staff.locator(f"textarea[name='c{case.pk}-note']").fill("已电话回访，居民反映老师迟到且未提前通知")
    staff.get_by_role("button", name=zh("Record the call-back")).click()
    expect(alert(staff)).to_contain_text(zh("The call-back is recorded. The rectification reply is due next."))
    case.refresh_from_db()
    assert case.status == RectificationCase.Status.AWAITING_REPLY
    assert case.callback_note == "已电话回访，居民反映老师迟到且未提前通知"

    staff.locator(f"textarea[name='r{case.pk}-reply']").fill("已与授课老师约定提前十分钟到场，如有变动提前一天短信通知")
    staff.get_by_role("button", name=zh("Send the reply")).click()
    expect(alert(staff)).to_contain_text(zh("The reply is sent. The resident has been told and may rate once more."))
    case.refresh_from_db()
    assert case.status == RectificationCase.Status.REPLIED
    assert case.reply == "已与授课老师约定提前十分钟到场，如有变动提前一天短信通知"
    expect(staff.locator("main a[href^='tel:']")).to_have_count(0)  # nothing owed: masked again
    staff.goto(f"{staff.base_url}/staff/ratings/")
    expect(staff.locator(f"#case-{case.pk}")).to_have_count(0)  # no longer open

    # The resident is told in their messages, reads the reply and rates once more; a
    # second time is not offered.
    phone.reload()
    phone.get_by_role("button", name="打开菜单").click()
    phone.locator("#nav-messages").click()
    phone.get_by_role("link", name=re.compile(f"^{zh('Open')}\\W*{world.centre.name}已答复")).click()
    expect(phone).to_have_url(f"{phone.base_url}/ratings/")
    listed = phone.locator(f"#rating-{rating.pk}")
    expect(listed).to_contain_text(zh("Rectification replied"))
    expect(listed.locator("blockquote")).to_contain_text("已与授课老师约定提前十分钟到场")
    listed.get_by_role("link", name=zh("Rate again after the reply")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(zh("Rate again after the centre's reply"))
    expect(phone.locator("main")).to_contain_text("已与授课老师约定提前十分钟到场")
    snapshot(phone, "3-follow-up-form")
    phone.locator("label.btn", has_text=re.compile(f"^{zh('Satisfied')}$")).click()
    phone.locator("textarea[name=comment]").fill("这周老师准时了")
    phone.get_by_role("button", name=zh("Send my rating")).click()

    expect(alert(phone)).to_contain_text(zh("Thank you for your rating."))
    listed = phone.locator(f"#rating-{rating.pk}")
    expect(listed).to_contain_text(zh("Your rating after the reply:"))
    expect(listed).to_contain_text(zh("Satisfied"))
    expect(listed.get_by_role("link", name=zh("Rate again after the reply"))).to_have_count(0)
    snapshot(phone, "4-my-ratings")
    follow_up = Rating.objects.get(booking=booking, is_follow_up=True)
    assert (follow_up.level, follow_up.comment) == (Level.SATISFIED, "这周老师准时了")

    # Coming back to the form's address: told it is rated, nothing more is saved.
    phone.goto(f"{phone.base_url}/ratings/booking/{booking.code}/")
    expect(phone).to_have_url(f"{phone.base_url}/ratings/")
    expect(alert(phone)).to_have_text(zh("You have already rated this again after the centre's reply. Thank you."))
    assert Rating.objects.filter(booking=booking).count() == 2


# --- A star-rating cycle from preparing to publishing -----------------------------------------


def png_file(folder) -> str:
    path = folder / "活动照片.png"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(path, format="PNG")
    return str(path)


def add_criterion(page, name: str, points: str, source: str, measure: str = "") -> None:
    form = page.locator("form[action$='/criteria/']")
    form.locator("input[name=criterion-name]").fill(name)
    form.locator("input[name=criterion-max_points]").fill(points)
    form.locator("select[name=criterion-source]").select_option(source)
    form.locator("select[name=criterion-measure]").select_option(measure)
    form.get_by_role("button", name=zh("Add the criterion")).click()
    expect(alert(page)).to_contain_text(zh("The criterion is added."))


def set_level(page, stars: int, min_score: str, reward: str) -> None:
    form = page.locator("form[action$='/levels/']")
    form.locator("select[name=level-stars]").select_option(str(stars))
    form.locator("input[name=level-min_score]").fill(min_score)
    form.locator("input[name=level-reward]").fill(reward)
    form.get_by_role("button", name=zh("Save the level")).click()
    expect(alert(page)).to_contain_text(zh("The star level is saved."))


def take_step(page, label: str, status: str) -> None:
    page.get_by_role("button", name=zh(label)).click()
    expect(alert(page)).to_contain_text(zh("Done: the cycle is now “%(status)s”.", status=zh(status)))


def scoring_rows(page):
    return page.locator("section[aria-labelledby=score-heading] li")


def score(page, application, points: dict) -> None:
    """From the scoring page, open ``application``'s form and give ``points`` by criterion."""
    page.get_by_role("link", name=f"{zh('Score')} {application.centre.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(application.centre.name)
    for criterion, value in points.items():
        page.locator(f"input[name=points_{criterion.pk}]").fill(value)
    page.get_by_role("button", name=zh("Save the scores")).click()
    expect(alert(page)).to_contain_text(zh("Your scores for %(centre)s are saved.", centre=application.centre.name))


def test_the_district_runs_a_star_rating_cycle_end_to_end(open_browser, world, tmp_path):
    # Residents' ratings of 圣湖 this year: one satisfied, so its satisfaction is 100%.
    rating_of(attended_booking(centre=world.centre), level=Level.SATISFIED)
    w = world

    # District staff prepare the cycle from their workspace.
    district = open_browser()
    log_in(district, w.district_staff.phone, "/staff/")
    district.get_by_role("link", name=re.compile(zh("Star-rating cycles of the district"))).click()
    district.get_by_role("link", name=zh("Start a new cycle")).click()
    district.locator("input[name=name]").fill("2026年度星级评定")
    district.locator("input[name=period_start]").fill("2026-01-01")
    district.locator("input[name=period_end]").fill("2026-12-31")
    district.locator("input[name=budget]").fill("50000")
    district.get_by_role("button", name=zh("Create the cycle")).click()
    expect(alert(district)).to_contain_text(zh("The cycle is created. Add its criteria and star levels."))
    cycle = Cycle.objects.get(district=w.district, name="2026年度星级评定")
    cycle_url = f"{district.base_url}/staff/star-ratings/{cycle.pk}/"
    expect(district).to_have_url(cycle_url)

    add_criterion(district, "群众满意度", "20", Criterion.Source.COMPUTED, Criterion.Measure.SATISFACTION)
    add_criterion(district, "镇街考核", "40", Criterion.Source.STREET)
    add_criterion(district, "代表评议", "20", Criterion.Source.REPRESENTATIVES)
    add_criterion(district, "自评", "20", Criterion.Source.SELF)
    set_level(district, 3, "40", "10000")
    set_level(district, 4, "70", "20000")
    set_level(district, 5, "90", "40000")
    satisfaction, street, representatives, own = cycle.criteria.order_by("position")
    assert [(c.name, c.max_points, c.source, c.measure) for c in (satisfaction, street, representatives, own)] == [
        ("群众满意度", D(20), "computed", "satisfaction"),
        ("镇街考核", D(40), "street", ""),
        ("代表评议", D(20), "representatives", ""),
        ("自评", D(20), "self", ""),
    ]
    assert list(cycle.levels.order_by("stars").values_list("stars", "min_score", "reward")) == [
        (3, D(40), D(10000)),
        (4, D(70), D(20000)),
        (5, D(90), D(40000)),
    ]
    snapshot(district, "5-cycle-draft")
    take_step(district, "Open for applications", "Open for applications")
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.OPEN

    # The representative is invited to score 圣湖.
    invite = district.locator("form[action$='/representatives/']")
    invite.locator("select[name=assign-representative]").select_option(str(w.representative.pk))
    invite.locator("select[name=assign-centre]").select_option(str(w.centre.pk))
    invite.get_by_role("button", name=zh("Invite")).click()
    expect(alert(district)).to_contain_text(zh("The representative is invited to score this centre."))
    expect(district.locator("main")).to_contain_text(
        zh("%(person)s scores %(centre)s", person=w.representative.name, centre=w.centre.name)
    )

    # Both centres apply; 圣湖 with its self-assessment and a photo.
    centre = open_browser()
    log_in(centre, w.centre_staff.phone, "/staff/")
    centre.get_by_role("link", name=re.compile(zh("Star rating: applications and scoring"))).click()
    centre.get_by_role("link", name=f"{zh('Apply')} {w.centre.name}").click()
    centre.locator("select[name=applied_stars]").select_option("5")
    centre.locator("textarea[name=self_assessment]").fill("全年开展活动120场，延时服务覆盖工作日晚间")
    centre.locator("input[name=file]").set_input_files(png_file(tmp_path))
    centre.locator("input[name=caption]").fill("重阳节活动照片")
    centre.get_by_role("button", name=zh("Save the application")).click()
    expect(alert(centre)).to_contain_text(zh("The application is saved."))
    snapshot(centre, "6-application")
    expect(centre.get_by_role("link", name=re.compile("重阳节活动照片"))).to_be_visible()
    application = Application.objects.get(cycle=cycle, centre=w.centre)
    assert (application.applied_stars, application.self_assessment) == (5, "全年开展活动120场，延时服务覆盖工作日晚间")
    evidence = Evidence.objects.get(application=application)
    assert evidence.caption == "重阳节活动照片"

    other = open_browser()
    log_in(other, w.other_staff.phone, "/staff/star-scoring/")
    expect(other.locator("main")).not_to_contain_text(w.centre.name)  # only its own centre
    other.get_by_role("link", name=f"{zh('Apply')} {w.other.name}").click()
    other.locator("select[name=applied_stars]").select_option("3")
    other.get_by_role("button", name=zh("Save the application")).click()
    expect(alert(other)).to_contain_text(zh("The application is saved."))
    other_application = Application.objects.get(cycle=cycle, centre=w.other)

    # Scoring starts; the portal fills the satisfaction from the residents' ratings.
    district.goto(cycle_url)
    expect(district.locator("main dl dd").nth(2)).to_have_text("2")  # applications
    take_step(district, "Start scoring", "Being scored")
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.SCORING

    # The street scores both of its centres, and sees 圣湖's evidence.
    street_page = open_browser()
    log_in(street_page, w.street_staff.phone, "/staff/")
    street_page.get_by_role("link", name=re.compile(zh("Star rating: applications and scoring"))).click()
    expect(scoring_rows(street_page)).to_have_count(2)
    street_page.get_by_role("link", name=f"{zh('Score')} {w.centre.name}").click()
    expect(street_page.locator("main")).to_contain_text("全年开展活动120场")
    expect(street_page.locator(f"input[name=points_{representatives.pk}]")).to_have_count(0)
    snapshot(street_page, "7-street-scoring")
    photo = street_page.get_by_role("link", name=re.compile("重阳节活动照片")).get_attribute("href")
    response = street_page.request.get(f"{street_page.base_url}{photo}")
    assert (response.status, response.headers["content-type"]) == (200, "image/png")
    assert response.body()[:8] == b"\x89PNG\r\n\x1a\n"
    street_page.go_back()
    score(street_page, application, {street: "36"})
    score(street_page, other_application, {street: "30"})

    # The representative has 圣湖's form only, for their criterion only.
    rep = open_browser()
    log_in(rep, w.representative.phone, "/")
    rep.get_by_role("navigation", name=zh("Main menu")).get_by_role("link", name=zh("Star-rating scoring")).click()
    expect(scoring_rows(rep)).to_have_count(1)
    expect(scoring_rows(rep)).to_contain_text(w.centre.name)
    rep.get_by_role("link", name=f"{zh('Score')} {w.centre.name}").click()
    expect(rep.locator("input[name^=points_]")).to_have_count(1)
    rep.go_back()
    score(rep, application, {representatives: "18"})

    # Each centre scores its own self-assessment only.
    centre.goto(f"{centre.base_url}/staff/star-scoring/")
    expect(scoring_rows(centre)).to_have_count(1)
    score(centre, application, {own: "18"})
    other.goto(f"{other.base_url}/staff/star-scoring/")
    expect(scoring_rows(other)).to_have_count(1)
    score(other, other_application, {own: "16"})

    # The district rating: 圣湖 20 + 36 + 18 + 18 = 92 (5★), 刺桐 0 + 30 + 16 = 46 (3★).
    district.goto(cycle_url)
    district.get_by_role("button", name=zh("Start the district rating")).click()
    expect(district).to_have_url(f"{cycle_url}review/")
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.REVIEW
    row = district.locator(f"#application-{application.pk}")
    expect(row.locator("td").first).to_have_text("20.00")
    expect(row).to_contain_text("92.00")
    expect(district.locator(f"#stars-{application.pk}")).to_have_value("5")
    expect(district.locator(f"#stars-{other_application.pk}")).to_have_value("3")
    budget = district.locator("section[aria-labelledby=budget-title]")
    expect(budget).to_contain_text("50000")  # rewards 40,000 + 10,000 of a 50,000 budget
    expect(budget).to_contain_text(zh("Within the budget."))

    snapshot(district, "8-review")
    # 4★ instead of the proposed 5★: refused without a reason, saved with one.
    row.locator("select").select_option("4")
    row.get_by_role("button", name=re.compile(zh("Save"))).click()
    expect(district.locator(".alert-danger").first).to_contain_text(w.centre.name)
    expect(district.locator(".alert-danger").first).to_contain_text(
        zh("Say why the level differs from the proposed one.")
    )
    assert Application.objects.get(pk=application.pk).final_stars == 5
    row = district.locator(f"#application-{application.pk}")
    row.locator("select").select_option("4")
    row.locator("textarea").fill("自评材料中活动记录不完整")
    row.get_by_role("button", name=re.compile(zh("Save"))).click()
    expect(alert(district)).to_contain_text(zh("%(centre)s: the final level is saved.", centre=w.centre.name))
    expect(district.locator(f"#stars-{application.pk}")).to_have_value("4")
    expect(budget).to_contain_text("30000")
    application.refresh_from_db()
    assert (application.total, application.proposed_stars, application.final_stars, application.final_reason) == (
        D("92.00"),
        5,
        4,
        "自评材料中活动记录不完整",
    )

    # Publishing cannot be undone: the button asks for the box ticked first.
    district.get_by_role("button", name=zh("Publish the results")).click()
    expect(district.locator("#publish-confirm")).to_be_focused()  # the browser asks for the tick
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.REVIEW
    district.locator("#publish-confirm").check()
    take_step(district, "Publish the results", "Published")
    expect(district).to_have_url(f"{cycle_url}results/")
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.PUBLISHED

    # The ranking and funding, and the same in the CSV.
    snapshot(district, "9-results")
    rows = district.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(w.centre.name)
    expect(rows.nth(0).locator("td")).to_have_text(["1", "92.00", "4★", "20000.00"])
    expect(rows.nth(1).locator("td")).to_have_text(["2", "46.00", "3★", "10000.00"])
    expect(district.locator("main")).to_contain_text("30000")
    with district.expect_download() as download:
        district.get_by_role("link", name=zh("Download CSV")).click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:5] == [zh("Rank"), zh("Centre"), zh("Total"), zh("Stars"), zh("Reward (yuan)")]
    assert [line[:5] for line in table[1:]] == [
        ["1", w.centre.name, "92.00", "4", "20000.00"],
        ["2", w.other.name, "46.00", "3", "10000.00"],
    ]

    # The audit trail lists every step.
    district.get_by_role("link", name=zh("Audit trail")).click()
    trail = district.locator("main table tbody")
    snapshot(district, "10-audit")
    for who in (w.district_staff.name, w.centre_staff.name, w.street_staff.name, w.representative.name):
        expect(trail).to_contain_text(who)
    expect(trail).to_contain_text("自评材料中活动记录不完整")
    actions = set(AuditEntry.objects.filter(cycle=cycle).values_list("action", flat=True))
    assert {
        "cycle_created",
        "criterion_added",
        "level_set",
        "cycle_opened",
        "application_submitted",
        "scoring_started",
        "computed_score_set",
        "score_set",
        "review_started",
        "final_level_set",
        "published",
    } <= actions

    # Anyone sees 圣湖's four stars on its public page.
    visitor = open_browser(phone=True)
    visitor.goto(f"{visitor.base_url}/centres/{w.centre.slug}/")
    expect(visitor.locator(".star-level")).to_contain_text("★★★★")
    expect(visitor.locator(".star-level")).to_contain_text(zh("Four-star centre"))
    expect(visitor.locator(".star-level")).to_contain_text("2026年度星级评定")
    snapshot(visitor, "11-public-centre")
