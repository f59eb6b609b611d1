"""Owned snapshots, shared: the one read the operator repeats, made once per sweep.

A snapshot is every object of one type carrying this cluster's ownership marker, read in pages
(``ceil(N / page size)`` WAPI calls).  Drift checks, the orphan scan and the lookup of a
resource without a ref (a cold start: ``ddisync.sync.lookup``, which trusts absence only in a
read begun after the store started) read it instead of one GET per object, and replicas and
shards sharing a Redis read it once between them.  This package caches nothing else: the
lookup of a resource with a ref, and every update and delete, go to WAPI.

Pieces::

    SnapshotStore (store.py)      read(client, objtype, return_fields, max_age=...) → Snapshot
      │                           (current(...): the same without awaiting, or None);
      │                           written / deleted / invalidate, called after each write;
      │                           this process's copies, single-flight, patched by writes
      └── SharedSnapshots         Redis (redis.asyncio): values zlib(JSON), a generation per
          (shared.py)             object type bumped by every write, a claim per snapshot;
                                  a Redis outage degrades to in-process, never fails a read
    open_snapshot_store           from Settings, in ``on.startup``; ``aclose()`` in cleanup
      (wiring.py)
    TrackingClient (tracking.py)  each grid's client: records every write in its store
    urls.py                       Redis URLs, Sentinel included; passwords redacted for logs

The write API, the decision (patch in process, invalidate in Redis) and the correctness
argument are in ``store.py``'s docstring.  Redis URL forms (``urls.py``):
``redis://[user:password@]host:6379/0``, ``rediss://...`` (TLS), ``unix:///path.sock``, and
``redis+sentinel://[user:password@]sentinel1:26379,sentinel2:26379/<service>[/<db>]``
(``sentinel://`` is the same; ``?sentinel_password=`` if the sentinels need one).
"""

from .shared import CacheMetrics, RedisHealth, SharedSnapshots
from .store import Snapshot, SnapshotStore, space_of
from .tracking import TrackingClient
from .urls import SentinelTarget, connect, parse_sentinel_url, redacted
from .wiring import open_snapshot_store

__all__ = [
    "CacheMetrics",
    "RedisHealth",
    "SentinelTarget",
    "SharedSnapshots",
    "Snapshot",
    "SnapshotStore",
    "TrackingClient",
    "connect",
    "open_snapshot_store",
    "parse_sentinel_url",
    "redacted",
    "space_of",
]
