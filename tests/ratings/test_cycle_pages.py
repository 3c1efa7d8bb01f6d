"""The district's star-rating cycle pages (ratings/cycle_views.py): only the district's
staff see them, each step through the services with refusals as messages, the review
screen in a fixed number of queries with outliers and the budget check, the results
with the comparison and the exports, the audit trail."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ratings import cycle as services
from ratings.cycle_assignments import representative_assign
from ratings.models import Application, AuditEntry, Criterion, Cycle, RepresentativeAssignment, Score
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import (
    CentreStaffFactory,
    DistrictStaffFactory,
    RepresentativeFactory,
    StreetStaffFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = Decimal


@pytest.fixture
def world():
    district = DistrictFactory(name="丰泽区")
    street = StreetFactory(name="东湖街道", parent=district)
    community = CommunityFactory(name="圣湖社区", parent=street)

    class World:
        pass

    w = World()
    w.district, w.street, w.community = district, street, community
    w.centre = CentreFactory(name="圣湖社区党群服务中心", area=community)
    w.other = CentreFactory(name="刺桐社区党群服务中心", area=CommunityFactory(name="刺桐社区", parent=street))
    w.staff = DistrictStaffFactory(area=district)
    w.street_staff = StreetStaffFactory(area=street)
    w.centre_staff = CentreStaffFactory(centres=[w.centre])
    w.other_centre_staff = CentreStaffFactory(centres=[w.other])
    w.representative = RepresentativeFactory(area=community)
    return w


def url(name, cycle=None, **kwargs):
    if cycle is not None:
        kwargs["pk"] = cycle.pk
    return reverse(f"star_ratings:{name}", kwargs=kwargs)


def draft(w, name="2026年度", budget=None, previous=None) -> Cycle:
    cycle = services.cycle_create(
        district=w.district,
        by=w.staff,
        name=name,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        budget=D("100000") if budget is None else budget,
        previous=previous,
    )
    w.street_score = services.criterion_add(
        cycle=cycle, by=w.staff, name="镇街打分", max_points=D(40), source=Criterion.Source.STREET
    )
    w.rep_score = services.criterion_add(
        cycle=cycle, by=w.staff, name="代表评议", max_points=D(30), source=Criterion.Source.REPRESENTATIVES
    )
    w.self_score = services.criterion_add(
        cycle=cycle, by=w.staff, name="自评", max_points=D(30), source=Criterion.Source.SELF
    )
    for stars, min_score, reward in ((3, 60, 20000), (4, 75, 30000), (5, 90, 50000)):
        services.star_level_set(cycle=cycle, by=w.staff, stars=stars, min_score=D(min_score), reward=D(reward))
    return cycle


def in_review(w, *, street=35, rep=24, own=28, applied=5, **kwargs) -> tuple[Cycle, Application]:
    cycle = services.cycle_open(cycle=draft(w, **kwargs), by=w.staff)
    application = services.application_submit(cycle=cycle, centre=w.centre, by=w.centre_staff, applied_stars=applied)
    representative_assign(cycle=cycle, by=w.staff, representative=w.representative, centre=w.centre)
    cycle = services.cycle_start_scoring(cycle=cycle, by=w.staff)
    services.score_set(application=application, criterion=w.street_score, by=w.street_staff, points=D(street))
    services.score_set(application=application, criterion=w.rep_score, by=w.representative, points=D(rep))
    services.score_set(application=application, criterion=w.self_score, by=w.centre_staff, points=D(own))
    cycle = services.cycle_start_review(cycle=cycle, by=w.staff)
    application.refresh_from_db()
    return cycle, application


# --- Who sees the pages ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["street_staff", "centre_staff", "representative", "other_district_staff"])
def test_only_the_districts_staff_see_its_cycle_pages(client, world, who):
    cycle, application = in_review(world)
    services.cycle_publish(cycle=cycle, by=world.staff)
    if who == "other_district_staff":
        user = DistrictStaffFactory(area=DistrictFactory(name="鲤城区"))
    else:
        user = getattr(world, who)
    client.force_login(user)

    pages = [url(name, cycle) for name in ("cycle", "review", "results", "audit")]
    pages += [url("results_export", cycle, fmt="csv"), url("results_export", cycle, fmt="xlsx")]
    if who != "other_district_staff":
        pages.append(url("cycles"))
        pages.append(url("cycle_create"))
    assert {page: client.get(page).status_code for page in pages} == dict.fromkeys(pages, 404)
    response = client.post(url("final_level", cycle), row_post(application, "3", "x"))
    assert response.status_code == 404


def test_the_cycle_list_shows_only_the_districts_cycles(client, world):
    draft(world)
    other_district = DistrictFactory(name="鲤城区")
    services.cycle_create(
        district=other_district,
        by=DistrictStaffFactory(area=other_district),
        name="鲤城2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        budget=D(1),
    )
    client.force_login(world.staff)

    response = client.get(url("cycles"))

    assert [cycle.name for cycle in response.context["cycles"]] == ["2026年度"]


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(url("cycles"))

    assert response.status_code == 302
    assert "login" in response["Location"]


# --- Preparing and moving the cycle on -------------------------------------------------------


def test_district_staff_create_a_cycle_and_add_its_criteria_and_levels(client, world):
    client.force_login(world.staff)

    response = client.post(
        url("cycle_create"),
        {"name": "2027年度", "period_start": "2027-01-01", "period_end": "2027-12-31", "budget": "80000"},
    )
    cycle = Cycle.objects.get(name="2027年度")
    assert response["Location"] == url("cycle", cycle)
    client.post(
        url("criterion_add", cycle),
        {
            "criterion-name": "满意度",
            "criterion-max_points": "20",
            "criterion-source": "computed",
            "criterion-measure": "satisfaction",
        },
    )
    client.post(url("level_set", cycle), {"level-stars": "5", "level-min_score": "90", "level-reward": "50000"})

    page = client.get(url("cycle", cycle)).content.decode()
    assert (cycle.district, cycle.budget) == (world.district, D("80000"))
    assert list(cycle.criteria.values_list("name", "max_points", "source", "measure")) == [
        ("满意度", D("20.00"), "computed", "satisfaction")
    ]
    assert list(cycle.levels.values_list("stars", "min_score", "reward")) == [(5, D("90.00"), D("50000.00"))]
    assert "满意度" in page
    assert "Open for applications" in page


def test_a_period_out_of_order_and_a_name_used_twice_are_shown_on_the_form(client, world):
    draft(world)
    client.force_login(world.staff)

    backwards = client.post(
        url("cycle_create"),
        {"name": "2027年度", "period_start": "2027-12-31", "period_end": "2027-01-01", "budget": "1"},
    )
    twice = client.post(
        url("cycle_create"),
        {"name": "2026年度", "period_start": "2026-01-01", "period_end": "2026-12-31", "budget": "1"},
    )

    assert backwards.context["form"].errors == {"period_end": ["The period must end after it starts."]}
    assert twice.context["form"].errors == {"name": ["The district already has a cycle of this name."]}
    assert Cycle.objects.count() == 1


def test_a_computed_criterion_without_its_measure_is_shown_as_an_error(client, world):
    cycle = draft(world)
    client.force_login(world.staff)

    response = client.post(
        url("criterion_add", cycle),
        {
            "criterion-name": "满意度",
            "criterion-max_points": "20",
            "criterion-source": "computed",
            "criterion-measure": "",
        },
    )

    assert response.status_code == 200
    assert response.context["criterion_form"].errors == {
        "measure": ["Choose what a computed criterion is computed from."]
    }
    assert cycle.criteria.count() == 3


def test_the_next_step_button_calls_the_service_and_a_refusal_is_a_message(client, world):
    cycle = services.cycle_create(
        district=world.district,
        by=world.staff,
        name="空白",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        budget=D(0),
    )
    client.force_login(world.staff)

    response = client.post(url("step", cycle), {"step": "open"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Add the criteria before opening the cycle."]
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.DRAFT

    cycle = draft(world)
    client.post(url("step", cycle), {"step": "open"})
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN


def test_a_stale_step_button_does_not_move_the_cycle_twice(client, world):
    cycle = services.cycle_open(cycle=draft(world), by=world.staff)
    client.force_login(world.staff)

    response = client.post(url("step", cycle), {"step": "open"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "The cycle has already moved on. Check its state and try again."
    ]
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN


def test_criteria_cannot_be_added_once_the_cycle_is_open(client, world):
    cycle = services.cycle_open(cycle=draft(world), by=world.staff)
    client.force_login(world.staff)

    response = client.post(
        url("criterion_add", cycle),
        {"criterion-name": "迟到", "criterion-max_points": "5", "criterion-source": "street", "criterion-measure": ""},
        follow=True,
    )

    assert "Criteria can only be changed while the cycle is being prepared." in [
        str(m) for m in response.context["messages"]
    ]
    assert cycle.criteria.count() == 3


# --- Representatives -----------------------------------------------------------------------


def test_district_staff_invite_a_representative_of_their_communities(client, world):
    cycle = services.cycle_open(cycle=draft(world), by=world.staff)
    client.force_login(world.staff)

    page = client.get(url("cycle", cycle))
    client.post(
        url("assignment_add", cycle),
        {"assign-representative": world.representative.pk, "assign-centre": world.centre.pk},
    )

    assert list(page.context["assignment_form"].fields["representative"].queryset) == [world.representative]
    assert list(RepresentativeAssignment.objects.values_list("cycle", "representative", "centre")) == [
        (cycle.pk, world.representative.pk, world.centre.pk)
    ]
    entry = AuditEntry.objects.get(action="representative_assigned")
    assert (entry.actor, entry.after) == (
        world.staff,
        {"representative": world.representative.pk, "centre": world.centre.pk},
    )


def test_a_representative_of_another_district_cannot_be_assigned(world):
    cycle = services.cycle_open(cycle=draft(world), by=world.staff)
    elsewhere = RepresentativeFactory(
        area=CommunityFactory(parent=StreetFactory(parent=DistrictFactory(name="鲤城区")))
    )

    with pytest.raises(services.CycleRefused, match="representative of one of the district's communities"):
        representative_assign(cycle=cycle, by=world.staff, representative=elsewhere, centre=world.centre)
    assert RepresentativeAssignment.objects.count() == 0


def test_representatives_are_not_assigned_in_a_draft_or_by_others(world):
    cycle = draft(world)
    with pytest.raises(services.CycleRefused, match="while the cycle is open or being scored"):
        representative_assign(cycle=cycle, by=world.staff, representative=world.representative, centre=world.centre)
    cycle = services.cycle_open(cycle=cycle, by=world.staff)
    with pytest.raises(services.CycleRefused, match="Only the district's staff"):
        representative_assign(
            cycle=cycle, by=world.street_staff, representative=world.representative, centre=world.centre
        )
    assert RepresentativeAssignment.objects.count() == 0


# --- The review screen -------------------------------------------------------------------------


def test_the_review_screen_shows_each_criterion_average_total_and_levels(client, world):
    cycle, application = in_review(world)
    second = RepresentativeFactory(area=world.community)
    # A second representative's score, as if given while scoring: the screen shows the average.
    Score.objects.create(application=application, criterion=world.rep_score, scorer=second, points=D(27))
    client.force_login(world.staff)

    response = client.get(url("review", cycle))

    review = response.context["review"]
    row = review.rows[0]
    assert [c.name for c in review.criteria] == ["镇街打分", "代表评议", "自评"]
    assert (row.scores, row.total) == ([D("35.00"), D("25.50"), D("28.00")], D("87.00"))
    assert (application.applied_stars, application.proposed_stars, application.final_stars) == (5, 4, 4)
    assert (review.rewards, review.over_budget) == (D("30000.00"), False)
    assert "Within the budget." in response.content.decode()


def test_outliers_are_flagged(client, world):
    # Self-assessment 29/30 (≥ 90%), the others 10 + 5 of 70 (< 60%); applied for 5★, none proposed.
    cycle, application = in_review(world, street=10, rep=5, own=29, applied=5)
    client.force_login(world.staff)

    row = client.get(url("review", cycle)).context["review"].rows[0]

    assert row.outliers == ["Applied for 5★, 0★ proposed", "High self-assessment, low scores from the others"]


def test_a_plain_row_is_not_flagged(client, world):
    cycle, _application = in_review(world, applied=4)
    client.force_login(world.staff)

    row = client.get(url("review", cycle)).context["review"].rows[0]

    assert row.outliers == []


def row_post(application, stars, reason) -> dict:
    """The review form as a row's Save button sends it."""
    return {"application": application.pk, f"{application.pk}-stars": stars, f"{application.pk}-reason": reason}


