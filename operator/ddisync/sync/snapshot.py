"""Owned objects of one kind, read in bulk and shared by every resource's drift check.

A periodic drift check per resource that did one GET each would cost N calls per sweep (35k
records took more than five minutes per cycle in external-dns). Instead every check reads one
snapshot: all objects of the kind carrying this cluster's ownership marker, fetched in pages
(``ceil(N / page size)`` calls) at most once per ``max_age`` seconds, single-flight.

Each object type is a part of its own, read in parallel with the others. Records keep one
snapshot per type (``handlers.record_drift.record_snapshots``), so a sweep over resources of one
type never pays for the empty listings of the others.

With a ``cache`` (:class:`ddisync.cache.CachedReads`), each part is read through it: replicas
and shards sharing one Redis make one paged read per part and sweep, not one each (the entry
is keyed by grid, WAPI version, type and this cluster's marker). A part's age is counted from
when its WAPI read *began*, whichever replica made it, and ``taken_at`` is that moment too.

Correctness rule: a snapshot may only decide that *nothing needs doing*. Whenever it shows a
difference, the resource is reconciled through ``ddisync.sync`` which reads fresh before it
writes, so a stale snapshot — a local copy, or a shared one from Redis — can cost one extra read
or a drift noticed one sweep late, but never a wrong write or a duplicate.  A resource synced
(by a fresh read) after ``taken_at`` is newer than the snapshot and is not judged by it.
"""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ddisync.reconcile.ownership import CLUSTER_EA, UID_EA, ea_values
from ddisync.wapi.client import WapiClient

if TYPE_CHECKING:
    from ddisync.cache.reads import CachedReads

WapiObject = dict[str, Any]


@dataclass(frozen=True)
class _Read:
    objects: dict[str, WapiObject]
    read_at: float  # Unix time the WAPI read began


@dataclass
class _Part:
    objects: dict[str, WapiObject] = field(default_factory=dict)
    fetched_at: float | None = None  # on ``clock``: when the read began
    taken_at: datetime.datetime | None = None
    version: int = 0
    refresh: asyncio.Task[_Read] | None = None


class OwnedSnapshot:
    """All objects of ``objtypes`` owned by ``cluster_id``, keyed by owner uid."""

    def __init__(
        self,
        client: WapiClient,
        objtypes: Sequence[str],
        *,
        cluster_id: str,
        return_fields: Sequence[str],
        max_age: float,
        clock: Callable[[], float] = time.monotonic,
        cache: CachedReads | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._objtypes = tuple(objtypes)
        self._cluster_id = cluster_id
        self._return_fields = tuple(return_fields)
        self._max_age = max_age
        self._clock = clock
        self._cache = cache
        self._wall = wall
        self._parts = {objtype: _Part() for objtype in self._objtypes}
        self._merged: dict[str, WapiObject] = {}
        self._merged_from: tuple[int, ...] | None = None

    @property
    def taken_at(self) -> datetime.datetime | None:
        """When the oldest part read so far was read: a resource synced after it is newer."""
        times = [part.taken_at for part in self._parts.values() if part.taken_at is not None]
        return min(times) if times else None

    async def by_uid(self) -> Mapping[str, WapiObject]:
        """The snapshot of every type, parts older than ``max_age`` first refreshed."""
        names = self._objtypes
        stale = [name for name in names if not self._fresh(self._parts[name])]
        if stale:
            await asyncio.gather(*(self._refresh(self._parts[name], name) for name in stale))
        if len(names) == 1:
            return self._parts[names[0]].objects
        versions = tuple(self._parts[name].version for name in names)
        if versions != self._merged_from:  # merged once per refresh, not once per check
            self._merged = {}
            for name in names:
                self._merged.update(self._parts[name].objects)
            self._merged_from = versions
        return self._merged

    def _fresh(self, part: _Part) -> bool:
        return part.fetched_at is not None and self._clock() - part.fetched_at < self._max_age

    async def _refresh(self, part: _Part, objtype: str) -> None:
        if part.refresh is None:  # single-flight: concurrent callers share one refresh
            part.refresh = asyncio.ensure_future(self._read(objtype))
        refresh = part.refresh
        try:
            read = await asyncio.shield(refresh)
        finally:
            if part.refresh is refresh and refresh.done():
                part.refresh = None
        if part.objects is read.objects:
            return  # another caller of the same refresh installed it
        if part.taken_at is not None and read.read_at < part.taken_at.timestamp():
            return  # never replace a newer read with an older one
        part.objects = read.objects
        part.fetched_at = self._clock() - max(0.0, self._wall() - read.read_at)
        part.taken_at = datetime.datetime.fromtimestamp(read.read_at, datetime.UTC)
        part.version += 1

    async def _read(self, objtype: str) -> _Read:
        params = {f"*{CLUSTER_EA}": self._cluster_id}
        if self._cache is not None:
            stamped = await self._cache.get_stamped(
                objtype,
                params,
                return_fields=self._return_fields,
                ttl_class="snapshot",
                max_age=self._max_age,
            )
            found, read_at = stamped.objects, stamped.read_at
        else:
            read_at = self._wall()
            found = await self._client.get(objtype, params, return_fields=self._return_fields)
        objects: dict[str, WapiObject] = {}
        for obj in found:
            uid = ea_values(obj.get("extattrs")).get(UID_EA)
            if uid:
                objects[uid] = obj
        return _Read(objects, read_at)

    def invalidate(self) -> None:
        for part in self._parts.values():
            part.fetched_at = None
