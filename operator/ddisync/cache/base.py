"""The layer interface every cache backend implements, and the hooks the cache reports to.

A layer stores opaque bytes under string keys with a TTL, and can drop every key that was
stored with a given *tag* (an object type) in one call.  Layers never interpret values: the
facade (:mod:`ddisync.cache.reads`) encodes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["CacheMetrics", "Hit", "ReadCache", "RedisHealth", "RedisState"]

RedisState = Literal["ok", "degraded", "none"]


@dataclass(frozen=True)
class Hit:
    """A value found in a layer, with the seconds it has left to live there."""

    value: bytes
    ttl_left: float


class ReadCache(Protocol):
    """One cache layer (in-process or Redis)."""

    async def get(self, key: str) -> Hit | None:
        """The value under ``key``, or None when absent or expired."""

    async def set(self, key: str, value: bytes, ttl: float, tags: Sequence[str] = ()) -> None:
        """Store ``value`` for ``ttl`` seconds; ``invalidate(tag)`` drops it for each tag."""

    async def invalidate(self, tag: str) -> None:
        """Drop every key stored with ``tag``."""

    async def claim(self, key: str, ttl: float) -> bool:
        """Try to become the one loader of ``key`` for ``ttl`` seconds (cross-process
        single-flight); True when this process should load it."""

    async def release(self, key: str) -> None:
        """Give up a claim made with :meth:`claim`."""

    async def aclose(self) -> None:
        """Close what the layer opened (connections)."""


class CacheMetrics(Protocol):
    """What the cache counts (``ddisync.metrics.Metrics`` satisfies it)."""

    def cache_request(self, layer: str, result: str) -> None:
        """One lookup in ``layer`` (memory, redis) ended as ``result`` (hit, miss, error)."""


class RedisHealth(Protocol):
    """Where the cache reports Redis's state (``ddisync.health.HealthState`` satisfies it)."""

    def set_redis(self, state: RedisState, detail: str | None = None) -> None:
        """``ok``, ``degraded`` or ``none``, with a human detail."""
