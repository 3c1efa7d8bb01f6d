"""Family members on a resident's profile: the rules of ``bookings.family`` and the
pages under /bookings/family/. Another resident's family member is a 404 and stays as
it was; a family member with a booking to come cannot be removed."""

import datetime as dt

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils import timezone

from bookings.family import MAX_FAMILY_MEMBERS, dependant_delete, dependant_save, family_of
from bookings.models import Booking, Dependant, Place
from tests.activities.factories import ActivityFactory, next_weekday, open_centre, session
from tests.portal.factories import CentreStaffFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def years_ago(years: int, *, days: int = 0) -> dt.date:
    """The date ``years`` years before today, less ``days`` days."""
    today = timezone.localdate()
    try:
        date = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        date = today.replace(year=today.year - years, day=28)
    return date - dt.timedelta(days=days)


@pytest.fixture
def mother():
    return UserFactory(phone="13900000001", name="王丽")


@pytest.fixture
def neighbour():
    return UserFactory(phone="13900000002", name="李强")


@pytest.fixture
def xiaoming(mother):
    return Dependant.objects.create(
        guardian=mother, name="小明", birth_date=years_ago(7, days=30), relation="child", collectors="外婆 张兰"
    )


@pytest.fixture
def occurrence():
    centre = open_centre(name="圣湖社区党群服务中心", slug="shenghu")
    return session(ActivityFactory(centre=centre, title="四点半课堂"), date=next_weekday(2))


def book(dependant, occurrence, *, status="confirmed", code="K7M2P9Q4", ends_at=None):
    """A booking row for ``dependant`` at ``occurrence`` holding its place (``ends_at`` moves its end)."""
    booking = Booking.objects.create(
        occurrence=occurrence,
        activity=occurrence.activity,
        centre=occurrence.centre,
        starts_at=occurrence.starts_at if ends_at is None else ends_at - dt.timedelta(hours=1),
        ends_at=occurrence.ends_at if ends_at is None else ends_at,
        resident=dependant.guardian,
        dependant=dependant,
        person_name=dependant.name,
        status=status,
        code=code,
    )
    Place.objects.create(booking=booking, occurrence=occurrence, is_held=status in ("offered", "confirmed"))
    return booking


def snapshot(dependant):
    row = Dependant.objects.filter(pk=dependant.pk).values("guardian", "name", "birth_date", "relation", "collectors")
    return list(row)


def field_messages(exc: ValidationError) -> dict:
    return {field: [str(message) for message in errors] for field, errors in exc.message_dict.items()}


# Services ------------------------------------------------------------------------------


def test_a_child_is_added_with_name_trimmed_and_collectors_kept(mother):
    born = years_ago(7, days=30)

    child = dependant_save(
        guardian=mother, name="  小明 ", birth_date=born, relation="child", collectors=" 外婆 张兰，爸爸 李军 "
    )

    assert snapshot(child) == [
        {
            "guardian": mother.pk,
            "name": "小明",
            "birth_date": born,
            "relation": "child",
            "collectors": "外婆 张兰，爸爸 李军",
        }
    ]


def test_collectors_are_not_kept_for_an_elder(mother):
    elder = dependant_save(
        guardian=mother, name="王奶奶", birth_date=years_ago(80), relation="elder", collectors="外孙 小明"
    )

    assert elder.collectors == ""
    assert Dependant.objects.get(pk=elder.pk).collectors == ""


def test_collectors_are_cleared_when_a_child_becomes_another_family_member(mother, xiaoming):
    dependant_save(
        guardian=mother,
        dependant=xiaoming,
        name="小明",
        birth_date=xiaoming.birth_date,
        relation="other",
        collectors="外婆 张兰",
    )

    assert Dependant.objects.get(pk=xiaoming.pk).collectors == ""


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"name": "   "}, {"name": ["Enter the family member's name."]}),
        ({"name": "张" * 31}, {"name": ["Keep the name to 30 characters or fewer."]}),
        ({"birth_date": "tomorrow"}, {"birth_date": ["The date of birth cannot be in the future."]}),
        ({"birth_date": "121 years"}, {"birth_date": ["Check the date of birth: it is more than 120 years ago."]}),
        ({"birth_date": None}, {"birth_date": ["Enter the date of birth."]}),
        ({"relation": "cousin"}, {"relation": ["Choose how this person is related to you."]}),
        ({"collectors": "妈" * 201}, {"collectors": ["Keep this to 200 characters or fewer."]}),
        (
            {"name": "", "birth_date": "tomorrow"},
            {"name": ["Enter the family member's name."], "birth_date": ["The date of birth cannot be in the future."]},
        ),
    ],
)
def test_bad_details_are_refused_by_field_and_nothing_is_saved(mother, fields, errors):
    dates = {
        "tomorrow": timezone.localdate() + dt.timedelta(days=1),
        "121 years": years_ago(120, days=1),
        None: None,
    }
    values = {"name": "小明", "birth_date": years_ago(7), "relation": "child", "collectors": ""} | fields
    if "birth_date" in fields:
        values["birth_date"] = dates[fields["birth_date"]]

    with pytest.raises(ValidationError) as refused:
        dependant_save(guardian=mother, **values)

    assert field_messages(refused.value) == errors
    assert Dependant.objects.count() == 0


