"""Tomorrow's rosters: each evening, every centre's staff are told what the next day holds.

``tomorrows_rosters_send`` (the beat runs it at 18:00) reads tomorrow's sessions, places,
waiting lists and confirmed appointments of every centre with aggregate queries, and
writes one message per centre with something on tomorrow and per active member of its
staff: how many sessions (and when the first starts), places booked, people on the
waiting lists and appointments, with a link to that day in the centre's week grid (or
to the day's appointments, when there are only appointments). A centre with nothing on
tomorrow sends nothing.

"Tomorrow" is the next calendar day in Asia/Shanghai, whatever the server's time zone.
The messages are written in one insert, each with a key of the date, centre and person,
so running it twice sends nothing twice. They go into the notification outbox
(``portal.notifications``), whose sweep sends the texts and emails within the minute.
The number of queries does not grow with the number of centres or staff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.models import Occurrence
from portal.models import Notification, User
from portal.notifications import notification_build
from portal.templatetags.portal_tags import day_label, hhmm

from .models import Appointment, Booking, Place

SHANGHAI = ZoneInfo("Asia/Shanghai")
# What the roster page lists under "Waiting list": those waiting and those offered a place.
WAITING_STATUSES = (Booking.Status.WAITING, Booking.Status.OFFERED)


@dataclass
class CentreDay:
    """What one centre has on one day."""

    sessions: int = 0
    first_session: dt.datetime | None = None
    places: int = 0
    waiting: int = 0
    appointments: int = 0
    first_appointment: dt.datetime | None = None

    @property
    def is_empty(self) -> bool:
        return not self.sessions and not self.appointments


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day from 00:00 to the next 00:00, Asia/Shanghai."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)


def centre_days(*, day: dt.date) -> dict[int, CentreDay]:
    """Per centre id, what it has on ``day`` (only centres with something on): four
    aggregate queries, whatever the number of centres."""
    start, end = day_bounds(day)
    days: dict[int, CentreDay] = {}
    sessions = Occurrence.objects.live().filter(starts_at__gte=start, starts_at__lt=end)
    for row in sessions.values("centre_id").annotate(n=Count("pk"), first=Min("starts_at")).order_by():
        days[row["centre_id"]] = CentreDay(sessions=row["n"], first_session=row["first"])
    if days:
        places = (
            Place.objects.filter(
                is_held=True,
                booking__status=Booking.Status.CONFIRMED,
                occurrence__in=sessions,
            )
            .values("occurrence__centre_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in places:
            days[row["occurrence__centre_id"]].places = row["n"]
        # A waiting list is the session's or, for a session of a course, the course's.
        courses = sessions.filter(series__is_course=True).values("series_id")
        waiting = (
            Booking.objects.filter(status__in=WAITING_STATUSES)
            .filter(Q(occurrence__in=sessions) | Q(course__in=courses))
            .values("centre_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in waiting:
            days[row["centre_id"]].waiting = row["n"]
    appointments = (
        Appointment.objects.filter(status=Appointment.Status.CONFIRMED, starts_at__gte=start, starts_at__lt=end)
        .values("centre_id")
        .annotate(n=Count("pk"), first=Min("starts_at"))
        .order_by()
    )
    for row in appointments:
        centre_day = days.setdefault(row["centre_id"], CentreDay())
        centre_day.appointments = row["n"]
        centre_day.first_appointment = row["first"]
    return days


def roster_text(centre_name: str, day: dt.date, on: CentreDay) -> str:
    """The message, in the active language."""
    appointments = ngettext("%(count)s appointment", "%(count)s appointments", on.appointments) % {
        "count": on.appointments
    }
    if not on.sessions:
        return _("Tomorrow, %(day)s, at %(centre)s: no sessions; %(appointments)s, the first at %(time)s.") % {
            "day": day_label(day),
            "centre": centre_name,
            "appointments": appointments,
            "time": hhmm(on.first_appointment),
        }
    return _(
        "Tomorrow, %(day)s, at %(centre)s: %(sessions)s, the first at %(time)s, with %(places)s and "
        "%(waiting)s; %(appointments)s."
    ) % {
        "day": day_label(day),
        "centre": centre_name,
        "sessions": ngettext("%(count)s session", "%(count)s sessions", on.sessions) % {"count": on.sessions},
        "time": hhmm(on.first_session),
        "places": ngettext("%(count)s place booked", "%(count)s places booked", on.places) % {"count": on.places},
        "waiting": ngettext("%(count)s person on the waiting list", "%(count)s people on waiting lists", on.waiting)
        % {"count": on.waiting},
        "appointments": appointments,
    }


def roster_url(slug: str, day: dt.date, on: CentreDay) -> str:
    """The staff page of that day: the week grid from that day (its sessions lead to
    their rosters), or the day's appointments when there are only appointments."""
    if on.sessions:
        return reverse("schedule:week", kwargs={"slug": slug}) + "?" + urlencode({"week": day.isoformat()})
    return reverse("bookings_staff:appointment_day", kwargs={"slug": slug, "date": day})


def _key(day: dt.date, centre_id: int, user_id: int) -> str:
    return f"roster-{day.isoformat()}-{centre_id}-{user_id}"


def tomorrows_rosters_send(*, now: dt.datetime | None = None) -> int:
    """Tell each active member of centre staff what each of their centres has on
    tomorrow. Returns how many messages were written (none the second time)."""
    now = now or timezone.now()
    day = now.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    days = centre_days(day=day)
    if not days:
        return 0
    staffing = (
        User.centres.through.objects.filter(
            centre_id__in=list(days), user__role=User.Role.CENTRE_STAFF, user__is_active=True
        )
        .select_related("user", "centre")
        .order_by("centre__name", "centre_id", "user_id")
    )
    sent_before = set(
        Notification.objects.filter(dedupe_key__startswith=f"roster-{day.isoformat()}-").values_list(
            "dedupe_key", flat=True
        )
    )
    messages = []
    for link in staffing:
        key = _key(day, link.centre_id, link.user_id)
        if key in sent_before:
            continue
        centre, on = link.centre, days[link.centre_id]
        messages.append(
            notification_build(
                recipient=link.user,
                kind=Notification.Kind.ROSTER,
                text=lambda centre=centre, on=on: roster_text(centre.name, day, on),
                url=lambda centre=centre, on=on: roster_url(centre.slug, day, on),
                dedupe_key=key,
            )
        )
    with transaction.atomic():
        # A run at the same moment may have written some: those are left out, not doubled.
        Notification.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)
    return len(messages)
