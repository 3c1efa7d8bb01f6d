"""Django's Redis cache, kept cheap and kept out of the way when Redis is down.

Django's own backend builds a new ``redis.Redis`` for every cache call, and redis-py
fills a table of some 170 response callbacks each time: about 0.4 ms of CPU per call,
more than the call itself. The client is thread-safe and its pool survives forks, so
one per pool is enough.

The cache only ever saves work: when Redis cannot be reached, a read is a miss and a
write is skipped (and logged), so pages, logins (sessions are also in the database) and
bookings go on while Redis is down.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _tolerant(default):
    def decorate(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                logger.warning("Cache unreachable, %s skipped: %s", method.__name__, error)
                return default(*args, **kwargs) if callable(default) else default

        return call

    return decorate


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    get = _tolerant(lambda key, default: default)(RedisCacheClient.get)
    get_many = _tolerant(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _tolerant(False)(RedisCacheClient.has_key)
    add = _tolerant(False)(RedisCacheClient.add)
    set = _tolerant(None)(RedisCacheClient.set)
    set_many = _tolerant(lambda data, timeout: list(data))(RedisCacheClient.set_many)
    touch = _tolerant(False)(RedisCacheClient.touch)
    delete = _tolerant(False)(RedisCacheClient.delete)
    delete_many = _tolerant(None)(RedisCacheClient.delete_many)


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