def test_born_today_and_exactly_120_years_ago_are_accepted(mother):
    baby = dependant_save(guardian=mother, name="囡囡", birth_date=timezone.localdate(), relation="child")
    eldest = dependant_save(guardian=mother, name="太奶奶", birth_date=years_ago(120), relation="elder")

    assert (baby.age_on(timezone.localdate()), eldest.age_on(timezone.localdate())) == (0, 120)


def test_the_eleventh_family_member_is_refused(mother, neighbour):
    for n in range(MAX_FAMILY_MEMBERS):
        dependant_save(guardian=mother, name=f"孩子{n}", birth_date=years_ago(5 + n), relation="child")

    with pytest.raises(ValidationError) as refused:
        dependant_save(guardian=mother, name="第十一个", birth_date=years_ago(3), relation="child")

    assert field_messages(refused.value) == {
        NON_FIELD_ERRORS: ["You can add at most 10 family members. Remove one you no longer book for first."]
    }
    assert Dependant.objects.filter(guardian=mother).count() == 10
    dependant_save(guardian=neighbour, name="邻居孩子", birth_date=years_ago(3), relation="child")
    assert Dependant.objects.filter(guardian=neighbour).count() == 1


def test_a_full_family_can_still_change_its_members(mother):
    members = [
        dependant_save(guardian=mother, name=f"孩子{n}", birth_date=years_ago(5 + n), relation="child")
        for n in range(MAX_FAMILY_MEMBERS)
    ]

    changed = dependant_save(
        guardian=mother, dependant=members[0], name="大宝", birth_date=members[0].birth_date, relation="child"
    )

    assert (changed.pk, Dependant.objects.get(pk=members[0].pk).name) == (members[0].pk, "大宝")


def test_changing_a_removed_family_member_is_refused_and_does_not_bring_it_back(mother, xiaoming):
    stale = Dependant.objects.get(pk=xiaoming.pk)
    xiaoming.delete()

    with pytest.raises(ValidationError) as refused:
        dependant_save(guardian=mother, dependant=stale, name="小明", birth_date=stale.birth_date, relation="child")

    assert field_messages(refused.value) == {NON_FIELD_ERRORS: ["This family member has already been removed."]}
    assert Dependant.objects.count() == 0


def test_another_residents_family_member_cannot_be_changed_or_removed(mother, neighbour, xiaoming):
    before = snapshot(xiaoming)

    with pytest.raises(ValueError, match="belongs to another resident"):
        dependant_save(guardian=neighbour, dependant=xiaoming, name="改名", birth_date=years_ago(3), relation="child")
    with pytest.raises(ValueError, match="belongs to another resident"):
        dependant_delete(guardian=neighbour, dependant=xiaoming)

    assert snapshot(xiaoming) == before


@pytest.mark.parametrize("status", ["waiting", "offered", "confirmed"])
def test_removal_is_refused_while_a_booking_is_to_come(mother, xiaoming, occurrence, status):
    booking = book(xiaoming, occurrence, status=status)
    before = snapshot(xiaoming)

    with pytest.raises(ValidationError) as refused:
        dependant_delete(guardian=mother, dependant=xiaoming)

    assert field_messages(refused.value) == {
        "dependant": ["小明 still has 1 booking to come. Cancel it first, then remove 小明."]
    }
    assert snapshot(xiaoming) == before
    booking.refresh_from_db()
    assert (booking.dependant_id, booking.status) == (xiaoming.pk, status)


def test_removal_is_refused_while_a_booking_is_under_way(mother, xiaoming, occurrence):
    booking = book(xiaoming, occurrence, ends_at=timezone.now() + dt.timedelta(minutes=20))
    before = snapshot(xiaoming)

    with pytest.raises(ValidationError) as refused:
        dependant_delete(guardian=mother, dependant=xiaoming)

    assert field_messages(refused.value) == {
        "dependant": ["小明 still has 1 booking to come. Cancel it first, then remove 小明."]
    }
    assert snapshot(xiaoming) == before
    booking.refresh_from_db()
    assert (booking.dependant_id, booking.status) == (xiaoming.pk, "confirmed")


