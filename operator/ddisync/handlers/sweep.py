"""The drift sweep: every ``resync_interval``, one pass per kind over the resources this shard
reconciles, checking each against the shared owned snapshots (``drift.py`` says when).

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
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import kopf
from kopf._cogs.clients import patching

from ddisync.config import Settings
from ddisync.correlation import reconcile_context
from ddisync.handlers.background import register_periodic
from ddisync.handlers.index import catalog
from ddisync.handlers.network import check_network_drift, network_snapshot
from ddisync.handlers.posting import take_up
from ddisync.handlers.record_context import context_of
from ddisync.handlers.record_drift import check_record_drift, record_snapshots

logger = logging.getLogger("ddisync.drift")

# Checks in flight at once: most are dict lookups in a snapshot; a repair awaits WAPI, whose
# client sets the pace. Enough to overlap repairs after a mass drift, few enough to stay small.
PARALLEL_CHECKS = 16

#: (memo, settings, body, patch) -> whether a repair was attempted
DriftCheck = Callable[[kopf.Memo, Settings, Mapping[str, Any], kopf.Patch], Awaitable[bool]]


async def _network(
    memo: kopf.Memo, settings: Settings, body: Mapping[str, Any], patch: kopf.Patch
) -> bool:
    snapshot = network_snapshot(memo, settings)
    return await check_network_drift(body, patch, memo.wapi, snapshot, settings, logger)


async def _record(
    memo: kopf.Memo, settings: Settings, body: Mapping[str, Any], patch: kopf.Patch
) -> bool:
    snapshots = record_snapshots(memo, settings)
    return await check_record_drift(body, patch, context_of(memo, settings), snapshots, logger)


CHECKS: dict[str, DriftCheck] = {"Network": _network, "Record": _record}


async def check_one(
    memo: kopf.Memo, settings: Settings, kind: str, body: Mapping[str, Any]
) -> None:
    """Check one resource; repair it and write its status if it drifted."""
    meta = body["metadata"]
    patch = kopf.Patch()
    with reconcile_context(kind, meta.get("namespace") or "", meta["name"]):
        try:
            if await CHECKS[kind](memo, settings, body, patch):
                memo.metrics.drift_repaired(kind)
        except (kopf.TemporaryError, kopf.PermanentError) as error:
            logger.warning("Drift repair failed; next sweep tries again: %s", error)
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
        await patching.patch_obj(
            settings=memo.operator_settings,
            resource=catalog(memo).resources[kind],
            namespace=meta.get("namespace"),
            name=meta["name"],
            patch=patch,
            logger=logger,
        )
    except Exception as error:  # the API may be away; the next sweep writes it again
        logger.warning("Could not write the status after a drift check: %s", error)


async def sweep(memo: kopf.Memo, settings: Settings, kind: str) -> None:
    """One pass over every resource of ``kind`` this shard reconciles."""
    bodies = catalog(memo).bodies.setdefault(kind, {})
    pending = iter(list(bodies))  # uids: each check takes the newest body, a pass lasts seconds

    async def worker() -> None:
        for uid in pending:  # one shared iterator: each resource is checked once
            body = bodies.get(uid)
            if body is not None:  # else deleted since the pass began
                await check_one(memo, settings, kind, body)
            # A check answered from the snapshot never suspends: without this, a pass over
            # 10,000 resources would hold the event loop (and every handler) for a second.
            await asyncio.sleep(0)

    await asyncio.gather(*(worker() for _ in range(PARALLEL_CHECKS)))


async def sweep_all(memo: kopf.Memo, settings: Settings) -> None:
    """One sweep: a pass over each kind."""
    if not take_up(memo):
        return  # no resource seen (so none to check)
    for kind in CHECKS:
        started = time.monotonic()
        try:
            await sweep(memo, settings, kind)
        except Exception:  # a bug must not end the sweeps for good
            logger.exception("Drift sweep of %s failed", kind)
        memo.metrics.drift_swept(kind, time.monotonic() - started)


def register_sweep(registry: kopf.OperatorRegistry, settings: Settings) -> None:
    async def one_pass(memo: kopf.Memo) -> None:
        await sweep_all(memo, settings)

    register_periodic(registry, "drift-sweep", settings.resync_interval, one_pass)
