"""The district rating screen on a phone, in Chromium: a final level set from the
table's row (refused without a reason, then saved), the budget check turning red, the
publish button refused while over budget, and the centre's name kept in view while the
table scrolls sideways."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from ratings.models import Application, Cycle
from tests.portal.factories import DEFAULT_PASSWORD
from tests.ratings.test_cycle_pages import in_review, url, world  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def log_in(page, phone: str) -> None:
    page.goto(f"{page.base_url}/login/?next=/staff/")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{page.base_url}/staff/")


def test_district_staff_set_a_final_level_on_a_phone_and_see_the_budget_check(phone_page, world):  # noqa: F811
    page = phone_page
    cycle, application = in_review(world, budget=Decimal("40000"))  # 87 points: 4★, 30,000 yuan
    log_in(page, world.staff.phone)
    page.goto(f"{page.base_url}{url('review', cycle)}")
    row = page.locator(f"#application-{application.pk}")
    expect(page.locator("#over-budget")).to_have_count(0)

    # 5★ without a reason: refused, the level stays; the row keeps the typed 5★ and the
    # reason box has the focus.
    row.locator("select").select_option("5")
    row.locator("button[name=application]").click()
    expect(page.locator(".alert-danger, .alert-error").first).to_contain_text("圣湖社区党群服务中心")
    assert Application.objects.get(pk=application.pk).final_stars == 4
    row = page.locator(f"#application-{application.pk}")
    expect(row.locator("select")).to_have_value("5")
    expect(row.locator("textarea")).to_be_focused()

    # With a reason: saved, and 50,000 yuan is over the 40,000 budget.
    row.locator("textarea").fill("群众口碑突出")
    row.locator("button[name=application]").click()
    expect(page.locator("#over-budget")).to_be_visible()
    expect(page.locator(f"#stars-{application.pk}")).to_have_value("5")
    assert Application.objects.get(pk=application.pk).final_reason == "群众口碑突出"

    # Publishing is refused while over budget.
    page.locator("#publish-confirm").check()
    page.locator("form[action$='/step/'] button").click()
    expect(page.locator(".alert-danger, .alert-error").first).to_contain_text("40000.00")
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.REVIEW

    # The table scrolls sideways inside the page; the centre's name stays at its left edge.
    box = page.locator(".table-responsive").first
    name = page.locator(f"#application-{application.pk} th")
    left_before = name.bounding_box()["x"]
    box.evaluate("element => { element.scrollLeft = 300; }")
    assert box.evaluate("element => element.scrollLeft") > 0
    assert abs(name.bounding_box()["x"] - left_before) < 2
    # Only the table scrolls: its hidden labels do not widen the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
