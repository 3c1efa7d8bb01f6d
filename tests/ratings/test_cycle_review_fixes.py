"""Fixes from the review of the star-rating cycle: a row's points add up to its total
(each criterion rounded half up first), final levels only among the cycle's own,
scorers told when scoring starts and representatives when invited, an application's
changes audited field by field, a note labelled with its criterion, and two cycles of
one name created at the same moment refused with a message."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from portal.models import Notification
from ratings import cycle as services
from ratings.cycle_assignments import representative_assign
from ratings.cycle_selectors import cycle_review
from ratings.models import AuditEntry, Cycle
from ratings.scoring_forms import ScoreForm
from tests.concurrency import run_together
from tests.portal.factories import RepresentativeFactory

from .test_cycle_pages import draft, in_review, world  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = Decimal


def texts(person) -> list[str]:
    return list(Notification.objects.filter(recipient=person).order_by("pk").values_list("text", flat=True))


def test_the_total_is_the_sum_of_the_points_the_row_shows(world):  # noqa: F811
    # Street 40 of 40 plus self 13.33 = 53.33; two representatives 26.66 and 26.67
    # average 26.665, shown as 26.67: the row reads 40 + 26.67 + 13.33 = 80.00, and the
    # 4★ band (from 75) is proposed on the same figure.
    cycle = services.cycle_open(cycle=draft(world), by=world.staff)
    application = services.application_submit(cycle=cycle, centre=world.centre, by=world.centre_staff, applied_stars=4)
    second = RepresentativeFactory(area=world.community)
    for representative in (world.representative, second):
        representative_assign(cycle=cycle, by=world.staff, representative=representative, centre=world.centre)
    cycle = services.cycle_start_scoring(cycle=cycle, by=world.staff)
    services.score_set(application=application, criterion=world.street_score, by=world.street_staff, points=D(40))
    services.score_set(application=application, criterion=world.rep_score, by=world.representative, points=D("26.66"))
    services.score_set(application=application, criterion=world.rep_score, by=second, points=D("26.67"))
    services.score_set(application=application, criterion=world.self_score, by=world.centre_staff, points=D("13.33"))
    cycle = services.cycle_start_review(cycle=cycle, by=world.staff)

    (row,) = cycle_review(cycle).rows

    assert row.scores == [D("40.00"), D("26.67"), D("13.33")]
    assert row.total == sum(row.scores) == D("80.00")
    application.refresh_from_db()
    assert (application.total, application.proposed_stars) == (D("80.00"), 4)


def test_a_final_level_the_cycle_does_not_have_is_refused(client, world):  # noqa: F811
    cycle, application = in_review(world)  # levels 3★, 4★ and 5★

    with pytest.raises(ValidationError, match="This cycle has no 1★ level"):
        services.final_level_set(application=application, by=world.staff, stars=1, reason="只给一星")

    application.refresh_from_db()
    assert application.final_stars == 4
    client.force_login(world.staff)
    page = client.get(f"/staff/star-ratings/{cycle.pk}/review/").content.decode()
    assert f'id="stars-{application.pk}"' in page
    assert '<option value="1"' not in page and '<option value="3"' in page


def test_scorers_are_told_when_scoring_starts_and_representatives_when_invited(world):  # noqa: F811
    cycle = services.cycle_open(cycle=draft(world), by=world.staff)
    services.application_submit(cycle=cycle, centre=world.centre, by=world.centre_staff, applied_stars=4)
    services.application_submit(cycle=cycle, centre=world.other, by=world.other_centre_staff, applied_stars=3)
    representative_assign(cycle=cycle, by=world.staff, representative=world.representative, centre=world.centre)

    assert texts(world.representative) == [
        "The district invites you to score 圣湖社区党群服务中心 in 2026年度. Your form opens when scoring starts."
    ]
    services.cycle_start_scoring(cycle=cycle, by=world.staff)

    started = "Scoring of 2026年度 has started: {} centre(s) wait for your scores."
    assert texts(world.street_staff) == [started.format(2)]  # both centres are in the street
    assert texts(world.representative)[-1] == started.format(1)
    assert texts(world.centre_staff) == [started.format(1)]
    assert texts(world.staff) == []
    message = Notification.objects.filter(recipient=world.street_staff).get()
    assert message.url.endswith("/staff/star-scoring/")  # in the recipient's language


def test_an_application_sent_again_records_only_what_changed(world):  # noqa: F811
    cycle = services.cycle_open(cycle=draft(world), by=world.staff)
    submit = {"cycle": cycle, "centre": world.centre, "by": world.centre_staff}
    services.application_submit(**submit, applied_stars=4, self_assessment="全年开展活动412场。")
    services.application_submit(**submit, applied_stars=4, self_assessment="全年开展活动412场。")
    services.application_submit(**submit, applied_stars=4, self_assessment="全年开展活动415场。")

    entries = list(AuditEntry.objects.filter(action="application_submitted").order_by("pk"))
    assert [(entry.before, entry.after) for entry in entries] == [
        (None, {"applied_stars": 4, "self_assessment": "全年开展活动412场。"}),
        ({"self_assessment": "全年开展活动412场。"}, {"self_assessment": "全年开展活动415场。"}),
    ]


def test_each_note_is_labelled_with_its_criterion(world):  # noqa: F811
    cycle = draft(world)
    form = ScoreForm(criteria=list(cycle.criteria.all()), given={})

    assert [form.fields[f"note_{c.pk}"].label for c in cycle.criteria.all()] == [
        "Note on 镇街打分 (optional)",
        "Note on 代表评议 (optional)",
        "Note on 自评 (optional)",
    ]


@pytest.mark.django_db(transaction=True)
def test_two_cycles_of_one_name_at_the_same_moment_one_is_refused(world, monkeypatch):  # noqa: F811
    both_checked = threading.Barrier(2)
    original = Cycle.objects.create

    def held(**fields):
        both_checked.wait(timeout=10)  # both found the name free
        return original(**fields)

    monkeypatch.setattr(Cycle.objects, "create", held)

    def make():
        with translation.override("en"):  # a thread starts in the portal's language
            return create_cycle()

    def create_cycle():
        return services.cycle_create(
            district=world.district,
            by=world.staff,
            name="2027年度",
            period_start=dt.date(2027, 1, 1),
            period_end=dt.date(2027, 12, 31),
            budget=D(1000),
        )

    results = run_together([make, make])

    assert sum(isinstance(result, Cycle) for result in results) == 1, results
    (refused,) = [result for result in results if not isinstance(result, Cycle)]
    assert isinstance(refused, ValidationError), refused
    assert refused.message_dict == {"name": ["The district already has a cycle of this name."]}
    assert Cycle.objects.filter(name="2027年度").count() == 1
