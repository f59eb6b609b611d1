"""The cache's one error tree.

::

    CacheError                  anything the cache layer raises on purpose
     └── CacheUnavailableError  the Redis layer could not be used (connection refused, timeout,
                                a Redis error answer); the redis-py error is chained as the
                                cause and never leaves ``ddisync.cache``

:class:`~ddisync.cache.layered.LayeredCache` turns :class:`CacheUnavailableError` into a
degradation (in-process only), so callers of the cache never see it.
"""

from __future__ import annotations

__all__ = ["CacheError", "CacheUnavailableError"]


class CacheError(Exception):
    """Base of the cache's errors."""


class CacheUnavailableError(CacheError):
    """Redis could not serve the operation (down, unreachable, too slow, or erroring)."""
