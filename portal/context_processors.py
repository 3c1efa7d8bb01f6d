"""Template context every page gets."""

import time

from .models import Notification
from .notifications import beat_is_stale


def unread_messages(request):
    """``unread_messages``: how many unread messages the logged-in user has, for the
    header. Lazy: nothing is asked of the database (not even who the user is) until a
    template uses it, and then one query, once per request; 0 for a visitor."""

    def count() -> int:
        cached = getattr(request, "_unread_messages", None)
        if cached is None:
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                cached = 0
            else:
                cached = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
            request._unread_messages = cached
        return cached

    return {"unread_messages": count}


# The beat check is asked of the database at most every 30 s per process: a staff page
# costs no query for it most of the time.
BEAT_CHECK_SECONDS = 30
_beat_check = {"at": float("-inf"), "stale": False}


def beat_warning(request):
    """``beat_is_stale``: for staff, whether the beat scheduler (reminders, offers'
    expiry, no-shows, monthly figures) has stopped showing itself. Lazy, like the
    unread count."""

    def stale() -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_portal_staff:
            return False
        moment = time.monotonic()
        if moment - _beat_check["at"] > BEAT_CHECK_SECONDS:
            _beat_check.update(at=moment, stale=beat_is_stale())
        return _beat_check["stale"]

    return {"beat_is_stale": stale}
