"""The demo star-rating cycles of ``ratings/demo_cycle.py``, loaded by ``load_demo_data``.

The demo is loaded once for this module, inside a transaction rolled back when the module
is done (tests/demo.py); each test runs in a savepoint of it.
"""

import pytest

from centres import demo
from centres.models import Centre
from portal.models import User
from ratings.cycle import application_total, cycle_publish, cycle_start_review, final_level_set
from ratings.cycle_selectors import cycle_review
from ratings.demo_cycle import CURRENT_NAME, PREVIOUS_NAME
from ratings.models import Application, AuditEntry, Criterion, Cycle, Evidence, RepresentativeAssignment, Score
from ratings.scoring_selectors import applications_scored_by, centre_published_star, scoring_form_for
from tests.demo import demo_loaded  # noqa: F401 (a fixture)
from tests.demo import load_demo as load

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded")]


@pytest.fixture(autouse=True)
def _media_root():
    """Keep the module's media folder (the suite's own fixture gives each test a new one)."""


def login(role: str) -> User:
    return User.objects.get(phone=next(x["phone"] for x in demo.DEMO_LOGINS if x["role"] == role))


def counts() -> dict:
    return {
        "cycles": Cycle.objects.count(),
        "criteria": Criterion.objects.count(),
        "applications": Application.objects.count(),
        "evidence": Evidence.objects.count(),
        "scores": Score.objects.count(),
        "assignments": RepresentativeAssignment.objects.count(),
        "audit": AuditEntry.objects.count(),
        "users": User.objects.count(),
    }


def test_the_2025_cycle_is_published_with_a_final_level_for_every_centre_of_the_district():
    cycle = Cycle.objects.get(name=PREVIOUS_NAME, district__name="丰泽区")
    district_centres = Centre.objects.filter(district=cycle.district)

    assert cycle.status == Cycle.Status.PUBLISHED
    assert cycle.published_at is not None
    assert sorted(cycle.applications.values_list("centre_id", flat=True)) == sorted(
        district_centres.values_list("pk", flat=True)
    )
    applications = list(cycle.applications.select_related("centre"))
    assert all(a.final_stars in range(1, 6) for a in applications)
    assert all(a.total == application_total(a) for a in applications)
    assert len({a.final_stars for a in applications}) >= 3  # a spread of levels, not one for all
    changed = [a for a in applications if a.final_stars != a.proposed_stars]
    assert len(changed) == 2
    assert all(a.final_reason for a in changed)
    rewards = dict(cycle.levels.values_list("stars", "reward"))
    assert sum(rewards[a.final_stars] for a in applications) <= cycle.budget


def test_the_2025_cycle_left_the_audit_trail_of_every_step():
    cycle = Cycle.objects.get(name=PREVIOUS_NAME)
    actions = set(cycle.audit_entries.values_list("action", flat=True))

    assert {
        "cycle_created",
        "criterion_added",
        "level_set",
        "cycle_opened",
        "application_submitted",
        "representative_assigned",
        "scoring_started",
        "score_set",
        "review_started",
        "final_level_set",
        "published",
    } <= actions
    assert (
        cycle.audit_entries.filter(action="score_set").count() == Score.objects.filter(application__cycle=cycle).count()
    )
    # The steps are dated in their order, before the next cycle was prepared.
    steps = list(cycle.audit_entries.order_by("pk").values_list("at", flat=True))
    assert steps == sorted(steps)
    assert steps[-1] < Cycle.objects.get(name=CURRENT_NAME).created_at


def test_the_centres_public_star_is_the_2025_level():
    application = Application.objects.filter(cycle__name=PREVIOUS_NAME, centre__slug="fengze-community").get()

    star = centre_published_star(centre=application.centre)

    assert star is not None
    assert (star.stars, star.cycle_name) == (application.final_stars, PREVIOUS_NAME)


