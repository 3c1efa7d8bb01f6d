"""One application on the district's pages (star_ratings:application): its evidence,
every scorer's points and note, the averages and total, the levels; and the computed
scores recomputed from the cycle page while it is being scored."""

# ruff: noqa: F811 (each test takes the imported world fixture by its name)

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ratings import cycle as services
from ratings.cycle_assignments import representative_assign
from ratings.evidence import evidence_add
from ratings.models import Application, AuditEntry, Criterion, Cycle, Score
from stats.models import MonthlyFigures
from tests.centres.factories import CentreFactory, CommunityFactory, DistrictFactory
from tests.portal.factories import DistrictStaffFactory, RepresentativeFactory
from tests.ratings.test_cycle_pages import draft, url, world  # noqa: F401 (the world fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def scoring(w, *, computed=True) -> tuple[Cycle, Application]:
    """A cycle being scored: the centre applied with a self-assessment and a file, two
    representatives and the street scored, and (with ``computed``) a computed criterion
    of rectification on time, which without any case is full marks (share 1)."""
    cycle = draft(w)
    if computed:
        w.computed = services.criterion_add(
            cycle=cycle,
            by=w.staff,
            name="整改及时",
            max_points=D(10),
            source=Criterion.Source.COMPUTED,
            measure=Criterion.Measure.ON_TIME_RECTIFICATION,
        )
    cycle = services.cycle_open(cycle=cycle, by=w.staff)
    application = services.application_submit(
        cycle=cycle, centre=w.centre, by=w.centre_staff, applied_stars=5, self_assessment="全年开展活动120场"
    )
    w.evidence = evidence_add(
        application=application,
        by=w.centre_staff,
        upload=SimpleUploadedFile("台账.pdf", PDF),
        caption="活动台账",
    )
    w.second_representative = RepresentativeFactory(area=w.community, name="Zhou Representative")
    for representative in (w.representative, w.second_representative):
        representative_assign(cycle=cycle, by=w.staff, representative=representative, centre=w.centre)
    cycle = services.cycle_start_scoring(cycle=cycle, by=w.staff)
    services.score_set(
        application=application, criterion=w.street_score, by=w.street_staff, points=D(35), note="台账齐全"
    )
    services.score_set(application=application, criterion=w.rep_score, by=w.representative, points=D(24))
    services.score_set(
        application=application, criterion=w.rep_score, by=w.second_representative, points=D(27), note="居民满意"
    )
    return cycle, application


def test_district_staff_see_the_evidence_and_every_scorers_points(client, world):
    cycle, application = scoring(world)
    client.force_login(world.staff)

    response = client.get(url("application", cycle, application_pk=application.pk))

    assert response.status_code == 200
    detail = response.context["detail"]
    lines = {
        line.criterion.name: [
            ("portal" if s.computed else s.score.scorer.name, s.score.points, s.score.note) for s in line.scores
        ]
        for line in detail.criteria
    }
    lines["代表评议"].sort()  # by name, as the database collates it
    assert lines == {
        "镇街打分": [(world.street_staff.name, D("35.00"), "台账齐全")],
        "代表评议": sorted(
            [(world.representative.name, D("24.00"), ""), ("Zhou Representative", D("27.00"), "居民满意")]
        ),
        "自评": [],
        "整改及时": [("portal", D("10.00"), "1.0000")],
    }
    averages = {line.criterion.name: line.average for line in detail.criteria}
    assert averages == {"镇街打分": D("35.00"), "代表评议": D("25.50"), "自评": None, "整改及时": D("10.00")}
    assert detail.total == D("70.50")  # before the district rating: the averages so far
    page = response.content.decode()
    for text in (
        world.centre.name,
        "5★",
        "全年开展活动120场",
        "活动台账",
        url_of_evidence(world.evidence),
        "Zhou Representative",
        world.representative.name,
        "居民满意",
        "The portal (computed)",
        "Share: 100.0%",
        "25.50",
        "70.50",
        "Not scored yet (counted as 0)",
        "Proposed when the district rating starts",
    ):
        assert text in page, text
    # The link goes through the permission view, which lets the district's staff open it.
    opened = client.get(url_of_evidence(world.evidence))
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == PDF


