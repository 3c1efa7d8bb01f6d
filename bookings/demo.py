"""Demo bookings: residents with their families, places at coming sessions and courses
(booked through the services, so the rules hold), a full session with a waiting list,
and the last four weeks' bookings with who came and who did not.

Every name and phone number is invented. A second run adds nothing: the demo residents'
bookings are made once.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db.models import Count, Q
from django.utils import timezone

from activities.models import Occurrence
from centres.models import Centre
from portal.models import User

from . import services
from .codes import new_pass_code
from .models import Booking, Dependant, Place

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
GIVEN = [
    "晓明",
    "丽华",
    "建国",
    "秀英",
    "志强",
    "海燕",
    "文静",
    "俊杰",
    "佳怡",
    "子涵",
    "雨桐",
    "浩然",
    "思远",
    "欣怡",
    "宇航",
]
CHILD_GIVEN = ["小满", "一诺", "子墨", "可馨", "梓萱", "皓轩", "沐阳", "语桐", "安琪", "乐乐"]
RESIDENTS = 60
# Phones 137 0000 xxxx are reserved for demo residents.
PHONE_PREFIX = "1370000"


@dataclass
class Counts:
    residents: int = 0
    family: int = 0
    bookings: int = 0
    waiting: int = 0
    history: int = 0
    refused: list[str] = field(default_factory=list)


def load_demo_bookings(
    *, centres: dict[str, Centre], demo_resident: User | None, now: dt.datetime | None = None
) -> Counts:
    now = now or timezone.now()
    counts = Counts()
    rng = random.Random(20261122)  # noqa: S311 -- demo data, not security
    residents = _residents(rng, counts, centres)
    if demo_resident is not None:
        _family(demo_resident, [("林小满", 7, "妈妈 林晓禾；外婆 陈玉珍"), ("林一诺", 10, "妈妈 林晓禾")], now, counts)
    if Booking.objects.filter(Q(resident__phone__startswith=PHONE_PREFIX) | Q(resident=demo_resident)).exists():
        return counts  # loaded before: staff and residents may have changed them since
    _history(rng, residents, centres, now, counts)
    if demo_resident is not None:
        _demo_resident_history(rng, demo_resident, centres, now, counts)
    _coming(rng, residents, centres, demo_resident, now, counts)
    return counts


def _residents(rng, counts: Counts, centres) -> list[User]:
    communities = [c.area for c in centres.values() if c.kind == "community"]
    password = make_password(None)  # demo residents do not log in; the demo login does
    residents = []
    for index in range(RESIDENTS):
        phone = f"{PHONE_PREFIX}{index:04d}"
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]
        user, created = User.objects.get_or_create(
            phone=phone,
            defaults={
                "name": name,
                "password": password,
                "home_community": communities[index % len(communities)] if communities else None,
            },
        )
        counts.residents += created
        residents.append(user)
        if index % 3 == 0:
            child = CHILD_GIVEN[index % len(CHILD_GIVEN)]
            _family(user, [(name[0] + child, 6 + index % 7, f"父母 {name}")], timezone.now(), counts)
    return residents


def _family(resident: User, children, now, counts: Counts) -> None:
    for name, age, collectors in children:
        born = timezone.localdate(now).replace(year=timezone.localdate(now).year - age) - dt.timedelta(days=40)
        _, created = Dependant.objects.get_or_create(
            guardian=resident,
            name=name,
            defaults={"birth_date": born, "relation": Dependant.Relation.CHILD, "collectors": collectors},
        )
        counts.family += created


def _history(rng, residents, centres, now, counts: Counts) -> None:
    """The last four weeks: rows written directly (the services refuse the past), with
    about nine in ten booked people checked in and the rest marked no-show."""
    past = (
        Occurrence.objects.filter(
            centre__in=centres.values(),
            status=Occurrence.Status.SCHEDULED,
            ends_at__lte=now - services.NO_SHOW_GRACE,
            activity__booking_required=True,
        )
        .select_related("activity")
        .order_by("starts_at")
    )
    bookings, attended = [], []
    for occurrence in past:
        taken = rng.randint(occurrence.activity.capacity // 3, occurrence.activity.capacity * 9 // 10)
        for resident in rng.sample(residents, min(taken, len(residents))):
            dependant = resident.dependants.first() if occurrence.activity.audience == "children" else None
            if occurrence.activity.audience == "children" and dependant is None:
                continue
            booked_at = occurrence.starts_at - dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 12))
            bookings.append(
                Booking(
                    occurrence=occurrence,
                    activity=occurrence.activity,
                    centre_id=occurrence.centre_id,
                    starts_at=occurrence.starts_at,
                    ends_at=occurrence.ends_at,
                    resident=resident,
                    dependant=dependant,
                    person_name=dependant.name if dependant else resident.name,
                    status=Booking.Status.CONFIRMED,
                    code=new_pass_code(),  # 32^8 codes: a clash among demo rows is not worth a query
                    created_at=booked_at,
                    confirmed_at=booked_at,
                )
            )
            attended.append(rng.random() < 0.9)
    Booking.objects.bulk_create(bookings, batch_size=500)
    Place.objects.bulk_create(
        (
            Place(
                booking=booking,
                occurrence_id=booking.occurrence_id,
                checked_in_at=booking.starts_at + dt.timedelta(minutes=rng.randint(-10, 15)) if came else None,
                no_show=not came,
            )
            for booking, came in zip(bookings, attended, strict=True)
        ),
        batch_size=500,
    )
    counts.history += len(bookings)


def _demo_resident_history(rng, resident: User, centres, now, counts: Counts) -> None:
    """The demo login's children went to after-school care a few times; once one did not come."""
    home = centres.get("fengze-community")
    children = list(resident.dependants.order_by("birth_date"))
    if home is None or not children:
        return
    past = (
        Occurrence.objects.filter(
            centre=home,
            activity__audience="children",
            status=Occurrence.Status.SCHEDULED,
            ends_at__lte=now - dt.timedelta(days=1),
        )
        .select_related("activity")
        .order_by("-starts_at")[:4]
    )
    for index, occurrence in enumerate(past):
        for child in children:
            booked_at = occurrence.starts_at - dt.timedelta(days=2)
            booking = Booking.objects.create(
                occurrence=occurrence,
                activity=occurrence.activity,
                centre=home,
                starts_at=occurrence.starts_at,
                ends_at=occurrence.ends_at,
                resident=resident,
                dependant=child,
                person_name=child.name,
                status=Booking.Status.CONFIRMED,
                code=new_pass_code(),
                created_at=booked_at,
                confirmed_at=booked_at,
            )
            came = index != 2
            Place.objects.create(
                booking=booking,
                occurrence=occurrence,
                checked_in_at=occurrence.starts_at + dt.timedelta(minutes=5) if came else None,
                no_show=not came,
            )
            counts.history += 1


