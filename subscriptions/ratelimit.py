"""A fixed-window counter in the cache (Redis in production, so every web process shares it)."""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import cache

from tracker.client_ip import client_ip

# Importable from here as before the mailbox identity had a module of its own.
from .addresses import DOTS_IGNORED as DOTS_IGNORED
from .addresses import mailbox

__all__ = ["Unavailable", "allow", "client_ip", "hashed", "mailbox"]
logger = logging.getLogger(__name__)


class Unavailable(Exception):
    """The counters cannot be read (Redis is down): nothing can be limited."""


def allow(key: str, *, limit: int, window: int) -> bool:
    """Count one more hit on `key`; False once there were more than `limit` in this window.

    Raises Unavailable when the cache cannot be reached: the caller refuses the request (a
    limit that cannot be counted is no limit) with a clear answer instead of a 500.
    """
    bucket = f"ratelimit:{key}:{int(time.time() // window)}"
    try:
        if cache.add(bucket, 1, timeout=window):
            return True
        try:
            count = cache.incr(bucket)
        except ValueError:  # expired between add() and incr()
            cache.add(bucket, 1, timeout=window)
            count = 1
    except Exception as exc:  # redis.ConnectionError, TimeoutError…: whatever the backend raises
        logger.error("Rate limits unavailable: %s: %s", type(exc).__name__, exc)
        raise Unavailable(str(exc)) from exc
    return count <= limit


def hashed(value: str) -> str:
    """Keys without personal data in them."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]
