"""The morning reminder of bad-rating deadlines (ratings.cases.cases_remind_due_soon): a
call-back due by the end of the day and a reply due within two working days (the
National Day holiday does not count, its make-up Saturday does) are reminded of, once, to the centre's own staff;
answered, overdue and far-off deadlines are not."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.models import Notification
from ratings import tasks
from ratings.cases import case_record_callback, cases_remind_due_soon
from ratings.models import RectificationCase
from tests.portal.factories import CentreStaffFactory, StreetStaffFactory

from .case_factories import bad_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SH = ZoneInfo("Asia/Shanghai")


def at(day, hour=8, minute=30, month=9):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def texts(person) -> list[str]:
    return sorted(
        Notification.objects.filter(recipient=person, kind=Notification.Kind.CASE).values_list("text", flat=True)
    )


@pytest.fixture
def case():
    # Opened Mon 28 Sep 15:00: the call-back due Tue 29 Sep 23:59, the reply Mon 12 Oct 23:59.
    return bad_case(opened_at=at(28, 15, 0), callback_due_at=at(29, 23, 59), reply_due_at=at(12, 23, 59, month=10))


def test_a_call_back_due_today_is_reminded_once_to_the_centres_staff(case):
    staff = CentreStaffFactory(centres=[case.centre])
    other_centre_staff = CentreStaffFactory(centres=[bad_case().centre])
    street_staff = StreetStaffFactory(area=case.street)

    assert cases_remind_due_soon(now=at(28, 16, 0)) == 0  # due tomorrow: not yet
    assert cases_remind_due_soon(now=at(29)) == 1
    assert cases_remind_due_soon(now=at(29, 12, 0)) == 0  # once

    (text,) = texts(staff)
    assert text.startswith(f"Reminder: call back the resident who rated {case.centre.name} badly by ")
    assert "29" in text and "23:59" in text
    assert texts(other_centre_staff) == texts(street_staff) == []
    message = Notification.objects.get(recipient=staff)
    assert message.url == f"/en/staff/ratings/cases/{case.pk}/"  # the case's page, in their language


def test_a_call_back_recorded_or_overdue_is_not_reminded(case):
    staff = CentreStaffFactory(centres=[case.centre])
    case_record_callback(case=case, by=staff, note="已电话回访", now=at(28, 17, 0))
    assert cases_remind_due_soon(now=at(29)) == 0

    late = bad_case(case.centre, opened_at=at(27, 9, 0), callback_due_at=at(28, 23, 59))
    assert cases_remind_due_soon(now=at(29)) == 0  # overdue is the escalation's business
    assert late.status == RectificationCase.Status.AWAITING_CALLBACK


def test_a_reply_is_reminded_two_working_days_before_across_the_holiday(case):
    staff = CentreStaffFactory(centres=[case.centre])
    case_record_callback(case=case, by=staff, note="已电话回访", now=at(28, 17, 0))
    # The reply is due Mon 12 Oct. On Thu 8 Oct the next two working days are Fri 9 and
    # the make-up Saturday 10 Oct: too early. On Fri 9 Oct: Sat 10 and Mon 12 Oct, due.
    # On Wed 30 Sep the holiday (1–7 Oct) makes them 8 and 9 Oct: not yet either.
    assert cases_remind_due_soon(now=at(30)) == 0
    assert cases_remind_due_soon(now=at(8, month=10)) == 0
    assert cases_remind_due_soon(now=at(9, month=10)) == 1
    assert cases_remind_due_soon(now=at(10, month=10)) == 0

    (text,) = texts(staff)
    assert text.startswith(f"Reminder: the rectification reply to a bad rating of {case.centre.name} is due by ")


def test_replied_and_withdrawn_cases_are_not_reminded(case):
    CentreStaffFactory(centres=[case.centre])
    RectificationCase.objects.filter(pk=case.pk).update(status=RectificationCase.Status.REPLIED)
    withdrawn = bad_case(
        case.centre,
        opened_at=at(28, 15, 0),
        callback_due_at=at(29, 23, 59),
        reply_due_at=at(12, 23, 59, month=10),
        status=RectificationCase.Status.WITHDRAWN,
    )
    assert cases_remind_due_soon(now=at(29)) == 0
    assert cases_remind_due_soon(now=at(9, month=10)) == 0
    assert withdrawn.pk != case.pk


def test_a_case_due_today_for_both_gets_both_reminders(case):
    staff = CentreStaffFactory(centres=[case.centre])
    RectificationCase.objects.filter(pk=case.pk).update(reply_due_at=at(30, 23, 59))

    assert cases_remind_due_soon(now=at(29)) == 2
    assert len(texts(staff)) == 2


def test_the_beat_reminds_each_morning(settings, case):
    entry = settings.CELERY_BEAT_SCHEDULE["remind-rating-cases-due-soon"]
    assert entry["task"] == tasks.remind_cases_due_soon.name == "ratings.tasks.remind_cases_due_soon"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({8}, {30})
    assert tasks.remind_cases_due_soon.apply().get() == 0  # nothing is due at the real now
