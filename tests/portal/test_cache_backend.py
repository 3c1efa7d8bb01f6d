from django.core.cache import cache, caches

from portal.cache import PortalRedisCache


def test_the_test_settings_use_the_portal_redis_cache_against_the_real_redis():
    assert isinstance(caches["default"], PortalRedisCache)
    cache.set("portal:test", {"centre": "丰泽社区"}, 30)

    assert cache.get_many(["portal:test", "portal:missing"]) == {"portal:test": {"centre": "丰泽社区"}}


def test_one_redis_client_serves_every_call():
    first = cache._cache.get_client(write=True)

    assert cache._cache.get_client() is first
    assert cache._cache.get_client("any-key", write=True) is first
