"""Role × action: who may record the call-back, reply, appeal and decide an appeal, in the
services (refused, nothing changed) and on the pages (404, nothing changed)."""

import pytest

from ratings.cases import CaseRefused, case_appeal, case_appeal_decide, case_record_callback, case_reply
from ratings.models import RectificationCase

from .case_factories import bad_case, people_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status, Appeal = RectificationCase.Status, RectificationCase.Appeal
ROLES = ["centre_staff", "other_centre_staff", "street_staff", "district_staff", "other_district_staff", "resident"]
ANSWER = "Only the staff of this centre can answer its rectification cases."
DECIDE = "Only the staff of this centre's district can decide its appeals."

# action: (status and appeal the case needs, the service call, the roles allowed, refusal)
ACTIONS = {
    "callback": ({}, lambda case, by: case_record_callback(case=case, by=by, note="已回访"), {"centre_staff"}, ANSWER),
    "reply": (
        {"status": Status.AWAITING_REPLY},
        lambda case, by: case_reply(case=case, by=by, reply="已整改"),
        {"centre_staff"},
        ANSWER,
    ),
    "appeal": ({}, lambda case, by: case_appeal(case=case, by=by, reason="恶意差评"), {"centre_staff"}, ANSWER),
    "decide": (
        {"appeal": Appeal.PENDING, "appeal_reason": "恶意差评"},
        lambda case, by: case_appeal_decide(case=case, by=by, upheld=True, note="查实"),
        {"district_staff"},
        DECIDE,
    ),
}
PAGE_FIELDS = {
    "callback": {"c{pk}-note": "已回访"},
    "reply": {"r{pk}-reply": "已整改"},
    "appeal": {"a{pk}-reason": "恶意差评"},
    "decide": {"d{pk}-upheld": "yes", "d{pk}-note": "查实"},
}


def snapshot(case):
    return RectificationCase.objects.filter(pk=case.pk).values().get()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_service_matrix(action, role):
    fields, call, allowed, refusal = ACTIONS[action]
    case = bad_case(**fields)
    person = people_of(case.centre)[role]
    before = snapshot(case)

    if role in allowed:
        call(case, person)
        assert snapshot(case) != before
    else:
        with pytest.raises(CaseRefused) as caught:
            call(case, person)
        assert (caught.value.code, caught.value.messages) == ("not_allowed", [refusal])
        assert snapshot(case) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_page_matrix(client, action, role):
    fields, _call, allowed, _refusal = ACTIONS[action]
    case = bad_case(**fields)
    client.force_login(people_of(case.centre)[role])
    before = snapshot(case)
    data = {key.format(pk=case.pk): value for key, value in PAGE_FIELDS[action].items()}

    response = client.post(f"/staff/ratings/cases/{case.pk}/{action}/", data)

    if role in allowed:
        assert response.status_code == 302
        assert response["Location"] == f"/staff/ratings/cases/{case.pk}/"
        assert snapshot(case) != before
    else:
        assert response.status_code == 404
        assert snapshot(case) == before


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("centre_staff", 200),
        ("other_centre_staff", 200),
        ("street_staff", 200),
        ("district_staff", 200),
        ("other_district_staff", 200),
        ("resident", 404),
    ],
)
def test_who_opens_the_ratings_page(client, role, status):
    case = bad_case()
    client.force_login(people_of(case.centre)[role])
    response = client.get("/staff/ratings/")
    assert response.status_code == status
    if status == 200:
        seen = f'id="case-{case.pk}"' in response.content.decode()
        assert seen is (role in {"centre_staff", "street_staff", "district_staff"})


@pytest.mark.parametrize(
    ("role", "status"),
    [("centre_staff", 404), ("street_staff", 404), ("district_staff", 200), ("resident", 404)],
)
def test_only_district_staff_open_the_deadlines(client, role, status):
    case = bad_case()
    client.force_login(people_of(case.centre)[role])
    assert client.get("/staff/ratings/rules/").status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/staff/ratings/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]
