"""Caching of the rendered public centre pages (the directory and a centre's page).

A cached fragment is keyed by what it shows: the language, the query or the centre, the
minute (open-now status and "opens at" change on the minute at the latest, since hours
are whole minutes) and a version that every write to centres, hours, functions, rooms or
photos moves on. So a page is never stale after a change, and for at most the rest of
the minute otherwise. ``PAGE_CACHE_SECONDS = 0`` turns caching off.
"""

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

VERSION_KEY = "centres:public-pages:version"


def public_pages_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh, unique number, so that pages cached before an eviction never match.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def public_pages_changed() -> None:
    """Call from every service that changes what the public pages show."""
    transaction.on_commit(lambda: cache.set(VERSION_KEY, time.time_ns(), timeout=None))


def minute_stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d%H%M")


def cached_fragment(name: str, *parts, render: Callable[[], object], per_minute: bool = True):
    """``render()``'s result for this fragment, from the cache when it is there."""
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds:
        return render()
    key_parts = [public_pages_version(), get_language(), *parts]
    if per_minute:
        key_parts.append(minute_stamp())
    digest = hashlib.sha256(repr(key_parts).encode()).hexdigest()
    key = f"centres:fragment:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = render()
        cache.set(key, value, seconds)
    return value
