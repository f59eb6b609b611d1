"""The periodic drift check of one resource, any kind: when to check, when a fresh read
already answered, how the snapshots judge it (``sync.pipeline.drift``) and how a repair is
reported.

The snapshots only decide that nothing needs doing; any difference (an object edited or
deleted in Infoblox) goes through the full reconcile, which reads fresh before it writes.
A part the snapshots cannot hold (an NS record: no marker to key it by) makes the verdict
"cannot tell": the resource is reconciled (fresh reads), and only a reconcile that wrote is a
repair, announced and counted; one that found it in step writes nothing, not even its status.

==============================================  ==========================================
the resource                                    the drift check
==============================================  ==========================================
Ready=True for its current generation           compares it with the shared snapshot
Ready=False, NotOwned, ImmutableField or       reconciles again: only the outside world
Forbidden                                       (the other object going away, a grant
                                                widened) resolves it
anything else                                   nothing: kopf already retries it, or only
                                                a spec edit helps
==============================================  ==========================================
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Any

import kopf

from ddisync.api.conditions import Reason, ready_condition
from ddisync.grids import Grid
from ddisync.handlers.context import Context
from ddisync.handlers.reconcile import AnyDriver, judge, owner_of, reconcile
from ddisync.handlers.status import announce
from ddisync.sync.driver import Intent
from ddisync.sync.errors import SyncRefused
from ddisync.sync.pipeline import drift
from ddisync.sync.snapshot import OwnedSnapshot

# Refused for a reason outside the resource, which only a fresh judgement can lift: another
# object going away (NotOwned, ImmutableField), or a grant added or widened (Forbidden).
RECHECKED = frozenset(
    {
        Reason.NOT_OWNED.value,
        Reason.IMMUTABLE_FIELD.value,
        Reason.FORBIDDEN.value,
        Reason.NETWORK_BECAME_CONTAINER.value,
        Reason.PARENT_NOT_FOUND.value,  # a zone or container may have been created since
    }
)


class Gate(Enum):
    CHECK = "check"  # in a steady state: compare with the snapshot
    RECHECK = "recheck"  # refused for an outside reason: reconcile again
    SKIP = "skip"


def drift_gate(body: Mapping[str, Any]) -> Gate:
    """What the periodic check does with this resource (the module's table)."""
    status = body.get("status") or {}
    ready = ready_condition(status)
    current = status.get("observedGeneration") == body["metadata"].get("generation")
    if ready is not None and ready.get("status") == "True" and current:
        return Gate.CHECK
    if ready is not None and ready.get("reason") in RECHECKED:
        return Gate.RECHECK
    return Gate.SKIP


def verified_after(status: Mapping[str, Any], taken: Sequence[datetime.datetime | None]) -> bool:
    """Whether a fresh read after every snapshot in ``taken`` already confirmed the resource
    (its ``lastSyncTime`` is newer): the snapshots cannot judge it then."""
    synced = status.get("lastSyncTime")
    if not synced or not taken or any(t is None for t in taken):
        return False
    return datetime.datetime.fromisoformat(synced) > min(t for t in taken if t is not None)


def report_drift(
    body: Mapping[str, Any],
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger],
    what: str,
    ref: str | None = None,
) -> None:
    """Log and announce (as a Kubernetes Event) a drift about to be repaired, naming the
    object (``ref``; None: it is gone from Infoblox)."""
    where = ref or "gone from Infoblox"
    logger.warning("Infoblox drifted from the spec (%s, %s); repairing", what, where)
    message = f"Infoblox drifted from the spec ({what}, {where}); repaired"
    announce(body, "DriftRepaired", message, warning=True)


async def check_drift(
    driver: AnyDriver,
    body: Mapping[str, Any],
    patch: kopf.Patch,
    ctx: Context,
    snapshots: Callable[[Grid], Mapping[str, OwnedSnapshot]],
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger],
) -> bool:
    """Judge one resource against the shared snapshots of its grid (``snapshots``); on a
    difference, repair it through the same reconcile as a watch event (fresh reads before any
    write). Returns whether a repair was attempted."""
    gate = drift_gate(body)
    if gate is Gate.RECHECK:
        await reconcile(driver, body, patch, ctx, logger)
        return True
    if gate is Gate.SKIP:
        return False
    try:
        judged = judge(driver, body, ctx)
        grid = ctx.grids.get(judged.spec.grid)
    except SyncRefused:
        return False  # waiting for another resource or its grid; checked once that is there
    spec, desired = judged.spec, judged.desired
    if judged.refusal is not None:
        # A grant narrowed or deleted since: the reconcile writes Forbidden, touches nothing.
        await reconcile(driver, body, patch, ctx, logger)
        return False
    intent = Intent(owner_of(driver, body, ctx.settings.cluster_id), spec.adopt)
    used = driver.drift_types(desired, intent)
    of_grid = snapshots(grid)
    owned = {objtype: await of_grid[objtype].by_uid() for objtype in used}
    if verified_after(body.get("status") or {}, [of_grid[t].taken_at for t in used]):
        return False
    verdict = drift(driver, desired, intent, owned)
    if verdict.unknown is not None:
        return await _recheck(driver, body, patch, ctx, logger)
    if verdict.what is None:
        return False
    report_drift(body, logger, verdict.what, verdict.ref)
    await reconcile(driver, body, patch, ctx, logger)
    return True


async def _recheck(
    driver: AnyDriver,
    body: Mapping[str, Any],
    patch: kopf.Patch,
    ctx: Context,
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger],
) -> bool:
    """A part the snapshots cannot judge: a fresh ``sync`` does. Only a sync that wrote is a
    repair (announced, counted, its status written); one that found everything in step leaves
    the status as it is, so an in-step resource costs its fresh reads and nothing else."""
    synced = await reconcile(driver, body, patch, ctx, logger)
    parts = [(f"its {part.noun}", applied) for part, applied in synced.followers]
    for what, applied in [("record", synced.primary), *parts]:
        if applied.wrote:
            ref = str(applied.obj["_ref"]) if applied.obj is not None else None
            report_drift(body, logger, f"{what}: {applied.what}", ref)
            return True
    patch.clear()
    return False
