"""Opening the operator's snapshot store from settings: in ``on.startup``, closed in
``on.cleanup``."""

from __future__ import annotations

import logging

from ddisync.config import Settings
from ddisync.wapi.settings import WapiSettings

from .shared import CacheMetrics, RedisHealth, SharedSnapshots
from .store import SnapshotStore, space_of
from .urls import connect, redacted

__all__ = ["open_snapshot_store"]

logger = logging.getLogger("ddisync.cache")


async def open_snapshot_store(
    settings: Settings,
    grid: WapiSettings,
    metrics: CacheMetrics | None = None,
    health: RedisHealth | None = None,
) -> SnapshotStore:
    """The store of one grid: in process only, or shared through Redis when ``redis_url`` is
    set (in a keyspace of the grid's URL and user and the cluster id).

    Never fails because Redis is down: the store starts degraded and tries again later.
    """
    shared = None
    if settings.redis_url:
        space = space_of(grid.url, grid.username, grid.version, settings.cluster_id)
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
