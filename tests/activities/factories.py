"""Factories for activities. Sessions are made through the scheduling services, so they
obey the same rules (hours, rooms) as the staff pages."""

import datetime as dt

import factory

from activities import services
from activities.models import Activity, Audience, Brand, Partner
from centres.models import Room, ServiceFunctionCode
from centres.services import centre_hours_replace, room_save
from tests.centres.factories import CentreFactory, weekday_hours


def open_centre(**kwargs):
    """A centre open on working days 08:30–17:30 with extended hours to 20:30, weekend
    and holiday staggered hours 09:00–17:00, and one room for 40 people."""
    centre = CentreFactory(**kwargs)
    centre_hours_replace(
        centre=centre,
        periods=weekday_hours(
            evening_until=dt.time(20, 30), weekend=(dt.time(9), dt.time(17)), holiday=(dt.time(9), dt.time(12))
        ),
    )
    room_save(centre=centre, name="多功能活动室", capacity=40)
    return centre


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    centre = factory.SubFactory(CentreFactory)
    name = factory.Sequence(lambda n: f"阳光志愿服务队{n}")
    kind = Partner.Kind.VOLUNTEER_TEAM


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"红色驿站{n}")
    area = factory.SubFactory("tests.centres.factories.DistrictFactory")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.brand_save(**kwargs)


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity made through ``activity_save``."""

    class Meta:
        model = Activity

    centre = factory.SubFactory(CentreFactory)
    title = factory.Sequence(lambda n: f"书法班{n}")
    description = "毛笔书法入门。"
    service_function = ServiceFunctionCode.CULTURE_SPORTS
    audience = Audience.EVERYONE
    capacity = 20

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.activity_save(**kwargs)


def room_of(centre) -> Room:
    return centre.rooms.order_by("pk").first()


def next_weekday(weekday: int, after: dt.date | None = None) -> dt.date:
    """The next date on ``weekday`` (0 = Monday) after ``after`` (default today)."""
    from django.utils import timezone

    after = after or timezone.localdate()
    return after + dt.timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def session(activity, *, date, starts=dt.time(19), ends=dt.time(20, 30), room="default"):
    """One session of ``activity`` through ``occurrence_create``."""
    if room == "default":
        room = room_of(activity.centre)
    return services.occurrence_create(activity=activity, date=date, starts=starts, ends=ends, room=room)