def test_a_final_level_other_than_the_proposal_needs_a_reason(client, world):
    cycle, application = in_review(world)
    client.force_login(world.staff)

    response = client.post(url("final_level", cycle), row_post(application, "5", ""), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "圣湖社区党群服务中心: Say why the level differs from the proposed one."
    ]
    # The page comes back with the 5★ typed in the row, the problem beside it and the
    # reason box focused; nothing was saved.
    page = response.content.decode()
    assert '<option value="5" selected>' in page
    assert f'<p class="text-danger fw-bold mb-0" id="problem-{application.pk}">' in page
    assert f'aria-describedby="problem-{application.pk}" autofocus' in page
    application.refresh_from_db()
    assert (application.final_stars, application.final_reason) == (4, "")
    # The cached screen is untouched: a fresh look shows the saved 4★.
    assert '<option value="4" selected>' in client.get(url("review", cycle)).content.decode()
    response = client.post(url("final_level", cycle), row_post(application, "5", "群众口碑突出"), follow=True)

    application.refresh_from_db()
    assert (application.final_stars, application.final_reason) == (5, "群众口碑突出")
    # The screen shows the change at once (its cached table follows the audit trail).
    assert response.context["review"].rows[0].application.final_stars == 5
    assert "Rewards of the final levels: 50000.00 yuan" in response.content.decode()


