"""Operator-wide background tasks: started at kopf's start-up, cancelled at its clean-up.

The marker check runs this way once; the orphan scan and the drift sweep run periodically
(``register_periodic``), once per operator rather than once per resource. Tasks created from a
start-up handler carry kopf's API credentials, so they may patch objects as handlers do; kopf's
Event queue they take up from the handlers (``ddisync.kopf_internals``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import kopf

from ddisync.handlers.shared import shared


def register_background(
    registry: kopf.OperatorRegistry,
    name: str,
    run: Callable[[kopf.Memo], Coroutine[Any, Any, None]],
) -> None:
    """Run ``run(memo)`` as the task ``ddisync-<name>`` for as long as the operator runs."""

    @kopf.on.startup(registry=registry, id=f"start-{name}")
    async def start(memo: kopf.Memo, **_: Any) -> None:
        tasks: dict[str, asyncio.Task[None]] = shared(memo, "background", dict)
        tasks[name] = asyncio.create_task(run(memo), name=f"ddisync-{name}")

    @kopf.on.cleanup(registry=registry, id=f"stop-{name}")
    async def stop(memo: kopf.Memo, **_: Any) -> None:
        tasks: dict[str, asyncio.Task[None]] = shared(memo, "background", dict)
        task = tasks.pop(name, None)
        if task is not None and not task.done():  # one that ended (or raised) has nothing to stop
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def register_periodic(
    registry: kopf.OperatorRegistry,
    name: str,
    interval: float,
    one_pass: Callable[[kopf.Memo], Awaitable[None]],
) -> None:
    """Run ``one_pass(memo)`` every ``interval`` seconds (the first one interval after start),
    skipping the passes due before the grids (their WAPI clients) are open."""

    async def run(memo: kopf.Memo) -> None:
        while True:
            await asyncio.sleep(interval)
            if getattr(memo, "grids", None) is not None:
                await one_pass(memo)

    register_background(registry, name, run)
