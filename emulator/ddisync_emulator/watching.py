"""Watch events of the emulated API server: a short history per resource plus live subscribers.

A real server answers ``?watch=true&resourceVersion=N`` with the events after N from its watch
cache, or ``410 Gone`` when N is older than what the cache holds. Kopf and the official client
list first and then watch from the list's resourceVersion, so replaying the events after N
(instead of every object as ADDED, as kmock does) keeps them from handling objects twice.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ddisync_emulator.objects import Body

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


def bookmark(
    rv: int, api_version: str, kind: str, annotations: Mapping[str, str]
) -> dict[str, Any]:
    """A BOOKMARK event: "nothing for you up to ``rv``" (kopf keeps its watch alive with them)."""
    meta: dict[str, Any] = {"resourceVersion": str(rv)}
    if annotations:
        meta["annotations"] = dict(annotations)
    return {
        "type": "BOOKMARK",
        "object": {"apiVersion": api_version, "kind": kind, "metadata": meta},
    }


def initial_events(
    hub: WatchHub,
    params: Mapping[str, str],
    current: Callable[[], list[Body]],
    selected: Callable[[Body], bool],
    *,
    bookmark: Callable[..., dict[str, Any]],
) -> list[dict[str, Any]]:
    """What a watch sends before live changes, by its parameters.

    ``current()`` lists the objects the watch selects; it is called only when they are sent
    (a watch that resumes from a resourceVersion gets the changes since, not a list).

    resourceVersion  sendInitialEvents  initial events
    N > 0            not "true"         the changes after N, or one ERROR 410 if too old
    "", "0"          not "true"         every current object as ADDED (the legacy way)
    any              "true"             every current object as ADDED, then a BOOKMARK
                                        annotated k8s.io/initial-events-end (watch-list,
                                        which client-go 1.35 tries first)
    """
    since = params.get("resourceVersion", "")
    if since.isdigit() and int(since) > 0 and params.get("sendInitialEvents") != "true":
        changes = hub.since(int(since))
        if changes is None:
            gone = {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "code": 410,
                "reason": "Expired",
                "message": f"too old resource version: {since}",
            }
            return [{"type": "ERROR", "object": gone}]
        events = (event_for(change, selected) for change in changes)
        return [event for event in events if event is not None]
    initial = [{"type": "ADDED", "object": body} for body in current()]
    if params.get("sendInitialEvents") == "true":
        initial.append(bookmark(**{"k8s.io/initial-events-end": "true"}))
    return initial


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


async def serve(
    hub: WatchHub,
    params: Mapping[str, str],
    current: Callable[[], list[Body]],
    selected: Callable[[Body], bool],
    *,
    bookmark: Callable[..., dict[str, Any]],
    bookmark_interval: float,
    render: Callable[[Body, bool], dict[str, Any]] | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """The events of one watch request: initial ones (see ``initial_events``), then live ones.

    ``render`` turns each object into what the client asked for instead (kubectl's one-row
    Tables; ``True`` for the first, which alone carries the column definitions).
    """
    initial = initial_events(hub, params, current, selected, bookmark=bookmark)
    if initial and initial[0]["type"] == "ERROR":
        yield initial[0]  # 410 Gone: the client re-lists
        return
    timeout = float(params["timeoutSeconds"]) if params.get("timeoutSeconds") else None
    first = True
    async for event in stream(
        hub,
        initial=initial,
        selected=selected,
        timeout=timeout,
        bookmark=bookmark if params.get("allowWatchBookmarks") == "true" else None,
        bookmark_interval=bookmark_interval,
    ):
        if render is not None and event["type"] in ("ADDED", "MODIFIED", "DELETED"):
            event, first = {"type": event["type"], "object": render(event["object"], first)}, False
        yield event
