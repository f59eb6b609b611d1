"""The facade the sync layer uses: cached WAPI GETs, single-flight, invalidated by writes.

``await reads.get(objtype, params, return_fields=..., ttl_class=...)`` answers from the cache
or makes the WAPI call, and concurrent misses for the same key share that one call:

* in this process, the first caller's load is a task the others await (like
  ``OwnedSnapshot``);
* across replicas sharing Redis, the first loader *claims* the key (``SET NX`` with a lease);
  the others poll the cache for up to the lease and load it themselves only if it never
  arrives (a dead claimant cannot stall anyone longer than that).

Each value remembers when its WAPI read began (``Stamped.read_at``, Unix time), so a consumer
can tell how old the data is whichever replica read it.  Values are the objects as WAPI
returned them with the requested return fields only (JSON; Redis stores it zlib-compressed).

Writes invalidate through :class:`WriteInvalidator`, a ``WapiObserver`` given to the client:
every POST, PUT or DELETE the client sends (whatever the answer: a timeout may have landed)
drops the cached reads of that object type — here at once, in Redis right after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ddisync.wapi.client import WapiClient, WapiObject
from ddisync.wapi.observer import NullObserver
from ddisync.wapi.query import QueryParams, objtype_of, param_pairs

from .keys import Keyspace, TtlTable
from .layered import LayeredCache

__all__ = ["CachedReads", "Stamped", "WriteInvalidator"]

_WRITES: Final = frozenset({"POST", "PUT", "DELETE"})


@dataclass(frozen=True)
class Stamped:
    """Objects read from WAPI, and when that read began (Unix seconds)."""

    objects: list[WapiObject]
    read_at: float


def _encode(stamped: Stamped) -> bytes:
    return json.dumps({"t": stamped.read_at, "o": stamped.objects}, separators=(",", ":")).encode()


def _decode(value: bytes) -> Stamped | None:
    try:
        data: Any = json.loads(value)
        objects, read_at = data["o"], float(data["t"])
    except (ValueError, TypeError, KeyError):
        return None  # an entry of another format: a miss, never an error
    return Stamped(objects, read_at) if isinstance(objects, list) else None


class CachedReads:
    """Cached reads of one grid through ``client``; see the module docstring."""

    def __init__(
        self,
        client: WapiClient,
        cache: LayeredCache,
        keyspace: Keyspace,
        ttls: TtlTable,
        *,
        lease: float = 30.0,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.cache = cache
        self.keyspace = keyspace
        self.ttls = ttls
        self.lease = lease
        """Seconds a replica's claim on a key lasts, and the longest others wait for it."""
        self._wall = wall
        self._sleep = sleep
        self._inflight: dict[str, asyncio.Task[Stamped]] = {}

    def _tags(self, objtype: str) -> tuple[str, str]:
        return self.keyspace.tag(objtype_of(objtype)), self.keyspace.all_tag

    async def get(
        self,
        objtype: str,
        params: QueryParams | None = None,
        *,
        return_fields: Sequence[str] | None = None,
        ttl_class: str | None = None,
        fresh: bool = False,
    ) -> list[WapiObject]:
        """All objects matching ``params`` (like ``WapiClient.get``), maybe from the cache.

        ``fresh=True`` skips the lookup and replaces the entry with a new WAPI read.
        """
        stamped = await self.get_stamped(
            objtype, params, return_fields=return_fields, ttl_class=ttl_class, fresh=fresh
        )
        return stamped.objects

    async def get_stamped(
        self,
        objtype: str,
        params: QueryParams | None = None,
        *,
        return_fields: Sequence[str] | None = None,
        ttl_class: str | None = None,
        fresh: bool = False,
        max_age: float | None = None,
    ) -> Stamped:
        """Like :meth:`get`, with the read time; an entry read more than ``max_age`` seconds
        ago counts as a miss."""
        key = self.keyspace.key(objtype, param_pairs(params), return_fields)
        ttl = self.ttls.ttl(objtype_of(objtype), ttl_class)

        def load() -> Awaitable[Stamped]:
            return self._load(key, objtype, params, return_fields, ttl, claim=not fresh)

        if fresh:  # never shares a load that began before this call
            return await load()
        found = await self._lookup(key, max_age, count=True)
        if found is not None:
            return found
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(load())
            self._inflight[key] = task
            task.add_done_callback(lambda t: self._forget(key, t))
        return await asyncio.shield(task)

    def _forget(self, key: str, task: asyncio.Task[Stamped]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved: a failed load is its awaiters' business

    async def _lookup(self, key: str, max_age: float | None, *, count: bool) -> Stamped | None:
        hit = await self.cache.get(key, count=count)
        found = None if hit is None else _decode(hit.value)
        if found is not None and max_age is not None and self._wall() - found.read_at > max_age:
            return None
        return found

    async def _load(
        self,
        key: str,
        objtype: str,
        params: QueryParams | None,
        return_fields: Sequence[str] | None,
        ttl: float,
        *,
        claim: bool,
    ) -> Stamped:
        tags = self._tags(objtype)
        generations = self.cache.generations(tags)
        claimed = claim and await self.cache.claim(key, self.lease)
        if claim and not claimed:
            found = await self._wait_for(key)
            if found is not None:
                return found
        try:
            read_at = self._wall()
            objects = await self.client.get(objtype, params, return_fields=return_fields)
            stamped = Stamped(objects, read_at)
            await self.cache.set(key, _encode(stamped), ttl, tags, generations=generations)
            return stamped
        finally:
            if claimed:
                await self.cache.release(key)

    async def _wait_for(self, key: str) -> Stamped | None:
        """Another replica is loading ``key``: poll for its value, up to the lease."""
        waited, delay = 0.0, 0.05
        while waited < self.lease:
            await self._sleep(delay)
            waited += delay
            found = await self._lookup(key, None, count=False)
            if found is not None:
                return found
            delay = min(delay * 2, 1.0)
        return None

    async def aclose(self) -> None:
        """Stop loads nobody awaits any more."""
        for task in list(self._inflight.values()):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


class WriteInvalidator(NullObserver):
    """A ``WapiObserver``: every write the client sends drops the cached reads it could change.

    A multi-object ``request`` may write anything, so it drops every entry of the grid.
    """

    def __init__(self, cache: LayeredCache, keyspace: Keyspace) -> None:
        self._cache = cache
        self._keyspace = keyspace

    def on_request(self, *, method: str, objtype: str, status: int | str, seconds: float) -> None:
        if method.upper() not in _WRITES:
            return
        name = objtype_of(objtype)
        tag = self._keyspace.all_tag if name == "request" else self._keyspace.tag(name)
        self._cache.invalidate_nowait(tag)
