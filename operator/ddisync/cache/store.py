"""The snapshot store: per object type, every object carrying this cluster's ownership marker.

``await store.read(client, objtype, return_fields, max_age=...)`` answers with a
:class:`Snapshot` (objects by owner uid, and when the paged WAPI read began):

1. from this process, when its copy is younger than ``max_age`` and not made stale;
2. else from Redis (when configured and reachable), when a replica stored one that young;
3. else by one paged read (``*ddisync-cluster=<id>``, ``ceil(N / page size)`` calls), stored
   in Redis for the others.

``store.current(objtype, return_fields, max_age=...)`` is step 1 alone, without awaiting.
Single-flight: concurrent misses in this process share one load; across replicas the first
loader claims the snapshot (``SET NX``, a lease) and the others wait for its value (see
``shared.py``).

Writes are told explicitly, by whoever makes them, after each create, update or delete:

==========================================  ==================================================
the write                                   call
==========================================  ==================================================
create/update answered with the object      ``await store.written(objtype, obj)``
(with ``extattrs``)
delete answered, or 404 (already gone)      ``await store.deleted(objtype, ref)``
refused by the grid (any other 4xx answer,  nothing: NIOS applied nothing
``AuthenticationError``)
anything else: a timeout, a 5xx after the   ``await store.invalidate(objtype)``
retries, ``OutcomeUnknownError``, a
cancelled call, an answer without
``extattrs``, a batch, a function call
==========================================  ==================================================

Decision: **patch in process, invalidate in Redis.**  ``written``/``deleted`` patch this
process's copy in place (by owner uid, and by ref for deletes and for objects that lost our
marker) instead of dropping it: a cold start writes thousands of objects of one type, and
dropping the snapshot on each write would read every page again before the next lookup.
Redis copies are not patched (a read-modify-write of a shared value across replicas would need
a lock to never lose a patch); every write bumps the type's generation there instead, which
makes every shared copy of the type unreachable.  So a replica whose own copy is too old reads
the pages again once, not once per write of the others.  ``invalidate`` marks this process's
copy stale as well: the next read is a paged one.  The object passed to ``written`` must be the
write's answer with the kind's return fields, the ones the snapshot reads (``extattrs``
included); without ``extattrs`` it counts as ``invalidate``.

Correctness (the cache never causes a duplicate or a lost update):

* a copy this process serves reflects every write it recorded: a write during a load is
  journalled and replayed on the loaded objects (generations per type), a read begun after an
  ``invalidate`` never joins a load begun before it, and a load reads Redis only after every
  bump this process still owes Redis was sent;
* a copy Redis serves reflects every write recorded by the replicas sharing it (a read that
  raced with a write is stored under a generation nobody asks for), except a write of a replica
  that could not reach Redis then: until that replica reaches it again (its pending bumps go
  first) or the copy expires (``max_age``), the others may be served a copy without it;
* what this process's copy cannot know is a write made by *another* process since the copy was
  read, for at most ``max_age``.  Shards own disjoint resources, and a standby replica holds no
  copy when it takes over, so the objects one process decides about are written by it alone;
  the drift check only ever decides "nothing to do" from a snapshot (``sync/snapshot.py``).  A
  write decided from a snapshot must stay right if the copy is stale: an update goes by ref (a
  404 sends it back to a fresh lookup); a create decided from "not in the snapshot" relies on
  that one-writer rule, and on a read begun after ``started_at`` (``ddisync.sync.lookup``
  holds the argument), or makes a fresh marker search first where the rule may not hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from ddisync.reconcile.ownership import CLUSTER_EA, UID_EA, ea_values
from ddisync.wapi.client import WapiClient, WapiObject
from ddisync.wapi.query import objtype_of

from .shared import CacheMetrics, SharedSnapshots, Stored

__all__ = ["Snapshot", "SnapshotStore", "space_of"]

LEASE: Final = 30.0
"""Seconds a replica's claim on a snapshot lasts, and the longest the others wait for it: a
paged read of tens of thousands of objects takes a few seconds at the default rate limit."""


def _fields(return_fields: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(set(return_fields)))


def _digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


def space_of(url: str, username: str, version: str, cluster_id: str) -> str:
    """Names one grid as one WAPI user sees it, and one cluster's objects on it: two users may
    see different objects, two clusters own different ones."""
    return _digest(f"{url.rstrip('/').lower()}\n{username}\n{version}\n{cluster_id}", 16)


@dataclass(frozen=True)
class Snapshot:
    """The objects of ``objtype`` carrying this cluster's marker, by owner uid.

    ``objects`` is a live read-only view: writes recorded in the store change it in place until
    the next paged read replaces it (so copy it before awaiting in the middle of an iteration).
    """

    objtype: str
    objects: Mapping[str, WapiObject]
    read_at: float
    """Unix time the paged WAPI read began, whichever replica made it."""


@dataclass(frozen=True)
class _Change:
    """One recorded write: ``obj`` is now under ``ref`` (owned by ``uid``), or ``ref`` is no
    longer ours (``obj`` None); ``stale``: unknown, read the pages again."""

    ref: str = ""
    uid: str = ""
    obj: WapiObject | None = None
    stale: bool = False


@dataclass
class _Entry:
    """This process's copy of one snapshot."""

    objects: dict[str, WapiObject] = field(default_factory=dict)
    view: Mapping[str, WapiObject] = field(default_factory=lambda: MappingProxyType({}))
    uids: dict[str, str] = field(default_factory=dict)  # ref → owner uid
    read_at: float = 0.0
    stale: bool = True  # never read, or invalidated
    installed: int = -1  # the generation of its type when the installed read began
    loading: asyncio.Task[None] | None = None
    loading_since: int = 0  # the generation of its type when that load began

    def install(self, objects: Sequence[WapiObject], read_at: float, since: int) -> None:
        self.installed = since
        self.objects, self.uids = {}, {}
        for obj in objects:
            uid = ea_values(obj.get("extattrs")).get(UID_EA)
            if uid:
                self.objects[uid] = obj
                self.uids[str(obj.get("_ref", ""))] = uid
        self.view = MappingProxyType(self.objects)
        self.read_at, self.stale = read_at, False

    def apply(self, change: _Change) -> None:
        if change.stale:
            self.stale = True
            return
        gone = self.uids.pop(change.ref, None)
        if gone is not None and self.objects.get(gone, {}).get("_ref") == change.ref:
            del self.objects[gone]
        if change.obj is not None:
            previous = self.objects.get(change.uid)
            if previous is not None:  # an update that changed the ref (a rename)
                self.uids.pop(str(previous.get("_ref", "")), None)
            self.objects[change.uid] = change.obj
            self.uids[change.ref] = change.uid


