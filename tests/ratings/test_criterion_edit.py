"""Correcting a draft cycle's criteria and star levels (ratings/cycle.py, the cycle
pages): only the district's staff, only while the cycle is a draft, the same checks as
adding, positions without gaps, an audit entry with before and after, and pages that
keep what was typed, ask before removing and answer a forged id with a 404."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ratings import cycle as services
from ratings.models import AuditEntry, Criterion, Cycle, StarLevel
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.portal.factories import (
    CentreStaffFactory,
    DistrictStaffFactory,
    RepresentativeFactory,
    StreetStaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
FIXED = (
    "The criteria are fixed once the cycle is open: centres apply and are scored against them. "
    "They can be changed only while the cycle is being prepared."
)
LEVELS_FIXED = (
    "The star levels are fixed once the cycle is open: centres apply for them. "
    "They can be changed only while the cycle is being prepared."
)


@pytest.fixture
def world():
    district = DistrictFactory(name="丰泽区")
    street = StreetFactory(name="东湖街道", parent=district)
    community = CommunityFactory(name="圣湖社区", parent=street)
    centre = CentreFactory(name="圣湖社区党群服务中心", area=community)

    class World:
        pass

    w = World()
    w.district, w.centre = district, centre
    w.staff = DistrictStaffFactory(area=district)
    w.street_staff = StreetStaffFactory(area=street)
    w.centre_staff = CentreStaffFactory(centres=[centre])
    w.representative = RepresentativeFactory(area=community)
    w.resident = UserFactory()
    w.other_district = DistrictFactory(name="鲤城区")
    w.other_staff = DistrictStaffFactory(area=w.other_district)
    return w


def draft(w, name="2026年度", district=None, by=None) -> Cycle:
    by = by or w.staff
    cycle = services.cycle_create(
        district=district or w.district,
        by=by,
        name=name,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        budget=D("100000"),
    )
    w.street_score = services.criterion_add(
        cycle=cycle, by=by, name="镇街打分", max_points=D(40), source=Criterion.Source.STREET
    )
    w.rep_score = services.criterion_add(
        cycle=cycle, by=by, name="代表评议", max_points=D(30), source=Criterion.Source.REPRESENTATIVES
    )
    w.self_score = services.criterion_add(
        cycle=cycle, by=by, name="自评", max_points=D(30), source=Criterion.Source.SELF
    )
    for stars, min_score, reward in ((3, 60, 20000), (4, 75, 30000), (5, 90, 50000)):
        services.star_level_set(cycle=cycle, by=by, stars=stars, min_score=D(min_score), reward=D(reward))
    return cycle


def criteria_of(cycle) -> list[tuple]:
    return list(cycle.criteria.order_by("position").values_list("position", "name", "max_points", "source", "measure"))


DRAFT_CRITERIA = [
    (0, "镇街打分", D("40.00"), "street", ""),
    (1, "代表评议", D("30.00"), "representatives", ""),
    (2, "自评", D("30.00"), "self", ""),
]


def url(name, cycle, **kwargs):
    return reverse(f"star_ratings:{name}", kwargs={"pk": cycle.pk, **kwargs})


def criterion_url(name, criterion):
    return url(name, criterion.cycle, criterion_pk=criterion.pk)


def post_data(name="镇街考核", max_points="45", source="street", measure=""):
    return {
        "criterion-name": name,
        "criterion-max_points": max_points,
        "criterion-source": source,
        "criterion-measure": measure,
    }


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- The services ----------------------------------------------------------------------------


def test_district_staff_correct_a_criterion_and_the_audit_keeps_what_changed(world):
    cycle = draft(world)

    criterion = services.criterion_update(
        criterion=world.street_score,
        by=world.staff,
        name=" 满意度 ",
        max_points=D("25.5"),
        source=Criterion.Source.COMPUTED,
        measure=Criterion.Measure.SATISFACTION,
    )

    assert criteria_of(cycle)[0] == (0, "满意度", D("25.50"), "computed", "satisfaction")
    assert criterion.name == "满意度"
    entry = AuditEntry.objects.filter(cycle=cycle).latest("pk")
    assert (entry.action, entry.subject, entry.actor) == ("criterion_updated", "满意度", world.staff)
    assert entry.before == {"name": "镇街打分", "max_points": "40.00", "source": "street", "measure": ""}
    assert entry.after == {"name": "满意度", "max_points": "25.50", "source": "computed", "measure": "satisfaction"}


def test_the_audit_entry_of_a_correction_names_only_the_fields_that_changed(world):
    cycle = draft(world)

    services.criterion_update(
        criterion=world.rep_score, by=world.staff, name="代表评议", max_points=D(35), source="representatives"
    )

    entry = AuditEntry.objects.filter(cycle=cycle).latest("pk")
    assert (entry.before, entry.after) == ({"max_points": "30.00"}, {"max_points": "35.00"})


def test_a_correction_that_changes_nothing_writes_nothing(world):
    cycle = draft(world)
    entries = AuditEntry.objects.count()

    services.criterion_update(criterion=world.self_score, by=world.staff, name="自评", max_points=D(30), source="self")

    assert AuditEntry.objects.count() == entries
    assert criteria_of(cycle) == DRAFT_CRITERIA


def test_a_measure_is_dropped_when_the_criterion_is_no_longer_computed(world):
    cycle = draft(world)
    services.criterion_update(
        criterion=world.self_score,
        by=world.staff,
        name="满意度",
        max_points=D(30),
        source="computed",
        measure="satisfaction",
    )

    services.criterion_update(
        criterion=world.self_score,
        by=world.staff,
        name="满意度",
        max_points=D(30),
        source="self",
        measure="satisfaction",
    )

    assert criteria_of(cycle)[2] == (2, "满意度", D("30.00"), "self", "")


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"source": "computed", "measure": ""}, {"measure": ["Choose what a computed criterion is computed from."]}),
        (
            {"source": "computed", "measure": "weather"},
            {"measure": ["Choose what a computed criterion is computed from."]},
        ),
        ({"max_points": D(0)}, {"max_points": ["A criterion needs more than 0 points."]}),
        ({"max_points": D(-5)}, {"max_points": ["A criterion needs more than 0 points."]}),
        ({"name": "   "}, {"name": ["Give the criterion a name."]}),
        ({"source": "mayor"}, {"source": ["Choose who scores the criterion."]}),
        (
            {"name": "", "max_points": D(0)},
            {"name": ["Give the criterion a name."], "max_points": ["A criterion needs more than 0 points."]},
        ),
    ],
)
def test_a_correction_is_checked_as_adding_is_and_changes_nothing(world, values, errors):
    cycle = draft(world)
    entries = AuditEntry.objects.count()
    given = {"name": "镇街考核", "max_points": D(40), "source": "street", "measure": "", **values}

    with pytest.raises(ValidationError) as refused:
        services.criterion_update(criterion=world.street_score, by=world.staff, **given)
    with pytest.raises(ValidationError) as refused_adding:
        services.criterion_add(cycle=cycle, by=world.staff, **given)

    assert refused.value.message_dict == errors
    assert refused_adding.value.message_dict == errors
    assert criteria_of(cycle) == DRAFT_CRITERIA
    assert AuditEntry.objects.count() == entries


def test_removing_a_criterion_closes_the_gap_and_the_audit_keeps_what_it_was(world):
    cycle = draft(world)

    services.criterion_remove(criterion=world.rep_score, by=world.staff)
    added = services.criterion_add(cycle=cycle, by=world.staff, name="活动", max_points=D(10), source="street")

    assert criteria_of(cycle) == [
        (0, "镇街打分", D("40.00"), "street", ""),
        (1, "自评", D("30.00"), "self", ""),
        (2, "活动", D("10.00"), "street", ""),
    ]
    assert added.position == 2
    entry = AuditEntry.objects.get(action="criterion_removed")
    assert (entry.subject, entry.actor, entry.after) == ("代表评议", world.staff, None)
    assert entry.before == {"name": "代表评议", "max_points": "30.00", "source": "representatives", "measure": ""}


def test_a_criterion_moves_up_and_down_but_not_past_the_ends(world):
    cycle = draft(world)

    services.criterion_move(criterion=world.self_score, by=world.staff, up=True)
    assert [row[1] for row in criteria_of(cycle)] == ["镇街打分", "自评", "代表评议"]
    services.criterion_move(criterion=world.street_score, by=world.staff, up=False)
    assert [row[1] for row in criteria_of(cycle)] == ["自评", "镇街打分", "代表评议"]
    entries = AuditEntry.objects.count()
    services.criterion_move(criterion=world.self_score, by=world.staff, up=True)
    services.criterion_move(criterion=world.rep_score, by=world.staff, up=False)

    assert [row[:2] for row in criteria_of(cycle)] == [(0, "自评"), (1, "镇街打分"), (2, "代表评议")]
    assert AuditEntry.objects.count() == entries
    moved = AuditEntry.objects.filter(action="criterion_moved").order_by("pk")
    assert [(e.subject, e.before, e.after) for e in moved] == [
        ("自评", {"position": 3}, {"position": 2}),
        ("镇街打分", {"position": 1}, {"position": 2}),
    ]


def test_district_staff_remove_a_star_level(world):
    cycle = draft(world)
    level = cycle.levels.get(stars=4)

    services.star_level_remove(level=level, by=world.staff)

    assert list(cycle.levels.values_list("stars", flat=True)) == [5, 3]
    entry = AuditEntry.objects.get(action="level_removed")
    assert (entry.subject, entry.before, entry.after) == ("4★", {"min_score": "75.00", "reward": "30000.00"}, None)


def _every_change(w):
    yield lambda by: services.criterion_update(
        criterion=w.street_score, by=by, name="改名", max_points=D(1), source="street"
    )
    yield lambda by: services.criterion_remove(criterion=w.street_score, by=by)
    yield lambda by: services.criterion_move(criterion=w.self_score, by=by, up=True)
    yield lambda by: services.star_level_remove(level=StarLevel.objects.get(cycle=w.street_score.cycle, stars=3), by=by)


@pytest.mark.parametrize("who", ["street_staff", "centre_staff", "representative", "resident", "other_staff"])
def test_no_one_but_the_districts_staff_may_correct_the_cycle(world, who):
    cycle = draft(world)
    entries = AuditEntry.objects.count()

    for change in _every_change(world):
        with pytest.raises(services.CycleRefused) as refused:
            change(getattr(world, who))
        assert refused.value.messages == ["Only the district's staff can do this."]

    assert criteria_of(cycle) == DRAFT_CRITERIA
    assert cycle.levels.count() == 3
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    "status", [Cycle.Status.OPEN, Cycle.Status.SCORING, Cycle.Status.REVIEW, Cycle.Status.PUBLISHED]
)
def test_once_the_cycle_is_open_its_criteria_and_levels_are_fixed(world, status):
    cycle = draft(world)
    Cycle.objects.filter(pk=cycle.pk).update(status=status)
    entries = AuditEntry.objects.count()

    refusals = []
    for change in _every_change(world):
        with pytest.raises(services.CycleRefused) as refused:
            change(world.staff)
        refusals.append(refused.value.messages)

    assert refusals == [[FIXED], [FIXED], [FIXED], [LEVELS_FIXED]]
    assert criteria_of(cycle) == DRAFT_CRITERIA
    assert cycle.levels.count() == 3
    assert AuditEntry.objects.count() == entries


def test_a_criterion_removed_meanwhile_is_refused_not_recreated(world):
    cycle = draft(world)
    stale = Criterion.objects.get(pk=world.rep_score.pk)
    services.criterion_remove(criterion=world.rep_score, by=world.staff)

    with pytest.raises(services.CycleRefused) as refused:
        services.criterion_update(criterion=stale, by=world.staff, name="x", max_points=D(1), source="street")

    assert refused.value.messages == ["This criterion is no longer in the cycle."]
    assert [row[1] for row in criteria_of(cycle)] == ["镇街打分", "自评"]


# --- The pages -------------------------------------------------------------------------------


def test_a_draft_shows_edit_and_remove_for_each_criterion_and_level(client, world, django_assert_max_num_queries):
    cycle = draft(world)
    client.force_login(world.staff)

    # Session, user, cycle, criteria, levels, applications' count (same as before the buttons).
    with django_assert_max_num_queries(6):
        page = client.get(url("cycle", cycle)).content.decode()

    for criterion in (world.street_score, world.rep_score, world.self_score):
        assert criterion_url("criterion_edit", criterion) in page
        assert criterion_url("criterion_remove", criterion) in page
        assert criterion_url("criterion_move", criterion) in page
    for stars in (3, 4, 5):
        assert url("level_remove", cycle, stars=stars) in page


def test_an_open_cycle_shows_no_buttons(client, world):
    cycle = services.cycle_open(cycle=draft(world), by=world.staff)
    client.force_login(world.staff)

    page = client.get(url("cycle", cycle)).content.decode()

    assert "/edit/" not in page
    assert "/remove/" not in page
    assert "/move/" not in page


def test_the_edit_page_is_filled_and_a_correction_is_saved(client, world, django_assert_max_num_queries):
    cycle = draft(world)
    services.criterion_update(
        criterion=world.self_score,
        by=world.staff,
        name="满意度",
        max_points=D(30),
        source="computed",
        measure="satisfaction",
    )
    client.force_login(world.staff)

    # Session, user, cycle, criterion.
    with django_assert_max_num_queries(4):
        response = client.get(criterion_url("criterion_edit", world.self_score))
    saved = client.post(
        criterion_url("criterion_edit", world.self_score), post_data("满意度调查", "20", "computed", "after_hours")
    )

    form = response.context["form"]
    assert [form[field].value() for field in ("name", "max_points", "source", "measure")] == [
        "满意度",
        D("30.00"),
        "computed",
        "satisfaction",
    ]
    assert saved.status_code == 302
    assert saved["Location"] == url("cycle", cycle)
    assert criteria_of(cycle)[2] == (2, "满意度调查", D("20.00"), "computed", "after_hours")


def test_a_refused_correction_keeps_what_was_typed(client, world):
    cycle = draft(world)
    client.force_login(world.staff)

    response = client.post(
        criterion_url("criterion_edit", world.street_score), post_data("满意度", "12", "computed", "")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"measure": ["Choose what a computed criterion is computed from."]}
    assert response.context["form"]["name"].value() == "满意度"
    assert response.context["form"]["max_points"].value() == "12"
    assert criteria_of(cycle) == DRAFT_CRITERIA


def test_a_correction_posted_after_the_cycle_opened_is_refused_with_what_was_typed(client, world):
    cycle = draft(world)
    client.force_login(world.staff)
    edit = criterion_url("criterion_edit", world.street_score)
    assert client.get(edit).status_code == 200
    services.cycle_open(cycle=cycle, by=world.staff)

    response = client.post(edit, post_data("镇街考核", "45"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [FIXED]
    assert response.context["form"]["name"].value() == "镇街考核"
    assert "Save the criterion" not in response.content.decode()
    assert criteria_of(cycle) == DRAFT_CRITERIA


def test_the_edit_page_of_an_open_cycle_sends_back_with_the_reason(client, world):
    cycle = services.cycle_open(cycle=draft(world), by=world.staff)
    client.force_login(world.staff)

    response = client.get(criterion_url("criterion_edit", world.street_score), follow=True)

    assert response.redirect_chain == [(url("cycle", cycle), 302)]
    assert messages_of(response) == [FIXED]


def test_removing_asks_first_and_the_post_removes(client, world, django_assert_max_num_queries):
    cycle = draft(world)
    client.force_login(world.staff)
    remove = criterion_url("criterion_remove", world.rep_score)

    with django_assert_max_num_queries(4):
        confirm = client.get(remove)
    assert criteria_of(cycle) == DRAFT_CRITERIA
    response = client.post(remove, follow=True)

    page = confirm.content.decode()
    assert "Remove the criterion “代表评议”?" in page
    assert f'action="{remove}"' in page
    assert 'method="post"' in page
    assert messages_of(response) == ["The criterion “代表评议” is removed."]
    assert [row[:2] for row in criteria_of(cycle)] == [(0, "镇街打分"), (1, "自评")]


def test_removing_from_an_open_cycle_is_refused_and_nothing_changes(client, world):
    cycle = services.cycle_open(cycle=draft(world), by=world.staff)
    client.force_login(world.staff)
    entries = AuditEntry.objects.count()

    criterion = client.post(criterion_url("criterion_remove", world.rep_score), follow=True)
    level = client.post(url("level_remove", cycle, stars=4), follow=True)
    moved = client.post(criterion_url("criterion_move", world.self_score), {"direction": "up"}, follow=True)
    asked = client.get(criterion_url("criterion_remove", world.rep_score), follow=True)

    assert [messages_of(r) for r in (criterion, level, moved, asked)] == [[FIXED], [LEVELS_FIXED], [FIXED], [FIXED]]
    assert criteria_of(cycle) == DRAFT_CRITERIA
    assert cycle.levels.count() == 3
    assert AuditEntry.objects.count() == entries


def test_the_move_buttons_reorder_the_criteria(client, world):
    cycle = draft(world)
    client.force_login(world.staff)

    client.post(criterion_url("criterion_move", world.self_score), {"direction": "up"})
    odd = client.post(criterion_url("criterion_move", world.self_score), {"direction": "sideways"}, follow=True)

    assert [row[1] for row in criteria_of(cycle)] == ["镇街打分", "自评", "代表评议"]
    assert messages_of(odd) == ["Choose whether to move the criterion up or down."]


def test_a_star_level_is_removed_after_asking(client, world):
    cycle = draft(world)
    client.force_login(world.staff)

    confirm = client.get(url("level_remove", cycle, stars=4))
    response = client.post(url("level_remove", cycle, stars=4), follow=True)

    assert "Remove the 4★ level?" in confirm.content.decode()
    assert messages_of(response) == ["The 4★ level is removed."]
    assert list(cycle.levels.values_list("stars", flat=True)) == [5, 3]


def test_a_criterion_of_another_cycle_or_district_is_not_found(client, world):
    cycle = draft(world)
    second = draft(world, name="2027年度")
    elsewhere = draft(world, name="鲤城2026", district=world.other_district, by=world.other_staff)
    theirs = world.street_score
    client.force_login(world.staff)

    forged = [
        url(name, cycle, criterion_pk=criterion.pk)
        for name in ("criterion_edit", "criterion_remove", "criterion_move")
        for criterion in (theirs, Criterion.objects.filter(cycle=second).first())
    ]
    forged += [criterion_url(name, theirs) for name in ("criterion_edit", "criterion_remove", "criterion_move")]
    forged.append(url("level_remove", elsewhere, stars=4))
    forged.append(url("level_remove", cycle, stars=1))

    assert {
        page: client.post(page, {**post_data(), "direction": "up"}).status_code for page in forged
    } == dict.fromkeys(forged, 404)
    pages = [page for page in forged if not page.endswith("/move/")]  # the move is a POST only (405)
    assert {page: client.get(page).status_code for page in pages} == dict.fromkeys(pages, 404)
    assert criteria_of(cycle) == DRAFT_CRITERIA
    assert criteria_of(elsewhere) == DRAFT_CRITERIA
    assert criteria_of(second) == DRAFT_CRITERIA
    assert elsewhere.levels.count() == 3


@pytest.mark.parametrize("who", ["street_staff", "centre_staff", "representative", "resident", "other_staff"])
def test_the_correction_pages_are_not_found_for_anyone_else(client, world, who):
    cycle = draft(world)
    client.force_login(getattr(world, who))
    pages = [
        criterion_url(name, world.street_score) for name in ("criterion_edit", "criterion_remove", "criterion_move")
    ]
    pages.append(url("level_remove", cycle, stars=4))

    # The move is a POST only: the district staff of another district learn that, nothing more.
    expected = dict.fromkeys(pages, 404)
    if who == "other_staff":
        expected[pages[2]] = 405
    assert {page: client.get(page).status_code for page in pages} == expected
    assert {page: client.post(page, post_data()).status_code for page in pages} == dict.fromkeys(pages, 404)
    assert criteria_of(cycle) == DRAFT_CRITERIA
    assert cycle.levels.count() == 3
