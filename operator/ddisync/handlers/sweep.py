"""The drift sweep: every ``resync_interval``, one pass per kind (``sync.kinds``) over the
resources this shard reconciles, checking each against the shared owned snapshots
(``drift.py``).

One task per operator, not a kopf timer per resource: a timer costs a task, kopf's daemon
bookkeeping and a body per resource, and kopf's invocation machinery on every tick; at
10,000 Records that was 100 MB and a sixth of a cold start's CPU (benchmarks/README.md).
The sweep takes the bodies from the catalog (``index.py``), which keeps the newest one from
the same watch events kopf handles.

A repair is the kind's full reconcile, as in a handler, into a ``kopf.Patch``; the sweep then
writes that status with kopf's own patch call, the one kopf makes after a handler (kopf has no
public call for a write outside a handler; ``kopf`` is pinned, and the drift e2e tests cover
this path). A repair that fails leaves its Ready=False status and is tried again next sweep.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import kopf

from ddisync.api.conditions import ready_condition
from ddisync.config import Settings
from ddisync.correlation import reconcile_context
from ddisync.grids import Grid
from ddisync.handlers.background import register_periodic
from ddisync.handlers.context import context_of
from ddisync.handlers.drift import RECHECKED, check_drift
from ddisync.handlers.index import catalog
from ddisync.handlers.locks import resource_lock
from ddisync.handlers.reconcile import AnyDriver
from ddisync.handlers.snapshots import owned_snapshots
from ddisync.kopf_internals import patch_resource, take_up_event_queue
from ddisync.sync.snapshot import OwnedSnapshot

logger = logging.getLogger("ddisync.drift")

# Checks in flight at once: most are dict lookups in a snapshot; a repair awaits WAPI, whose
# client sets the pace. Enough to overlap repairs after a mass drift, few enough to stay small.
PARALLEL_CHECKS = 16


async def check_one(
    memo: kopf.Memo, settings: Settings, driver: AnyDriver, body: Mapping[str, Any]
) -> None:
    """Check one resource; repair it and write its status if it drifted."""
    async with resource_lock(memo, str(body["metadata"]["uid"])):
        # The newest body, now that no handler of it runs: one deleted (or being deleted)
        # meanwhile is gone from the catalog, and is its finalizer's alone.
        newest = catalog(memo).bodies.get(driver.kind, {}).get(str(body["metadata"]["uid"]))
        if newest is not None:
            await _check_held(memo, settings, driver, newest)


async def _check_held(
    memo: kopf.Memo, settings: Settings, driver: AnyDriver, body: Mapping[str, Any]
) -> None:
    meta, kind = body["metadata"], driver.kind
    patch = kopf.Patch()
    with reconcile_context(kind, meta.get("namespace") or "", meta["name"]):
        try:
            ctx = context_of(memo, settings)

            def snapshots(grid: Grid) -> Mapping[str, OwnedSnapshot]:
                return owned_snapshots(memo, settings, driver, grid)

            if await check_drift(driver, body, patch, ctx, snapshots, logger):
                memo.metrics.drift_repaired(kind)
        except (kopf.TemporaryError, kopf.PermanentError) as error:
            # Said once, when the reason changes; a recheck ending as before is no news.
            before = ready_condition(body.get("status")) or {}
            after = ready_condition(patch.status) or {}
            same = before.get("reason") == after.get("reason")
            level = logging.DEBUG if same else logging.WARNING
            logger.log(level, "Drift check did not bring it in step; next sweep again: %s", error)
        except Exception:  # a bug must not end the sweep for the other resources
            logger.exception("Drift check failed")
        if patch and _still_current(memo, kind, meta):
            await _write_status(memo, kind, meta, patch)


def _still_current(memo: kopf.Memo, kind: str, meta: Mapping[str, Any]) -> bool:
    """Whether the resource is still at the generation the check saw. A spec edited (or the
    resource deleted) meanwhile belongs to kopf's handler: a status written from the older
    spec after the handler's would show a stale observedGeneration for good."""
    latest = catalog(memo).bodies.get(kind, {}).get(str(meta["uid"]))
    return latest is not None and latest["metadata"].get("generation") == meta.get("generation")


async def _write_status(
    memo: kopf.Memo, kind: str, meta: Mapping[str, Any], patch: kopf.Patch
) -> None:
    try:
        resource = catalog(memo).resources[kind]
        await patch_resource(memo, resource, meta.get("namespace"), meta["name"], patch, logger)
    except Exception as error:  # the API may be away; the next sweep writes it again
        logger.warning("Could not write the status after a drift check: %s", error)


async def sweep(memo: kopf.Memo, settings: Settings, driver: AnyDriver) -> None:
    """One pass over every resource of the driver's kind this shard reconciles."""
    bodies = catalog(memo).bodies.setdefault(driver.kind, {})
    pending = iter(list(bodies))  # uids: each check takes the newest body, a pass lasts seconds

    async def worker() -> None:
        for uid in pending:  # one shared iterator: each resource is checked once
            body = bodies.get(uid)
            if body is not None:  # else deleted since the pass began
                await check_one(memo, settings, driver, body)
            # A check answered from the snapshot never suspends: without this, a pass over
            # 10,000 resources would hold the event loop (and every handler) for a second.
            await asyncio.sleep(0)

    await asyncio.gather(*(worker() for _ in range(PARALLEL_CHECKS)))


async def recheck_forbidden(
    memo: kopf.Memo, settings: Settings, kinds: Sequence[AnyDriver]
) -> None:
    """Re-judge, now, the resources refused for a reason only the outside world lifts (a
    grant added or widened): the same check as the sweep's, for those only."""
    take_up_event_queue(memo)
    for driver in kinds:
        bodies = catalog(memo).bodies.get(driver.kind, {})
        for body in list(bodies.values()):
            ready = ready_condition(body.get("status"))
            if ready is not None and ready.get("reason") in RECHECKED:
                await check_one(memo, settings, driver, body)


async def sweep_all(memo: kopf.Memo, settings: Settings, kinds: Sequence[AnyDriver]) -> None:
    """One sweep: a pass over each kind."""
    if not take_up_event_queue(memo):
        return  # no resource seen (so none to check)
    for driver in kinds:
        started = time.monotonic()
        try:
            await sweep(memo, settings, driver)
        except Exception:  # a bug must not end the sweeps for good
            logger.exception("Drift sweep of %s failed", driver.kind)
        memo.metrics.drift_swept(driver.kind, time.monotonic() - started)


def register_sweep(
    registry: kopf.OperatorRegistry, settings: Settings, kinds: Sequence[AnyDriver]
) -> None:
    async def one_pass(memo: kopf.Memo) -> None:
        await sweep_all(memo, settings, kinds)

    register_periodic(registry, "drift-sweep", settings.resync_interval, one_pass)
