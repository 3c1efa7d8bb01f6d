"""The demo activities of ``manage.py load_demo_data``: realistic, inside the centres'
hours and rooms, and safe to load again.

Loaded once for the module in a transaction rolled back at the end (tests/demo.py)."""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from activities.demo import AHEAD_DAYS, HISTORY_DAYS, load_demo_activities
from activities.models import Activity, Audience, Brand, Occurrence, Partner, Series
from activities.recurrence import service_kind_at
from activities.services import activity_save, hours_for, occurrences_cancel, partner_save
from centres.models import Centre
from tests.demo import demo_loaded  # noqa: F401 (a fixture)
from tests.demo import load_demo as load

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded")]


@pytest.fixture(autouse=True)
def _media_root():
    """Keep the module's media folder."""


def counts():
    return {
        "activities": Activity.objects.count(),
        "partners": Partner.objects.count(),
        "brands": Brand.objects.count(),
        "series": Series.objects.count(),
        "sessions": Occurrence.objects.count(),
        "cancelled": Occurrence.objects.filter(status="cancelled").count(),
    }


def overlaps():
    by_room = defaultdict(list)
    for session in Occurrence.objects.live().exclude(room=None).order_by("starts_at"):
        by_room[session.room_id].append(session)
    return [
        (a.pk, b.pk)
        for sessions in by_room.values()
        for a, b in zip(sessions, sessions[1:], strict=False)
        if b.starts_at < a.ends_at
    ]


def test_the_demo_has_activities_of_every_kind_at_most_centres():
    today, now = timezone.localdate(), timezone.now()
    assert Activity.objects.count() >= 100
    assert Activity.objects.values("centre").distinct().count() == Centre.objects.count()
    assert set(Partner.objects.values_list("kind", flat=True)) == set(Partner.Kind.values)
    assert set(Activity.objects.values_list("audience", flat=True)) == set(Audience.values)
    assert set(Activity.objects.exclude(partner=None).values_list("partner__kind", flat=True)) == set(
        Partner.Kind.values
    )
    assert Activity.objects.filter(partner=None).exists()  # some the centre runs itself
    titles = set(Activity.objects.values_list("title", flat=True))
    assert {"四点半课堂", "周末亲子营", "寒假托管班", "老年大学·智能手机课堂", "健康大讲堂", "邻里市集"} <= titles
    assert any(title.startswith("青年夜校·") for title in titles)
    assert any(title.startswith("法律讲座") for title in titles)
    assert "新就业群体交通安全微课堂" in titles
    # Brands: one per district, and "one community, one brand".
    assert Brand.objects.filter(area__level="district").count() == 3
    assert Brand.objects.filter(area__level="community").count() >= 3
    assert Activity.objects.exclude(brand=None).count() >= 20
    # Booking needed and drop-in; children's activities with their ages.
    assert Activity.objects.filter(booking_required=False).exists()
    assert Activity.objects.filter(booking_required=True).exists()
    assert not Activity.objects.filter(audience="children", min_age=None).exists()
    # History and the months ahead.
    sessions = Occurrence.objects.all()
    assert sessions.filter(starts_at__lt=now).count() >= 300
    assert sessions.filter(starts_at__gt=now).count() >= 600
    first = timezone.localdate(sessions.order_by("starts_at").first().starts_at)
    last = timezone.localdate(sessions.order_by("starts_at").last().starts_at)
    assert today - dt.timedelta(days=HISTORY_DAYS) <= first <= today - dt.timedelta(days=HISTORY_DAYS - 7)
    assert today + dt.timedelta(days=AHEAD_DAYS - 14) <= last <= today + dt.timedelta(days=AHEAD_DAYS)
    # A few cancelled sessions, each with its reason, in the past and ahead.
    cancelled = sessions.filter(status="cancelled")
    assert 3 <= cancelled.count() <= 60
    assert not cancelled.filter(cancel_reason="").exists()
    assert cancelled.filter(starts_at__lt=now).exists()
    assert cancelled.filter(starts_at__gt=now).exists()


