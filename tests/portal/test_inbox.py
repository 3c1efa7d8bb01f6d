"""The inbox at /messages/: the user's own messages, newest first, 20 to a page; reading
the list marks nothing; "Open" marks one message read and follows its link when it is
a path on this site; "Mark all as read" marks what the page showed. The header shows how
many are unread, for one query, and only on pages that draw it."""

import datetime as dt

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal.context_processors import unread_messages
from portal.models import Notification
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident():
    return UserFactory(phone="13900000001", name="陈阿婆")


@pytest.fixture
def neighbour():
    return UserFactory(phone="13900000002", name="李强")


def message(recipient, text, *, minutes_ago=0, url="", read=False):
    created = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        recipient=recipient, text=text, url=url, created_at=created, read_at=created if read else None
    )


def unread(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("text", flat=True))


def squeeze(response) -> str:
    return " ".join(response.content.decode().split())


def test_anonymous_visitors_are_sent_to_log_in(client, resident):
    note = message(resident, "您的预约已确认。")
    for url in (reverse("portal:inbox"), reverse("portal:inbox_open", args=[note.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{reverse('portal:login')}?next={url}"
    assert unread(resident) == ["您的预约已确认。"]


def test_the_inbox_lists_own_messages_newest_first_and_marks_nothing_read(client, resident, neighbour):
    message(resident, "第一条：报名成功。", minutes_ago=30, read=True)
    message(resident, "第二条：候补转正。", minutes_ago=20)
    message(resident, "第三条：活动取消。", minutes_ago=10)
    message(neighbour, "邻居的消息。")
    client.force_login(resident)

    response = client.get(reverse("portal:inbox"))

    html = squeeze(response)
    assert response.status_code == 200
    assert html.index("第三条") < html.index("第二条") < html.index("第一条")
    assert "邻居的消息" not in html
    assert html.count("is-unread") == 2
    assert html.count('<span class="badge text-bg-warning fs-6 me-1">Unread</span>') == 2
    assert "You have 2 unread messages." in html
    assert sorted(unread(resident)) == ["第三条：活动取消。", "第二条：候补转正。"]


def test_the_header_shows_the_unread_count(client, resident):
    message(resident, "一", minutes_ago=2)
    message(resident, "二", minutes_ago=1)
    message(resident, "三", read=True)
    client.force_login(resident)

    html = squeeze(client.get(reverse("portal:account")))

    assert (
        f'<a class="nav-link" href="{reverse("portal:inbox")}" id="nav-messages">Messages '
        '<span class="badge rounded-pill text-bg-warning"><span aria-hidden="true">2</span>'
        '<span class="visually-hidden">2 unread</span></span></a>'
    ) in html


def test_the_header_shows_no_badge_when_all_is_read(client, resident):
    message(resident, "一", read=True)
    client.force_login(resident)

    html = squeeze(client.get(reverse("portal:account")))

    assert f'href="{reverse("portal:inbox")}" id="nav-messages">Messages</a>' in html
    assert "unread</span>" not in html


def test_visitors_see_no_messages_link(client):
    html = client.get(reverse("portal:login")).content.decode()

    assert 'id="nav-messages"' not in html


def test_twenty_to_a_page(client, resident):
    for n in range(25):
        message(resident, f"消息{n:02d}", minutes_ago=100 - n)
    client.force_login(resident)

    first = squeeze(client.get(reverse("portal:inbox")))
    second = squeeze(client.get(reverse("portal:inbox"), {"page": 2}))
    beyond = client.get(reverse("portal:inbox"), {"page": "9x"})

    assert [f"消息{n:02d}" in first for n in range(25)] == [False] * 5 + [True] * 20
    assert [f"消息{n:02d}" in second for n in range(25)] == [True] * 5 + [False] * 20
    assert "Page 2 of 2" in second
    assert beyond.status_code == 200
    assert [f"消息{n:02d}" in squeeze(beyond) for n in range(25)] == [False] * 5 + [True] * 20  # the first page


def test_mark_all_as_read(client, resident, neighbour):
    message(resident, "一", minutes_ago=2)
    message(resident, "二", minutes_ago=1)
    message(neighbour, "邻居的")
    client.force_login(resident)
    page = client.get(reverse("portal:inbox")).content.decode()
    newest = Notification.objects.filter(recipient=resident).latest("pk").pk
    assert f'<input type="hidden" name="up_to" value="{newest}">' in page

    response = client.post(reverse("portal:inbox_mark_all_read"), {"up_to": newest}, follow=True)

    assert response.redirect_chain == [(reverse("portal:inbox"), 302)]
    assert "Your messages are marked as read." in response.content.decode()
    assert unread(resident) == []
    assert unread(neighbour) == ["邻居的"]
    assert "Mark all as read" not in response.content.decode()


def test_a_message_that_arrived_after_the_page_stays_unread(client, resident):
    shown = message(resident, "看到的", minutes_ago=1)
    client.force_login(resident)
    message(resident, "刚到的")

    client.post(reverse("portal:inbox_mark_all_read"), {"up_to": shown.pk})

    assert unread(resident) == ["刚到的"]


@pytest.mark.parametrize("up_to", ["", "abc", "-1", "9" * 40])
def test_mark_all_with_a_malformed_mark_reads_all(client, resident, up_to):
    message(resident, "一")
    client.force_login(resident)

    response = client.post(reverse("portal:inbox_mark_all_read"), {"up_to": up_to})

    assert response.status_code == 302 and response.url == reverse("portal:inbox")
    assert unread(resident) == []


def test_mark_all_is_a_post_only(client, resident):
    message(resident, "一")
    client.force_login(resident)

    assert client.get(reverse("portal:inbox_mark_all_read")).status_code == 405
    assert unread(resident) == ["一"]


def test_open_marks_that_message_read_and_follows_its_link(client, resident):
    target = message(resident, "候补转正，请确认。", url="/bookings/K7M2P9Q4/", minutes_ago=1)
    message(resident, "另一条")
    client.force_login(resident)

    response = client.get(reverse("portal:inbox_open", args=[target.pk]))

    assert response.status_code == 302
    assert response.url == "/bookings/K7M2P9Q4/"
    assert unread(resident) == ["另一条"]


def test_the_inbox_links_open_only_for_messages_with_a_link(client, resident):
    with_link = message(resident, "有链接", url="/activities/")
    message(resident, "没有链接")
    client.force_login(resident)

    html = client.get(reverse("portal:inbox")).content.decode()

    assert html.count(">Open<") == 1
    assert f'href="{reverse("portal:inbox_open", args=[with_link.pk])}"' in html


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "bookings/x", ""]
)
def test_open_follows_only_paths_on_this_site(client, resident, url):
    target = message(resident, "消息", url=url)
    client.force_login(resident)

    response = client.get(reverse("portal:inbox_open", args=[target.pk]))

    assert response.status_code == 302
    assert response.url == reverse("portal:inbox")
    assert unread(resident) == []


def test_someone_elses_message_is_a_404_and_stays_unread(client, resident, neighbour):
    theirs = message(neighbour, "邻居的", url="/activities/")
    client.force_login(resident)

    assert client.get(reverse("portal:inbox_open", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("portal:inbox_open", args=[99999999])).status_code == 404
    assert unread(neighbour) == ["邻居的"]


def test_the_inbox_costs_the_same_queries_for_few_or_many_messages(client, resident, django_assert_num_queries):
    message(resident, "一")
    client.force_login(resident)
    client.get(reverse("portal:inbox"))

    # session, user, count for the pages, the page's messages, the newest, the header's unread count
    with django_assert_num_queries(5):
        client.get(reverse("portal:inbox"))
    for n in range(40):
        message(resident, f"消息{n}", minutes_ago=n + 1)
    with django_assert_num_queries(5):
        response = client.get(reverse("portal:inbox"))

    assert response.content.decode().count("is-unread") == 20


def test_the_context_processor_asks_nothing_until_used_then_once(resident, django_assert_num_queries):
    message(resident, "一")
    message(resident, "二", read=True)
    request = RequestFactory().get("/")
    request.user = resident

    with django_assert_num_queries(0):
        context = unread_messages(request)
    with django_assert_num_queries(1):
        assert context["unread_messages"]() == 1
    with django_assert_num_queries(0):
        assert unread_messages(request)["unread_messages"]() == 1  # a second template in the same request


def test_the_context_processor_costs_nothing_for_a_visitor(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    with django_assert_num_queries(0):
        assert unread_messages(request)["unread_messages"]() == 0


def test_a_template_without_the_header_pays_nothing_and_one_with_it_one_query(resident, django_assert_num_queries):
    message(resident, "一")
    request = RequestFactory().get("/")
    request.user = resident
    engine = engines["django"]

    with django_assert_num_queries(0):
        assert engine.from_string("<p>{{ 1 }}</p>").render({}, request) == "<p>1</p>"
    with django_assert_num_queries(1):
        html = engine.from_string("{{ unread_messages }} {{ unread_messages }}").render({}, request)

    assert html == "1 1"
