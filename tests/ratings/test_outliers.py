"""Outliers on the district's review screen (ratings.cycle_selectors._outliers): a high
self-assessment beside low residents' satisfaction, the issue's example, is named as
such; without a satisfaction criterion, or with satisfaction fine, the other sources
decide."""

from decimal import Decimal

import pytest

from ratings import cycle as services
from ratings.cycle_selectors import cycle_review
from ratings.models import Criterion, Score
from tests.ratings.test_cycle_pages import draft, world  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = Decimal


def scored(w, *, own, street=35, rep=24, satisfaction=None):
    """A cycle being scored with the street, representatives' and self criteria of
    ``draft`` (40, 30 and 30 points), plus residents' satisfaction (20 points, computed)
    when ``satisfaction`` is given: its computed score is then set to that."""
    cycle = draft(w)
    if satisfaction is not None:
        services.criterion_add(
            cycle=cycle,
            by=w.staff,
            name="群众满意度",
            max_points=D(20),
            source=Criterion.Source.COMPUTED,
            measure=Criterion.Measure.SATISFACTION,
        )
    cycle = services.cycle_open(cycle=cycle, by=w.staff)
    application = services.application_submit(cycle=cycle, centre=w.centre, by=w.centre_staff, applied_stars=4)
    cycle = services.cycle_start_scoring(cycle=cycle, by=w.staff)
    if satisfaction is not None:
        # Nobody rated the centre, so the fill gave 0; the figure the test needs instead.
        assert Score.objects.filter(application=application, scorer=None).update(points=D(satisfaction)) == 1
    services.score_set(application=application, criterion=w.street_score, by=w.street_staff, points=D(street))
    services.score_set(application=application, criterion=w.self_score, by=w.centre_staff, points=D(own))
    return services.cycle_start_review(cycle=cycle, by=w.staff)


def outliers(cycle) -> list[str]:
    """The row's self-assessment outliers (the level applied for against the proposal is
    tested beside the review screen, and these cycles leave the representatives'
    criterion unscored)."""
    (row,) = cycle_review(cycle).rows
    return [text for text in row.outliers if text.startswith("High self-assessment")]


def test_a_criterion_nobody_scored_is_flagged_as_counted_as_zero(world):  # noqa: F811
    cycle = scored(world, own=20)

    (row,) = cycle_review(cycle).rows

    assert row.scores == [D("35.00"), None, D("20.00")]
    assert row.total == D("55.00")
    assert row.outliers[-1] == "Not scored: 代表评议 (counted as 0)"
    assert [text for text in row.outliers if text.startswith("Not scored")] == ["Not scored: 代表评议 (counted as 0)"]


def test_a_high_self_assessment_with_low_satisfaction_is_named(world):  # noqa: F811
    # Self 28 of 30 (93%); satisfaction 8 of 20 (40%, under 60%) though the street gave 35 of 40.
    cycle = scored(world, own=28, satisfaction=8)

    assert outliers(cycle) == ["High self-assessment (93%), low residents' satisfaction (40%)"]


def test_satisfaction_just_at_the_line_is_not_flagged(world):  # noqa: F811
    # 12 of 20 is 60%: not below the line; the street's 35 of 40 keeps the others high too.
    cycle = scored(world, own=28, satisfaction=12)

    assert outliers(cycle) == []


def test_a_modest_self_assessment_is_not_flagged_whatever_the_satisfaction(world):  # noqa: F811
    # 26 of 30 is 87%, under the 90% line.
    cycle = scored(world, own=26, satisfaction=0)

    assert outliers(cycle) == []


def test_with_satisfaction_fine_low_scores_from_the_others_still_flag(world):  # noqa: F811
    # Satisfaction 18 of 20, street 5 of 40: the others 23 of 60 (38%).
    cycle = scored(world, own=30, street=5, satisfaction=18)

    assert outliers(cycle) == ["High self-assessment, low scores from the others"]


def test_without_a_satisfaction_criterion_the_others_decide(world):  # noqa: F811
    cycle = scored(world, own=29, street=10)

    assert outliers(cycle) == ["High self-assessment, low scores from the others"]