def test_after_school_care_runs_every_school_day_from_four_to_half_past_six():
    care = Activity.objects.filter(title="四点半课堂").first()
    sessions = list(care.occurrences.live())
    assert len(sessions) >= 40
    assert {timezone.localtime(s.starts_at).time() for s in sessions} == {dt.time(16)}
    assert {timezone.localtime(s.ends_at).time() for s in sessions} == {dt.time(18, 30)}
    assert {timezone.localtime(s.starts_at).weekday() for s in sessions} <= {0, 1, 2, 3, 4, 5, 6}
    assert care.series.filter(on_make_up_days=True).exists()
    assert (care.min_age, care.max_age, care.audience) == (6, 12, "children")


def test_no_room_holds_two_sessions_at_once():
    assert overlaps() == []


def test_every_session_fits_the_centres_hours_and_its_after_hours_flag_is_right():
    today = timezone.localdate()
    for centre in Centre.objects.all():
        hours = hours_for(centre, today - dt.timedelta(days=HISTORY_DAYS), today + dt.timedelta(days=AHEAD_DAYS))
        for session in Occurrence.objects.filter(centre=centre, status="scheduled"):
            local_start, local_end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
            schedule = hours.schedule_for(local_start.date())
            assert schedule.covers(local_start.time(), local_end.time()), (centre.name, session)
            kind = service_kind_at(hours, session.starts_at, session.ends_at)
            assert (session.after_hours_kind, session.is_after_hours) == (kind, kind != "regular"), session
            assert session.room is None or session.room.centre_id == centre.pk
            assert session.room is None or session.room.capacity >= session.activity.capacity
    assert Occurrence.objects.filter(is_after_hours=True, after_hours_kind="extended").exists()
    assert Occurrence.objects.filter(is_after_hours=True, after_hours_kind="staggered").exists()
    assert Occurrence.objects.filter(is_after_hours=False).exists()


def test_loading_again_changes_nothing_and_keeps_what_staff_added():
    centre = Centre.objects.get(slug="fengze-community")
    partner = partner_save(centre=centre, name="丰泽社区读书会", kind=Partner.Kind.RESIDENT_GROUP)
    own = activity_save(
        centre=centre, title="社区读书会", service_function="culture_sports", capacity=15, partner=partner
    )
    demo_activity = Activity.objects.get(centre=centre, title="老年大学·智能手机课堂")
    activity_save(centre=centre, activity=demo_activity, description="由工作人员改写的介绍。")
    coming = demo_activity.occurrences.live().filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    occurrences_cancel(occurrence=coming, reason="老师请假")
    before = counts()
    sessions = sorted(Occurrence.objects.values_list("pk", "starts_at", "room", "status"))

    load()

    assert counts() == before
    assert sorted(Occurrence.objects.values_list("pk", "starts_at", "room", "status")) == sessions
    assert Activity.objects.filter(pk=own.pk).exists()
    assert Partner.objects.filter(pk=partner.pk).exists()
    demo_activity.refresh_from_db()
    assert demo_activity.description == "由工作人员改写的介绍。"
    coming.refresh_from_db()
    assert (coming.status, coming.cancel_reason) == ("cancelled", "老师请假")


def test_a_later_load_carries_repeating_activities_on_without_duplicates():
    centres = {centre.slug: centre for centre in Centre.objects.all()}
    before = Occurrence.objects.count()
    later = timezone.localdate() + dt.timedelta(days=30)

    load_demo_activities(centres=centres, today=later)

    assert Occurrence.objects.count() > before
    last = Occurrence.objects.order_by("starts_at").last()
    assert timezone.localdate(last.starts_at) > timezone.localdate() + dt.timedelta(days=AHEAD_DAYS)
    duplicates = Counter(Occurrence.objects.values_list("activity", "starts_at"))
    assert [key for key, n in duplicates.items() if n > 1] == []
    assert overlaps() == []
    assert Activity.objects.count() == counts()["activities"]
