import datetime as dt

from django.db import models
from django.db.models import Q


class ActivityQuerySet(models.QuerySet):
    def for_centre(self, centre):
        return self.filter(centre=centre)


class OccurrenceQuerySet(models.QuerySet):
    def live(self):
        """Sessions that will happen or happened: not cancelled."""
        return self.filter(status="scheduled")

    def public(self):
        """What residents see: sessions of published centres, cancelled ones included
        (so that a cancelled session still says so on its page and in the calendars)."""
        return self.filter(centre__is_published=True)

    def between(self, start: dt.datetime, end: dt.datetime):
        """Sessions that overlap ``[start, end)``."""
        return self.filter(starts_at__lt=end, ends_at__gt=start)

    def upcoming(self, now: dt.datetime):
        return self.filter(ends_at__gt=now)

    def for_centre(self, centre):
        return self.filter(centre=centre)

    def in_area(self, area):
        if area.level == "district":
            return self.filter(centre__district=area)
        if area.level == "street":
            return self.filter(centre__street=area)
        return self.filter(centre__area=area)

    def with_function(self, code: str):
        return self.filter(activity__service_function=code)

    def for_audience(self, audience: str):
        return self.filter(activity__audience=audience)

    def for_age(self, age: int):
        """Sessions a person of ``age`` may join: for everyone or for children, with an
        age range that takes them in."""
        return self.filter(
            Q(activity__audience__in=["everyone", "children"])
            & (Q(activity__min_age__isnull=True) | Q(activity__min_age__lte=age))
            & (Q(activity__max_age__isnull=True) | Q(activity__max_age__gte=age))
        )

    def after_hours(self):
        return self.filter(is_after_hours=True)

    def in_room_overlapping(self, room, start: dt.datetime, end: dt.datetime):
        return self.live().filter(room=room, starts_at__lt=end, ends_at__gt=start)
