"""The staff ratings page: residents masked, overdue deadlines in red and in words, the
per-centre rates, forms that call the services, fixed query counts; the deadlines page."""

import datetime as dt

import pytest
from django.utils import timezone

from ratings.case_selectors import CentreRates, centre_rating_rates, mask_name, mask_phone
from ratings.models import Level, RatingPolicy, RectificationCase
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory, StreetStaffFactory, UserFactory

from .case_factories import bad_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status = RectificationCase.Status


def test_masks():
    assert (mask_name("王小明"), mask_phone("13812345678")) == ("王**", "138****5678")


def test_the_resident_is_masked_on_the_page(client):
    resident = UserFactory(name="王小明", phone="13812345678")
    case = bad_case(resident=resident)
    client.force_login(CentreStaffFactory(centres=[case.centre]))

    page = client.get("/en/staff/ratings/").content.decode()

    assert "王** 138****5678" in page
    assert "王小明" not in page
    assert "13812345678" not in page


def test_an_overdue_call_back_is_red_and_says_so(client):
    now = timezone.now()
    case = bad_case(opened_at=now - dt.timedelta(days=3), callback_due_at=now - dt.timedelta(hours=1))
    client.force_login(CentreStaffFactory(centres=[case.centre]))

    page = client.get("/en/staff/ratings/").content.decode()

    assert '<li class="text-danger fw-bold">Call-back due' in page
    assert page.count("— overdue") == 1


def test_recording_the_call_back_from_the_page(client):
    case = bad_case()
    client.force_login(CentreStaffFactory(centres=[case.centre]))

    response = client.post(
        f"/en/staff/ratings/cases/{case.pk}/callback/", {f"c{case.pk}-note": "居民表示理解"}, follow=True
    )

    case.refresh_from_db()
    assert (case.status, case.callback_note) == (Status.AWAITING_REPLY, "居民表示理解")
    assert [str(m) for m in response.context["messages"]] == [
        "The call-back is recorded. The rectification reply is due next."
    ]


def test_a_refusal_is_shown_on_the_page(client):
    case = bad_case()
    client.force_login(CentreStaffFactory(centres=[case.centre]))

    response = client.post(f"/en/staff/ratings/cases/{case.pk}/reply/", {f"r{case.pk}-reply": "已整改"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Call the resident back and record it before replying."]
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CALLBACK


def test_deciding_an_appeal_from_the_page(client):
    case = bad_case(appeal=RectificationCase.Appeal.PENDING, appeal_reason="恶意差评")
    client.force_login(DistrictStaffFactory(area=case.district))
    assert f'action="/en/staff/ratings/cases/{case.pk}/decide/"' in client.get("/en/staff/ratings/").content.decode()

    client.post(
        f"/en/staff/ratings/cases/{case.pk}/decide/", {f"d{case.pk}-upheld": "no", f"d{case.pk}-note": "证据不足"}
    )

    case.refresh_from_db()
    assert (case.appeal, case.status) == (RectificationCase.Appeal.REJECTED, Status.AWAITING_CALLBACK)


def test_rates_per_centre():
    now = timezone.now()
    first = bad_case(opened_at=now - dt.timedelta(days=3), callback_due_at=now - dt.timedelta(days=2))
    centre = first.centre
    RectificationCase.objects.filter(pk=first.pk).update(called_back_at=now - dt.timedelta(days=2, hours=1))
    late = bad_case(centre, opened_at=now - dt.timedelta(days=3), callback_due_at=now - dt.timedelta(days=2))
    RectificationCase.objects.filter(pk=late.pk).update(called_back_at=now - dt.timedelta(days=1))
    malicious = bad_case(centre, status=Status.WITHDRAWN)
    type(malicious.rating).objects.filter(pk=malicious.rating_id).update(is_excluded=True)
    good = bad_case(centre)  # a good rating: no case
    type(good.rating).objects.filter(pk=good.rating_id).update(level=Level.SATISFIED)
    good.delete()

    rates = centre_rating_rates([centre.pk])

    assert rates == {
        centre.pk: CentreRates(
            ratings=3,
            bad=2,
            cases=2,
            callback_due=2,
            reply_due=0,
            called_back=2,
            called_back_on_time=1,
            replied=0,
            replied_on_time=0,
        )
    }
    assert (rates[centre.pk].bad_rate, rates[centre.pk].callback_on_time_rate, rates[centre.pk].reply_on_time_rate) == (
        66.7,
        50.0,
        None,
    )


def test_the_rates_on_the_page(client):
    case = bad_case()
    client.force_login(CentreStaffFactory(centres=[case.centre]))
    page = client.get("/en/staff/ratings/").content.decode()
    assert f'<tr id="rates-{case.centre_id}">' in page
    assert "<td>100.0% (1)</td>" in page


@pytest.mark.parametrize("role", ["centre", "street", "district"])
def test_the_page_costs_the_same_queries_for_more_cases(client, django_assert_max_num_queries, role):
    case = bad_case()
    person = {
        "centre": lambda: CentreStaffFactory(centres=[case.centre]),
        "street": lambda: StreetStaffFactory(area=case.street),
        "district": lambda: DistrictStaffFactory(area=case.district),
    }[role]()
    client.force_login(person)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/en/staff/ratings/")
    for _ in range(4):
        bad_case(case.centre, appeal=RectificationCase.Appeal.PENDING, appeal_reason="恶意差评")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/en/staff/ratings/")
    assert response.content.decode().count('class="card card-body mb-3" id="case-') == 5


def test_district_staff_set_the_deadlines(client):
    case = bad_case()
    client.force_login(DistrictStaffFactory(area=case.district))

    response = client.post("/en/staff/ratings/rules/", {"callback_working_days": 2, "reply_working_days": 10})

    assert response.status_code == 302
    policy = RatingPolicy.objects.get(district=case.district)
    assert (policy.callback_working_days, policy.reply_working_days) == (2, 10)


def test_a_call_back_due_after_the_reply_is_refused(client):
    case = bad_case()
    client.force_login(DistrictStaffFactory(area=case.district))

    response = client.post("/en/staff/ratings/rules/", {"callback_working_days": 5, "reply_working_days": 3})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The call-back cannot be due after the rectification reply."]
    assert not RatingPolicy.objects.filter(district=case.district, reply_working_days=3).exists()
