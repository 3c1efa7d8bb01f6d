import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _clear_cache():
    """Empty this test process's cache: only its own keys where Redis is shared with
    other workers of a parallel run (KEY_PREFIX in portal/settings/test.py)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_cache():
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture(autouse=True)
def _no_language_left_over():
    """A test that switched the language on (translation.activate) must not leave it on
    for the next: the next would build its expected URLs and texts in that language."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _beat_seen(monkeypatch):
    """Staff pages check the beat scheduler's heartbeat at most every 30 s per process;
    tests see it as just checked and alive, so page query counts stay fixed.
    tests/portal/test_beat_heartbeat.py checks the warning itself."""
    from portal import context_processors

    monkeypatch.setitem(context_processors._beat_check, "at", float("inf"))
    monkeypatch.setitem(context_processors._beat_check, "stale", False)


@pytest.fixture
def english():
    """Pages and messages in English (the catalogue translates them into Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
