"""Memory in front of Redis, and what happens when Redis is down.

Reads look in memory, then Redis (a Redis hit is copied to memory); writes go to both.  With
Redis configured, a memory copy lives at most ``front_ttl`` seconds, so an invalidation made by
another replica (which reaches Redis only) is seen here within that time.

Redis outage, as a decision table:

=========================================  ================================================
event                                      what the cache does
=========================================  ================================================
a Redis operation fails (error, timeout)   count ``cache_requests{layer=redis,
                                           result=error}``; the first failure logs a warning
                                           and sets readiness ``redis: degraded``; Redis is
                                           left alone for ``retry_after`` seconds
degraded, within ``retry_after``           memory only (with full TTLs); invalidations are
                                           remembered as *pending*; nothing raises
degraded, ``retry_after`` has passed       the next operation tries Redis again (one try)
that try succeeds                          pending invalidations are sent first, the memory
                                           layer is emptied (it may hold entries that missed
                                           other replicas' invalidations), readiness ``ok``,
                                           one info log
=========================================  ================================================

No reconcile can fail because of Redis: :class:`~ddisync.cache.errors.CacheUnavailableError`
never leaves this class.

Generations: every invalidation of a tag bumps its generation.  A loader notes the generations
of its tags *before* reading WAPI and passes them to :meth:`LayeredCache.set`, which drops the
value if a write invalidated a tag meanwhile: a read that raced with a write is never cached
(within this process; across replicas the TTL bounds such a value's life).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence

from .base import CacheMetrics, Hit, ReadCache, RedisHealth
from .errors import CacheUnavailableError
from .memory import MemoryCache

__all__ = ["LayeredCache"]

logger = logging.getLogger("ddisync.cache")


class LayeredCache:
    """The cache the facade uses: always a memory layer, optionally Redis behind it."""

    def __init__(
        self,
        memory: MemoryCache,
        redis: ReadCache | None = None,
        *,
        metrics: CacheMetrics | None = None,
        health: RedisHealth | None = None,
        front_ttl: float = 10.0,
        retry_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.memory = memory
        self.redis = redis
        self._metrics = metrics
        self._health = health
        self.front_ttl = front_ttl
        self.retry_after = retry_after
        self._clock = clock
        self.degraded = False
        self._confirmed = False  # Redis has answered at least once
        self._retry_at = 0.0
        self._pending: set[str] = set()
        self._generations: dict[str, int] = {}
        self._flusher: asyncio.Task[None] | None = None
        if redis is None and health is not None:
            health.set_redis("none", "not configured: in-process cache only")

    # --- reporting ---------------------------------------------------------------------------

    def _count(self, layer: str, result: str) -> None:
        if self._metrics is not None:
            self._metrics.cache_request(layer, result)

    def _failed(self, error: CacheUnavailableError) -> None:
        self._count("redis", "error")
        self._retry_at = self._clock() + self.retry_after
        if not self.degraded:
            self.degraded = True
            logger.warning(
                "Redis is unavailable (%s); caching in process only, retrying in %gs",
                error,
                self.retry_after,
            )
            if self._health is not None:
                self._health.set_redis("degraded", f"unreachable: {error}")

    def _answered(self) -> None:
        recovered = self.degraded
        if recovered:
            self.degraded = False
            self.memory.clear()
            logger.info("Redis is reachable again; the shared cache is back in use")
        if recovered or not self._confirmed:
            self._confirmed = True
            if self._health is not None:
                self._health.set_redis("ok")

    async def _usable(self) -> bool:
        """Whether to use Redis for the next operation; sends pending invalidations first."""
        if self.redis is None or (self.degraded and self._clock() < self._retry_at):
            return False
        while self._pending:
            tag = self._pending.pop()
            try:
                await self.redis.invalidate(tag)
            except CacheUnavailableError as error:
                self._pending.add(tag)
                self._failed(error)
                return False
            self._answered()
        return True

    # --- generations -------------------------------------------------------------------------

    def generations(self, tags: Sequence[str]) -> tuple[int, ...]:
        """The current generation of each tag (pass them back to :meth:`set`)."""
        return tuple(self._generations.get(tag, 0) for tag in tags)

    # --- operations --------------------------------------------------------------------------

    async def get(self, key: str, *, count: bool = True) -> Hit | None:
        hit = self.memory.get_now(key)
        if count:
            self._count("memory", "hit" if hit else "miss")
        if hit is not None or not await self._usable():
            return hit
        assert self.redis is not None
        try:
            hit = await self.redis.get(key)
        except CacheUnavailableError as error:
            self._failed(error)
            return None
        self._answered()
        if count:
            self._count("redis", "hit" if hit else "miss")
        if hit is not None:
            self.memory.set_now(key, hit.value, min(hit.ttl_left, self.front_ttl))
        return hit

    async def set(
        self,
        key: str,
        value: bytes,
        ttl: float,
        tags: Sequence[str] = (),
        *,
        generations: tuple[int, ...] | None = None,
    ) -> bool:
        """Store in every usable layer; False (nothing stored) when a tag was invalidated
        after ``generations`` were taken."""
        if generations is not None and generations != self.generations(tags):
            return False
        shared = await self._usable()
        self.memory.set_now(key, value, min(ttl, self.front_ttl) if shared else ttl, tags)
        if shared:
            assert self.redis is not None
            try:
                await self.redis.set(key, value, ttl, tags)
            except CacheUnavailableError as error:
                self._failed(error)
                self.memory.set_now(key, value, ttl, tags)
            else:
                self._answered()
        return True

    def invalidate_nowait(self, tag: str) -> None:
        """Drop ``tag`` here now; Redis follows in the background (or when it is back)."""
        self._generations[tag] = self._generations.get(tag, 0) + 1
        self.memory.invalidate_now(tag)
        if self.redis is None:
            return
        self._pending.add(tag)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(
                self._flush(), name="ddisync-cache-invalidate"
            )

    async def _flush(self) -> None:
        await self._usable()

    async def claim(self, key: str, ttl: float) -> bool:
        if not await self._usable():
            return True
        assert self.redis is not None
        try:
            claimed = await self.redis.claim(key, ttl)
        except CacheUnavailableError as error:
            self._failed(error)
            return True
        self._answered()
        return claimed

    async def release(self, key: str) -> None:
        if self.redis is None or self.degraded:
            return
        try:
            await self.redis.release(key)
        except CacheUnavailableError as error:
            self._failed(error)

    async def ping(self) -> bool:
        """Check Redis now (start-up): True when it answered."""
        if self.redis is None:
            return False
        self._retry_at = 0.0
        if not await self._usable():
            return False
        try:
            await self.redis.get("ddisync:ping")
        except CacheUnavailableError as error:
            self._failed(error)
            return False
        self._answered()
        return True

    async def aclose(self) -> None:
        if self._flusher is not None:
            with contextlib.suppress(Exception):
                await self._flusher
        if self.redis is not None:
            await self.redis.aclose()
        self.memory.clear()
