"""What bookings do when staff change sessions: each receiver hands over to a service.
The signals are sent after the scheduling transaction commits."""

from . import services


def sessions_cancelled(sender, occurrence_ids, reason="", **kwargs):
    services.bookings_cancel_for_sessions(occurrence_ids=list(occurrence_ids), reason=reason)


def sessions_moved(sender, occurrence_ids, **kwargs):
    services.bookings_tell_moved(occurrence_ids=list(occurrence_ids))


def capacity_raised(sender, activity_id, **kwargs):
    services.waiting_lists_offer_for_activity(activity_id)
