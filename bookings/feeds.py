"""A resident's private iCalendar feed of their own bookings, behind a secret link.

One VEVENT per place a booking took (a course: one per session), with a UID that stays
the same for that place, so a subscribed calendar updates the event. A place given up (a
cancelled booking, a declined or lapsed offer, a session the centre cancelled) stays in
the feed as STATUS:CANCELLED so that the phone removes it. The calendar's header, time
zone and the activity's description are those of the public feeds
(``activities.feeds.FeedWriter``).
"""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event

from activities.feeds import CONTENT_TYPE, FeedWriter
from activities.models import Occurrence

from .models import Booking, FeedToken, Place
from .selectors import feed_places

__all__ = ["CONTENT_TYPE", "booking_feed", "feed_token_renew"]


def feed_token_renew(*, resident) -> FeedToken:
    """The resident's feed link, made anew: any earlier link stops working."""
    with transaction.atomic():
        token, _created = FeedToken.objects.update_or_create(
            resident=resident, defaults={"token": secrets.token_urlsafe(32)}
        )
    return token


class BookingFeedWriter(FeedWriter):
    """Events for places instead of sessions."""

    def event(self, place: Place) -> Event:
        booking, occurrence = place.booking, place.occurrence
        activity, centre = occurrence.activity, occurrence.centre
        pass_url = self.origin + booking.get_absolute_url()
        held = place.is_held and booking.holds_places and occurrence.status == Occurrence.Status.SCHEDULED
        lines = []
        if held:
            summary = _("%(title)s (%(name)s)") % {"title": activity.title, "name": booking.person_name}
            if booking.status == Booking.Status.OFFERED:
                lines.append(
                    _("A place is offered: accept it before %(until)s.")
                    % {"until": timezone.localtime(booking.offer_expires_at).strftime("%Y-%m-%d %H:%M")}
                )
            lines.append(_("Pass code: %(code)s") % {"code": booking.code_display})
        else:
            summary = _("Cancelled: %(title)s") % {"title": activity.title}
            if occurrence.is_cancelled and occurrence.cancel_reason:
                lines.append(_("This session is cancelled: %(reason)s") % {"reason": occurrence.cancel_reason})
        lines += self.activity_text(activity, centre)
        lines.append(_("Your pass: %(url)s") % {"url": pass_url})
        changes = [occurrence.updated_at, booking.created_at]
        changes += [moment for moment in (booking.offered_at, booking.confirmed_at, booking.closed_at) if moment]
        last_modified = max(changes)
        where = [centre.name, occurrence.room.name if occurrence.room_id else "", centre.address]
        return Event.new(
            uid=f"place-{place.pk}@{self.uid_domain}",
            stamp=self.now,
            created=booking.created_at,
            last_modified=last_modified,
            sequence=max(0, int((last_modified - booking.created_at).total_seconds())),
            start=timezone.localtime(occurrence.starts_at, self.zone),
            end=timezone.localtime(occurrence.ends_at, self.zone),
            summary=summary,
            location=", ".join(part for part in where if part),
            description="\n".join(lines),
            url=pass_url,
            status=("TENTATIVE" if booking.status == Booking.Status.OFFERED else "CONFIRMED") if held else "CANCELLED",
            categories=[activity.service_function_label],
        )


def booking_feed(request, resident) -> bytes:
    writer = BookingFeedWriter(request)
    return writer.calendar(
        name=_("My bookings"),
        key=f"/bookings/feed/{resident.pk}",
        occurrences=feed_places(resident, writer.now),
    )
