"""The page of one rectification case and what the list shows of each: what was rated,
when, the aspects; the resident's phone in full only to the centre's staff while they owe
the call-back or the reply; a refused answer keeps its text; the open cases ordered by
escalation in SQL and paginated; fixed query counts."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.templatetags.portal_tags import when
from ratings.cases import case_record_callback, case_reply
from ratings.models import Level, Rating, RectificationCase
from tests.activities.factories import open_centre
from tests.portal.factories import CentreStaffFactory, DistrictStaffFactory, StreetStaffFactory, UserFactory

from .case_factories import bad_case, case_snapshot, people_of
from .factories import served_appointment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status, Escalation, Appeal = RectificationCase.Status, RectificationCase.Escalation, RectificationCase.Appeal
LIST = "/en/staff/ratings/"


def page_of(case) -> str:
    return f"/en/staff/ratings/cases/{case.pk}/"


def appointment_case(centre, *, resident=None) -> RectificationCase:
    """A bad rating of an appointment at ``centre`` (service 开具证明) and its case."""
    appointment = served_appointment(resident or UserFactory(), centre=centre)
    now = timezone.now()
    rating = Rating.objects.create(
        centre=centre, appointment=appointment, resident=appointment.resident, level=Level.DISSATISFIED
    )
    return RectificationCase.objects.create(
        rating=rating,
        centre=centre,
        street_id=centre.street_id,
        district_id=centre.district_id,
        callback_due_at=now + dt.timedelta(days=1),
        reply_due_at=now + dt.timedelta(days=21),
    )


def card_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="card card-body mb-3" id="case-(\d+)"', html)]


# Who opens the case page.


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("centre_staff", 200),
        ("other_centre_staff", 404),
        ("street_staff", 200),
        ("other_street_staff", 404),
        ("district_staff", 200),
        ("other_district_staff", 404),
        ("resident", 404),
    ],
)
def test_who_opens_the_case_page(client, role, status):
    case = bad_case()
    people = people_of(case.centre)
    other_street = open_centre().street
    assert other_street != case.street
    people["other_street_staff"] = StreetStaffFactory(area=other_street)
    client.force_login(people[role])

    assert client.get(page_of(case)).status_code == status


def test_a_forged_id_is_not_found(client):
    case = bad_case()
    client.force_login(CentreStaffFactory(centres=[case.centre]))
    assert client.get(f"/en/staff/ratings/cases/{case.pk + 1000}/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    case = bad_case()
    response = client.get(page_of(case))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_each_card_of_the_list_opens_its_case(client):
    case = bad_case()
    client.force_login(StreetStaffFactory(area=case.street))

    page = client.get(LIST).content.decode()

    link = reverse("ratings_staff:case", args=[case.pk])
    assert f'<a href="{link}" aria-describedby="case-{case.pk}-title">Open the case ›</a>' in page
    assert client.get(link).status_code == 200


# The resident's phone.


@pytest.mark.parametrize(
    ("role", "status", "full"),
    [
        ("centre_staff", Status.AWAITING_CALLBACK, True),
        ("centre_staff", Status.AWAITING_REPLY, True),
        ("centre_staff", Status.REPLIED, False),
        ("centre_staff", Status.WITHDRAWN, False),
        ("street_staff", Status.AWAITING_CALLBACK, False),
        ("district_staff", Status.AWAITING_CALLBACK, False),
        ("district_staff", Status.AWAITING_REPLY, False),
    ],
)
def test_the_full_phone_only_to_the_centre_while_it_owes_an_answer(client, role, status, full):
    resident = UserFactory(name="王小明", phone="13812345678")
    case = bad_case(resident=resident, status=status)
    client.force_login(people_of(case.centre)[role])

    page = client.get(page_of(case)).content.decode()

    assert ('<a href="tel:13812345678">13812345678</a>' in page) is full
    assert ("13812345678" in page) is full
    assert ("王小明" in page) is full
    assert ("王** · 138****5678" in page) is not full


def test_the_list_stays_masked_for_the_centre(client):
    case = bad_case(resident=UserFactory(name="王小明", phone="13812345678"))
    client.force_login(CentreStaffFactory(centres=[case.centre]))

    page = client.get(LIST).content.decode()

    assert "王** 138****5678" in page
    assert "13812345678" not in page
    assert "tel:" not in page


# What the case is about.


def test_the_case_page_says_what_was_rated_when_and_how(client):
    case = bad_case()
    rating = case.rating
    Rating.objects.filter(pk=rating.pk).update(attitude=Level.VERY_DISSATISFIED, timeliness=Level.DISSATISFIED)
    case.rating.refresh_from_db()
    client.force_login(CentreStaffFactory(centres=[case.centre]))

    page = client.get(page_of(case)).content.decode()

    booking = rating.booking
    assert f'<span class="fw-bold">{booking.activity.title}</span>' in page
    starts_at = timezone.localtime(booking.starts_at)
    assert f'<time datetime="{starts_at.isoformat()}">{when(starts_at)}</time>' in page
    assert "Staff attitude: Very dissatisfied" in page
    assert "Timeliness: Dissatisfied" in page
    assert "Environment:" not in page
    assert "Content of the service:" not in page
    assert "等了很久没人管" in page
    assert when(case.callback_due_at) in page and when(case.reply_due_at) in page


def test_the_case_page_shows_the_answers_and_the_appeal(client):
    case = bad_case(appeal=Appeal.PENDING, appeal_reason="恶意差评，从未到场")
    staff = CentreStaffFactory(centres=[case.centre], name="李站长")
    case_record_callback(case=case, by=staff, note="居民表示理解")
    case_reply(case=case, by=staff, reply="已增加周末人手")
    RectificationCase.objects.filter(pk=case.pk).update(
        escalated_to=Escalation.STREET, escalated_at=timezone.now() - dt.timedelta(days=1)
    )
    client.force_login(DistrictStaffFactory(area=case.district))

    page = client.get(page_of(case)).content.decode()

    for text in ("居民表示理解", "已增加周末人手", "李站长", "恶意差评，从未到场", "Escalated to: Street / town ("):
        assert text in page
    assert f'action="/en/staff/ratings/cases/{case.pk}/decide/"' in page
    assert "/reply/" not in page and "/callback/" not in page


def test_the_list_and_the_table_say_what_was_rated_and_when(client):
    case = bad_case()
    Rating.objects.filter(pk=case.rating_id).update(environment=Level.DISSATISFIED)
    served = appointment_case(case.centre)
    client.force_login(CentreStaffFactory(centres=[case.centre]))

    page = client.get(LIST).content.decode()

    booking, appointment = case.rating.booking, served.rating.appointment
    for title, starts_at in ((booking.activity.title, booking.starts_at), ("开具证明", appointment.starts_at)):
        time = f'<time datetime="{timezone.localtime(starts_at).isoformat()}">{when(starts_at)}</time>'
        shown = f'<span class="fw-bold">{title}</span> · {time}'
        assert page.count(shown) == 2  # the case's card and the ratings table
    assert page.count("Environment: Dissatisfied") == 2
    assert "Staff attitude:" not in page


# Refused answers keep their text.


def test_a_reply_before_the_call_back_keeps_the_text_and_changes_nothing(client):
    case = bad_case()
    client.force_login(CentreStaffFactory(centres=[case.centre]))
    before = case_snapshot(case)

    response = client.post(f"/en/staff/ratings/cases/{case.pk}/reply/", {f"r{case.pk}-reply": "已整改：增加了人手"})

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["Call the resident back and record it before replying."]
    page = response.content.decode()
    assert ">\n已整改：增加了人手</textarea>" in page
    assert response.context["forms"]["reply"].data[f"r{case.pk}-reply"] == "已整改：增加了人手"
    assert case_snapshot(case) == before


def test_a_reply_after_a_colleague_replied_keeps_the_text(client):
    case = bad_case(status=Status.AWAITING_REPLY, called_back_at=timezone.now(), callback_note="居民表示理解")
    colleague = CentreStaffFactory(centres=[case.centre])
    client.force_login(CentreStaffFactory(centres=[case.centre]))
    page = client.get(page_of(case)).content.decode()
    assert f'action="/en/staff/ratings/cases/{case.pk}/reply/"' in page
    case_reply(case=case, by=colleague, reply="同事的答复")
    before = case_snapshot(case)

    response = client.post(f"/en/staff/ratings/cases/{case.pk}/reply/", {f"r{case.pk}-reply": "我的答复"})

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["This case is already replied to or closed."]
    page = response.content.decode()
    assert ">\n我的答复</textarea>" in page
    assert "同事的答复" in page  # the case as it is now
    assert case_snapshot(case) == before


def test_an_empty_call_back_shows_the_error_on_the_page(client):
    case = bad_case()
    client.force_login(CentreStaffFactory(centres=[case.centre]))
    before = case_snapshot(case)

    response = client.post(f"/en/staff/ratings/cases/{case.pk}/callback/", {f"c{case.pk}-note": ""})

    assert response.status_code == 200
    assert response.context["forms"]["callback"].errors == {"note": ["This field is required."]}
    assert [str(m) for m in response.context["messages"]] == ["Nothing was saved. Please correct the form below."]
    assert case_snapshot(case) == before


def test_a_refused_appeal_keeps_its_reason_open(client):
    case = bad_case(appeal=Appeal.REJECTED, appeal_reason="第一次申诉")
    client.force_login(CentreStaffFactory(centres=[case.centre]))
    before = case_snapshot(case)

    response = client.post(f"/en/staff/ratings/cases/{case.pk}/appeal/", {f"a{case.pk}-reason": "再次申诉的理由"})

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "This rating has already been appealed; a rating can be appealed only once."
    ]
    assert '<details class="mb-2" open>' in response.content.decode()
    assert ">\n再次申诉的理由</textarea>" in response.content.decode()
    assert case_snapshot(case) == before


def test_a_decision_without_a_reason_keeps_the_choice(client):
    case = bad_case(appeal=Appeal.PENDING, appeal_reason="恶意差评")
    client.force_login(DistrictStaffFactory(area=case.district))
    before = case_snapshot(case)

    response = client.post(f"/en/staff/ratings/cases/{case.pk}/decide/", {f"d{case.pk}-upheld": "yes"})

    assert response.status_code == 200
    assert response.context["forms"]["decide"].errors == {"note": ["This field is required."]}
    radios = re.findall(rf'<input type="radio"[^>]*name="d{case.pk}-upheld"[^>]*>', response.content.decode())
    assert [("checked" in radio) for radio in radios] == [True, False]  # uphold, reject
    assert case_snapshot(case) == before


def test_an_answer_done_goes_back_to_the_case_with_a_message(client):
    case = bad_case()
    client.force_login(CentreStaffFactory(centres=[case.centre]))

    response = client.post(f"/en/staff/ratings/cases/{case.pk}/callback/", {f"c{case.pk}-note": "已回访"})

    assert (response.status_code, response["Location"]) == (302, f"/en/staff/ratings/cases/{case.pk}/")
    case.refresh_from_db()
    assert (case.status, case.callback_note) == (Status.AWAITING_REPLY, "已回访")


# Order and pages.


def test_open_cases_come_by_escalation_then_call_back_deadline(client):
    now = timezone.now()
    centre = open_centre()

    def due_in(hours, escalated_to):
        return bad_case(centre, callback_due_at=now + dt.timedelta(hours=hours), escalated_to=escalated_to)

    centre_soon = due_in(1, Escalation.CENTRE)
    street_late = due_in(9, Escalation.STREET)
    district_late = due_in(8, Escalation.DISTRICT)
    street_soon = due_in(2, Escalation.STREET)
    district_soon = due_in(3, Escalation.DISTRICT)
    centre_late = due_in(4, Escalation.CENTRE)
    client.force_login(DistrictStaffFactory(area=centre.district))

    page = client.get(LIST).content.decode()

    assert card_ids(page) == [
        case.pk for case in (district_soon, district_late, street_soon, street_late, centre_soon, centre_late)
    ]


def test_open_cases_are_paginated_and_counted_in_full(client):
    first = bad_case()
    centres = [first.centre, open_centre(area=first.centre.area), open_centre(area=first.centre.area)]
    for index in range(51):
        bad_case(centres[index % 3], escalated_to=Escalation.STREET if index == 50 else Escalation.CENTRE)
    bad_case(centres[0], status=Status.REPLIED)  # not open
    client.force_login(StreetStaffFactory(area=first.street))

    first_page = client.get(LIST).content.decode()
    second_page = client.get(f"{LIST}?page=2").content.decode()

    for page in (first_page, second_page):
        assert "52 open rectification cases</h2>" in page
        assert '<nav aria-label="Pages of open cases">' in page
    assert len(card_ids(first_page)) == 50 and len(card_ids(second_page)) == 2
    assert 'href="?page=2#cases-heading">Next</a>' in first_page
    assert 'href="?page=1#cases-heading">Previous</a>' in second_page
    assert len(set(card_ids(first_page)) | set(card_ids(second_page))) == 52
    assert card_ids(first_page)[0] == RectificationCase.objects.get(escalated_to=Escalation.STREET).pk


def test_no_pagination_for_one_page(client):
    case = bad_case()
    client.force_login(CentreStaffFactory(centres=[case.centre]))
    page = client.get(LIST).content.decode()
    assert "1 open rectification case</h2>" in page
    assert "Pages of open cases" not in page


# Queries.

# As measured with one case: the user, the page's own reads, the unread messages' count.
LIST_QUERIES = 9
CASE_QUERIES = 4


def twenty_nine_more(centre, second) -> None:
    """29 more cases at ``centre`` and ``second``: sessions and appointments, escalated, appealed."""
    for index in range(29):
        where = centre if index % 2 else second
        if index % 5 == 0:
            appointment_case(where)
        else:
            case = bad_case(
                where,
                escalated_to=[Escalation.CENTRE, Escalation.STREET, Escalation.DISTRICT][index % 3],
                appeal=Appeal.PENDING if index % 4 == 0 else Appeal.NONE,
                appeal_reason="恶意差评" if index % 4 == 0 else "",
            )
            Rating.objects.filter(pk=case.rating_id).update(attitude=Level.DISSATISFIED)


@pytest.mark.parametrize("role", ["centre", "street", "district"])
def test_the_list_costs_the_same_queries_for_one_case_and_thirty(client, django_assert_max_num_queries, role):
    case = bad_case()
    second = open_centre(area=case.centre.area)
    person = {
        "centre": lambda: CentreStaffFactory(centres=[case.centre, second]),
        "street": lambda: StreetStaffFactory(area=case.street),
        "district": lambda: DistrictStaffFactory(area=case.district),
    }[role]()
    client.force_login(person)
    client.get(LIST)  # the session and the caches warmed, as for any later page

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(LIST)
    assert len(card_ids(response.content.decode())) == 1

    twenty_nine_more(case.centre, second)

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(LIST)
    assert len(card_ids(response.content.decode())) == 30


@pytest.mark.parametrize("role", ["centre", "district"])
def test_the_case_page_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries, role):
    case = bad_case(appeal=Appeal.PENDING, appeal_reason="恶意差评")
    staff = CentreStaffFactory(centres=[case.centre])
    case_record_callback(case=case, by=staff, note="居民表示理解")
    twenty_nine_more(case.centre, open_centre(area=case.centre.area))
    client.force_login(staff if role == "centre" else DistrictStaffFactory(area=case.district))
    client.get(page_of(case))

    with django_assert_max_num_queries(CASE_QUERIES):
        response = client.get(page_of(case))
    assert response.status_code == 200


def test_opening_an_answer_address_goes_to_the_case_page(client):
    """The language switch on a refused answer's page links to the address it was sent to."""
    case = bad_case()
    client.force_login(StreetStaffFactory(area=case.street))

    response = client.get(f"/en/staff/ratings/cases/{case.pk}/reply/")

    assert (response.status_code, response["Location"]) == (302, page_of(case))
    client.force_login(StreetStaffFactory(area=open_centre().street))
    assert client.get(f"/en/staff/ratings/cases/{case.pk}/reply/").status_code == 404
