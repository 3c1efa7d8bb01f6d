"""Two staff answering the same case at once: the row lock lets one through; the other is
refused, and the resident is told once. The control without the lock shows the race."""

import threading

import pytest
from django.db import connection

from portal.models import Notification
from ratings import cases
from ratings.cases import CaseRefused, case_record_callback, case_reply
from ratings.models import RectificationCase
from tests.portal.factories import CentreStaffFactory

from .case_factories import bad_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]

THREADS = 6


def race(case, staff):
    barrier = threading.Barrier(THREADS)
    results = []

    def reply(n):
        try:
            barrier.wait()
            case_reply(case=RectificationCase.objects.get(pk=case.pk), by=staff, reply=f"整改{n}")
            results.append("ok")
        except CaseRefused as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=reply, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def case_messages(case):
    return Notification.objects.filter(recipient=case.rating.resident, kind=Notification.Kind.CASE).count()


def test_one_reply_wins_and_the_resident_is_told_once():
    case = bad_case()
    staff = CentreStaffFactory(centres=[case.centre])
    case_record_callback(case=case, by=staff, note="已回访")

    results = race(case, staff)

    assert sorted(results) == ["not_awaiting_reply"] * (THREADS - 1) + ["ok"]
    assert case_messages(case) == 1


def test_control_without_the_lock_lets_several_through(monkeypatch):
    case = bad_case()
    staff = CentreStaffFactory(centres=[case.centre])
    case_record_callback(case=case, by=staff, note="已回访")
    import time

    def unlocked(case):
        fresh = RectificationCase.objects.get(pk=case.pk)
        time.sleep(0.2)  # every thread reads before any writes
        return fresh

    monkeypatch.setattr(cases, "_locked", unlocked)

    results = race(case, staff)

    assert results.count("ok") > 1