def url_of_evidence(evidence) -> str:
    return reverse("star_scoring:evidence_file", kwargs={"pk": evidence.pk})


def test_the_proposed_and_final_level_with_the_reason_once_decided(client, world):
    cycle, application = scoring(world)
    services.score_set(application=application, criterion=world.self_score, by=world.centre_staff, points=D(28))
    cycle = services.cycle_start_review(cycle=cycle, by=world.staff)
    application.refresh_from_db()
    services.final_level_set(application=application, by=world.staff, stars=3, reason="台账不全")
    client.force_login(world.staff)

    response = client.get(url("application", cycle, application_pk=application.pk))

    application.refresh_from_db()
    assert application.total == D("98.50")  # 35 + 25.5 + 28 + 10
    assert response.context["detail"].total == D("98.50")
    page = response.content.decode()
    assert f"{application.proposed_stars}★" in page
    assert "3★" in page
    assert "台账不全" in page
    assert url("review", cycle) in page


@pytest.mark.parametrize("who", ["street_staff", "centre_staff", "representative", "other_district_staff"])
def test_only_the_districts_staff_see_an_application(client, world, who):
    cycle, application = scoring(world)
    user = DistrictStaffFactory(area=DistrictFactory(name="鲤城区")) if who == "other_district_staff" else None
    client.force_login(user or getattr(world, who))

    assert client.get(url("application", cycle, application_pk=application.pk)).status_code == 404
    assert client.post(url("computed_recompute", cycle)).status_code == 404


def test_an_application_of_another_cycle_is_not_found(client, world):
    cycle, application = scoring(world)
    other = draft(world, name="2027年度")
    other = services.cycle_open(cycle=other, by=world.staff)
    client.force_login(world.staff)

    assert client.get(url("application", other, application_pk=application.pk)).status_code == 404
    assert client.get(url("application", cycle, application_pk=application.pk)).status_code == 200
    assert client.get(url("application", cycle, application_pk=application.pk + 1000)).status_code == 404


def test_the_cycle_page_lists_the_applications_with_links_once_open(client, world):
    cycle, application = scoring(world)
    empty_draft = draft(world, name="2027年度")
    client.force_login(world.staff)

    page = client.get(url("cycle", cycle)).content.decode()
    draft_page = client.get(url("cycle", empty_draft)).content.decode()

    assert url("application", cycle, application_pk=application.pk) in page
    assert 'id="applications"' not in draft_page


def _bulk_scored(w, cycle, application, count):
    """``count`` more street criteria, each scored by the street's staff and ``count``
    representatives."""
    representatives = [RepresentativeFactory(area=w.community) for _ in range(count)]
    for index in range(count):
        criterion = Criterion.objects.create(
            cycle=cycle, name=f"指标{index}", max_points=D(5), source=Criterion.Source.REPRESENTATIVES
        )
        Score.objects.bulk_create(
            Score(application=application, criterion=criterion, scorer=person, points=D(index % 5))
            for person in [w.street_staff, *representatives]
        )


@pytest.mark.parametrize("count", [2, 12])
def test_the_application_page_costs_the_same_queries_whatever_the_size(client, world, count, django_assert_num_queries):
    cycle, application = scoring(world)
    _bulk_scored(world, cycle, application, count)
    client.force_login(world.staff)

    # Session, user, cycle, the application with its centre and submitter, its evidence,
    # the criteria, the scores with their scorers.
    with django_assert_num_queries(7):
        response = client.get(url("application", cycle, application_pk=application.pk))

    assert len(response.context["detail"].criteria) == 4 + count
    assert sum(len(line.scores) for line in response.context["detail"].criteria) == 4 + count * (count + 1)


