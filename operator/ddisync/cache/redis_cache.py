"""The shared layer: Redis through ``redis.asyncio``, values compressed, tags as Redis sets.

Layout of what ddisync writes to Redis (all keys start with the facade's prefix, ``ddisync:``):

===========================  =====================================================  =========
key                          value                                                  expires
===========================  =====================================================  =========
``<key>``                    one cached read: ``j`` + JSON, or ``z`` + zlib(JSON)   its TTL
``ddisync:tag:<tag>``        a set of the keys stored with that tag                 ≥ members
``ddisync:claim:<key>``      the token of the replica loading ``<key>`` right now   lease
===========================  =====================================================  =========

Storing a value and adding it to its tag sets is one Lua script, and so is invalidating a tag
(read the set, unlink its members and the set), so no client ever sees half of either.  The
scripts touch keys they are not given in ``KEYS``: fine on one server or under Sentinel, not
on Redis Cluster (which ddisync does not support).

Every redis-py error, socket error or timeout becomes :class:`CacheUnavailableError`.
"""

from __future__ import annotations

import contextlib
import secrets
import zlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from .base import Hit
from .errors import CacheUnavailableError

__all__ = ["RedisCache"]

T = TypeVar("T")

_COMPRESS_ABOVE: Final = 512  # bytes of JSON; below this zlib's header costs more than it saves

_SET: Final = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
"""

_INVALIDATE: Final = """
local members = redis.call('SMEMBERS', KEYS[1])
for i = 1, #members, 500 do
  redis.call('UNLINK', unpack(members, i, math.min(i + 499, #members)))
end
redis.call('UNLINK', KEYS[1])
return #members
"""

_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def pack(value: bytes) -> bytes:
    if len(value) > _COMPRESS_ABOVE:
        return b"z" + zlib.compress(value, 6)
    return b"j" + value


def unpack(stored: bytes) -> bytes:
    kind, body = stored[:1], stored[1:]
    if kind == b"z":
        return zlib.decompress(body)
    if kind == b"j":
        return body
    raise CacheUnavailableError("a cached value has an unknown format")


class RedisCache:
    """A :class:`~ddisync.cache.base.ReadCache` on Redis.  Owns ``client`` (closed by
    :meth:`aclose`)."""

    def __init__(self, client: Redis, *, prefix: str = "ddisync:") -> None:
        self._redis = client
        self._prefix = prefix
        self._token = secrets.token_hex(8)  # whose claim is whose
        self._set = client.register_script(_SET)
        self._invalidate = client.register_script(_INVALIDATE)
        self._release = client.register_script(_RELEASE)

    def _tag_key(self, tag: str) -> str:
        return f"{self._prefix}tag:{tag}"

    def _claim_key(self, key: str) -> str:
        return f"{self._prefix}claim:{key}"

    async def _call(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except (RedisError, OSError, TimeoutError) as error:
            raise CacheUnavailableError(f"Redis {what}: {type(error).__name__}: {error}") from error

    async def get(self, key: str) -> Hit | None:
        async def run() -> list[Any]:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.get(key)
                pipe.pttl(key)
                result: list[Any] = await pipe.execute()
                return result

        stored, pttl = await self._call("GET", run)
        if stored is None or pttl == -2:
            return None
        ttl_left = pttl / 1000 if pttl > 0 else 0.0
        return Hit(unpack(stored), ttl_left)

    async def set(self, key: str, value: bytes, ttl: float, tags: Sequence[str] = ()) -> None:
        ms = int(ttl * 1000)
        if ms <= 0:
            return
        keys = [key, *(self._tag_key(tag) for tag in tags)]
        await self._call("SET", lambda: self._set(keys=keys, args=[pack(value), ms]))

    async def invalidate(self, tag: str) -> None:
        await self._call("invalidate", lambda: self._invalidate(keys=[self._tag_key(tag)]))

    async def claim(self, key: str, ttl: float) -> bool:
        ms = max(1, int(ttl * 1000))
        answer = await self._call(
            "SET NX", lambda: self._redis.set(self._claim_key(key), self._token, nx=True, px=ms)
        )
        return bool(answer)

    async def release(self, key: str) -> None:
        await self._call(
            "release", lambda: self._release(keys=[self._claim_key(key)], args=[self._token])
        )

    async def aclose(self) -> None:
        with contextlib.suppress(RedisError, OSError):  # closing towards a dead server
            await self._redis.aclose()