def test_a_row_of_another_cycle_is_not_found(client, world):
    cycle, _application = in_review(world)
    other_cycle = draft(world, name="2027年度")
    client.force_login(world.staff)

    response = client.post(url("final_level", other_cycle), {"application": "x"})

    assert response.status_code == 404
    assert client.post(url("final_level", cycle), {"application": "999999"}).status_code == 404


def test_over_budget_shows_in_red_and_publishing_is_refused(client, world):
    cycle, application = in_review(world, budget=D("20000"))
    client.force_login(world.staff)

    page = client.get(url("review", cycle)).content.decode()
    response = client.post(url("step", cycle), {"step": "publish", "confirm": "yes"}, follow=True)

    assert 'id="over-budget"' in page
    assert "Over budget: lower some levels before publishing." in page
    assert [str(m) for m in response.context["messages"]] == [
        "The rewards (30000.00 yuan) are over the budget (20000.00 yuan). Lower some levels first."
    ]
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.REVIEW


def test_publishing_needs_the_box_ticked_and_the_button_comes_after_the_table(client, world):
    cycle, _application = in_review(world)
    client.force_login(world.staff)

    page = client.get(url("review", cycle)).content.decode()
    response = client.post(url("step", cycle), {"step": "publish"}, follow=True)

    assert page.index('id="budget-title"') < page.index("</table>") < page.index('id="publish-confirm"')
    assert 'name="confirm" value="yes" id="publish-confirm" required' in page
    assert response.redirect_chain[-1][0] == url("review", cycle)
    assert [str(m) for m in response.context["messages"]] == [
        "Tick the box to confirm that the final levels and the budget are checked, then publish."
    ]
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.REVIEW
    assert 'id="publish-confirm"' not in client.get(url("cycle", cycle)).content.decode()

    response = client.post(url("step", cycle), {"step": "publish", "confirm": "yes"}, follow=True)

    assert response.redirect_chain[-1][0] == url("results", cycle)
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PUBLISHED


