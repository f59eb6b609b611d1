"""The Redis layer: owned snapshots shared by replicas and shards, and what a Redis outage does.

Keys (``<space>`` digests the grid URL, WAPI user and version, and the cluster id; ``<variant>``
digests the return fields)::

    ddisync:snap:<space>:<objtype>:gen                      writes recorded for the type (INCR)
    ddisync:snap:<space>:<objtype>:<variant>:<gen>          zlib(JSON {"t": read_at, "o": [...]})
    ddisync:snap:<space>:<objtype>:<variant>:<gen>:claim    the replica reading it now (lease)

A write makes every stored snapshot of its type unreachable by bumping ``gen``: a reader asks
for the value under the current generation only (one Lua call, reading ``gen`` and the value
together), and a loader stores its read under the generation it saw *before* reading WAPI, so a
read that raced with a write lands under a generation nobody asks for any more.  Old values
expire by their TTL.  The script touches a key it is not given in ``KEYS``: fine on one server
or under Sentinel, not on Redis Cluster (unsupported).

Redis outage, as a decision table:

=========================================  ================================================
event                                      what happens
=========================================  ================================================
a Redis call fails (error, timeout)        ``cache_requests{layer=redis,result=error}``;
                                           the first failure logs a warning and sets
                                           readiness ``redis: degraded``; Redis is left
                                           alone for ``retry_after`` seconds
degraded, within ``retry_after``           every call answers "unusable" at once: the store
                                           reads WAPI itself and keeps its copy in process;
                                           bumps are kept as *pending*
``retry_after`` has passed                 the next call tries Redis again, pending bumps
                                           first (a snapshot stored before the outage must
                                           not outlive the writes made during it)
that try succeeds                          readiness ``ok``, one info log
=========================================  ================================================

Nothing here raises because of Redis: redis-py errors never leave this module.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ddisync.wapi.client import WapiObject

__all__ = ["CacheMetrics", "RedisHealth", "SharedSnapshots", "Stored"]

logger = logging.getLogger("ddisync.cache")

T = TypeVar("T")

_GEN_LIFETIME_MS: Final = 86_400_000  # outlives every snapshot value by far: no ABA on expiry

_GET: Final = """
local gen = redis.call('GET', KEYS[1]) or '0'
return {gen, redis.call('GET', ARGV[1] .. gen)}
"""

_BUMP: Final = """
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
"""

_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class CacheMetrics(Protocol):
    """What the cache counts (``ddisync.metrics.Metrics`` satisfies it)."""

    def cache_request(self, layer: str, result: str) -> None:
        """One lookup in ``layer`` (memory, redis) ended as ``result`` (hit, miss, error)."""


class RedisHealth(Protocol):
    """Where Redis's state goes (``ddisync.health.HealthState`` satisfies it)."""

    def set_redis(
        self, state: Literal["ok", "degraded", "none"], detail: str | None = None
    ) -> None: ...


@dataclass(frozen=True)
class Stored:
    """What Redis holds for one snapshot: the type's generation, and the objects if stored."""

    generation: str
    objects: list[WapiObject] | None = None
    read_at: float = 0.0


class _Unavailable(Exception):
    """A Redis call failed; never leaves this module."""


def _encode(objects: Sequence[WapiObject], read_at: float) -> bytes:
    return zlib.compress(json.dumps({"t": read_at, "o": objects}, separators=(",", ":")).encode())


def _decode(generation: str, value: bytes | None) -> Stored:
    if value is None:
        return Stored(generation)
    try:
        data: Any = json.loads(zlib.decompress(value))
        objects, read_at = data["o"], float(data["t"])
    except (zlib.error, ValueError, TypeError, KeyError):
        return Stored(generation)  # another format (an older ddisync): a miss, never an error
    return Stored(generation, objects, read_at) if isinstance(objects, list) else Stored(generation)


