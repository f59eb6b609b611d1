"""Owned objects of one kind, read in bulk and shared by every resource's drift check.

A periodic drift check per resource that did one GET each would cost N calls per sweep (35k
records took more than five minutes per cycle in external-dns). Instead every check reads one
snapshot: all objects of the kind carrying this cluster's ownership marker, fetched in pages
(``ceil(N / page size)`` calls) at most once per ``max_age`` seconds, single-flight.

Each object type is a part of its own, read in parallel with the others through the operator's
:class:`~ddisync.cache.SnapshotStore`: replicas and shards sharing one Redis make one paged read
per part and sweep, not one each, and the operator's own writes keep the parts current. Records
keep one snapshot per type (``handlers.record_drift.record_snapshots``), so a sweep over
resources of one type never pays for the empty listings of the others. A part's age is counted
from when its WAPI read *began*, whichever replica made it, and ``taken_at`` is that moment too.

Correctness rule: a snapshot may only decide that *nothing needs doing*. Whenever it shows a
difference, the resource is reconciled through ``ddisync.sync`` which reads fresh before it
writes, so a stale snapshot — a local copy, or a shared one from Redis — can cost one extra read
or a drift noticed one sweep late, but never a wrong write or a duplicate.  A resource synced
(by a fresh read) after ``taken_at`` is newer than the snapshot and is not judged by it.
"""

from __future__ import annotations

import asyncio
import datetime
from collections import ChainMap
from collections.abc import Mapping, MutableMapping, Sequence
from typing import cast

from ddisync.cache.store import Snapshot, SnapshotStore
from ddisync.wapi.client import WapiClient, WapiObject


class OwnedSnapshot:
    """All objects of ``objtypes`` owned by the store's cluster, keyed by owner uid."""

    def __init__(
        self,
        client: WapiClient,
        objtypes: Sequence[str],
        *,
        store: SnapshotStore,
        return_fields: Sequence[str],
        max_age: float,
    ) -> None:
        self._client = client
        self._objtypes = tuple(objtypes)
        self._store = store
        self._return_fields = tuple(return_fields)
        self._max_age = max_age
        self._parts: tuple[Snapshot, ...] = ()
        self._merged: Mapping[str, WapiObject] = {}

    @property
    def taken_at(self) -> datetime.datetime | None:
        """When the oldest part read so far was read: a resource synced after it is newer."""
        if not self._parts:
            return None
        oldest = min(part.read_at for part in self._parts)
        return datetime.datetime.fromtimestamp(oldest, datetime.UTC)

    async def by_uid(self) -> Mapping[str, WapiObject]:
        """The snapshot of every type, parts older than ``max_age`` first read again."""
        store, fields, max_age = self._store, self._return_fields, self._max_age
        held = [store.current(objtype, fields, max_age=max_age) for objtype in self._objtypes]
        parts = tuple(part for part in held if part is not None)
        if len(parts) < len(held):  # the parts to read again are read in parallel
            reads = (store.read(self._client, t, fields, max_age=max_age) for t in self._objtypes)
            parts = tuple(await asyncio.gather(*reads))
        same = len(parts) == len(self._parts) and all(
            new.objects is old.objects for new, old in zip(parts, self._parts, strict=True)
        )
        self._parts = parts
        if len(parts) == 1:
            return parts[0].objects
        if not same:  # a live view over the parts (writes patch them), made once per paged read
            views = [part.objects for part in parts]
            self._merged = ChainMap(*cast(list[MutableMapping[str, WapiObject]], views))
        return self._merged