def _many_centres(w, cycle, count):
    criteria = list(cycle.criteria.all())
    for index in range(count):
        centre = CentreFactory(area=CommunityFactory(parent=w.street))
        application = Application.objects.create(
            cycle=cycle, centre=centre, applied_stars=4, total=D(80), proposed_stars=4, final_stars=4
        )
        Score.objects.bulk_create(
            Score(application=application, criterion=criterion, scorer=w.street_staff, points=D(index % 10))
            for criterion in criteria
        )


@pytest.mark.parametrize("count", [2, 20])
def test_the_review_screen_costs_the_same_queries_whatever_the_size(client, world, count, django_assert_num_queries):
    cycle = draft(world)
    for index in range(4, 4 + count):  # 3 + count criteria: 5 and 23
        Criterion.objects.create(cycle=cycle, name=f"指标{index}", max_points=D(5), source=Criterion.Source.STREET)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.REVIEW)
    _many_centres(world, cycle, count)
    client.force_login(world.staff)

    # Session, user, cycle, the stamp (audit, scores), criteria, levels, applications
    # with their centres, the averages; then the same table from the cache.
    with django_assert_num_queries(9):
        response = client.get(url("review", cycle))
    with django_assert_num_queries(5):
        again = client.get(url("review", cycle))

    assert len(response.context["review"].rows) == count
    assert len(response.context["review"].criteria) == 3 + count
    assert again.context["table"] == response.context["table"]


