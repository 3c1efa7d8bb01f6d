import datetime as dt

import factory

from centres import services
from centres.models import Area, Centre, Day, ServiceKind


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("name", "parent")

    name = factory.Sequence(lambda n: f"测试{n}区")
    level = Area.Level.DISTRICT
    parent = None
    city = "泉州市"


class StreetFactory(DistrictFactory):
    name = factory.Sequence(lambda n: f"测试{n}街道")
    level = Area.Level.STREET
    parent = factory.SubFactory(DistrictFactory)
    city = ""


class CommunityFactory(DistrictFactory):
    name = factory.Sequence(lambda n: f"测试{n}社区")
    level = Area.Level.COMMUNITY
    parent = factory.SubFactory(StreetFactory)
    city = ""


class CentreFactory(factory.django.DjangoModelFactory):
    """A centre made through ``centre_create``, so street and district are filled in."""

    class Meta:
        model = Centre

    name = factory.Sequence(lambda n: f"测试{n}社区党群服务中心")
    area = factory.SubFactory(CommunityFactory)
    address = factory.Sequence(lambda n: f"测试路{n}号")
    kind = Centre.Kind.COMMUNITY
    phone = "0595-22001234"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.centre_create(**kwargs)


WORKING_DAYS = range(Day.MONDAY, Day.SATURDAY)


def weekday_hours(
    opens=dt.time(8, 30), closes=dt.time(17, 30), *, evening_until=None, weekend=None, holiday=None, appointment=None
):
    """Weekly periods in the shape ``centre_hours_replace`` takes."""
    periods = [{"day": day, "kind": ServiceKind.REGULAR, "opens": opens, "closes": closes} for day in WORKING_DAYS]
    if evening_until:
        periods += [
            {"day": day, "kind": ServiceKind.EXTENDED, "opens": closes, "closes": evening_until} for day in WORKING_DAYS
        ]
    if weekend:
        periods += [
            {"day": day, "kind": ServiceKind.STAGGERED, "opens": weekend[0], "closes": weekend[1]}
            for day in (Day.SATURDAY, Day.SUNDAY)
        ]
    if holiday:
        periods += [{"day": Day.HOLIDAY, "kind": ServiceKind.STAGGERED, "opens": holiday[0], "closes": holiday[1]}]
    if appointment:
        periods += [
            {"day": day, "kind": ServiceKind.APPOINTMENT, "opens": appointment[0], "closes": appointment[1]}
            for day in Day.values
        ]
    return periods
