"""The scoring page's list tells the forms still to finish from the ones done, the
unfinished first, in one query whatever the number of forms."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ratings import cycle as services
from ratings.models import Criterion
from tests.centres.factories import CentreFactory, CommunityFactory
from tests.portal.factories import CentreStaffFactory

from .test_scoring_views import start_scoring, w  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_forms_done_are_marked_and_listed_after_those_to_finish(client, w, django_assert_max_num_queries):  # noqa: F811
    street = w.centre.area.parent
    third = CentreFactory(name="东湖社区党群服务中心", area=CommunityFactory(name="东湖社区", parent=street))
    services.application_submit(cycle=w.cycle, centre=third, by=CentreStaffFactory(centres=[third]), applied_stars=3)
    start_scoring(w)
    street_staff = w.users["street staff"]
    services.score_set(
        application=w.application, criterion=w.criteria[Criterion.Source.STREET], by=street_staff, points=Decimal(30)
    )
    client.force_login(street_staff)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("star_scoring:home"))

    rows = [(a.centre.name, a.given_count, a.criteria_count) for a in response.context["to_score"]]
    assert rows == [("东湖社区党群服务中心", 0, 1), ("圣湖社区党群服务中心", 1, 1)]
    page = response.content.decode()
    assert page.index("To score: 0 of 1 given") < page.index("✓ Scored")
    assert "Change the scores" in page


def test_a_representatives_form_is_done_once_they_score_it(client, w):  # noqa: F811
    start_scoring(w)
    representative = w.users["assigned representative"]
    client.force_login(representative)

    (row,) = client.get(reverse("star_scoring:home")).context["to_score"]
    assert (row.given_count, row.criteria_count) == (0, 1)

    services.score_set(
        application=w.application,
        criterion=w.criteria[Criterion.Source.REPRESENTATIVES],
        by=representative,
        points=Decimal(25),
    )
    (row,) = client.get(reverse("star_scoring:home")).context["to_score"]
    assert (row.given_count, row.criteria_count) == (1, 1)
