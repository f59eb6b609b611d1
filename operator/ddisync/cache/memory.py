"""The in-process layer: a bounded LRU of bytes with a TTL per entry and tag invalidation.

Bounded twice, by entries and by bytes, because one bulk snapshot (thousands of objects) weighs
as much as thousands of small lookups.  Expired entries are dropped when met and when the
bounds force an eviction; nothing runs in the background.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .base import Hit

__all__ = ["MemoryCache"]


@dataclass
class _Entry:
    value: bytes
    expires: float
    tags: tuple[str, ...]


class MemoryCache:
    """A :class:`~ddisync.cache.base.ReadCache` in this process.  Its methods are async for the
    interface; the ``*_now`` variants are the same operations, synchronous."""

    def __init__(
        self,
        *,
        max_entries: int = 10_000,
        max_bytes: int = 64 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("max_entries and max_bytes must be >= 1")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._tags: dict[str, set[str]] = {}
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    # --- synchronous core ------------------------------------------------------------------

    def get_now(self, key: str) -> Hit | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        left = entry.expires - self._clock()
        if left <= 0:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return Hit(entry.value, left)

    def set_now(self, key: str, value: bytes, ttl: float, tags: Sequence[str] = ()) -> None:
        if ttl <= 0 or len(value) > self.max_bytes:
            self._drop(key)
            return
        self._drop(key)
        entry = _Entry(value, self._clock() + ttl, tuple(tags))
        self._entries[key] = entry
        self._bytes += len(value)
        for tag in entry.tags:
            self._tags.setdefault(tag, set()).add(key)
        self._evict()

    def invalidate_now(self, tag: str) -> None:
        for key in list(self._tags.get(tag, ())):
            self._drop(key)
        self._tags.pop(tag, None)

    def clear(self) -> None:
        self._entries.clear()
        self._tags.clear()
        self._bytes = 0

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self._bytes -= len(entry.value)
        for tag in entry.tags:
            keys = self._tags.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._tags[tag]

    def _evict(self) -> None:
        if len(self._entries) <= self.max_entries and self._bytes <= self.max_bytes:
            return
        now = self._clock()  # over a bound: the expired go first, then the least recently used
        for key in [k for k, e in self._entries.items() if e.expires <= now]:
            self._drop(key)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))

    # --- the ReadCache interface -----------------------------------------------------------

    async def get(self, key: str) -> Hit | None:
        return self.get_now(key)

    async def set(self, key: str, value: bytes, ttl: float, tags: Sequence[str] = ()) -> None:
        self.set_now(key, value, ttl, tags)

    async def invalidate(self, tag: str) -> None:
        self.invalidate_now(tag)

    async def claim(self, key: str, ttl: float) -> bool:
        return True  # in one process, CachedReads' own single-flight already decides

    async def release(self, key: str) -> None:
        pass

    async def aclose(self) -> None:
        self.clear()