def test_the_2026_cycle_is_being_scored_with_evidence_and_computed_scores():
    cycle = Cycle.objects.get(name=CURRENT_NAME)
    applications = list(cycle.applications.all())

    assert cycle.status == Cycle.Status.SCORING
    assert cycle.previous.name == PREVIOUS_NAME
    assert 0 < len(applications) < Centre.objects.filter(district=cycle.district).count()
    assert all(a.self_assessment for a in applications)
    kinds = {a.pk: set() for a in applications}
    for evidence in Evidence.objects.filter(application__cycle=cycle):
        kinds[evidence.application_id].add(evidence.file.name.rsplit(".", 1)[1])
        evidence.file.open("rb")
        head = evidence.file.read(8)
        evidence.file.close()
        assert head.startswith(b"%PDF-") or head.startswith(b"\x89PNG")
    assert all(found == {"png", "pdf"} for found in kinds.values())
    computed = cycle.criteria.filter(source=Criterion.Source.COMPUTED)
    assert Score.objects.filter(application__cycle=cycle, scorer=None).count() == len(applications) * computed.count()


def test_the_demo_street_login_and_representative_find_forms_still_to_fill():
    cycle = Cycle.objects.get(name=CURRENT_NAME)
    street_staff, representative = login("street_staff"), login("representative")
    centre_staff = login("centre_staff")

    for user, source in ((street_staff, "street"), (representative, "representatives")):
        forms = [scoring_form_for(user, a.pk) for a in applications_scored_by(user).filter(cycle=cycle)]
        unscored = [f for f in forms if not f.given]
        assert unscored, user.role
        assert all(c.source == source for f in forms for c in f.criteria)
    scored_by_street = [scoring_form_for(street_staff, a.pk) for a in applications_scored_by(street_staff)]
    assert any(f.given for f in scored_by_street)  # some of the street's centres are scored already
    assert not Score.objects.filter(scorer=representative, application__cycle=cycle).exists()
    assigned = RepresentativeAssignment.objects.filter(cycle=cycle, representative=representative)
    assert set(assigned.values_list("centre__slug", flat=True)) >= set(
        centre_staff.centres.values_list("slug", flat=True)
    )


def test_the_district_login_can_take_the_2026_cycle_through_review_to_publishing():
    cycle = Cycle.objects.get(name=CURRENT_NAME)
    district_staff = login("district_staff")

    cycle = cycle_start_review(cycle=cycle, by=district_staff)
    review = cycle_review(cycle)
    outliers = {row.application.centre.slug: row.outliers for row in review.rows}
    assert any(text.startswith("High self-assessment") for text in outliers["baozhou-community"])
    assert any(text.startswith("Applied for 5★") for text in outliers["zhaofeng-community"])
    application = cycle.applications.get(centre__slug="baozhou-community")
    final_level_set(application=application, by=district_staff, stars=None, reason="差评整改未按期完成。")
    cycle = cycle_publish(cycle=cycle, by=district_staff)

    assert cycle.status == Cycle.Status.PUBLISHED


def test_loading_again_changes_nothing():
    first = counts()
    stamps = sorted(AuditEntry.objects.values_list("pk", "at"))

    load()

    assert counts() == first
    assert sorted(AuditEntry.objects.values_list("pk", "at")) == stamps


def test_the_demo_residents_rate_in_the_day_not_at_night():
    from django.utils import timezone

    from ratings.models import Rating

    hours = {timezone.localtime(at).hour for at in Rating.objects.values_list("created_at", flat=True)}
    assert len(hours) > 5
    assert hours <= set(range(8, 24)), sorted(hours)


def test_the_scorers_messages_are_dated_with_their_cycle_and_the_published_ones_read():
    from portal.models import Notification

    street_staff = login("street_staff")
    previous = Cycle.objects.get(name=PREVIOUS_NAME, district__name="丰泽区")
    current = Cycle.objects.get(name=CURRENT_NAME)
    old = Notification.objects.get(recipient=street_staff, dedupe_key=f"star-scoring-{previous.pk}-{street_staff.pk}")
    new = Notification.objects.get(recipient=street_staff, dedupe_key=f"star-scoring-{current.pk}-{street_staff.pk}")

    started = {
        cycle.pk: AuditEntry.objects.get(cycle=cycle, action="scoring_started").at for cycle in (previous, current)
    }
    assert (old.created_at, new.created_at) == (started[previous.pk], started[current.pk])
    assert old.read_at is not None and new.read_at is None
    assert old.created_at.year == 2026 and old.created_at < new.created_at
