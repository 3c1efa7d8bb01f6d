"""The staff workspace links each role to the star-rating pages it can use: district
staff to the district's cycles, the others to applying and scoring (which district staff
cannot open)."""

import pytest
from django.urls import reverse

from tests.ratings.test_cycle_pages import world  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize(
    ("who", "cycles_link", "scoring_link"),
    [("staff", True, False), ("street_staff", False, True), ("centre_staff", False, True)],
)
def test_the_workspace_links_each_role_to_pages_it_can_open(client, world, who, cycles_link, scoring_link):  # noqa: F811
    client.force_login(getattr(world, who))

    page = client.get(reverse("staff:dashboard")).content.decode()

    assert (reverse("star_ratings:cycles") in page, reverse("star_scoring:home") in page) == (cycles_link, scoring_link)
    for link, shown in ((reverse("star_ratings:cycles"), cycles_link), (reverse("star_scoring:home"), scoring_link)):
        if shown:
            assert client.get(link).status_code == 200
