"""Building the cache pieces the way ``open_cache`` does, for tests."""

from __future__ import annotations

from typing import Any

from ddisync.cache import (
    CachedReads,
    Keyspace,
    LayeredCache,
    MemoryCache,
    RedisCache,
    TtlTable,
    WriteInvalidator,
    connect,
)
from ddisync.wapi import WapiClient

from .conftest import client_settings


def layered(redis_url: str | None = None, **options: Any) -> LayeredCache:
    redis = RedisCache(connect(redis_url, timeout=0.5)) if redis_url else None
    return LayeredCache(MemoryCache(), redis, **options)


def replica(sim: Any, cache: LayeredCache) -> tuple[WapiClient, CachedReads]:
    """A client whose writes invalidate ``cache``, and cached reads through it."""
    keyspace = Keyspace.of(sim.url, "2.12", "admin")
    client = WapiClient(client_settings(sim), observer=WriteInvalidator(cache, keyspace))
    ttls = TtlTable({"snapshot": 300.0, "network": 60.0, "view": 300.0, "default": 30.0})
    return client, CachedReads(client, cache, keyspace, ttls)


async def close(client: WapiClient, reads: CachedReads) -> None:
    await reads.aclose()
    await client.aclose()
    await reads.cache.aclose()
