"""The short wait for row locks that the booking and appointment writes give themselves:
past it, PostgreSQL gives up with an error the caller turns into "busy, try again"."""

from django.db import connection


def set_lock_timeout(timeout: str) -> None:
    """Until the current transaction ends, wait at most ``timeout`` (e.g. ``"5s"``) for a
    lock; the same as ``SET LOCAL lock_timeout``. Nothing on other databases."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [timeout])
