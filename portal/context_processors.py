"""Template context every page gets."""

from .models import Notification


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
