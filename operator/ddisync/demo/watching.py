"""Watch events of the emulated API server: a short history per resource plus live subscribers.

A real server answers ``?watch=true&resourceVersion=N`` with the events after N from its watch
cache, or ``410 Gone`` when N is older than what the cache holds. Kopf and the official client
list first and then watch from the list's resourceVersion, so replaying the events after N
(instead of every object as ADDED, as kmock does) keeps them from handling objects twice.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from ddisync.demo.objects import Body

# How many past events per resource a watch can resume from. Kopf resumes right after a
# disconnect, so a few thousand suffice; older resourceVersions get 410 Gone and a re-list.
HISTORY_SIZE = 20_000


@dataclass(frozen=True)
class Change:
    """One stored change: the new body (None when deleted) and the one before it."""

    rv: int
    type: str  # ADDED, MODIFIED, DELETED
    body: Body
    old: Body | None


class Closed(Exception):
    """The emulator is shutting down: watch streams end."""


class WatchHub:
    """History and subscribers of one resource."""

    def __init__(self) -> None:
        self.history: collections.deque[Change] = collections.deque(maxlen=HISTORY_SIZE)
        self.subscribers: set[asyncio.Queue[Change | None]] = set()
        self.forgotten_rv = 0  # the newest resourceVersion no longer in the history

    def publish(self, change: Change) -> None:
        if len(self.history) == self.history.maxlen:
            self.forgotten_rv = self.history[0].rv
        self.history.append(change)
        for queue in self.subscribers:
            queue.put_nowait(change)

    def close(self) -> None:
        for queue in self.subscribers:
            queue.put_nowait(None)

    def since(self, rv: int) -> list[Change] | None:
        """The changes after ``rv``, or None if some of them are no longer kept."""
        if rv < self.forgotten_rv:
            return None
        return [change for change in self.history if change.rv > rv]


def event_for(change: Change, selected: Callable[[Body], bool]) -> dict[str, Any] | None:
    """The watch event a selective watcher sees for ``change``, or None.

    An object that stops matching the selectors is DELETED for that watcher, and one that
    starts matching is ADDED, as on a real server.
    """
    now = change.type != "DELETED" and selected(change.body)
    before = change.old is not None and selected(change.old)
    if change.type == "DELETED":
        seen = before or selected(change.body)
        return {"type": "DELETED", "object": change.body} if seen else None
    if now and not before:
        return {"type": "ADDED", "object": change.body}
    if before and not now:
        return {"type": "DELETED", "object": change.body}
    if now:
        return {"type": change.type, "object": change.body}
    return None


async def stream(
    hub: WatchHub,
    *,
    initial: list[dict[str, Any]],
    selected: Callable[[Body], bool],
    timeout: float | None,
    bookmark: Callable[[], dict[str, Any]] | None,
    bookmark_interval: float,
) -> AsyncIterator[dict[str, Any]]:
    """Yield ``initial`` events, then live ones, until ``timeout`` or the hub closes.

    The subscription starts before the first yield, so nothing published meanwhile is lost.
    """
    queue: asyncio.Queue[Change | None] = asyncio.Queue()
    hub.subscribers.add(queue)
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    try:
        for event in initial:
            yield event
        while True:
            wait = bookmark_interval if bookmark else None
            if deadline is not None:
                left = deadline - loop.time()
                if left <= 0:
                    return
                wait = left if wait is None else min(wait, left)
            try:
                change = await asyncio.wait_for(queue.get(), wait)
            except TimeoutError:
                if bookmark and (deadline is None or loop.time() < deadline):
                    yield bookmark()
                continue
            if change is None:
                return
            live = event_for(change, selected)
            if live is not None:
                yield live
    finally:
        hub.subscribers.discard(queue)
