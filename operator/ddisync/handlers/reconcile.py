"""Reconcile and finalize one resource of any kind: parse, run the pipeline, write status.

The steps are the same for every kind (``ddisync.sync.pipeline``); the kind's ``Driver`` says
what differs. A failure becomes ``Ready=False`` with a reason (``failure.py``) and kopf's retry
decision; success becomes ``Ready=True`` with the kind's status fields.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import kopf

from ddisync.api.conditions import Reason
from ddisync.api.grid import DEFAULT_GRID
from ddisync.api.meta import InvalidSpecError, parse_spec
from ddisync.grids import Grid
from ddisync.handlers.context import Context
from ddisync.handlers.failure import raise_deleting, raise_for, raise_waiting_users
from ddisync.handlers.snapshots import owned_lookup
from ddisync.handlers.specs import deletion_policy
from ddisync.handlers.status import announce, now, patch_ready
from ddisync.reconcile.ownership import Owner
from ddisync.sync.driver import Driver, Intent
from ddisync.sync.errors import SyncRefused
from ddisync.sync.pipeline import Synced, delete, sync
from ddisync.tenancy import Refusal

Logger = logging.Logger | logging.LoggerAdapter[logging.Logger]
AnyDriver = Driver[Any, Any]


def owner_of(driver: AnyDriver, body: Mapping[str, Any], cluster: str) -> Owner:
    return Owner.of(driver.kind, body["metadata"], cluster)


async def reconcile(
    driver: AnyDriver,
    body: Mapping[str, Any],
    patch: kopf.Patch,
    ctx: Context,
    logger: Logger,
    *,
    forget: Collection[str] = (),
    retry: int = 0,
) -> Synced:
    """Bring the resource's Infoblox objects in step and write the outcome into ``patch``;
    return what the pipeline did (a failure raises kopf's retry decision)."""
    status = body.get("status") or {}
    grid: Grid | None = None
    try:
        judged = judge(driver, body, ctx)
        spec, desired = judged.spec, judged.desired
        if judged.refusal is not None:
            # Before any WAPI call, for creates and edits alike: an edit that leaves the
            # grant changes nothing in Infoblox.
            raise SyncRefused(Reason.FORBIDDEN, str(judged.refusal))
        grid = ctx.grids.get(spec.grid)
        await grid.markers.ensure(grid.client)  # before the first write (lifecycle.py)
        intent = Intent(owner_of(driver, body, ctx.settings.cluster_id), spec.adopt, forget)
        owned = owned_lookup(ctx.settings, grid)  # cold start: pages, not one GET each
        synced = await sync(grid.client, driver, desired, intent, status, owned)
    except Exception as error:
        if grid is not None:
            grid.markers.forget_if_unknown(error)
        raise_for(error, patch, body, delays=ctx.delays, retry=retry)
    primary, obj = synced.primary, synced.primary.obj
    assert obj is not None
    fields = driver.status_fields(synced.objects)
    if primary.what != "unchanged":
        changes = primary.changes or ""
        what = f"{driver.describe(obj)} {primary.what}"
        logger.info("%s in Infoblox (grid %s) %s", what, grid.name, changes)
    if primary.what == "adopted":
        announce(body, "Adopted", f"took over the existing Infoblox {driver.describe(obj)}")
    for part, applied in synced.followers:
        if applied.wrote:
            logger.info("%s of %s %s in Infoblox", part.noun, driver.describe(obj), applied.what)
        if applied.what == "adopted" and applied.obj is not None:
            announce(
                body,
                "Adopted",
                f"took over the existing Infoblox {part.noun} {applied.obj['_ref']}",
            )
    if synced.follower_error is not None:
        grid.markers.forget_if_unknown(synced.follower_error)
        raise_for(synced.follower_error, patch, body, delays=ctx.delays, retry=retry, **fields)
    patch_ready(
        patch,
        body,
        ready="True",
        reason=Reason.SYNCED,
        message=driver.synced_message(spec, obj),
        lastSyncTime=now(),
        **fields,
    )
    return synced


@dataclass(frozen=True)
class Judged:
    """A resource's parsed spec, desired state, and why no grant covers it (None: one does)."""

    spec: Any
    desired: Any
    refusal: Refusal | None


def judge(driver: AnyDriver, body: Mapping[str, Any], ctx: Context) -> Judged:
    """Parse and judge a resource, with no WAPI call: ``InvalidSpecError`` for a bad spec,
    ``SyncRefused`` while it waits for another resource (``Driver.desired``)."""
    namespace = body["metadata"]["namespace"]
    spec = parse_spec(driver.spec_model, body.get("spec"))
    desired = driver.desired(spec, namespace, ctx.catalog, body.get("status") or {})
    return Judged(spec, desired, ctx.tenancy.refusal(driver.reach(spec, desired, namespace)))


def _outside_grants(driver: AnyDriver, body: Mapping[str, Any], ctx: Context) -> str | None:
    """Why deleting may not touch Infoblox (tenancy enforced); None when a grant covers it."""
    if not ctx.tenancy.enforced:
        return None
    try:
        refusal = judge(driver, body, ctx).refusal
    except (InvalidSpecError, SyncRefused) as error:
        return f"its spec cannot be judged against the grants ({error})"
    return None if refusal is None else str(refusal)


async def finalize(
    driver: AnyDriver,
    body: Mapping[str, Any],
    patch: kopf.Patch,
    ctx: Context,
    logger: Logger,
    *,
    retry: int = 0,
) -> None:
    """Delete (or release, with ``deletionPolicy: Retain``) what the resource owns."""
    raw = body.get("spec")
    spec: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    meta = body["metadata"]
    used_as = driver.user_keys(spec, meta["name"])
    users = sorted(
        {u for key in used_as for u in ctx.catalog.users_of(driver.kind, meta["namespace"], key)}
    )
    if users:
        # Deleted from under them, its users would keep addresses of a network gone (or
        # reused); the finalizer waits until the last one is gone or points elsewhere.
        raise_waiting_users(patch, body, users, delays=ctx.delays, retry=retry)
    targets = driver.deletion_targets(spec, body.get("status") or {})
    if not targets:
        return
    outside = _outside_grants(driver, body, ctx)
    if outside is not None:
        # The grant that covered it is gone or narrowed: release nothing, touch nothing.
        message = (
            f"deleted from Kubernetes only; its Infoblox objects were left as they are: {outside}"
        )
        logger.warning("%s", message)
        announce(body, "LeftInInfoblox", message, warning=True)
        return
    owner = owner_of(driver, body, ctx.settings.cluster_id)
    try:
        grid = ctx.grids.get(str(spec.get("grid") or DEFAULT_GRID))
        outcome = await delete(grid.client, driver, targets, owner, deletion_policy(raw))
    except Exception as error:
        raise_deleting(error, patch, body, delays=ctx.delays)
    logger.info("%s deleted: %s", driver.kind, outcome)
