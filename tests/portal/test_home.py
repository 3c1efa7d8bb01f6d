import datetime as dt

import pytest

from centres.services import centre_hours_replace
from tests.centres.factories import CentreFactory, CommunityFactory, weekday_hours
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def _centres_in(community, count):
    for number in range(count):
        centre = CentreFactory(name=f"{community.name}第{number}服务站", area=community)
        centre_hours_replace(centre=centre, periods=weekday_hours(evening_until=dt.time(20, 30)))


def test_the_home_page_shows_the_residents_own_community_first(client):
    community = CommunityFactory(name="华丰社区")
    neighbour = CommunityFactory(name="丰泽社区", parent=community.parent)
    CentreFactory(name="丰泽社区党群服务中心", area=neighbour)
    CentreFactory(name="华丰社区党群服务中心", area=community)
    CentreFactory(name="外街道党群服务中心")
    client.force_login(UserFactory(home_community=community))

    response = client.get("/")

    names = [centre.name for centre in response.context["nearby_centres"]]
    assert names == ["华丰社区党群服务中心", "丰泽社区党群服务中心"]


def test_an_anonymous_visitor_chooses_a_community_to_see_the_centres_near_it(client):
    community = CommunityFactory(name="北星社区")
    CentreFactory(name="北星社区党群服务中心", area=community)

    response = client.get("/", {"community": community.pk})

    assert [centre.name for centre in response.context["nearby_centres"]] == ["北星社区党群服务中心"]
    assert f'<option value="{community.pk}" selected>北星社区</option>' in response.content.decode()


def test_the_home_page_costs_the_same_queries_with_many_centres(client, django_assert_max_num_queries):
    community = CommunityFactory()
    _centres_in(community, 2)
    client.get("/", {"community": community.pk})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/", {"community": community.pk})
    _centres_in(community, 30)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/", {"community": community.pk})
    assert len(response.context["nearby_centres"]) == 6


@pytest.mark.parametrize("community", ["²", "٣", "abc", "-1", "99999999999999999999"])
def test_a_malformed_community_shows_the_plain_home_page(client, community):
    CentreFactory(name="北星社区党群服务中心")

    response = client.get("/", {"community": community})

    assert response.status_code == 200
    assert response.context["community"] is None
