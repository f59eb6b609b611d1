"""Opening the operator's cache from settings: in ``on.startup``, closed in ``on.cleanup``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ddisync.config import Settings
from ddisync.wapi.client import WapiClient

from .base import CacheMetrics, RedisHealth
from .keys import Keyspace, TtlTable
from .layered import LayeredCache
from .memory import MemoryCache
from .reads import CachedReads, WriteInvalidator
from .redis_cache import RedisCache
from .urls import connect, redacted

__all__ = ["OperatorCache", "open_cache"]

logger = logging.getLogger("ddisync.cache")


@dataclass
class OperatorCache:
    """The operator's cache: one store, the grid's key names, the TTLs."""

    store: LayeredCache
    keyspace: Keyspace
    ttls: TtlTable
    _reads: list[CachedReads] = field(default_factory=list)

    def write_observer(self) -> WriteInvalidator:
        """Give this to the ``WapiClient`` (through ``FanOutObserver``): its writes invalidate."""
        return WriteInvalidator(self.store, self.keyspace)

    def reads(self, client: WapiClient) -> CachedReads:
        """The cached-read facade over ``client`` (closed with this cache)."""
        reads = CachedReads(client, self.store, self.keyspace, self.ttls)
        self._reads.append(reads)
        return reads

    async def aclose(self) -> None:
        for reads in self._reads:
            await reads.aclose()
        await self.store.aclose()


async def open_cache(
    settings: Settings, metrics: CacheMetrics | None = None, health: RedisHealth | None = None
) -> OperatorCache:
    """The cache ``settings`` ask for: memory only, or memory in front of Redis.

    Never fails because Redis is down: the cache starts degraded and keeps retrying.
    """
    memory = MemoryCache(
        max_entries=settings.cache_memory_max_entries, max_bytes=settings.cache_memory_max_bytes
    )
    redis = None
    if settings.redis_url:
        client = connect(settings.redis_url, timeout=settings.cache_redis_timeout)
        redis = RedisCache(client)
    store = LayeredCache(
        memory,
        redis,
        metrics=metrics,
        health=health,
        front_ttl=settings.cache_front_ttl_seconds,
        retry_after=settings.cache_redis_retry_seconds,
    )
    ttls = TtlTable({"snapshot": settings.resync_interval, **settings.cache_ttl_seconds})
    keyspace = Keyspace.of(settings.wapi_url, settings.wapi_version, settings.wapi_username)
    if settings.redis_url:
        reachable = await store.ping()
        logger.info(
            "read cache: memory in front of Redis %s (%s)",
            redacted(settings.redis_url),
            "reachable" if reachable else "unreachable for now: in-process only until it answers",
        )
    else:
        logger.info("read cache: in process only (DDISYNC_REDIS_URL is not set)")
    return OperatorCache(store, keyspace, ttls)
