"""The computed criteria (ratings/computed.py) on a small data set worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ratings.computed import cycle_fill_computed
from ratings.cycle import CycleRefused
from ratings.models import Application, AuditEntry, Criterion, Cycle, Rating, RectificationCase, Score
from stats.models import DistrictTarget, Metric, MonthlyFigures
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory, StreetFactory
from tests.ratings.factories import served_appointment

pytestmark = pytest.mark.django_db

D = Decimal
TZ = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 10, tzinfo=TZ)


@pytest.fixture
def data():
    district = DistrictFactory(name="丰泽区")
    street = StreetFactory(name="东湖街道", parent=district)
    a = CentreFactory(name="圣湖社区党群服务中心", area=CommunityFactory(name="圣湖社区", parent=street))
    b = CentreFactory(name="刺桐社区党群服务中心", area=CommunityFactory(name="刺桐社区", parent=street))
    cycle = Cycle.objects.create(
        district=district,
        name="2026年一季度",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        status=Cycle.Status.SCORING,
    )
    criteria = {
        measure: Criterion.objects.create(
            cycle=cycle, name=str(measure), max_points=points, source=Criterion.Source.COMPUTED, measure=measure
        )
        for measure, points in (
            (Criterion.Measure.SATISFACTION, D(20)),
            (Criterion.Measure.ACTIVITIES_AGAINST_TARGET, D(10)),
            (Criterion.Measure.RESIDENTS_SERVED, D(10)),
            (Criterion.Measure.AFTER_HOURS, D(10)),
            (Criterion.Measure.ON_TIME_RECTIFICATION, D(10)),
        )
    }
    Criterion.objects.create(cycle=cycle, name="镇街打分", max_points=D(40), source=Criterion.Source.STREET)
    apps = {centre: Application.objects.create(cycle=cycle, centre=centre, applied_stars=4) for centre in (a, b)}

    def figures(centre, month, activities, after_hours, residents):
        MonthlyFigures.objects.create(
            month=month,
            level=MonthlyFigures.Level.CENTRE,
            centre=centre,
            street=street,
            district=district,
            activities_held=activities,
            after_hours_sessions=after_hours,
            residents_served=residents,
            computed_at=timezone.now(),
        )

    # A: 10 + 8 = 18 sessions, 2 + 4 = 6 after hours, 30 + 20 = 50 residents in the period.
    figures(a, dt.date(2026, 1, 1), 10, 2, 30)
    figures(a, dt.date(2026, 2, 1), 8, 4, 20)
    figures(a, dt.date(2025, 12, 1), 100, 100, 900)  # before the period
    figures(a, dt.date(2026, 4, 1), 100, 100, 900)  # after it
    # B: 20 sessions, none after hours, 100 residents: the best centre.
    figures(b, dt.date(2026, 3, 1), 20, 0, 100)

    def rating(level, created_at, *, excluded=False):
        appointment = served_appointment(centre=a)
        return Rating.objects.create(
            centre=a,
            appointment=appointment,
            resident=appointment.resident,
            level=level,
            created_at=created_at,
            is_excluded=excluded,
        )

    # A's satisfaction: levels 5, 4, 3 count (2 of 3 at 4 or above); the excluded one and
    # the one after the period do not.
    rating(5, at(1, 5))
    rating(4, at(2, 5))
    rating(3, at(3, 5))
    rating(1, at(3, 6), excluded=True)
    rating(1, at(4, 6))

    def case(opened, *, replied=None, status=RectificationCase.Status.REPLIED, due_days=21):
        return RectificationCase.objects.create(
            rating=rating(2, opened, excluded=status == RectificationCase.Status.WITHDRAWN),
            centre=a,
            street=street,
            district=district,
            status=status,
            opened_at=opened,
            callback_due_at=opened + dt.timedelta(days=1),
            reply_due_at=opened + dt.timedelta(days=due_days),
            replied_at=replied,
        )

    # A's cases by their reply deadline: on time, late, overdue without a reply, and one
    # opened in December but due in January, on time (2 of 4 on time); one withdrawn on
    # appeal and one due after the period are left out.
    december = dt.datetime(2025, 12, 20, 10, tzinfo=TZ)
    case(december, replied=december + dt.timedelta(days=15))
    case(at(1, 10), replied=at(1, 20))
    case(at(2, 10), replied=at(3, 20))
    case(at(3, 1), status=RectificationCase.Status.AWAITING_REPLY)
    case(at(3, 2), status=RectificationCase.Status.WITHDRAWN)
    case(at(3, 3), status=RectificationCase.Status.AWAITING_REPLY, due_days=3650)
    return cycle, criteria, apps[a], apps[b]


def points(application) -> dict:
    return {
        score.criterion.measure: score.points
        for score in Score.objects.filter(application=application, scorer=None).select_related("criterion")
    }


def test_computed_scores_match_the_hand_worked_figures(data):
    cycle, _criteria, a, b = data

    assert cycle_fill_computed(cycle=cycle) == 10

    # The cases' own ratings (2s) count for satisfaction too, but not the one withdrawn on
    # appeal: 5, 4, 3 and four 2s = 2 of 7 satisfied → 20 × 2 / 7 = 5.714 → 5.71.
    assert points(a) == {
        "satisfaction": D("5.71"),
        "activities": D("9.00"),  # 18 / 20 (the best centre, no target)
        "residents": D("5.00"),  # 50 / 100
        "after_hours": D("3.33"),  # 6 / 18
        "rectification": D("5.00"),  # 2 on time / 4 due in the period
    }
    assert points(b) == {
        "satisfaction": D("0.00"),  # nobody rated
        "activities": D("10.00"),
        "residents": D("10.00"),
        "after_hours": D("0.00"),
        "rectification": D("10.00"),  # no case: nothing left unrectified
    }


def test_activities_are_held_against_the_district_target_and_capped(data):
    cycle, _criteria, a, b = data
    # The district's 16 a month × 3 months, shared by its 2 centres = 24 each:
    # A 18 / 24 = 0.75, B 20 / 24 = 0.8333.
    DistrictTarget.objects.create(district=cycle.district, metric=Metric.ACTIVITIES_HELD, minimum=D(16))

    cycle_fill_computed(cycle=cycle)

    assert (points(a)["activities"], points(b)["activities"]) == (D("7.50"), D("8.33"))
    # 10 a month: 15 each, which both exceed (capped at the maximum).
    DistrictTarget.objects.filter(district=cycle.district).update(minimum=D(10))
    cycle_fill_computed(cycle=cycle)
    assert (points(a)["activities"], points(b)["activities"]) == (D("10.00"), D("10.00"))


def test_filling_again_replaces_the_computed_scores(data):
    cycle, _criteria, a, _b = data
    cycle_fill_computed(cycle=cycle)
    MonthlyFigures.objects.filter(centre=a.centre, month=dt.date(2026, 1, 1)).update(residents_served=80)

    assert cycle_fill_computed(cycle=cycle) == 1

    assert Score.objects.filter(scorer=None).count() == 10
    assert points(a)["residents"] == D("10.00")  # 100 / 100
    entry = AuditEntry.objects.filter(action="computed_score_set").order_by("-pk").first()
    assert (entry.actor, entry.subject, entry.before, entry.after) == (
        None,
        "圣湖社区党群服务中心 · residents",
        {"points": "5.00"},
        {"points": "10.00"},
    )
    assert AuditEntry.objects.filter(action="computed_score_set").count() == 11


@pytest.mark.parametrize("status", [Cycle.Status.OPEN, Cycle.Status.REVIEW, Cycle.Status.PUBLISHED])
def test_computed_scores_are_filled_only_while_the_cycle_is_being_scored(data, status):
    cycle, _criteria, _a, _b = data
    Cycle.objects.filter(pk=cycle.pk).update(status=status)

    with pytest.raises(CycleRefused, match="only while the cycle is being scored"):
        cycle_fill_computed(cycle=cycle)
    assert Score.objects.count() == 0