def _coming(rng, residents, centres, demo_resident, now, counts: Counts) -> None:
    """Places at the coming week's sessions, through the services."""
    coming = (
        Occurrence.objects.filter(
            centre__in=centres.values(),
            status=Occurrence.Status.SCHEDULED,
            starts_at__gt=now + dt.timedelta(hours=2),
            starts_at__lt=now + dt.timedelta(days=6),
            activity__booking_required=True,
        )
        .select_related("activity", "series", "centre")
        .order_by("starts_at")
    )
    full_one = None
    for occurrence in coming:
        target = {"course": occurrence.series} if occurrence.series and occurrence.series.is_course else {}
        if target and Booking.objects.filter(course=occurrence.series).exists():
            continue
        target = target or {"occurrence": occurrence}
        capacity = occurrence.activity.capacity
        # One small evening session is booked full, with a waiting list, to show how it works.
        make_full = full_one is None and capacity <= 30 and occurrence.activity.audience in ("everyone", "young_adults")
        wanted = capacity if make_full else rng.randint(0, capacity // 3)
        booked = _book_many(rng, residents, target, wanted, now, counts)
        if make_full and booked == capacity:
            full_one = occurrence
            _book_many(rng, residents, target, 3, now, counts, waiting=True)
    if demo_resident is not None:
        _demo_resident_bookings(demo_resident, centres, now, counts)


def _book_many(rng, residents, target, wanted, now, counts: Counts, *, waiting: bool = False) -> int:
    booked = 0
    for resident in rng.sample(residents, len(residents)):
        if booked >= wanted:
            break
        occurrence = target.get("occurrence")
        activity = occurrence.activity if occurrence else target["course"].activity
        people = [resident.dependants.first()] if activity.audience == "children" else [None]
        if people == [None] and activity.audience == "children":
            continue
        if activity.audience == "children" and people[0] is None:
            continue
        try:
            services.booking_create(**target, resident=resident, people=people, join_waiting_list=waiting, now=now)
        except services.BookingRefused:
            continue
        booked += 1
        if waiting:
            counts.waiting += 1
        else:
            counts.bookings += 1
    return booked


def _demo_resident_bookings(resident: User, centres, now, counts: Counts) -> None:
    """The demo login: after-school care for both children, a talk for herself, and a
    place on the waiting list of the full session."""
    home = centres.get("fengze-community")
    if home is None:
        return
    children = list(resident.dependants.order_by("birth_date"))
    care = (
        Occurrence.objects.filter(
            centre=home, activity__audience="children", status="scheduled", starts_at__gt=now + dt.timedelta(hours=3)
        )
        .annotate(n=Count("places", filter=Q(places__is_held=True)))
        .select_related("activity")
        .order_by("starts_at")
    )
    for occurrence in care[:10]:
        try:
            services.booking_create(occurrence=occurrence, resident=resident, people=children, now=now)
        except services.BookingRefused as error:
            counts.refused.append(f"{occurrence}: {error.messages[0]}")
            continue
        counts.bookings += len(children)
        break
    for occurrence in Occurrence.objects.filter(
        centre__in=[home, centres.get("fengze-street")],
        activity__audience__in=["everyone", "young_adults", "party_members"],
        status="scheduled",
        starts_at__gt=now + dt.timedelta(hours=3),
        starts_at__lt=now + dt.timedelta(days=6),
    ).order_by("starts_at")[:20]:
        try:
            services.booking_create(occurrence=occurrence, resident=resident, now=now)
        except services.BookingRefused:
            continue
        counts.bookings += 1
        break
    # The full evening class: she is next on its waiting list.
    waiting = Booking.objects.filter(status=Booking.Status.WAITING).select_related("occurrence", "course").first()
    if waiting is not None:
        target = {"course": waiting.course} if waiting.course_id else {"occurrence": waiting.occurrence}
        try:
            services.booking_create(**target, resident=resident, join_waiting_list=True, now=now)
            counts.waiting += 1
        except services.BookingRefused as error:
            counts.refused.append(f"waiting list: {error.messages[0]}")
