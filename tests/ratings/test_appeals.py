"""The centre's appeal of a rating it believes malicious, and the district's decision."""

import datetime as dt

import pytest

from portal.models import Notification
from ratings.cases import case_appeal, case_appeal_decide, case_record_callback
from ratings.models import RectificationCase
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory

from .case_factories import bad_case, refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status, Appeal = RectificationCase.Status, RectificationCase.Appeal
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def case():
    return bad_case()


@pytest.fixture
def staff(case):
    return CentreStaffFactory(centres=[case.centre])


@pytest.fixture
def district(case):
    return DistrictStaffFactory(area=case.district)


def test_appeal_waits_for_the_district_and_tells_its_staff(case, staff, district):
    case_appeal(case=case, by=staff, reason="同一人一天内打了十次差评", now=NOW)

    case.refresh_from_db()
    assert (case.appeal, case.appeal_reason, case.appealed_at, case.status) == (
        Appeal.PENDING,
        "同一人一天内打了十次差评",
        NOW,
        Status.AWAITING_CALLBACK,
    )
    [message] = Notification.objects.filter(recipient=district, kind=Notification.Kind.CASE)
    assert message.text == f"{case.centre.name} appeals a rating it believes malicious. Please decide."


def test_appeal_without_a_reason_is_refused(case, staff):
    refused(
        case,
        "reason_missing",
        "Say why you believe the rating is malicious.",
        lambda: case_appeal(case=case, by=staff, reason=""),
    )


def test_a_second_appeal_is_refused(case, staff):
    case_appeal(case=case, by=staff, reason="恶意差评", now=NOW)
    refused(
        case,
        "appealed",
        "This rating has already been appealed; a rating can be appealed only once.",
        lambda: case_appeal(case=case, by=staff, reason="再次申诉"),
    )


def test_appeal_after_a_decision_is_refused(case, staff, district):
    case_appeal(case=case, by=staff, reason="恶意差评", now=NOW)
    case_appeal_decide(case=case, by=district, upheld=False, note="证据不足")
    refused(
        case,
        "appealed",
        "This rating has already been appealed; a rating can be appealed only once.",
        lambda: case_appeal(case=case, by=staff, reason="再次申诉"),
    )


def test_upheld_appeal_excludes_the_rating_and_withdraws_the_case(case, staff, district):
    case_appeal(case=case, by=staff, reason="恶意差评", now=NOW)

    case_appeal_decide(case=case, by=district, upheld=True, note="查实为恶意差评", now=NOW + dt.timedelta(days=1))

    case.refresh_from_db()
    case.rating.refresh_from_db()
    assert (case.status, case.appeal, case.appeal_decided_by, case.appeal_decided_at, case.appeal_decision_note) == (
        Status.WITHDRAWN,
        Appeal.UPHELD,
        district,
        NOW + dt.timedelta(days=1),
        "查实为恶意差评",
    )
    assert case.rating.is_excluded is True
    [message] = Notification.objects.filter(recipient=staff, kind=Notification.Kind.CASE)
    assert message.text == f"The district upheld the appeal of {case.centre.name}: the rating is not counted."


def test_rejected_appeal_leaves_the_case_going_on(case, staff, district):
    case_record_callback(case=case, by=staff, note="已回访", now=NOW)
    case_appeal(case=case, by=staff, reason="恶意差评", now=NOW)

    case_appeal_decide(case=case, by=district, upheld=False, note="证据不足")

    case.refresh_from_db()
    case.rating.refresh_from_db()
    assert (case.status, case.appeal, case.rating.is_excluded) == (Status.AWAITING_REPLY, Appeal.REJECTED, False)
    [message] = Notification.objects.filter(recipient=staff, kind=Notification.Kind.CASE)
    assert message.text == f"The district rejected the appeal of {case.centre.name}: the rating counts."


def test_deciding_without_an_appeal_is_refused(case, district):
    refused(
        case,
        "no_appeal",
        "There is no appeal waiting for a decision on this case.",
        lambda: case_appeal_decide(case=case, by=district, upheld=True, note="无"),
    )


def test_deciding_twice_is_refused(case, staff, district):
    case_appeal(case=case, by=staff, reason="恶意差评", now=NOW)
    case_appeal_decide(case=case, by=district, upheld=True, note="查实")
    refused(
        case,
        "no_appeal",
        "There is no appeal waiting for a decision on this case.",
        lambda: case_appeal_decide(case=case, by=district, upheld=False, note="改判"),
    )


def test_deciding_without_a_reason_is_refused(case, staff, district):
    case_appeal(case=case, by=staff, reason="恶意差评", now=NOW)
    refused(
        case,
        "note_missing",
        "Give the reason for the decision.",
        lambda: case_appeal_decide(case=case, by=district, upheld=True, note=" "),
    )


def test_appeal_of_a_withdrawn_case_is_refused(staff):
    case = bad_case(staff.centres.get(), status=Status.WITHDRAWN)
    refused(case, "closed", "This case is closed.", lambda: case_appeal(case=case, by=staff, reason="恶意差评"))