class SharedSnapshots:
    """Snapshots in Redis under ``space``.  Owns ``client`` (closed by :meth:`aclose`)."""

    def __init__(
        self,
        client: Redis,
        space: str,
        *,
        metrics: CacheMetrics | None = None,
        health: RedisHealth | None = None,
        retry_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = client
        self._prefix = f"ddisync:snap:{space}:"
        self._metrics = metrics
        self._health = health
        self.retry_after = retry_after
        self._clock = clock
        self._token = secrets.token_hex(8)  # whose claim is whose
        self.degraded = False
        self._confirmed = False  # Redis has answered at least once
        self._retry_at = 0.0
        self._pending: set[str] = set()  # object types whose bump Redis has not confirmed
        self._get = client.register_script(_GET)
        self._bump = client.register_script(_BUMP)
        self._release = client.register_script(_RELEASE)

    def _gen_key(self, objtype: str) -> str:
        return f"{self._prefix}{objtype}:gen"

    def _value_prefix(self, objtype: str, variant: str) -> str:
        return f"{self._prefix}{objtype}:{variant}:"

    # --- outage handling ---------------------------------------------------------------------

    def _count(self, result: str) -> None:
        if self._metrics is not None:
            self._metrics.cache_request("redis", result)

    async def _call(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await call()
        except (RedisError, OSError, TimeoutError) as error:
            self._count("error")
            self._retry_at = self._clock() + self.retry_after
            if not self.degraded:
                self.degraded = True
                logger.warning(
                    "Redis is unavailable (%s: %s: %s); snapshots stay in process, "
                    "retrying in %gs",
                    what, type(error).__name__, error, self.retry_after,
                )  # fmt: skip
                if self._health is not None:
                    self._health.set_redis(
                        "degraded", f"unreachable: {type(error).__name__}: {error}"
                    )
            raise _Unavailable from error
        if self.degraded:
            logger.info("Redis is reachable again; snapshots are shared again")
        if self.degraded or not self._confirmed:
            self.degraded, self._confirmed = False, True
            if self._health is not None:
                self._health.set_redis("ok")
        return result

    async def _usable(self) -> bool:
        """Whether to use Redis now; sends the pending bumps first."""
        if self.degraded and self._clock() < self._retry_at:
            return False
        for objtype in sorted(self._pending):  # removed only once sent: see ``pending``
            try:
                await self._call("INCR", functools.partial(self._send_bump, objtype))
            except _Unavailable:
                return False
            self._pending.discard(objtype)
        return True

    async def _send_bump(self, objtype: str) -> None:
        await self._bump(keys=[self._gen_key(objtype)], args=[_GEN_LIFETIME_MS])

    # --- operations ----------------------------------------------------------------------------

    async def bump(self, objtype: str) -> None:
        """A write of ``objtype``: every stored snapshot of the type is out of date."""
        self._pending.add(objtype)
        await self._usable()

    async def get(self, objtype: str, variant: str) -> Stored | None:
        """The stored snapshot (``objects`` None on a miss); None when Redis is unusable."""
        if not await self._usable():
            return None
        keys, args = [self._gen_key(objtype)], [self._value_prefix(objtype, variant)]
        try:
            generation, value = await self._call("GET", lambda: self._get(keys=keys, args=args))
        except _Unavailable:
            return None
        stored = _decode(generation.decode(), value)
        self._count("miss" if stored.objects is None else "hit")
        return stored

    async def put(
        self,
        objtype: str,
        variant: str,
        generation: str,
        objects: Sequence[WapiObject],
        read_at: float,
        ttl: float,
    ) -> None:
        """Store a read whose loader saw ``generation`` before reading WAPI."""
        if ttl <= 0 or not await self._usable():
            return
        key = f"{self._value_prefix(objtype, variant)}{generation}"
        value = _encode(objects, read_at)
        with contextlib.suppress(_Unavailable):  # counted and logged by _call
            await self._call("SET", lambda: self._redis.set(key, value, px=int(ttl * 1000)))

    async def claim(self, objtype: str, variant: str, generation: str, lease: float) -> bool:
        """Become the one replica reading this snapshot for ``lease`` seconds (True), or learn
        that another one is (False).  Unusable Redis: True (read for yourself)."""
        if not await self._usable():
            return True
        key = f"{self._value_prefix(objtype, variant)}{generation}:claim"
        ms = max(1, int(lease * 1000))
        try:
            answer = await self._call(
                "SET NX", lambda: self._redis.set(key, self._token, nx=True, px=ms)
            )
        except _Unavailable:
            return True
        return bool(answer)

    async def release(self, objtype: str, variant: str, generation: str) -> None:
        if self.degraded:
            return  # the lease runs out by itself
        keys = [f"{self._value_prefix(objtype, variant)}{generation}:claim"]
        with contextlib.suppress(_Unavailable):  # counted and logged; the lease runs out
            await self._call("release", lambda: self._release(keys=keys, args=[self._token]))

    async def ping(self) -> bool:
        """Check Redis now (start-up): True when it answered."""
        self._retry_at = 0.0
        if not await self._usable():
            return False
        try:
            await self._call("PING", self._redis.ping)
        except _Unavailable:
            return False
        return True

    async def aclose(self) -> None:
        with contextlib.suppress(RedisError, OSError):  # closing towards a dead server
            await self._redis.aclose()
