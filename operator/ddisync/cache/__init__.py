"""The read cache: fewer reads for the Grid Master, never a duplicate or a lost update.

Every reconcile and every resync reads before it writes, so reads are most of the load an
operator puts on a Grid Master.  This package caches WAPI reads in process and, when
``DDISYNC_REDIS_URL`` is set, in a Redis shared by all replicas and shards.

Pieces, outermost first::

    CachedReads (reads.py)      the facade: reads.get(objtype, params, return_fields=...,
      │                         ttl_class=...) → cached WAPI GET, single-flight (in process:
      │                         one task; across replicas: a Redis claim), keyed by grid URL +
      │                         WAPI user + WAPI version + object type + canonical query
      │                         (keys.py), TTL by class (Settings.cache_ttl_seconds)
    LayeredCache (layered.py)   memory in front of Redis; Redis errors → memory only, health
      │                         "degraded", one warning, metric result "error"; Redis is
      │                         tried again after cache_redis_retry_seconds
      ├── MemoryCache (memory.py)       bounded LRU (entries and bytes) + TTL + tags
      └── RedisCache (redis_cache.py)   redis.asyncio; values "j"+JSON or "z"+zlib(JSON);
                                        tags are Redis sets; Sentinel URLs (urls.py)
    WriteInvalidator (reads.py) a WapiObserver on the client: every POST/PUT/DELETE drops the
                                cached reads of its object type (a multi-object request: all)

All layers implement :class:`ReadCache` (base.py): async ``get``/``set`` (with TTL and tags)/
``invalidate(tag)``/``claim``/``release``.  Errors: :mod:`ddisync.cache.errors`;
redis-py errors never leave this package.

Redis URL forms (urls.py): ``redis://[user:password@]host:6379/0``, ``rediss://...`` (TLS),
``unix:///path.sock``, and Sentinel as
``redis+sentinel://[user:password@]sentinel1:26379,sentinel2:26379/<service>[/<db>]``
(``sentinel://`` is the same; ``?sentinel_password=`` if the sentinels need one).

What is cached, and the correctness rule
----------------------------------------

**The cache never decides a write.**  A read that decides *whether* or *what* to write is
made uncached, after the decision to reconcile: ``sync/network.py``'s ``find_network`` (and
``find_record``) call the ``WapiClient`` directly, never :class:`CachedReads`.  Cached are:

=====================================  ===================================================
read                                   why a stale answer is harmless
=====================================  ===================================================
bulk drift snapshots                   only decide "nothing to do"; a difference triggers a
(``OwnedSnapshot(cache=...)``)         reconcile with fresh reads; a resource synced after
                                       the snapshot's read time is not judged by it
zones, views                           parameters of a write: a stale one makes the write
                                       fail (404/400 from the grid), and the retry re-reads
                                       with ``fresh=True``
allocation networks / containers       the same: allocation happens *inside* the create
                                       call (``func:nextavailable...``), atomically, on the
                                       grid; a vanished parent fails the create
lookups by ownership marker            reporting (orphans), never the write path
=====================================  ===================================================

Worked cases (tested in ``tests/cache/test_correctness.py``): a network's comment changed out
of band while the cache holds the old snapshot → the drift check may miss it until the entry
expires, but a spec change still writes the right value (the sync reads fresh); an object
deleted out of band while cached → the next reconcile's fresh read finds nothing by ref or
marker and creates it exactly once.  On top of that, every write the operator makes
invalidates what it could change (``WriteInvalidator``), and a read that raced with such a
write is not stored (tag generations, layered.py).

Lifecycle: :func:`open_cache` in ``on.startup`` (kept in ``memo.cache``; its
``write_observer()`` goes to the ``WapiClient``, ``reads(client)`` gives ``memo.reads``), and
``aclose()`` in ``on.cleanup``.  A Redis that is down at start-up or later never fails a
reconcile or the start: the cache runs in process and reports ``redis: degraded``.
"""

from .base import CacheMetrics, Hit, ReadCache, RedisHealth
from .errors import CacheError, CacheUnavailableError
from .keys import Keyspace, TtlTable, ttl_class_of
from .layered import LayeredCache
from .memory import MemoryCache
from .reads import CachedReads, Stamped, WriteInvalidator
from .redis_cache import RedisCache
from .urls import SentinelTarget, connect, parse_sentinel_url, redacted
from .wiring import OperatorCache, open_cache

__all__ = [
    "CacheError",
    "CacheMetrics",
    "CacheUnavailableError",
    "CachedReads",
    "Hit",
    "Keyspace",
    "LayeredCache",
    "MemoryCache",
    "OperatorCache",
    "ReadCache",
    "RedisCache",
    "RedisHealth",
    "SentinelTarget",
    "Stamped",
    "TtlTable",
    "WriteInvalidator",
    "connect",
    "open_cache",
    "parse_sentinel_url",
    "redacted",
    "ttl_class_of",
]
