"""The periodic drift check of one Record against the shared owned snapshots.

One ``OwnedSnapshot`` per record object type (each type has its own return fields, and a
Record's PTR carries the same uid as its A/AAAA record, so the two must not share one map).
A sweep therefore reads ``8 * ceil(N / page size)`` pages for N owned records, however many
resources are checked.

Like the Network check, the snapshot only decides that nothing needs doing; any difference
(the record or its PTR edited or deleted in Infoblox) goes through the full reconcile, which
reads fresh before it writes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import kopf

from ddisync.api.meta import parse_spec
from ddisync.api.record import RecordSpec
from ddisync.config import Settings
from ddisync.handlers.drift import Gate, drift_gate, report_drift, verified_after
from ddisync.handlers.record import reconcile_record
from ddisync.handlers.record_context import RecordContext, desired_of, owner_of
from ddisync.handlers.shared import shared
from ddisync.reconcile.plan import NoChange
from ddisync.reconcile.ptr import PTR_OBJTYPE, desired_ptr, plan_ptr
from ddisync.reconcile.record import OBJTYPES, RETURN_FIELDS, actual_record, plan_record
from ddisync.sync.errors import SyncRefused
from ddisync.sync.ptr import PTR_TYPES
from ddisync.sync.snapshot import OwnedSnapshot

Logger = logging.Logger | logging.LoggerAdapter[logging.Logger]


def record_snapshots(memo: kopf.Memo, settings: Settings) -> dict[str, OwnedSnapshot]:
    """The shared snapshots, one per record object type (made on first use)."""
    return shared(
        memo,
        "record_snapshots",
        lambda: {
            objtype: OwnedSnapshot(
                memo.wapi,
                (objtype,),
                store=memo.snapshots,
                return_fields=RETURN_FIELDS[objtype],
                # A little under the interval: each sweep reads the pages about once.
                max_age=settings.resync_interval * 0.9,
            )
            for objtype in OBJTYPES.values()
        },
    )


async def check_record_drift(
    body: Mapping[str, Any],
    patch: kopf.Patch,
    ctx: RecordContext,
    snapshots: Mapping[str, OwnedSnapshot],
    logger: Logger,
) -> bool:
    """Compare with the shared snapshots; reconcile (fresh reads) only on a difference.

    Returns whether a repair was attempted.
    """
    gate = drift_gate(body)
    if gate is Gate.RECHECK:
        await reconcile_record(body, patch, ctx, logger)
        return True
    if gate is Gate.SKIP:
        return False
    meta = body["metadata"]
    spec = parse_spec(RecordSpec, body.get("spec"))
    try:
        desired = desired_of(spec, meta["namespace"], ctx.networks)
    except SyncRefused:
        return False  # the Network is not Ready now; the record is checked once it is
    used = [snapshots[desired.objtype]]
    if desired.type in PTR_TYPES:
        used.append(snapshots[PTR_OBJTYPE])
    views = [await snapshot.by_uid() for snapshot in used]
    if verified_after(body.get("status") or {}, [snapshot.taken_at for snapshot in used]):
        return False
    owner = owner_of(body, ctx.settings.cluster_id)
    found = views[0].get(meta["uid"])
    actual = actual_record(found) if found else None
    action = plan_record(desired, actual, owner, adopt=spec.adopt)
    in_step = isinstance(action, NoChange)
    if in_step and len(views) > 1 and actual is not None:
        found_ptr = views[1].get(meta["uid"])
        ptr_action = plan_ptr(
            desired_ptr(desired, actual),
            actual_record(found_ptr) if found_ptr else None,
            owner,
            adopt=spec.adopt,
        )
        in_step = ptr_action is None or isinstance(ptr_action, NoChange)
    if in_step:
        return False
    report_drift(body, logger, "its PTR" if isinstance(action, NoChange) else type(action).__name__)
    await reconcile_record(body, patch, ctx, logger)
    return True
