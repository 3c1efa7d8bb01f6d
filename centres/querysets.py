import datetime as dt

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone


class AreaQuerySet(models.QuerySet):
    def districts(self):
        return self.filter(level="district")

    def streets(self):
        return self.filter(level="street")

    def communities(self):
        return self.filter(level="community")

    def within(self, area):
        """The area itself and every area below it."""
        if area.level == "district":
            return self.filter(Q(pk=area.pk) | Q(parent=area) | Q(parent__parent=area))
        if area.level == "street":
            return self.filter(Q(pk=area.pk) | Q(parent=area))
        return self.filter(pk=area.pk)


class CentreQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def in_area(self, area):
        """Centres in a district, a street/town or a community."""
        if area.level == "district":
            return self.filter(district=area)
        if area.level == "street":
            return self.filter(street=area)
        return self.filter(area=area)

    def with_function(self, code):
        from .models import ServiceFunction

        return self.filter(Exists(ServiceFunction.objects.filter(centre=OuterRef("pk"), code=code)))

    def search(self, text):
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(address__icontains=text) | Q(area__name__icontains=text))

    def open_evenings(self):
        return self.filter(opens_evenings=True)

    def open_weekends(self):
        return self.filter(opens_weekends=True)

    def open_at(self, moment: dt.datetime):
        """Centres open for walk-in service at ``moment``: the rules of ``centres.hours``,
        in one query."""
        from .holidays import national_day
        from .hours import weekly_day_for
        from .models import DateException, OpeningPeriod, ServiceKind

        local = timezone.localtime(moment)
        date, time = local.date(), local.time()
        weekly_day = weekly_day_for(national_day(date))
        exceptions_today = DateException.objects.filter(centre=OuterRef("pk"), date=date)
        open_by_exception = exceptions_today.filter(is_closed=False, opens__lte=time, closes__gt=time).exclude(
            kind=ServiceKind.APPOINTMENT
        )
        closed_by_exception = exceptions_today.filter(is_closed=True)
        open_by_week = OpeningPeriod.objects.filter(
            centre=OuterRef("pk"), day=weekly_day, opens__lte=time, closes__gt=time
        ).exclude(kind=ServiceKind.APPOINTMENT)
        return self.filter(
            (Exists(open_by_exception) & ~Exists(closed_by_exception))
            | (~Exists(exceptions_today) & Exists(open_by_week))
        )