def test_removal_keeps_past_and_cancelled_bookings_with_the_name(mother, xiaoming, occurrence):
    past = book(xiaoming, occurrence, code="PAST2345", ends_at=timezone.now() - dt.timedelta(minutes=1))
    cancelled = book(xiaoming, occurrence, status="cancelled", code="CANC2345")

    dependant_delete(guardian=mother, dependant=xiaoming)

    assert not Dependant.objects.filter(pk=xiaoming.pk).exists()
    rows = Booking.objects.filter(pk__in=[past.pk, cancelled.pk]).order_by("code")
    assert list(rows.values_list("code", "dependant", "person_name", "resident")) == [
        ("CANC2345", None, "小明", mother.pk),
        ("PAST2345", None, "小明", mother.pk),
    ]


def test_family_of_lists_only_the_residents_own_oldest_first(mother, neighbour, xiaoming):
    grandma = Dependant.objects.create(guardian=mother, name="王奶奶", birth_date=years_ago(80), relation="elder")
    Dependant.objects.create(guardian=neighbour, name="邻居孩子", birth_date=years_ago(4), relation="child")

    assert list(family_of(mother)) == [grandma, xiaoming]


# Pages ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, xiaoming):
    for url in (
        reverse("bookings:family"),
        reverse("bookings:family_add"),
        reverse("bookings:family_edit", args=[xiaoming.pk]),
        reverse("bookings:family_delete", args=[xiaoming.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{reverse('portal:login')}?next={url}"


def test_the_list_shows_age_relation_and_collectors(client, mother, xiaoming, occurrence):
    Dependant.objects.create(guardian=mother, name="王奶奶", birth_date=years_ago(80, days=1), relation="elder")
    Dependant.objects.create(guardian=mother, name="囡囡", birth_date=years_ago(0, days=100), relation="child")
    book(xiaoming, occurrence)
    client.force_login(mother)

    response = client.get(reverse("bookings:family"))

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert html.index("王奶奶") < html.index("小明") < html.index("囡囡")
    assert "Elder in the household · 80 years old" in html
    assert "Child · 7 years old" in html
    assert "Child · under 1 year old" in html
    assert "<strong>Who may collect the child:</strong> 外婆 张兰" in html
    assert "<strong>Who may collect the child:</strong> nobody named yet" in html
    assert "1 booking to come" in html
    assert (
        f'href="{reverse("bookings:family_edit", args=[xiaoming.pk])}">'
        'Change details<span class="visually-hidden"> 小明</span>' in html
    )
    assert f'href="{reverse("bookings:family_add")}"' in html


def test_the_list_shows_nobody_elses_family(client, neighbour, xiaoming):
    client.force_login(neighbour)

    html = client.get(reverse("bookings:family")).content.decode()

    assert "小明" not in html
    assert "You have not added any family members yet." in html


def test_the_list_costs_the_same_queries_for_one_or_ten_members(
    client, mother, xiaoming, occurrence, django_assert_num_queries
):
    book(xiaoming, occurrence)
    client.force_login(mother)
    url = reverse("bookings:family")
    client.get(url)

    # The user, the family with their bookings to come, unread messages (the session is cached).
    with django_assert_num_queries(3):
        client.get(url)
    for n in range(MAX_FAMILY_MEMBERS - 1):
        Dependant.objects.create(guardian=mother, name=f"孩子{n}", birth_date=years_ago(3 + n), relation="child")
    with django_assert_num_queries(3):
        response = client.get(url)

    assert response.content.decode().count("years old") == 10
    assert "the most you can add" in response.content.decode()


def test_a_family_member_is_added_through_the_form(client, mother):
    client.force_login(mother)
    born = years_ago(72, days=3)

    response = client.post(
        reverse("bookings:family_add"),
        {"name": " 王爷爷 ", "birth_date": born.isoformat(), "relation": "elder", "collectors": "孙子"},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("bookings:family"), 302)]
    assert "王爷爷 has been added to your family." in response.content.decode()
    assert list(Dependant.objects.values_list("guardian", "name", "birth_date", "relation", "collectors")) == [
        (mother.pk, "王爷爷", born, "elder", "")
    ]


def test_the_form_has_a_date_input_and_plain_help(client, mother):
    client.force_login(mother)

    html = client.get(reverse("bookings:family_add")).content.decode()

    assert 'type="date" name="birth_date"' in html
    assert "Only the people named here may collect the child" in html


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        ("tomorrow", "The date of birth cannot be in the future."),
        ("2019-02-30", "Enter a valid date."),
        ("not a date", "Enter a valid date."),
    ],
)
def test_a_refused_form_keeps_what_was_typed(client, mother, birth_date, message):
    client.force_login(mother)
    if birth_date == "tomorrow":
        birth_date = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = client.post(
        reverse("bookings:family_add"),
        {"name": "小红", "birth_date": birth_date, "relation": "child", "collectors": "奶奶 陈芳"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'value="小红"' in html
    assert f'value="{birth_date}"' in html
    assert "奶奶 陈芳</textarea>" in html
    assert Dependant.objects.count() == 0


def test_the_eleventh_through_the_form_is_refused_with_a_message(client, mother):
    for n in range(MAX_FAMILY_MEMBERS):
        Dependant.objects.create(guardian=mother, name=f"孩子{n}", birth_date=years_ago(3 + n), relation="child")
    client.force_login(mother)

    response = client.post(
        reverse("bookings:family_add"), {"name": "小红", "birth_date": years_ago(2).isoformat(), "relation": "child"}
    )

    assert response.status_code == 200
    assert "You can add at most 10 family members." in response.content.decode()
    assert Dependant.objects.count() == 10


def test_a_family_member_is_changed_through_the_form(client, mother, xiaoming):
    client.force_login(mother)
    url = reverse("bookings:family_edit", args=[xiaoming.pk])
    page = client.get(url).content.decode()
    assert 'value="小明"' in page
    assert f'value="{xiaoming.birth_date.isoformat()}"' in page

    response = client.post(
        url,
        {"name": "李小明", "birth_date": years_ago(8).isoformat(), "relation": "child", "collectors": "爸爸 李军"},
    )

    assert response.status_code == 302
    assert snapshot(xiaoming) == [
        {
            "guardian": mother.pk,
            "name": "李小明",
            "birth_date": years_ago(8),
            "relation": "child",
            "collectors": "爸爸 李军",
        }
    ]


def test_another_residents_family_member_is_a_404_and_stays_as_it_was(client, neighbour, xiaoming):
    client.force_login(neighbour)
    before = snapshot(xiaoming)
    edit = reverse("bookings:family_edit", args=[xiaoming.pk])
    delete = reverse("bookings:family_delete", args=[xiaoming.pk])
    form = {"name": "改名", "birth_date": years_ago(3).isoformat(), "relation": "elder"}

    assert client.get(edit).status_code == 404
    assert client.post(edit, form).status_code == 404
    assert client.get(delete).status_code == 404
    assert client.post(delete).status_code == 404
    assert client.get(reverse("bookings:family_edit", args=[99999999])).status_code == 404
    assert snapshot(xiaoming) == before


def test_staff_can_keep_a_family_too(client):
    staff = CentreStaffFactory(phone="13900000009")
    client.force_login(staff)

    client.post(
        reverse("bookings:family_add"), {"name": "小宝", "birth_date": years_ago(5).isoformat(), "relation": "child"}
    )

    assert list(Dependant.objects.values_list("guardian", "name")) == [(staff.pk, "小宝")]


def test_removal_asks_first_then_removes(client, mother, xiaoming):
    client.force_login(mother)
    url = reverse("bookings:family_delete", args=[xiaoming.pk])

    page = client.get(url).content.decode()
    assert "Remove 小明 from your family?" in page
    assert Dependant.objects.filter(pk=xiaoming.pk).exists()

    response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("bookings:family"), 302)]
    assert "小明 has been removed from your family." in response.content.decode()
    assert not Dependant.objects.filter(pk=xiaoming.pk).exists()
    assert client.post(url).status_code == 404  # a second click


def test_removal_with_a_booking_to_come_is_refused_on_the_page(client, mother, xiaoming, occurrence):
    book(xiaoming, occurrence)
    client.force_login(mother)
    url = reverse("bookings:family_delete", args=[xiaoming.pk])

    page = " ".join(client.get(url).content.decode().split())
    assert "小明 still has 1 booking to come. Cancel it first, then remove 小明." in page
    assert "Yes, remove" not in page

    response = client.post(url)
    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert '<div class="alert alert-danger fs-5" role="alert"><p class="mb-0">小明 still has 1 booking to come.' in html
    assert Dependant.objects.filter(pk=xiaoming.pk).exists()
    assert Booking.objects.get(dependant=xiaoming).status == "confirmed"


def test_the_account_page_links_to_the_family(client, mother):
    client.force_login(mother)

    html = client.get(reverse("portal:account")).content.decode()

    assert f'href="{reverse("bookings:family")}">My family</a>' in html
    assert "You can then book activities for them too." in html
