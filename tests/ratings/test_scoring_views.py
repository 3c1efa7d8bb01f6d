"""Applying and scoring pages (/staff/star-scoring/): who sees which page (a matrix of
role × page, 200 or 404), applying with evidence, a refused file that keeps what was
typed, scoring each one's own criteria, evidence served only to those who may see it,
and the centre's published level on its public page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ratings import cycle as services
from ratings import evidence as evidence_services
from ratings.models import Application, Criterion, Cycle, Evidence, RepresentativeAssignment, Score
from ratings.scoring_selectors import centre_published_star
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
PDF = b"%PDF-1.4\n%%EOF\n"


class World:
    pass


@pytest.fixture
def w():
    w = World()
    w.district = DistrictFactory(name="丰泽区")
    street = StreetFactory(name="东湖街道", parent=w.district)
    other_street = StreetFactory(name="泉秀街道", parent=w.district)
    w.centre = CentreFactory(name="圣湖社区党群服务中心", area=CommunityFactory(name="圣湖社区", parent=street))
    w.other = CentreFactory(name="刺桐社区党群服务中心", area=CommunityFactory(name="刺桐社区", parent=other_street))
    w.users = {
        "own centre staff": CentreStaffFactory(centres=[w.centre]),
        "other centre staff": CentreStaffFactory(centres=[w.other]),
        "street staff": StreetStaffFactory(area=street),
        "other street staff": StreetStaffFactory(area=other_street),
        "district staff": DistrictStaffFactory(area=w.district),
        "assigned representative": RepresentativeFactory(),
        "other representative": RepresentativeFactory(),
        "resident": UserFactory(),
    }
    staff = w.users["district staff"]
    cycle = services.cycle_create(
        district=w.district,
        by=staff,
        name="2026年度",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        budget=D(100000),
    )
    w.criteria = {
        source: services.criterion_add(cycle=cycle, by=staff, name=name, max_points=D(points), source=source)
        for source, name, points in (
            (Criterion.Source.STREET, "镇街打分", 40),
            (Criterion.Source.REPRESENTATIVES, "代表评议", 30),
            (Criterion.Source.SELF, "自评", 30),
        )
    }
    services.star_level_set(cycle=cycle, by=staff, stars=4, min_score=D(75), reward=D(30000))
    w.cycle = services.cycle_open(cycle=cycle, by=staff)
    w.application = services.application_submit(
        cycle=w.cycle,
        centre=w.centre,
        by=w.users["own centre staff"],
        applied_stars=4,
        self_assessment="全年开展活动412场。",
    )
    services.application_submit(cycle=w.cycle, centre=w.other, by=w.users["other centre staff"], applied_stars=3)
    w.evidence = evidence_services.evidence_add(
        application=w.application,
        by=w.users["own centre staff"],
        upload=SimpleUploadedFile("台账.pdf", PDF),
        caption="活动台账",
    )
    RepresentativeAssignment.objects.create(
        cycle=w.cycle, representative=w.users["assigned representative"], centre=w.centre
    )
    RepresentativeAssignment.objects.create(
        cycle=w.cycle, representative=w.users["other representative"], centre=w.other
    )
    return w


def start_scoring(w):
    w.cycle = services.cycle_start_scoring(cycle=w.cycle, by=w.users["district staff"])


def status_of(client, user, url) -> int:
    client.force_login(user)
    return client.get(url).status_code


ALL = [
    "own centre staff",
    "other centre staff",
    "street staff",
    "other street staff",
    "district staff",
    "assigned representative",
    "other representative",
    "resident",
]


def matrix(client, w, url) -> dict:
    return {who: status_of(client, w.users[who], url) for who in ALL}


def test_the_home_page_is_for_centre_staff_street_staff_and_representatives(client, w):
    assert matrix(client, w, reverse("star_scoring:home")) == {
        "own centre staff": 200,
        "other centre staff": 200,
        "street staff": 200,
        "other street staff": 200,
        "district staff": 404,
        "assigned representative": 200,
        "other representative": 200,
        "resident": 404,
    }


def test_only_the_centres_own_staff_open_its_application(client, w):
    url = reverse("star_scoring:apply", args=[w.cycle.pk, w.centre.slug])

    assert matrix(client, w, url) == {who: 200 if who == "own centre staff" else 404 for who in ALL}


def test_each_scorer_opens_only_their_own_form(client, w):
    start_scoring(w)
    url = reverse("star_scoring:score", args=[w.application.pk])

    assert matrix(client, w, url) == {
        "own centre staff": 200,
        "other centre staff": 404,
        "street staff": 200,
        "other street staff": 404,
        "district staff": 404,
        "assigned representative": 200,
        "other representative": 404,
        "resident": 404,
    }


def test_evidence_is_served_only_to_those_who_may_see_it(client, w):
    url = reverse("star_scoring:evidence_file", args=[w.evidence.pk])

    assert matrix(client, w, url) == {
        "own centre staff": 200,
        "other centre staff": 404,
        "street staff": 200,
        "other street staff": 404,
        "district staff": 200,
        "assigned representative": 200,
        "other representative": 404,
        "resident": 404,
    }
    client.force_login(w.users["street staff"])
    response = client.get(url)
    assert (response["Content-Type"], b"".join(response.streaming_content)) == ("application/pdf", PDF)


def test_visitors_are_sent_to_log_in(client, w):
    response = client.get(reverse("star_scoring:evidence_file", args=[w.evidence.pk]))
    assert response.status_code == 302


def test_the_application_page_waits_for_an_open_cycle(client, w):
    start_scoring(w)
    url = reverse("star_scoring:apply", args=[w.cycle.pk, w.centre.slug])
    assert status_of(client, w.users["own centre staff"], url) == 404


def test_a_centre_applies_with_an_evidence_file(client, w):
    client.force_login(w.users["own centre staff"])
    url = reverse("star_scoring:apply", args=[w.cycle.pk, w.centre.slug])

    response = client.post(
        url,
        {
            "applied_stars": "5",
            "self_assessment": "服务群众1.2万人次。",
            "caption": "照片",
            "file": SimpleUploadedFile("报告.pdf", PDF),
        },
    )

    assert response.status_code == 302
    w.application.refresh_from_db()
    assert (w.application.applied_stars, w.application.self_assessment) == (5, "服务群众1.2万人次。")
    assert list(Evidence.objects.filter(application=w.application).values_list("caption", flat=True)) == [
        "活动台账",
        "照片",
    ]


def test_a_refused_file_changes_nothing_and_keeps_what_was_typed(client, w, english):
    client.force_login(w.users["own centre staff"])
    url = reverse("star_scoring:apply", args=[w.cycle.pk, w.centre.slug])

    response = client.post(
        url,
        {
            "applied_stars": "5",
            "self_assessment": "新写的自评",
            "file": SimpleUploadedFile("evil.pdf", b"<script>alert(1)</script>"),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["This file is not a JPEG or PNG image or a PDF document. Choose a photo or a PDF."]
    }
    assert "新写的自评" in response.content.decode()
    w.application.refresh_from_db()
    assert (w.application.applied_stars, w.application.self_assessment) == (4, "全年开展活动412场。")
    assert Evidence.objects.filter(application=w.application).count() == 1


def test_a_centre_removes_its_evidence_while_the_cycle_is_open(client, w):
    client.force_login(w.users["other centre staff"])
    url = reverse("star_scoring:evidence_delete", args=[w.cycle.pk, w.centre.slug, w.evidence.pk])
    assert client.post(url).status_code == 404

    client.force_login(w.users["own centre staff"])
    assert client.post(url).status_code == 302
    assert Evidence.objects.filter(application=w.application).count() == 0


def test_a_street_scorer_scores_the_street_criterion_only(client, w, english, django_assert_max_num_queries):
    start_scoring(w)
    street = w.users["street staff"]
    client.force_login(street)
    url = reverse("star_scoring:score", args=[w.application.pk])

    with django_assert_max_num_queries(6):
        response = client.get(url)
    page = response.content.decode()
    assert list(response.context["form"].fields) == [
        f"points_{w.criteria['street'].pk}",
        f"note_{w.criteria['street'].pk}",
    ]
    assert "全年开展活动412场。" in page
    assert reverse("star_scoring:evidence_file", args=[w.evidence.pk]) in page

    response = client.post(url, {f"points_{w.criteria['street'].pk}": "41"})
    assert response.context["form"].errors == {
        f"points_{w.criteria['street'].pk}": ["Ensure this value is less than or equal to 40."]
    }
    response = client.post(url, {f"points_{w.criteria['street'].pk}": "35.5", f"note_{w.criteria['street'].pk}": "好"})
    assert response.status_code == 302
    assert list(Score.objects.values_list("criterion__source", "scorer", "points", "note")) == [
        ("street", street.pk, D("35.50"), "好")
    ]


def test_the_representative_and_the_centre_score_their_own_criteria(client, w):
    start_scoring(w)
    for who, source, points in (
        ("assigned representative", "representatives", "27"),
        ("own centre staff", "self", "28"),
    ):
        client.force_login(w.users[who])
        response = client.post(
            reverse("star_scoring:score", args=[w.application.pk]), {f"points_{w.criteria[source].pk}": points}
        )
        assert response.status_code == 302
    assert sorted(Score.objects.values_list("criterion__source", "points")) == [
        ("representatives", D("27.00")),
        ("self", D("28.00")),
    ]


def test_the_public_page_shows_the_level_of_the_latest_published_cycle(client, w):
    staff = w.users["district staff"]
    start_scoring(w)
    for source, scorer, points in (
        ("street", "street staff", 38),
        ("representatives", "assigned representative", 20),
        ("self", "own centre staff", 25),
    ):
        services.score_set(
            application=w.application, criterion=w.criteria[source], by=w.users[scorer], points=D(points)
        )
    cycle = services.cycle_start_review(cycle=w.cycle, by=staff)
    assert Application.objects.get(pk=w.application.pk).final_stars == 4  # 83 ≥ 75
    page = client.get(reverse("centres:detail", args=[w.centre.slug])).content.decode()
    assert "★★★★" not in page

    services.cycle_publish(cycle=cycle, by=staff)

    page = client.get(reverse("centres:detail", args=[w.centre.slug])).content.decode()
    assert "★★★★</span>" in page
    assert "(2026年度)" in page
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.PUBLISHED


def test_the_home_page_lists_each_ones_own_work(client, w, django_assert_max_num_queries):
    client.force_login(w.users["own centre staff"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("star_scoring:home"))
    assert [(cycle.name, centre.name, a.applied_stars) for cycle, centre, a in response.context["to_apply"]] == [
        ("2026年度", "圣湖社区党群服务中心", 4)
    ]
    start_scoring(w)
    expected = {
        "own centre staff": ["圣湖社区党群服务中心"],
        "street staff": ["圣湖社区党群服务中心"],
        "other street staff": ["刺桐社区党群服务中心"],
        "assigned representative": ["圣湖社区党群服务中心"],
        "other representative": ["刺桐社区党群服务中心"],
    }
    for who, centres in expected.items():
        client.force_login(w.users[who])
        response = client.get(reverse("star_scoring:home"))
        assert ([a.centre.name for a in response.context["to_score"]], response.context["to_apply"]) == (centres, [])


def test_the_application_page_renders_in_a_fixed_number_of_queries(client, w, django_assert_max_num_queries):
    client.force_login(w.users["own centre staff"])
    url = reverse("star_scoring:apply", args=[w.cycle.pk, w.centre.slug])
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert response.context["form"].initial == {"applied_stars": 4, "self_assessment": "全年开展活动412场。"}
    assert "活动台账" in response.content.decode()


def test_a_later_published_cycle_replaces_the_level_even_when_lower():
    centre = CentreFactory()
    assert centre_published_star(centre=centre) is None
    for name, year, stars, status in (
        ("2025年度", 2025, 5, Cycle.Status.PUBLISHED),
        ("2026年度", 2026, 3, Cycle.Status.PUBLISHED),
        ("2027年度", 2027, 1, Cycle.Status.REVIEW),
    ):
        cycle = Cycle.objects.create(
            district=centre.district,
            name=name,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            status=status,
        )
        Application.objects.create(cycle=cycle, centre=centre, applied_stars=stars, final_stars=stars)

    star = centre_published_star(centre=centre)

    assert (star.stars, star.symbols, str(star.name), star.cycle_name) == (3, "★★★", "Three-star centre", "2026年度")
