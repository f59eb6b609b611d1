"""One resource at a time: kopf's handlers and the drift check of the same resource never run
together.

kopf runs one resource's handlers one after another, but the drift sweep is a timer of its own.
Without this lock, a repair that re-creates a missing object could land after the finalizer
had looked the object up and found nothing (the resource then goes, its new object stays), and
a repair and a spec change's reconcile could each find nothing and both create. With it, the
later of the two starts only once the earlier is done, and the drift check re-reads the
resource once it holds the lock (``sweep.check_one``): a resource deleted or changed meanwhile
is left to kopf's handler.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import kopf

from ddisync.handlers.shared import shared


class ResourceLocks:
    """A lock per resource uid, kept only while someone holds or awaits it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def holding(self, uid: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(uid, (asyncio.Lock(), 0))
        self._locks[uid] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[uid]
            if users == 1:
                del self._locks[uid]
            else:
                self._locks[uid] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


def resource_lock(memo: kopf.Memo, uid: str) -> contextlib.AbstractAsyncContextManager[None]:
    """Hold the resource's lock (``async with``)."""
    return shared(memo, "resource_locks", ResourceLocks).holding(uid)
