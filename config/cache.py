"""A Redis cache for counters that must never take the site down with it."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (ConnectionError, TimeoutError)


class FailOpenRedisCache(RedisCache):
    """Rate limits and login throttling live here: when Redis is unreachable they read
    as "no attempts yet", so people can still post and log in."""

    def add(self, *args, **kwargs):
        try:
            return super().add(*args, **kwargs)
        except UNREACHABLE as error:
            log.warning("Rate-limit cache unreachable (%s): letting the request through.", error)
            return False

    def incr(self, *args, **kwargs):
        try:
            return super().incr(*args, **kwargs)
        except UNREACHABLE:
            raise ValueError("cache unreachable") from None  # what django-ratelimit expects

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE:
            return default

    def set(self, *args, **kwargs):
        try:
            return super().set(*args, **kwargs)
        except UNREACHABLE:
            return None

    def delete(self, *args, **kwargs):
        try:
            return super().delete(*args, **kwargs)
        except UNREACHABLE:
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE:
            return {}