# --- Results, exports, audit -------------------------------------------------------------------


def published(w, **kwargs) -> tuple[Cycle, Application]:
    cycle, application = in_review(w, **kwargs)
    return services.cycle_publish(cycle=cycle, by=w.staff), application


def test_the_results_compare_with_the_previous_cycle(client, world):
    first, _ = published(world, name="2025年度")  # 87 → 4★
    # This year: 35 + 24 + 18 = 77 → still 4★ for the centre; the other centre is new.
    cycle = services.cycle_open(cycle=draft(world, name="2026年度", previous=first), by=world.staff)
    application = services.application_submit(cycle=cycle, centre=world.centre, by=world.centre_staff, applied_stars=4)
    services.application_submit(cycle=cycle, centre=world.other, by=world.other_centre_staff, applied_stars=3)
    cycle = services.cycle_start_scoring(cycle=cycle, by=world.staff)
    services.score_set(application=application, criterion=world.street_score, by=world.street_staff, points=D(20))
    services.score_set(application=application, criterion=world.self_score, by=world.centre_staff, points=D(20))
    cycle = services.cycle_start_review(cycle=cycle, by=world.staff)
    cycle = services.cycle_publish(cycle=cycle, by=world.staff)
    client.force_login(world.staff)

    response = client.get(url("results", cycle))

    rows = [(r.rank, r.centre.name, r.total, r.stars, r.reward, r.trend) for r in response.context["rows"]]
    assert rows == [
        (1, "圣湖社区党群服务中心", D("40.00"), None, D(0), "down"),
        (2, "刺桐社区党群服务中心", D("0.00"), None, D(0), ""),
    ]
    assert "Down" in response.content.decode()


