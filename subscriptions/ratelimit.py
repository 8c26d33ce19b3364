"""A fixed-window counter in the cache (Redis in production, so every web process shares it).

When the cache cannot be reached, or does not answer within CACHE_REDIS_TIMEOUT, nothing can be
counted: `allow` raises Unavailable at once (the cache backend remembers an outage for
CACHE_RETRY_SECONDS and logs it once) and the forms answer that signing up is paused.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import cache

from deals.cache import CacheUnavailable, cache_errors_raised
from tracker.client_ip import client_ip

# Importable from here as before the mailbox identity had a module of its own.
from .addresses import DOTS_IGNORED as DOTS_IGNORED
from .addresses import mailbox

__all__ = ["Unavailable", "allow", "client_ip", "hashed", "mailbox"]
logger = logging.getLogger(__name__)


class Unavailable(Exception):
    """The counters cannot be read (Redis is down or hung): nothing can be limited."""


def allow(key: str, *, limit: int, window: int) -> bool:
    """Count one more hit on `key`; False once there were more than `limit` in this window.

    Raises Unavailable when the cache cannot be reached: the caller refuses the request (a
    limit that cannot be counted is no limit) with a clear answer instead of a 500.
    """
    bucket = f"ratelimit:{key}:{int(time.time() // window)}"
    try:
        with cache_errors_raised():
            if cache.add(bucket, 1, timeout=window):
                return True
            try:
                count = cache.incr(bucket)
            except ValueError:  # expired between add() and incr()
                cache.add(bucket, 1, timeout=window)
                count = 1
    except CacheUnavailable as exc:  # the cache backend logged the outage once
        raise Unavailable(str(exc)) from exc
    except Exception as exc:  # another backend: redis.ConnectionError, TimeoutError…
        logger.error("Rate limits unavailable: %s: %s", type(exc).__name__, exc)
        raise Unavailable(str(exc)) from exc
    return count <= limit


def hashed(value: str) -> str:
    """Keys without personal data in them."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]
