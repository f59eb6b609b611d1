"""Run the operator's work only while this replica leads: the standby runs nothing of kopf.

``run_while_leading`` stands by until the Lease is won, then starts ``lead`` (kopf, with its
handlers, daemons and background tasks) and keeps renewing beside it:

==============================  ================================================================
what happens                    what this does
==============================  ================================================================
``stop`` set (SIGTERM/SIGINT,   asks ``lead`` to stop; what is still running after
or the caller)                  ``stop_grace`` is cancelled; *then* releases the Lease, so the
                                standby takes over at its next look (a rolling update hands
                                over in about a second, not a lease duration)
``lead`` ends by itself         releases the Lease and returns (or raises) what it did
leadership lost (no renewal     cancels ``lead`` and everything it started at once (the fencing
for ``renew_deadline``, or      of ``elector.py``), releases the Lease if nobody wrote it since
another holder seen)            (``LeaderElector.release``) and raises ``LeadershipLost``:
                                ``ddisync run`` exits 1 and Kubernetes restarts it, a standby
==============================  ================================================================

Why not kopf's peering: a standby frozen by a higher-priority peer still runs kopf (watches
open, object bodies held), its freeze waits for handlers in flight instead of cutting them, and
peers expire on a 60 s lifetime: neither a 15 s failover nor fencing. A standby that has not
started kopf cannot reach a handler, so every handler that writes to WAPI is unreachable while
not leading, without a check inside any of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ddisync.leadership.elector import LeaderElector

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds ``lead`` gets to stop by itself after a stop was asked (in-flight reconciles finish,
#: statuses are written) before it is cancelled; kopf's own exit timeout for a worker is 2 s.
STOP_GRACE = 2.5


class LeadershipLost(Exception):
    """This replica stopped leading before it was asked to stop; its work was cancelled."""


async def run_while_leading(
    elector: LeaderElector,
    lead: Callable[[asyncio.Event], Awaitable[T]],
    stop: asyncio.Event,
    *,
    stop_grace: float = STOP_GRACE,
) -> T | None:
    """Stand by, then run ``lead(its_stop_flag)`` while leading. None if stopped as a standby,
    or if ``lead`` had to be cancelled after a stop was asked."""
    if not await elector.acquire(stop):
        return None
    lead_stop = asyncio.Event()
    # Created before ``lead`` starts: kopf spares the tasks that existed when it started.
    renewing = asyncio.create_task(elector.keep_leading(), name="ddisync-lease-renewal")
    forwarding = asyncio.create_task(_forward(stop, lead_stop), name="ddisync-stop-forward")
    asked = asyncio.create_task(lead_stop.wait(), name="ddisync-stop-asked")
    leading = asyncio.create_task(_call(lead, lead_stop), name="ddisync-leading")
    lost, stopped = False, False
    try:
        done, _ = await asyncio.wait({leading, renewing, asked}, return_when="FIRST_COMPLETED")
        if leading not in done and asked in done:  # a stop was asked: a grace, then cancel
            done, _ = await asyncio.wait(
                {leading, renewing}, timeout=stop_grace, return_when="FIRST_COMPLETED"
            )
            if not done:
                logger.warning("Stopping took over %g s: what still runs is cancelled", stop_grace)
        if leading not in done:
            lost = renewing in done
            await _cancel(leading, timeout=elector.timing.lease_duration)
        stopped = leading.done()
        if lost:
            raise LeadershipLost(f"{elector.identity} lost the lead; its work was cancelled")
        if leading.cancelled():
            return None
        return leading.result()
    finally:
        for task in (renewing, forwarding, asked):
            task.cancel()
        await asyncio.gather(renewing, forwarding, asked, return_exceptions=True)
        if stopped or leading.done():  # never while its work may still run
            await elector.release()


async def _call(lead: Callable[[asyncio.Event], Awaitable[T]], stop: asyncio.Event) -> T:
    return await lead(stop)


async def _forward(stop: asyncio.Event, lead_stop: asyncio.Event) -> None:
    await stop.wait()
    lead_stop.set()


async def _cancel(task: asyncio.Task[T], *, timeout: float) -> None:
    """Cancel ``task`` and wait (bounded) until it has unwound."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await asyncio.wait_for(asyncio.shield(task), timeout)
