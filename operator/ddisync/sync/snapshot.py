"""Owned objects of one kind, read in bulk and shared by every resource's drift check.

A periodic drift check per resource that did one GET each would cost N calls per sweep (35k
records took more than five minutes per cycle in external-dns). Instead every check reads one
snapshot: all objects of the kind carrying this cluster's ownership marker, fetched in pages
(``ceil(N / page size)`` calls) at most once per ``max_age`` seconds, single-flight.

Correctness rule: a snapshot may only decide that *nothing needs doing*. Whenever it shows a
difference, the resource is reconciled through ``ddisync.sync`` which reads fresh before it
writes, so a stale snapshot can cost one extra read but never a wrong write or a duplicate.
"""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ddisync.reconcile.ownership import CLUSTER_EA, UID_EA, ea_values
from ddisync.wapi.client import WapiClient

WapiObject = dict[str, Any]


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
    ) -> None:
        self._client = client
        self._objtypes = tuple(objtypes)
        self._cluster_id = cluster_id
        self._return_fields = tuple(return_fields)
        self._max_age = max_age
        self._clock = clock
        self._objects: dict[str, WapiObject] = {}
        self._fetched_at: float | None = None
        self.taken_at: datetime.datetime | None = None
        """Wall-clock time the current snapshot was read: a resource synced after it is newer."""
        self._refresh: asyncio.Task[dict[str, WapiObject]] | None = None

    async def by_uid(self) -> Mapping[str, WapiObject]:
        """The snapshot, refreshed first when older than ``max_age``."""
        fresh = self._fetched_at is not None and self._clock() - self._fetched_at < self._max_age
        if fresh:
            return self._objects
        if self._refresh is None:  # single-flight: concurrent callers share one refresh
            started = datetime.datetime.now(datetime.UTC)
            self._refresh = asyncio.ensure_future(self._fetch())
            self._refresh.add_done_callback(lambda _: setattr(self, "taken_at", started))
        refresh = self._refresh
        try:
            self._objects = await asyncio.shield(refresh)
            self._fetched_at = self._clock()
        finally:
            if self._refresh is refresh and refresh.done():
                self._refresh = None
        return self._objects

    async def _fetch(self) -> dict[str, WapiObject]:
        objects: dict[str, WapiObject] = {}
        for objtype in self._objtypes:
            found = await self._client.get(
                objtype, {f"*{CLUSTER_EA}": self._cluster_id}, return_fields=self._return_fields
            )
            for obj in found:
                uid = ea_values(obj.get("extattrs")).get(UID_EA)
                if uid:
                    objects[uid] = obj
        return objects

    def invalidate(self) -> None:
        self._fetched_at = None
