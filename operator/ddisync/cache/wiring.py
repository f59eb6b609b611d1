"""Opening the operator's snapshot store from settings: in ``on.startup``, closed in
``on.cleanup``."""

from __future__ import annotations

import logging

from ddisync.config import Settings

from .shared import CacheMetrics, RedisHealth, SharedSnapshots
from .store import SnapshotStore, space_of
from .urls import connect, redacted

__all__ = ["open_snapshot_store"]

logger = logging.getLogger("ddisync.cache")


async def open_snapshot_store(
    settings: Settings, metrics: CacheMetrics | None = None, health: RedisHealth | None = None
) -> SnapshotStore:
    """In process only, or shared through Redis when ``redis_url`` is set.

    Never fails because Redis is down: the store starts degraded and tries again later.
    """
    shared = None
    if settings.redis_url:
        space = space_of(
            settings.wapi_url, settings.wapi_username, settings.wapi_version, settings.cluster_id
        )
        shared = SharedSnapshots(
            connect(settings.redis_url, timeout=settings.cache_redis_timeout),
            space,
            metrics=metrics,
            health=health,
            retry_after=settings.cache_redis_retry_seconds,
        )
        reachable = await shared.ping()
        logger.info(
            "owned snapshots: shared through Redis %s (%s)",
            redacted(settings.redis_url),
            "reachable" if reachable else "unreachable for now: in process until it answers",
        )
    else:  # readiness says "none" already (runtime.py)
        logger.info("owned snapshots: in process only (DDISYNC_REDIS_URL is not set)")
    return SnapshotStore(cluster_id=settings.cluster_id, shared=shared, metrics=metrics)
