"""Overdue cases go to the street, then (overdue by more than 5 working days) to the
district, across the National Day holiday and its make-up Saturday; running twice
changes and sends nothing more."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.models import Notification
from ratings import tasks
from ratings.cases import case_record_callback, case_reply, cases_escalate_overdue, plus_working_days
from ratings.models import RectificationCase
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory, StreetStaffFactory

from .case_factories import bad_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Escalation = RectificationCase.Escalation
SH = ZoneInfo("Asia/Shanghai")


def at(day, hour=10, month=10):
    return dt.datetime(2026, month, day, hour, tzinfo=SH)


@pytest.fixture
def case():
    # Opened Tue 29 Sep; call-back due Wed 30 Sep 10:00, the day before the holiday.
    return bad_case(opened_at=at(29, month=9), callback_due_at=at(30, month=9), reply_due_at=at(30, month=10))


@pytest.fixture
def people(case):
    return {
        "centre": CentreStaffFactory(centres=[case.centre]),
        "street": StreetStaffFactory(area=case.street),
        "district": DistrictStaffFactory(area=case.district),
    }


def case_messages(person):
    return list(
        Notification.objects.filter(recipient=person, kind=Notification.Kind.CASE).values_list("text", flat=True)
    )


def test_five_working_days_skip_the_holiday_and_count_the_make_up_saturday():
    # 8 Oct (Thu), 9 Oct (Fri), 10 Oct (make-up Saturday), 12 Oct (Mon), 13 Oct (Tue).
    assert plus_working_days(at(30, month=9), 5) == at(13)


def test_nothing_moves_before_the_deadline(case, people):
    assert cases_escalate_overdue(now=at(30, 9, month=9)) == 0
    case.refresh_from_db()
    assert (case.escalated_to, case.escalated_at) == (Escalation.CENTRE, None)
    assert Notification.objects.filter(kind=Notification.Kind.CASE).count() == 0


def test_an_overdue_call_back_goes_to_the_street(case, people):
    assert cases_escalate_overdue(now=at(30, 11, month=9)) == 1

    case.refresh_from_db()
    assert (case.escalated_to, case.escalated_at) == (Escalation.STREET, at(30, 11, month=9))
    assert case_messages(people["street"]) == [
        f"{case.centre.name} has not answered a bad rating in time (due Wed 30 Sep 2026 10:00). Please follow it up."
    ]
    assert case_messages(people["centre"]) == [
        f"Reminder: a bad rating of {case.centre.name} is overdue (due Wed 30 Sep 2026 10:00) "
        "and was passed to the street."
    ]
    assert case_messages(people["district"]) == []


def test_still_the_street_through_the_holiday_and_until_five_working_days_have_passed(case, people):
    cases_escalate_overdue(now=at(30, 11, month=9))
    # 7 Oct is seven calendar days later but no working day has passed.
    assert cases_escalate_overdue(now=at(7)) == 0
    assert cases_escalate_overdue(now=at(13, 9)) == 0
    case.refresh_from_db()
    assert case.escalated_to == Escalation.STREET


def test_overdue_by_more_than_five_working_days_goes_to_the_district(case, people):
    cases_escalate_overdue(now=at(30, 11, month=9))

    assert cases_escalate_overdue(now=at(13, 11)) == 1

    case.refresh_from_db()
    assert (case.escalated_to, case.escalated_at) == (Escalation.DISTRICT, at(13, 11))
    assert case_messages(people["district"]) == [
        f"{case.centre.name} has not answered a bad rating in time (due Wed 30 Sep 2026 10:00). Please follow it up."
    ]
    assert len(case_messages(people["centre"])) == 2
    assert len(case_messages(people["street"])) == 1


def test_escalation_is_idempotent(case, people):
    cases_escalate_overdue(now=at(13, 11))
    before = RectificationCase.objects.filter(pk=case.pk).values().get()

    assert cases_escalate_overdue(now=at(13, 12)) == 0
    assert tasks.escalate_overdue_cases.apply().get() == 0

    assert RectificationCase.objects.filter(pk=case.pk).values().get() == before
    assert Notification.objects.filter(kind=Notification.Kind.CASE).count() == 2


def test_a_case_called_back_in_time_waits_for_the_reply_deadline(case, people):
    case_record_callback(case=case, by=people["centre"], note="已回访", now=at(30, 9, month=9))

    assert cases_escalate_overdue(now=at(29)) == 0
    assert cases_escalate_overdue(now=at(30, 11)) == 1
    case.refresh_from_db()
    assert case.escalated_to == Escalation.STREET
    assert case_messages(people["street"]) == [
        f"{case.centre.name} has not answered a bad rating in time (due Fri 30 Oct 2026 10:00). Please follow it up."
    ]


def test_a_replied_case_is_never_escalated(case, people):
    case_record_callback(case=case, by=people["centre"], note="已回访", now=at(30, 9, month=9))
    case_reply(case=case, by=people["centre"], reply="已整改", now=at(12))

    assert cases_escalate_overdue(now=at(20, month=11)) == 0
    case.refresh_from_db()
    assert case.escalated_to == Escalation.CENTRE


def test_street_staff_of_another_street_are_not_told(case, people):
    stranger = StreetStaffFactory(area=bad_case().street)
    cases_escalate_overdue(now=at(30, 11, month=9))
    assert case_messages(stranger) == []


def test_the_beat_escalates_hourly_and_invites_every_ten_minutes(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert (
        schedule["escalate-overdue-rating-cases"]["task"],
        schedule["escalate-overdue-rating-cases"]["schedule"],
    ) == (
        "ratings.tasks.escalate_overdue_cases",
        dt.timedelta(hours=1),
    )
    assert (schedule["invite-to-rate"]["task"], schedule["invite-to-rate"]["schedule"]) == (
        "ratings.tasks.invite_to_rate",
        dt.timedelta(minutes=10),
    )
    assert (tasks.escalate_overdue_cases.name, tasks.invite_to_rate.name) == (
        "ratings.tasks.escalate_overdue_cases",
        "ratings.tasks.invite_to_rate",
    )


def test_the_invitation_task_calls_the_invitations(monkeypatch):
    import sys
    import types

    calls = []
    module = types.ModuleType("ratings.invitations")
    module.invite_to_rate = lambda: calls.append("invited") or 3
    monkeypatch.setitem(sys.modules, "ratings.invitations", module)
    import ratings

    monkeypatch.setattr(ratings, "invitations", module, raising=False)

    assert tasks.invite_to_rate.apply().get() == 3
    assert calls == ["invited"]