def test_the_results_are_only_shown_once_published(client, world):
    cycle, _ = in_review(world)
    client.force_login(world.staff)

    assert client.get(url("results", cycle)).status_code == 404


def test_the_results_export_as_csv_and_excel_with_safe_cells(client, world):
    CentreFactory  # noqa: B018 (the world's centre is renamed to a formula-like name)
    type(world.centre).objects.filter(pk=world.centre.pk).update(name="=HYPERLINK(1)")
    world.centre.refresh_from_db()
    cycle, _ = published(world)
    client.force_login(world.staff)

    text = client.get(url("results_export", cycle, fmt="csv")).content.decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(client.get(url("results_export", cycle, fmt="xlsx")).content))

    assert list(csv.reader(io.StringIO(text))) == [
        ["Rank", "Centre", "Total", "Stars", "Reward (yuan)", "Previous cycle", "Up or down"],
        ["1", "'=HYPERLINK(1)", "87.00", "4", "30000.00", "", ""],
    ]
    sheet = workbook.active
    assert [cell.value for cell in sheet[2]] == [1, "=HYPERLINK(1)", 87, 4, 30000, None, None]
    assert sheet["B2"].data_type == "s"
    assert client.get(url("results_export", cycle, fmt="pdf")).status_code == 404


def test_the_audit_trail_shows_who_when_and_before_and_after(client, world):
    cycle, application = in_review(world)
    services.final_level_set(application=application, by=world.staff, stars=3, reason="台账不全")
    client.force_login(world.staff)

    response = client.get(url("audit", cycle))

    entry = response.context["entries"][0]
    assert (entry.label, entry.actor, entry.before, entry.after) == (
        "Final level set",
        world.staff,
        {"final_stars": 4, "reason": ""},
        {"final_stars": 3, "reason": "台账不全"},
    )
    assert (entry.before_values, entry.after_values) == (
        ["final level: 4★", "reason: —"],
        ["final level: 3★", "reason: 台账不全"],
    )
    page = response.content.decode()
    assert "final level: 3★" in page
    assert "reason: 台账不全" in page
    assert world.staff.name in page
    # States and sources in words, not their codes; the ids of an invitation are left to
    # its subject, which names both people.
    lines = {}  # the newest entry of each action
    for newer in response.context["entries"]:
        lines.setdefault(newer.action, newer.after_values)
    assert lines["review_started"] == ["state: District rating"]
    assert lines["criterion_added"] == ["maximum points: 30.00", "scored by: Self-assessed with evidence"]
    assert lines["representative_assigned"] == []


@pytest.mark.parametrize("count", [2, 20])
def test_the_results_and_audit_pages_cost_the_same_queries_whatever_the_size(
    client, world, count, django_assert_num_queries
):
    first, _ = published(world, name="2025年度")
    cycle = draft(world, previous=first)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED)
    _many_centres(world, cycle, count)
    for index in range(count):
        AuditEntry.objects.create(cycle=cycle, actor=world.staff, action="score_set", subject=f"第{index}条")
    client.force_login(world.staff)

    # Session, user, cycle, levels' rewards, the previous cycle's levels, the applications.
    with django_assert_num_queries(6):
        results = client.get(url("results", cycle))
    # Session, user, cycle, the count of the entries, a page of them with their actors.
    with django_assert_num_queries(5):
        audit = client.get(url("audit", cycle))

    assert len(results.context["rows"]) == count
    assert len(audit.context["entries"]) == count + 7  # and the 7 entries of making the draft


def test_a_centre_that_went_up_shows_up(client, world):
    first, _ = published(world, name="2025年度", own=10)  # 35 + 24 + 10 = 69: 3★
    cycle, _ = published(world, name="2026年度", previous=first)  # 87: 4★
    client.force_login(world.staff)

    rows = client.get(url("results", cycle)).context["rows"]

    assert [(r.previous_stars, r.stars, r.trend) for r in rows] == [(3, 4, "up")]
