"""Demo ratings: invented residents rate about a third of the sessions they came to in
the demo's past weeks, mostly well; the bad ratings open their rectification cases, and
where the centre has staff, the older ones are called back and answered. Loaded once: a
reload keeps the ratings there are."""

import datetime as dt
import random

from django.utils import timezone

from bookings.models import Place
from portal.models import User

from .cases import case_record_callback, case_reply
from .models import Rating
from .services import RatingRefused, rating_create

DEMO_RESIDENTS = "1370000"  # bookings/demo.py's invented residents

GOOD = ["老师讲得很耐心，孩子很喜欢。", "活动安排得很好，下次还来。", "环境干净，工作人员热情。", ""]
BAD = ["活动推迟了二十分钟开始，也没有提前通知。", "场地太挤，后排听不清。", "报名时说有材料，现场没有发。"]


def load_demo_ratings(*, now: dt.datetime | None = None, log=None) -> int:
    log = log or (lambda message: None)
    now = now or timezone.now()
    if Rating.objects.exists():
        return 0
    rng = random.Random(2026)
    places = (
        Place.objects.filter(
            checked_in_at__isnull=False,
            booking__resident__phone__startswith=DEMO_RESIDENTS,
            occurrence__ends_at__lt=now - dt.timedelta(hours=2),
        )
        .select_related("booking__resident", "booking__centre", "occurrence")
        .order_by("pk")
    )
    rated, made = set(), 0
    for place in places:
        booking = place.booking
        if booking.pk in rated or rng.random() > 0.35:
            continue
        rated.add(booking.pk)
        level = rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 8, 5, 2])[0]
        when = _waking_hours(place.occurrence.ends_at + dt.timedelta(hours=rng.randint(1, 30)), booking.pk)
        when = min(max(when, place.occurrence.ends_at + dt.timedelta(minutes=30)), now)
        comment = rng.choice(BAD) if level <= 2 else rng.choice(GOOD)
        try:
            rating = rating_create(resident=booking.resident, booking=booking, level=level, comment=comment, now=when)
        except RatingRefused:
            continue
        made += 1
        if rating.is_bad and when < now - dt.timedelta(days=3):
            _answer(rating, when)
    log(f"Ratings: {made} given")
    return made


def _answer(rating: Rating, when: dt.datetime) -> None:
    staff = (
        User.objects.filter(role=User.Role.CENTRE_STAFF, is_active=True, centres=rating.centre_id)
        .order_by("pk")
        .first()
    )
    if staff is None:
        return
    case = rating.case
    case_record_callback(case=case, by=staff, note="已电话回访，居民说明了情况。", now=when + dt.timedelta(hours=3))
    case_reply(
        case=case,
        by=staff,
        reply="已与老师沟通，今后准时开始；如有变动提前一天短信通知。感谢您的意见。",
        now=when + dt.timedelta(days=2),
    )


def _waking_hours(moment: dt.datetime, seed: int) -> dt.datetime:
    """The same day between 08:00 and 21:59 if ``moment`` falls at night: people rate
    from their phones in the day. Its own random numbers, so the demo's others stay."""
    local = timezone.localtime(moment)
    if 8 <= local.hour < 22:
        return moment
    pick = random.Random(seed)
    return local.replace(hour=pick.randint(8, 21), minute=pick.randint(0, 59))
