"""The centre's call-back and reply: every transition and refusal, nothing changed on a refusal."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from portal.models import Notification
from ratings.cases import case_record_callback, case_reply
from ratings.models import RectificationCase
from tests.portal.factories import CentreStaffFactory

from .case_factories import bad_case, refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status = RectificationCase.Status
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def case():
    return bad_case()


@pytest.fixture
def staff(case):
    return CentreStaffFactory(centres=[case.centre])


def test_callback_moves_the_case_to_waiting_for_the_reply(case, staff):
    case_record_callback(case=case, by=staff, note="  居民说排队太久  ", now=NOW)

    case.refresh_from_db()
    assert (case.status, case.called_back_at, case.called_back_by, case.callback_note) == (
        Status.AWAITING_REPLY,
        NOW,
        staff,
        "居民说排队太久",
    )


def test_callback_without_a_note_is_refused(case, staff):
    refused(
        case,
        "note_missing",
        "Write down what the resident said on the call-back.",
        lambda: case_record_callback(case=case, by=staff, note="   "),
    )


def test_a_second_callback_is_refused(case, staff):
    case_record_callback(case=case, by=staff, note="已回访", now=NOW)
    refused(
        case,
        "not_awaiting_callback",
        "The call-back of this case is already recorded or no longer needed.",
        lambda: case_record_callback(case=case, by=staff, note="再次回访"),
    )


def test_reply_before_the_callback_is_refused(case, staff):
    refused(
        case,
        "callback_first",
        "Call the resident back and record it before replying.",
        lambda: case_reply(case=case, by=staff, reply="已整改"),
    )


def test_reply_closes_the_case_and_tells_the_resident_in_their_language(case, staff):
    case_record_callback(case=case, by=staff, note="已回访", now=NOW)
    case.rating.resident.language = "zh-hans"
    case.rating.resident.save()

    case_reply(case=case, by=staff, reply="已增加周末人手", now=NOW + dt.timedelta(days=2))

    case.refresh_from_db()
    assert (case.status, case.replied_at, case.replied_by, case.reply) == (
        Status.REPLIED,
        NOW + dt.timedelta(days=2),
        staff,
        "已增加周末人手",
    )
    [message] = Notification.objects.filter(recipient=case.rating.resident, kind=Notification.Kind.CASE)
    assert message.url == "/ratings/"
    assert case.centre.name in message.text
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "%(centre)s has replied to your rating and says what it has changed. "
            "You can read the reply and rate once more."
        ) % {"centre": case.centre.name}
    assert message.text == expected


def test_reply_text_in_english_for_an_english_resident(case, staff):
    case_record_callback(case=case, by=staff, note="已回访", now=NOW)

    case_reply(case=case, by=staff, reply="已整改", now=NOW)

    [message] = Notification.objects.filter(recipient=case.rating.resident, kind=Notification.Kind.CASE)
    assert message.text == (
        f"{case.centre.name} has replied to your rating and says what it has changed. "
        "You can read the reply and rate once more."
    )


def test_empty_reply_is_refused(case, staff):
    case_record_callback(case=case, by=staff, note="已回访", now=NOW)
    refused(case, "reply_missing", "Write the rectification reply.", lambda: case_reply(case=case, by=staff, reply=" "))


def test_a_second_reply_is_refused(case, staff):
    case_record_callback(case=case, by=staff, note="已回访", now=NOW)
    case_reply(case=case, by=staff, reply="已整改", now=NOW)
    refused(
        case,
        "not_awaiting_reply",
        "This case is already replied to or closed.",
        lambda: case_reply(case=case, by=staff, reply="再次整改"),
    )
    assert Notification.objects.filter(recipient=case.rating.resident, kind=Notification.Kind.CASE).count() == 1


def test_staff_of_another_centre_is_refused(case):
    other = CentreStaffFactory(centres=[bad_case().centre])
    refused(
        case,
        "not_allowed",
        "Only the staff of this centre can answer its rectification cases.",
        lambda: case_record_callback(case=case, by=other, note="已回访"),
    )


def test_callback_defaults_to_now(case, staff):
    before = timezone.now()
    case_record_callback(case=case, by=staff, note="已回访")
    case.refresh_from_db()
    assert case.called_back_at >= before