class SnapshotStore:
    """The owned snapshots of one grid and cluster; see the module docstring."""

    def __init__(
        self,
        *,
        cluster_id: str,
        shared: SharedSnapshots | None = None,
        metrics: CacheMetrics | None = None,
        lease: float = LEASE,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.cluster_id = cluster_id
        self.shared = shared
        self._metrics = metrics
        self.lease = lease
        self._wall = wall
        self.started_at = wall()
        """Unix time this store began: a lookup trusts the absence of an object only in a
        snapshot read after it (``ddisync.sync.lookup``)."""
        self._sleep = sleep
        self._entries: dict[tuple[str, tuple[str, ...]], _Entry] = {}
        self._generation: dict[str, int] = {}  # writes recorded, by object type
        self._invalidated: dict[str, int] = {}  # the generation of the last invalidate
        self._loads: dict[str, int] = {}  # loads in flight, by object type
        self._journal: dict[str, list[tuple[int, _Change]]] = {}  # kept while a load runs
        self._tasks: set[asyncio.Task[None]] = set()  # loads in flight

    def now(self) -> float:
        """The store's wall clock (Unix time), the one ``read_at`` is measured on."""
        return self._wall()

    # --- reads -------------------------------------------------------------------------------

    def current(
        self, objtype: str, return_fields: Sequence[str], *, max_age: float
    ) -> Snapshot | None:
        """The snapshot, when this process holds one younger than ``max_age`` (no await)."""
        entry = self._entries.get((objtype, _fields(return_fields)))
        if entry is None or entry.stale or self._wall() - entry.read_at >= max_age:
            return None
        if self._metrics is not None:
            self._metrics.cache_request("memory", "hit")
        return Snapshot(objtype, entry.view, entry.read_at)

    async def read(
        self,
        client: WapiClient,
        objtype: str,
        return_fields: Sequence[str],
        *,
        max_age: float,
    ) -> Snapshot:
        """The snapshot of ``objtype`` with ``return_fields`` (``extattrs`` among them), no
        older than ``max_age`` seconds; WAPI errors of a paged read propagate."""
        found = self.current(objtype, return_fields, max_age=max_age)
        if found is not None:
            return found
        if self._metrics is not None:
            self._metrics.cache_request("memory", "miss")
        fields = _fields(return_fields)
        entry = self._entries.setdefault((objtype, fields), _Entry())
        task = entry.loading
        # Join the load in flight, unless an invalidation came after it began: what that load
        # reads may miss the write, and this read began after it.
        if task is None or self._invalidated.get(objtype, -1) > entry.loading_since:
            since = self._generation.get(objtype, 0)
            task = asyncio.ensure_future(self._load(client, objtype, fields, entry, max_age, since))
            task.add_done_callback(lambda done: self._loaded(entry, done))
            entry.loading, entry.loading_since = task, since
            self._tasks.add(task)
        await asyncio.shield(task)
        return Snapshot(objtype, entry.view, entry.read_at)

    def _loaded(self, entry: _Entry, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if entry.loading is task:
            entry.loading = None
        if not task.cancelled():
            task.exception()  # retrieved: a failed load is its awaiters' business

    async def _load(
        self,
        client: WapiClient,
        objtype: str,
        fields: tuple[str, ...],
        entry: _Entry,
        max_age: float,
        since: int,
    ) -> None:
        self._loads[objtype] = self._loads.get(objtype, 0) + 1
        try:
            objects, read_at = await self._fetch(client, objtype, fields, max_age)
            missed = [change for gen, change in self._journal.get(objtype, ()) if gen > since]
        finally:
            self._loads[objtype] -= 1
            if not self._loads[objtype]:
                del self._loads[objtype]
                self._journal.pop(objtype, None)
        if since < entry.installed:
            return  # a load begun later was installed already
        entry.install(objects, read_at, since)
        for change in missed:  # writes recorded while the pages were being read
            entry.apply(change)

    def _young(self, stored: Stored, max_age: float) -> bool:
        return stored.objects is not None and self._wall() - stored.read_at < max_age

    async def _fetch(
        self, client: WapiClient, objtype: str, fields: tuple[str, ...], max_age: float
    ) -> tuple[Sequence[WapiObject], float]:
        shared = self.shared
        if shared is None:
            return await self._read_pages(client, objtype, fields)
        variant = _digest(",".join(fields), 12)
        stored = await shared.get(objtype, variant)  # this process's pending bumps sent first
        if stored is None:  # Redis unusable: this process reads for itself
            return await self._read_pages(client, objtype, fields)
        if self._young(stored, max_age):
            return stored.objects or [], stored.read_at
        generation = stored.generation
        claimed = await shared.claim(objtype, variant, generation, self.lease)
        waited, delay = 0.0, 0.05
        while not claimed and waited < self.lease:  # another replica reads: wait for its value
            await self._sleep(delay)
            waited, delay = waited + delay, min(delay * 2, 1.0)
            stored = await shared.get(objtype, variant)
            if stored is None or stored.generation != generation:
                break  # Redis went away, or a write made that read useless: read ourselves
            if self._young(stored, max_age):
                return stored.objects or [], stored.read_at
            claimed = await shared.claim(objtype, variant, generation, self.lease)
        try:
            objects, read_at = await self._read_pages(client, objtype, fields)
            await shared.put(objtype, variant, generation, objects, read_at, max_age)
            return objects, read_at
        finally:
            if claimed:
                await shared.release(objtype, variant, generation)

    async def _read_pages(
        self, client: WapiClient, objtype: str, fields: tuple[str, ...]
    ) -> tuple[Sequence[WapiObject], float]:
        read_at = self._wall()
        params = {f"*{CLUSTER_EA}": self.cluster_id}
        return await client.get(objtype, params, return_fields=fields), read_at

    # --- writes ------------------------------------------------------------------------------

    async def written(self, objtype: str, obj: Mapping[str, Any]) -> None:
        """A create or update of ``objtype`` answered with ``obj`` (read with the snapshot's
        return fields): this process's copy now holds it (or drops it, when it no longer
        carries this cluster's marker); Redis copies of the type are dropped."""
        ref = obj.get("_ref")
        if "extattrs" not in obj or not isinstance(ref, str):
            await self.invalidate(objtype)
            return
        marker = ea_values(obj["extattrs"])
        uid = marker.get(UID_EA, "")
        if marker.get(CLUSTER_EA) == self.cluster_id and uid:
            await self._record(objtype, _Change(ref, uid, dict(obj)))
        else:
            await self._record(objtype, _Change(ref))

    async def deleted(self, objtype: str, ref: str) -> None:
        """``ref`` was deleted (or was found gone)."""
        await self._record(objtype, _Change(ref))

    async def invalidate(self, objtype: str) -> None:
        """A write of ``objtype`` whose result is unknown: the next read is a paged one."""
        await self._record(objtype, _Change(stale=True))

    async def _record(self, objtype: str, change: _Change) -> None:
        name = objtype_of(objtype)
        generation = self._generation[name] = self._generation.get(name, 0) + 1
        if change.stale:
            self._invalidated[name] = generation
        if name in self._loads:
            self._journal.setdefault(name, []).append((generation, change))
        for (entry_type, _), entry in self._entries.items():
            if entry_type == name:
                entry.apply(change)
        # Everything above happened before the first await: a cancelled caller still counts.
        if self.shared is not None:
            await self.shared.bump(name)

    async def aclose(self) -> None:
        """Stop loads nobody awaits any more, close Redis."""
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        if self.shared is not None:
            await self.shared.aclose()
