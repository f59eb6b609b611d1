"""kopf handlers for ``Record``: parse, resolve ``addressFrom``, sync, write status.

``addressFrom`` names a Network in the same namespace; it is resolved through the
the catalog (``handlers.index``: the Network's status, no API call). A Network that does
not exist or is not Ready yet gives ``Ready=False, reason=NetworkNotReady`` and a retry after
1, 2, 4, ... seconds (at most the outcome table's delay): it is usually applied in the same
batch and Ready a moment later.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import Any

import kopf

from ddisync.api.conditions import Reason
from ddisync.api.meta import GROUP, VERSION, parse_spec
from ddisync.api.record import RecordSpec, RecordType
from ddisync.config import Settings
from ddisync.correlation import reconcile_context
from ddisync.handlers.failure import raise_deleting, raise_for
from ddisync.handlers.observe import forget_resource, observed
from ddisync.handlers.outcome import RetryDelays
from ddisync.handlers.record_context import (
    KIND,
    RecordContext,
    context_of,
    desired_of,
    owner_of,
)
from ddisync.handlers.specs import attribute_names, deletion_policy
from ddisync.handlers.status import announce, now, patch_ready
from ddisync.reconcile.record import OBJTYPES, record_value
from ddisync.sync.ptr import PTR_TYPES
from ddisync.sync.record import RecordSyncResult, delete_record, sync_record
from ddisync.wapi.client import WapiClient
from ddisync.wapi.query import objtype_of

PLURAL = "records"
Logger = logging.Logger | logging.LoggerAdapter[logging.Logger]
_PTR_OBJTYPES = frozenset(OBJTYPES[kind] for kind in PTR_TYPES)  # record:a, record:aaaa


def _status_fields(result: RecordSyncResult) -> dict[str, Any]:
    record = result.record
    fields: dict[str, Any] = {
        "ref": record.ref,
        "fqdn": record.name,
        "address": record.address,
        "value": record_value(record),
        "view": record.view,
    }
    if result.ptr is not None:
        fields["ptrRef"] = result.ptr.ptr.ref if result.ptr.ptr else None
    return fields


async def reconcile_record(
    body: Mapping[str, Any],
    patch: kopf.Patch,
    ctx: RecordContext,
    logger: Logger,
    *,
    forget: Collection[str] = (),
    retry: int = 0,
) -> None:
    status = body.get("status") or {}
    meta = body["metadata"]
    try:
        spec = parse_spec(RecordSpec, body.get("spec"))
        desired = desired_of(spec, meta["namespace"], ctx.networks)
        await ctx.markers.ensure(ctx.client)
        result = await sync_record(
            ctx.client,
            desired,
            owner_of(body, ctx.settings.cluster_id),
            ref=status.get("ref"),
            ptr_ref=status.get("ptrRef"),
            adopt=spec.adopt,
            forget=forget,
        )
    except Exception as error:
        ctx.markers.forget_if_unknown(error)
        raise_for(error, patch, body, delays=ctx.delays, retry=retry)
    record, fields = result.record, _status_fields(result)
    if result.action != "unchanged":
        logger.info("record %s %s in Infoblox %s", record.ref, result.action, result.changes or "")
    if result.action == "adopted":
        announce(body, "Adopted", f"took over the existing Infoblox record {record.ref}")
    if result.ptr is not None and result.ptr.action != "unchanged":
        logger.info("reverse record (PTR) %s", result.ptr.action)
    if result.ptr_error is not None:
        ctx.markers.forget_if_unknown(result.ptr_error)
        raise_for(result.ptr_error, patch, body, delays=ctx.delays, retry=retry, **fields)
    patch_ready(
        patch,
        body,
        ready="True",
        reason=Reason.SYNCED,
        message=f"{spec.type} record {record.name} ({fields['value']}) is in sync with Infoblox",
        lastSyncTime=now(),
        **fields,
    )


def _deletion_target(body: Mapping[str, Any]) -> tuple[str, bool] | None:
    """(object type, whether a PTR may exist) from the spec, else from the status ref."""
    raw = body.get("spec")
    spec: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    try:
        kind = RecordType(str(spec.get("type")))
    except ValueError:
        ref = str((body.get("status") or {}).get("ref") or "")
        if not ref:
            return None  # never synced: nothing in Infoblox can be ours
        objtype = objtype_of(ref)
        return objtype, objtype in _PTR_OBJTYPES
    return OBJTYPES[kind], kind in PTR_TYPES


async def finalize_record(
    body: Mapping[str, Any],
    patch: kopf.Patch,
    client: WapiClient,
    cluster: str,
    logger: Logger,
    delays: RetryDelays,
) -> None:
    target = _deletion_target(body)
    if target is None:
        return
    policy = deletion_policy(body.get("spec"))
    status = body.get("status") or {}
    try:
        outcome = await delete_record(
            client,
            target[0],
            owner_of(body, cluster),
            ref=status.get("ref"),
            ptr_ref=status.get("ptrRef"),
            policy=policy,
            with_ptr=target[1],
        )
    except Exception as error:
        raise_deleting(error, patch, body, delays=delays)
    logger.info("record deleted: %s", outcome)


def register_record(
    registry: kopf.OperatorRegistry, settings: Settings, labels: Mapping[str, Any]
) -> None:
    scope: dict[str, Any] = {"registry": registry, "labels": dict(labels)}

    @kopf.on.create(GROUP, VERSION, PLURAL, **scope)
    @kopf.on.resume(GROUP, VERSION, PLURAL, **scope)
    async def record_created(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: Any, **kwargs: Any
    ) -> None:
        ctx = context_of(memo, settings)
        with observed(memo, KIND, body):
            await reconcile_record(body, patch, ctx, logger, retry=kwargs.get("retry", 0))

    @kopf.on.update(GROUP, VERSION, PLURAL, field="spec", **scope)
    async def record_changed(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: Any, **kwargs: Any
    ) -> None:
        # Extensible attributes removed from the spec are removed from Infoblox too.
        before, after = attribute_names(kwargs.get("old")), attribute_names(kwargs.get("new"))
        ctx = context_of(memo, settings)
        with observed(memo, KIND, body):
            await reconcile_record(
                body, patch, ctx, logger, forget=before - after, retry=kwargs.get("retry", 0)
            )

    @kopf.on.delete(GROUP, VERSION, PLURAL, **scope)
    async def record_deleted(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: Any, **_: Any
    ) -> None:
        with reconcile_context(KIND, body["metadata"]["namespace"], body["metadata"]["name"]):
            await finalize_record(
                body, patch, memo.wapi, settings.cluster_id, logger, RetryDelays.of(settings)
            )
        forget_resource(memo, KIND, body)
