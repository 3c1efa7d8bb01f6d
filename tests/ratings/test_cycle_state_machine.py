"""The star-rating cycle's state machine (ratings/cycle.py): each step only in its state
and only by its role, totals and proposed levels worked out by hand, a final level other
than the proposal only with a reason, the budget check, nothing changed after
publishing, and an audit entry for every change."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ratings import cycle as services
from ratings.models import Application, AuditEntry, Criterion, Cycle, RepresentativeAssignment, Score
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


@pytest.fixture
def world():
    district = DistrictFactory(name="丰泽区")
    street = StreetFactory(name="东湖街道", parent=district)
    other_street = StreetFactory(name="泉秀街道", parent=district)
    centre = CentreFactory(name="圣湖社区党群服务中心", area=CommunityFactory(name="圣湖社区", parent=street))
    other = CentreFactory(name="刺桐社区党群服务中心", area=CommunityFactory(name="刺桐社区", parent=other_street))

    class World:
        pass

    w = World()
    w.district, w.street, w.centre, w.other = district, street, centre, other
    w.district_staff = DistrictStaffFactory(area=district)
    w.street_staff = StreetStaffFactory(area=street)
    w.other_street_staff = StreetStaffFactory(area=other_street)
    w.centre_staff = CentreStaffFactory(centres=[centre])
    w.other_centre_staff = CentreStaffFactory(centres=[other])
    w.representative = RepresentativeFactory()
    w.resident = UserFactory()
    return w


def draft(w) -> Cycle:
    cycle = services.cycle_create(
        district=w.district,
        by=w.district_staff,
        name="2026年度",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        budget=D("100000"),
    )
    w.street_score = services.criterion_add(
        cycle=cycle, by=w.district_staff, name="镇街打分", max_points=D(40), source=Criterion.Source.STREET
    )
    w.representatives = services.criterion_add(
        cycle=cycle, by=w.district_staff, name="代表评议", max_points=D(30), source=Criterion.Source.REPRESENTATIVES
    )
    w.self_score = services.criterion_add(
        cycle=cycle, by=w.district_staff, name="自评", max_points=D(30), source=Criterion.Source.SELF
    )
    for stars, min_score, reward in ((3, 60, 20000), (4, 75, 30000), (5, 90, 50000)):
        services.star_level_set(cycle=cycle, by=w.district_staff, stars=stars, min_score=D(min_score), reward=D(reward))
    return cycle


def scored(w) -> tuple[Cycle, Application]:
    cycle = services.cycle_open(cycle=draft(w), by=w.district_staff)
    application = services.application_submit(
        cycle=cycle, centre=w.centre, by=w.centre_staff, applied_stars=5, self_assessment="全年开展活动412场。"
    )
    RepresentativeAssignment.objects.create(cycle=cycle, representative=w.representative, centre=w.centre)
    second = RepresentativeFactory()
    RepresentativeAssignment.objects.create(cycle=cycle, representative=second, centre=w.centre)
    cycle = services.cycle_start_scoring(cycle=cycle, by=w.district_staff)
    services.score_set(application=application, criterion=w.street_score, by=w.street_staff, points=D("35.5"))
    services.score_set(application=application, criterion=w.representatives, by=w.representative, points=D(24))
    services.score_set(application=application, criterion=w.representatives, by=second, points=D(27))
    services.score_set(application=application, criterion=w.self_score, by=w.centre_staff, points=D(28))
    return cycle, application


def test_a_cycle_goes_through_its_steps_and_proposes_the_level_of_its_total(world):
    cycle, application = scored(world)

    cycle = services.cycle_start_review(cycle=cycle, by=world.district_staff)

    application.refresh_from_db()
    # 35.5 (street) + (24 + 27) / 2 (two representatives) + 28 (self) = 89.0: four stars (75–89.99).
    assert (application.total, application.proposed_stars, application.final_stars) == (D("89.00"), 4, 4)
    assert services.cycle_rewards(cycle) == D("30000")
    cycle = services.cycle_publish(cycle=cycle, by=world.district_staff)
    assert cycle.status == Cycle.Status.PUBLISHED
    assert list(AuditEntry.objects.filter(cycle=cycle).order_by("pk").values_list("action", flat=True)) == [
        "cycle_created",
        "criterion_added",
        "criterion_added",
        "criterion_added",
        "level_set",
        "level_set",
        "level_set",
        "cycle_opened",
        "application_submitted",
        "scoring_started",
        "score_set",
        "score_set",
        "score_set",
        "score_set",
        "review_started",
        "published",
    ]


def test_nothing_is_scored_before_scoring_opens(world):
    cycle = services.cycle_open(cycle=draft(world), by=world.district_staff)
    application = services.application_submit(cycle=cycle, centre=world.centre, by=world.centre_staff, applied_stars=4)

    with pytest.raises(services.CycleRefused, match="only while the cycle is being scored"):
        services.score_set(application=application, criterion=world.street_score, by=world.street_staff, points=D(30))

    assert Score.objects.count() == 0


def test_applications_wait_for_the_cycle_to_open_and_stop_when_scoring_starts(world):
    cycle = draft(world)
    with pytest.raises(services.CycleRefused, match="only while the cycle is open"):
        services.application_submit(cycle=cycle, centre=world.centre, by=world.centre_staff, applied_stars=4)

    cycle = services.cycle_open(cycle=cycle, by=world.district_staff)
    services.cycle_start_scoring(cycle=cycle, by=world.district_staff)
    with pytest.raises(services.CycleRefused, match="only while the cycle is open"):
        services.application_submit(cycle=cycle, centre=world.centre, by=world.centre_staff, applied_stars=4)
    assert Application.objects.count() == 0


def test_criteria_and_levels_are_fixed_once_the_cycle_is_open(world):
    cycle = services.cycle_open(cycle=draft(world), by=world.district_staff)

    with pytest.raises(services.CycleRefused, match="only be changed while the cycle is being prepared"):
        services.criterion_add(
            cycle=cycle, by=world.district_staff, name="加分", max_points=D(5), source=Criterion.Source.STREET
        )
    with pytest.raises(services.CycleRefused, match="only be changed while the cycle is being prepared"):
        services.star_level_set(cycle=cycle, by=world.district_staff, stars=5, min_score=D(80), reward=D(1))
    assert cycle.criteria.count() == 3
    assert cycle.levels.get(stars=5).min_score == D(90)


def test_a_cycle_opens_only_with_criteria_and_levels_in_order(world):
    cycle = services.cycle_create(
        district=world.district,
        by=world.district_staff,
        name="2027年度",
        period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2027, 12, 31),
        budget=D(0),
    )
    with pytest.raises(services.CycleRefused, match="Add the criteria"):
        services.cycle_open(cycle=cycle, by=world.district_staff)
    services.criterion_add(
        cycle=cycle, by=world.district_staff, name="镇街打分", max_points=D(100), source=Criterion.Source.STREET
    )
    with pytest.raises(services.CycleRefused, match="Set the star levels"):
        services.cycle_open(cycle=cycle, by=world.district_staff)
    services.star_level_set(cycle=cycle, by=world.district_staff, stars=3, min_score=D(80), reward=D(0))
    services.star_level_set(cycle=cycle, by=world.district_staff, stars=4, min_score=D(70), reward=D(0))
    with pytest.raises(services.CycleRefused, match="higher total than the level below"):
        services.cycle_open(cycle=cycle, by=world.district_staff)

    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.DRAFT


def test_a_final_level_other_than_the_proposal_needs_a_reason(world):
    cycle, application = scored(world)
    services.cycle_start_review(cycle=cycle, by=world.district_staff)

    with pytest.raises(ValidationError) as error:
        services.final_level_set(application=application, by=world.district_staff, stars=5)
    assert error.value.message_dict == {"reason": ["Say why the level differs from the proposed one."]}

    services.final_level_set(
        application=application, by=world.district_staff, stars=3, reason="满意度偏低，整改不及时。"
    )
    application.refresh_from_db()
    assert (application.final_stars, application.final_reason) == (3, "满意度偏低，整改不及时。")
    entry = AuditEntry.objects.filter(action="final_level_set").get()
    assert (entry.actor, entry.before, entry.after) == (
        world.district_staff,
        {"final_stars": 4, "reason": ""},
        {"final_stars": 3, "reason": "满意度偏低，整改不及时。"},
    )


def test_publishing_over_the_budget_is_refused(world):
    cycle, application = scored(world)
    Cycle.objects.filter(pk=cycle.pk).update(budget=D("25000"))
    cycle = services.cycle_start_review(cycle=Cycle.objects.get(pk=cycle.pk), by=world.district_staff)

    with pytest.raises(services.CycleRefused, match=r"\(30000.00 yuan\) are over the budget \(25000.00 yuan\)"):
        services.cycle_publish(cycle=cycle, by=world.district_staff)

    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.REVIEW


def test_nothing_changes_after_publishing(world):
    cycle, application = scored(world)
    services.cycle_start_review(cycle=cycle, by=world.district_staff)
    services.cycle_publish(cycle=cycle, by=world.district_staff)

    with pytest.raises(services.CycleRefused, match="during the district rating"):
        services.final_level_set(application=application, by=world.district_staff, stars=5, reason="复核")
    with pytest.raises(services.CycleRefused, match="only while the cycle is being scored"):
        services.score_set(application=application, criterion=world.street_score, by=world.street_staff, points=D(40))
    with pytest.raises(services.CycleRefused, match="Only a cycle in district rating"):
        services.cycle_publish(cycle=cycle, by=world.district_staff)

    application.refresh_from_db()
    assert (application.final_stars, application.total) == (4, D("89.00"))


@pytest.mark.parametrize(
    ("who", "criterion", "allowed"),
    [
        ("street_staff", "street_score", True),
        ("other_street_staff", "street_score", False),
        ("district_staff", "street_score", False),
        ("centre_staff", "street_score", False),
        ("representative", "representatives", True),
        ("other_centre_staff", "self_score", False),
        ("centre_staff", "self_score", True),
        ("resident", "representatives", False),
        ("street_staff", "representatives", False),
    ],
)
def test_each_role_scores_only_its_own_criteria_and_centres(world, who, criterion, allowed):
    cycle = services.cycle_open(cycle=draft(world), by=world.district_staff)
    application = services.application_submit(cycle=cycle, centre=world.centre, by=world.centre_staff, applied_stars=4)
    RepresentativeAssignment.objects.create(cycle=cycle, representative=world.representative, centre=world.centre)
    services.cycle_start_scoring(cycle=cycle, by=world.district_staff)
    scorer, target = getattr(world, who), getattr(world, criterion)

    if allowed:
        services.score_set(application=application, criterion=target, by=scorer, points=D(10))
        assert Score.objects.get().scorer == scorer
    else:
        with pytest.raises(services.CycleRefused, match="You cannot score this criterion"):
            services.score_set(application=application, criterion=target, by=scorer, points=D(10))
        assert Score.objects.count() == 0


@pytest.mark.parametrize("who", ["street_staff", "centre_staff", "representative", "resident"])
def test_only_district_staff_run_the_cycle(world, who):
    with pytest.raises(services.CycleRefused, match="Only the district's staff"):
        services.cycle_create(
            district=world.district,
            by=getattr(world, who),
            name="2026年度",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            budget=D(1),
        )
    assert Cycle.objects.count() == 0


def test_another_districts_staff_cannot_open_this_districts_cycle(world):
    cycle = draft(world)
    stranger = DistrictStaffFactory(area=DistrictFactory(name="金东区"))

    with pytest.raises(services.CycleRefused, match="Only the district's staff"):
        services.cycle_open(cycle=cycle, by=stranger)


def test_points_over_the_criterions_maximum_are_refused(world):
    cycle = services.cycle_open(cycle=draft(world), by=world.district_staff)
    application = services.application_submit(cycle=cycle, centre=world.centre, by=world.centre_staff, applied_stars=4)
    services.cycle_start_scoring(cycle=cycle, by=world.district_staff)

    with pytest.raises(ValidationError) as error:
        services.score_set(application=application, criterion=world.street_score, by=world.street_staff, points=D(41))

    assert error.value.message_dict == {"points": ["Give from 0 to 40 points."]}
    assert Score.objects.count() == 0
