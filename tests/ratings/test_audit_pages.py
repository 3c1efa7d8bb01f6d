"""The audit trail of a cycle (star_ratings:audit): paged 200 at a time with the total
count, in a fixed number of queries a page, and the whole trail as CSV in words."""

# ruff: noqa: F811 (each test takes the imported world fixture by its name)

import csv
import datetime as dt
import io

import pytest

from ratings import cycle as services
from ratings.audit_selectors import AUDIT_PAGE_SIZE
from ratings.models import AuditEntry
from tests.centres.factories import DistrictFactory
from tests.portal.factories import DistrictStaffFactory
from tests.ratings.test_cycle_pages import draft, in_review, url, world  # noqa: F401 (the world fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DRAFT_ENTRIES = 7  # making the draft: the cycle, three criteria, three levels
TZ = dt.timezone(dt.timedelta(hours=8))


def _many_entries(w, cycle, count):
    start = dt.datetime(2027, 1, 1, 8, 0, tzinfo=TZ)  # after the draft's own entries
    AuditEntry.objects.bulk_create(
        AuditEntry(
            cycle=cycle,
            actor=w.street_staff,
            at=start + dt.timedelta(minutes=index),
            action="score_set",
            subject=f"第{index}条",
            after={"points": str(index)},
        )
        for index in range(count)
    )


def test_the_trail_is_paged_with_the_total_count(client, world):
    cycle = draft(world)
    _many_entries(world, cycle, 2 * AUDIT_PAGE_SIZE + 50)  # 457 in all: 200, 200, 57
    client.force_login(world.staff)

    first = client.get(url("audit", cycle))
    second = client.get(url("audit", cycle) + "?page=2")
    last = client.get(url("audit", cycle) + "?page=3")

    assert [len(page.context["entries"]) for page in (first, second, last)] == [200, 200, 57]
    assert first.context["entries"][0].subject == "第449条"  # newest first
    assert second.context["entries"][0].subject == "第249条"
    assert last.context["entries"][-1].action == "cycle_created"
    assert first.context["entries"][0].after_values == ["points: 449"]
    page = first.content.decode()
    assert "457 entries in all." in page
    assert "Page 1 of 3" in page
    assert 'href="?page=2"' in page
    assert 'aria-current="page"' in page
    assert page.count('aria-label="Pages"') == 1
    assert 'href="?page=2"' in last.content.decode()  # the previous page
    assert 'href="?page=4"' not in last.content.decode()


@pytest.mark.parametrize(("asked", "shown"), [("abc", 1), ("99", 2), ("0", 2), ("-1", 2)])
def test_a_page_number_out_of_range_gives_the_first_or_last_page(client, world, asked, shown):
    cycle = draft(world)
    _many_entries(world, cycle, AUDIT_PAGE_SIZE)
    client.force_login(world.staff)

    response = client.get(url("audit", cycle), {"page": asked})

    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_one_page_shows_no_page_links(client, world):
    cycle = draft(world)
    client.force_login(world.staff)

    page = client.get(url("audit", cycle)).content.decode()

    assert f"{DRAFT_ENTRIES} entries in all." in page
    assert "?page=" not in page


@pytest.mark.parametrize("count", [2, 450])
def test_a_page_costs_the_same_queries_whatever_the_trail(client, world, count, django_assert_num_queries):
    cycle = draft(world)
    _many_entries(world, cycle, count)
    client.force_login(world.staff)

    # Session, user, cycle, the count, the page's entries with their actors.
    with django_assert_num_queries(5):
        response = client.get(url("audit", cycle) + "?page=2")

    assert response.context["page_obj"].paginator.count == count + DRAFT_ENTRIES


def test_the_whole_trail_downloads_as_csv_in_words(client, world):
    cycle, application = in_review(world)
    services.final_level_set(application=application, by=world.staff, stars=3, reason="=台账不全")
    _many_entries(world, cycle, AUDIT_PAGE_SIZE + 10)  # more than a page: the export has them all
    AuditEntry.objects.create(
        cycle=cycle,
        actor=None,
        at=dt.datetime(2027, 6, 1, 9, 5, tzinfo=TZ),
        action="computed_score_set",
        subject="圣湖社区党群服务中心 · 整改及时",
        before={"points": "3.00"},
        after={"points": "10.00"},
    )
    client.force_login(world.staff)

    response = client.get(url("audit_export", cycle))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["When", "Done by", "Action", "What", "Before", "After"]
    assert len(rows) == 1 + AuditEntry.objects.filter(cycle=cycle).count()
    assert rows[1] == [
        "2027-06-01 09:05",
        "the portal",
        "Score computed from the portal's figures",
        "圣湖社区党群服务中心 · 整改及时",
        "points: 3.00",
        "points: 10.00",
    ]
    final = next(row for row in rows if row[2] == "Final level set")
    assert final[1:] == [
        world.staff.name,
        "Final level set",
        world.centre.name,
        "final level: 4★; reason: —",
        "final level: 3★; reason: =台账不全",
    ]
    assert rows[-1][2] == "Cycle created"


def test_a_subject_like_a_formula_is_text_in_the_export(client, world):
    cycle = draft(world)
    AuditEntry.objects.create(cycle=cycle, actor=world.staff, action="score_set", subject="=HYPERLINK(1)")
    client.force_login(world.staff)

    rows = list(csv.reader(io.StringIO(client.get(url("audit_export", cycle)).content.decode("utf-8-sig"))))

    assert rows[1][3] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("who", ["street_staff", "centre_staff", "representative", "other_district_staff"])
def test_only_the_districts_staff_see_the_trail_and_its_export(client, world, who):
    cycle = draft(world)
    user = DistrictStaffFactory(area=DistrictFactory(name="鲤城区")) if who == "other_district_staff" else None
    client.force_login(user or getattr(world, who))

    assert client.get(url("audit", cycle)).status_code == 404
    assert client.get(url("audit_export", cycle)).status_code == 404


def test_the_trail_page_links_to_the_export(client, world):
    cycle = draft(world)
    client.force_login(world.staff)

    assert url("audit_export", cycle) in client.get(url("audit", cycle)).content.decode()
