"""Reconcile and finalize one resource of any kind: parse, run the pipeline, write status.

The steps are the same for every kind (``ddisync.sync.pipeline``); the kind's ``Driver`` says
what differs. A failure becomes ``Ready=False`` with a reason (``failure.py``) and kopf's retry
decision; success becomes ``Ready=True`` with the kind's status fields.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import Any

import kopf

from ddisync.api.conditions import Reason
from ddisync.api.meta import parse_spec
from ddisync.handlers.context import Context
from ddisync.handlers.failure import raise_deleting, raise_for
from ddisync.handlers.specs import deletion_policy
from ddisync.handlers.status import announce, now, patch_ready
from ddisync.reconcile.ownership import Owner
from ddisync.sync.driver import Driver, Intent
from ddisync.sync.pipeline import delete, sync

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
) -> None:
    """Bring the resource's Infoblox objects in step and write the outcome into ``patch``."""
    status = body.get("status") or {}
    try:
        spec = parse_spec(driver.spec_model, body.get("spec"))
        desired = driver.desired(spec, body["metadata"]["namespace"], ctx.catalog)
        await ctx.markers.ensure(ctx.client)  # before the first write (lifecycle.py)
        intent = Intent(owner_of(driver, body, ctx.settings.cluster_id), spec.adopt, forget)
        synced = await sync(ctx.client, driver, desired, intent, status)
    except Exception as error:
        ctx.markers.forget_if_unknown(error)
        raise_for(error, patch, body, delays=ctx.delays, retry=retry)
    primary, obj = synced.primary, synced.primary.obj
    assert obj is not None
    fields = driver.status_fields(synced.objects)
    if primary.what != "unchanged":
        logger.info(
            "%s %s in Infoblox %s", driver.describe(obj), primary.what, primary.changes or ""
        )
    if primary.what == "adopted":
        announce(body, "Adopted", f"took over the existing Infoblox {driver.describe(obj)}")
    for part, applied in synced.followers:
        if applied.wrote:
            logger.info("%s of %s %s in Infoblox", part.noun, driver.describe(obj), applied.what)
    if synced.follower_error is not None:
        ctx.markers.forget_if_unknown(synced.follower_error)
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


async def finalize(
    driver: AnyDriver, body: Mapping[str, Any], patch: kopf.Patch, ctx: Context, logger: Logger
) -> None:
    """Delete (or release, with ``deletionPolicy: Retain``) what the resource owns."""
    raw = body.get("spec")
    spec: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    targets = driver.deletion_targets(spec, body.get("status") or {})
    if not targets:
        return
    owner = owner_of(driver, body, ctx.settings.cluster_id)
    try:
        outcome = await delete(ctx.client, driver, targets, owner, deletion_policy(raw))
    except Exception as error:
        raise_deleting(error, patch, body, delays=ctx.delays)
    logger.info("%s deleted: %s", driver.kind, outcome)
