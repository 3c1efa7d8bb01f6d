"""Caching of the rendered public centre pages (the directory and a centre's page).

A cached fragment is keyed by what it shows (the language, the query or the centre) and
by a version that every write to centres, hours, functions, rooms or photos moves on, so
a page is never stale after a change. What a page says about time ("open now, until
20:30", "opens tomorrow 08:30", today's row in the timetable) is right until the next
opening or closing time of a centre on it, or midnight: the fragment is kept until then
and no longer. ``PAGE_CACHE_SECONDS = 0`` turns caching off.
"""

import datetime as dt
import hashlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

VERSION_KEY = "centres:public-pages:version"


@dataclass(frozen=True)
class Rendered:
    value: object
    # When what it says about time stops being true; None for "not before the data changes".
    valid_until: dt.datetime | None = None
    # The public pages' version it was rendered at.
    version: int | None = None
    # False for what must not be kept (an error page, a response that set a cookie).
    keep: bool = True
    # Until when the cached copy is served without a second thought.
    fresh_until: dt.datetime | None = None


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


def valid_until(now: dt.datetime, changes: Iterable[dt.datetime | None]) -> dt.datetime:
    """The first of ``changes`` after ``now``, or the coming midnight if that is sooner."""
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(now) + dt.timedelta(days=1), dt.time()))
    return min([midnight, *(change for change in changes if change is not None and change > now)])


# How long past its time a copy may still be served while one worker renders it afresh,
# so that many requests arriving as a copy expires do not all render it at once.
RENDER_GRACE_SECONDS = 30


def fragment_key(name: str, *parts) -> str:
    digest = hashlib.sha256(repr([get_language(), *parts]).encode()).hexdigest()
    return f"centres:fragment:{name}:{digest}"


# When no copy of the current version exists (first request, or just after a change),
# one request renders it while the others wait up to this long for its copy, looking
# every MISS_POLL_SECONDS, rather than all rendering the same page at once.
MISS_WAIT_SECONDS = 2.0
MISS_POLL_SECONDS = 0.01


def cached_fragment(name: str, *parts, render: Callable[[], Rendered]) -> Rendered:
    """``render()``'s result for this fragment, from the cache while it is still true.

    A copy whose time has passed is rendered afresh by the first request that sees it;
    requests arriving meanwhile get the old copy. A copy of an older version (the data
    changed) is never served: then the first request renders, and the others wait a
    moment for its copy (or render themselves if it does not come).
    """
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds:
        return render()
    key = fragment_key(name, *parts)
    # One round trip: the fragment, and the version it must have been rendered at.
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY) or public_pages_version()
    cached = found.get(key)
    now = timezone.now()
    if cached is not None and cached.version == version:
        if cached.fresh_until is not None and now < cached.fresh_until:
            return cached
        if not cache.add(f"{key}:rendering", 1, RENDER_GRACE_SECONDS):
            return cached
    else:
        miss_lock = f"{key}:rendering:{version}"
        if not cache.add(miss_lock, 1, RENDER_GRACE_SECONDS):
            waited = _wait_for_copy(key, miss_lock, version)
            if waited is not None:
                return waited
    rendered = render()
    fresh_until = earliest(now + dt.timedelta(seconds=seconds), rendered.valid_until)
    rendered = replace(rendered, version=version, fresh_until=fresh_until)
    timeout = math.ceil((fresh_until - now).total_seconds())
    if timeout > 0 and rendered.keep:
        cache.set(key, rendered, timeout + RENDER_GRACE_SECONDS)
        cache.delete(f"{key}:rendering")
    cache.delete(f"{key}:rendering:{version}")
    return rendered


def _wait_for_copy(key: str, lock: str, version: int) -> Rendered | None:
    """The copy another request is rendering, once it is there; None when that request
    gave up (an error page is not kept) or took too long."""
    deadline = time.monotonic() + MISS_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(MISS_POLL_SECONDS)
        found = cache.get_many([key, lock])
        copy = found.get(key)
        if copy is not None and copy.version == version:
            return copy
        if lock not in found:
            return None
    return None


def earliest(*moments: dt.datetime | None) -> dt.datetime | None:
    known = [moment for moment in moments if moment is not None]
    return min(known) if known else None


def visitor_page_cache(view, *, key: Callable | None = None):
    """Serve a whole public page from the cache to visitors who carry no cookie but the
    CSRF one: no session, so nobody logged in and no pending messages, and so a page that
    is the same for every such visitor. The view says how long the page stays true in
    ``response.valid_until``; a page that set a cookie or used a CSRF token is not kept.

    A page that also depends on something else of the request than its path and query
    (such as the kind of device) names it with ``key(request)``, or with a
    ``page_cache_key`` static method on its class-based view; the ``Vary`` header the
    view sent is kept with the page.
    """
    key = key or getattr(getattr(view, "view_class", None), "page_cache_key", None)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if (
            not settings.PAGE_CACHE_SECONDS
            or request.method not in ("GET", "HEAD")
            or set(request.COOKIES) - {settings.CSRF_COOKIE_NAME}
        ):
            return view(request, *args, **kwargs)
        holder = {}

        def render() -> Rendered:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            holder["response"] = response
            keep = (
                response.status_code == 200
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            )
            page = (response.content, response["Content-Type"], response.get("Vary"))
            return Rendered(page, getattr(response, "valid_until", None), keep=keep)

        htmx = request.headers.get("HX-Request", "") == "true"
        parts = [request.path, sorted(request.GET.lists()), htmx]
        if key is not None:
            parts.append(key(request))
        rendered = cached_fragment("visitor-page", *parts, render=render)
        if "response" in holder:
            return holder["response"]
        content, content_type, *vary = rendered.value
        response = HttpResponse(content, content_type=content_type)
        if vary and vary[0]:
            response["Vary"] = vary[0]
        return response

    return wrapped


def minute_stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d%H%M")


def next_minute() -> dt.datetime:
    now = timezone.localtime()
    return now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