# --- Recomputing the computed scores ----------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_recomputing_while_scoring_refreshes_the_scores_and_audits_each_change(client, world):
    cycle, application = scoring(world)
    computed = Score.objects.get(application=application, scorer=None)
    Score.objects.filter(pk=computed.pk).update(points=D(3))  # as if the figures were older
    entries = AuditEntry.objects.filter(cycle=cycle, action="computed_score_set").count()
    client.force_login(world.staff)

    response = client.post(url("computed_recompute", cycle), follow=True)

    assert response.redirect_chain == [(url("cycle", cycle) + "#computed", 302)]
    assert "The computed scores are recomputed: 1 score changed." in response.content.decode()
    computed.refresh_from_db()
    assert computed.points == D("10.00")
    latest = AuditEntry.objects.filter(cycle=cycle, action="computed_score_set").order_by("-pk").first()
    assert AuditEntry.objects.filter(cycle=cycle, action="computed_score_set").count() == entries + 1
    assert (latest.actor, latest.before, latest.after) == (None, {"points": "3.00"}, {"points": "10.00"})
    asked = AuditEntry.objects.get(cycle=cycle, action="computed_refreshed")
    assert (asked.actor, asked.after) == (world.staff, {"changed": 1})

    again = client.post(url("computed_recompute", cycle))

    assert _messages(again) == ["The computed scores are recomputed: 0 scores changed."]
    assert AuditEntry.objects.filter(cycle=cycle, action="computed_score_set").count() == entries + 1


def test_recomputing_is_refused_outside_the_scoring(client, world):
    cycle, application = scoring(world)
    services.score_set(application=application, criterion=world.self_score, by=world.centre_staff, points=D(28))
    cycle = services.cycle_start_review(cycle=cycle, by=world.staff)
    Score.objects.filter(application=application, scorer=None).update(points=D(3))
    entries = AuditEntry.objects.filter(cycle=cycle).count()
    client.force_login(world.staff)

    response = client.post(url("computed_recompute", cycle))

    assert response.status_code == 302
    assert _messages(response) == ["Scores can be given only while the cycle is being scored."]
    assert Score.objects.get(application=application, scorer=None).points == D(3)
    assert AuditEntry.objects.filter(cycle=cycle).count() == entries
    assert client.get(url("computed_recompute", cycle)).status_code == 405


def test_the_cycle_page_says_when_the_scores_were_computed_and_up_to_which_month(client, world):
    cycle, application = scoring(world)
    when = dt.datetime(2026, 3, 5, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    Score.objects.filter(application=application, scorer=None).update(scored_at=when)
    client.force_login(world.staff)

    page = client.get(url("cycle", cycle)).content.decode()

    assert "Last computed from the portal's figures: 2026-03-05 09:30." in page
    assert "No monthly figures of the period are rolled up yet." in page
    assert "Figures of months not yet rolled up are missing" in page
    assert url("computed_recompute", cycle) in page

    for month in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2027, 1, 1)):  # the last is after the period
        MonthlyFigures.objects.create(
            month=month,
            level=MonthlyFigures.Level.CENTRE,
            centre=world.centre,
            street=world.street,
            district=world.district,
            computed_at=timezone.now(),
        )
    other_district = DistrictFactory(name="鲤城区")
    other_centre = CentreFactory(area=CommunityFactory(parent=world.street))
    MonthlyFigures.objects.create(
        month=dt.date(2026, 6, 1),
        level=MonthlyFigures.Level.CENTRE,
        centre=other_centre,
        street=world.street,
        district=other_district,
        computed_at=timezone.now(),
    )

    page = client.get(url("cycle", cycle)).content.decode()

    assert "The monthly figures are rolled up to 2026-02." in page


def test_the_recompute_action_shows_only_while_scoring_with_computed_criteria(client, world):
    cycle, _ = scoring(world, computed=False)
    client.force_login(world.staff)

    assert url("computed_recompute", cycle) not in client.get(url("cycle", cycle)).content.decode()
