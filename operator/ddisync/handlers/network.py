"""kopf handlers for ``Network``: parse, sync, write status. Nothing else lives here."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import Any

import kopf

from ddisync.api.conditions import Reason
from ddisync.api.meta import GROUP, VERSION, DeletionPolicy, InvalidSpecError, parse_spec
from ddisync.api.network import NetworkSpec
from ddisync.config import Settings
from ddisync.handlers.outcome import failure_from
from ddisync.handlers.status import now, patch_ready
from ddisync.reconcile.network import DesiredNetwork, desired_network
from ddisync.reconcile.ownership import Owner
from ddisync.sync.network import delete_network, sync_network
from ddisync.wapi.client import WapiClient

PLURAL = "networks"


def owner_of(body: Mapping[str, Any], cluster: str) -> Owner:
    meta = body["metadata"]
    return Owner(cluster, "Network", meta["namespace"], meta["name"], meta["uid"])


def _raise_for(error: Exception, patch: kopf.Patch, body: Mapping[str, Any], **fields: Any) -> None:
    """Record ``error`` as Ready=False and raise the matching kopf error."""
    failure = failure_from(error)
    if failure is None:
        raise error  # a bug: kopf logs it with the traceback and retries with backoff
    patch_ready(
        patch,
        body.get("status") or {},
        generation=body["metadata"].get("generation"),
        ready="False",
        reason=failure.reason,
        message=failure.message,
        **fields,
    )
    if failure.retry_after is None:
        raise kopf.PermanentError(failure.message) from None
    raise kopf.TemporaryError(failure.message, delay=failure.retry_after) from None


async def reconcile_network(
    body: Mapping[str, Any],
    patch: kopf.Patch,
    client: WapiClient,
    settings: Settings,
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger],
    forget: Collection[str] = (),
) -> None:
    status = body.get("status") or {}
    try:
        spec = parse_spec(NetworkSpec, body.get("spec"))
        result = await sync_network(
            client,
            desired_network(spec),
            owner_of(body, settings.cluster_id),
            ref=status.get("ref"),
            adopt=spec.adopt,
            forget=forget,
        )
    except Exception as error:  # noqa: BLE001 — failure_from decides; bugs are re-raised
        _raise_for(error, patch, body)
        return
    network = result.network
    if result.action != "unchanged":
        logger.info("network %s %s in Infoblox %s", network.cidr, result.action, result.changes or "")
    patch_ready(
        patch,
        status,
        generation=body["metadata"].get("generation"),
        ready="True",
        reason=Reason.SYNCED,
        message=f"network {network.cidr} is in sync with Infoblox",
        ref=network.ref,
        cidr=network.cidr,
        networkView=network.network_view,
        lastSyncTime=now(),
    )


def _desired_for_deletion(body: Mapping[str, Any]) -> DesiredNetwork | None:
    """What to look up when deleting; from the status when the spec is invalid."""
    try:
        return desired_network(parse_spec(NetworkSpec, body.get("spec")))
    except InvalidSpecError:
        status = body.get("status") or {}
        if not status.get("ref") or not status.get("cidr"):
            return None  # never synced: nothing in Infoblox can be ours
        return DesiredNetwork(
            objtype=str(status["ref"]).split("/", 1)[0],
            cidr=status["cidr"],
            container=None,
            prefix_length=None,
            network_view=status.get("networkView") or "default",
            comment="",
        )


async def finalize_network(
    body: Mapping[str, Any],
    patch: kopf.Patch,
    client: WapiClient,
    settings: Settings,
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger],
) -> None:
    desired = _desired_for_deletion(body)
    if desired is None:
        return
    spec = body.get("spec") if isinstance(body.get("spec"), Mapping) else {}
    # Anything but an explicit (or defaulted) Delete keeps the object: the safe side.
    raw_policy = spec.get("deletionPolicy", DeletionPolicy.DELETE.value)
    policy = DeletionPolicy.DELETE if raw_policy == "Delete" else DeletionPolicy.RETAIN
    try:
        outcome = await delete_network(
            client,
            desired,
            owner_of(body, settings.cluster_id),
            ref=(body.get("status") or {}).get("ref"),
            policy=policy,
        )
    except Exception as error:  # noqa: BLE001
        failure = failure_from(error)
        if failure is None:
            raise
        message = f"waiting to delete from Infoblox: {failure.message}"
        patch_ready(
            patch,
            body.get("status") or {},
            generation=body["metadata"].get("generation"),
            ready="False",
            reason=Reason.DELETING,
            message=message,
        )
        # Deletion is always retried: the finalizer holds the resource until Infoblox agrees.
        raise kopf.TemporaryError(message, delay=failure.retry_after or 60.0) from None
    logger.info("network deleted: %s", outcome)


def register_network(
    registry: kopf.OperatorRegistry, settings: Settings, labels: Mapping[str, Any]
) -> None:
    scope: dict[str, Any] = {"registry": registry, "labels": dict(labels)}

    @kopf.on.create(GROUP, VERSION, PLURAL, **scope)
    @kopf.on.resume(GROUP, VERSION, PLURAL, **scope)
    async def network_created(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: Any, **_: Any
    ) -> None:
        await reconcile_network(body, patch, memo.wapi, settings, logger)

    @kopf.on.update(GROUP, VERSION, PLURAL, field="spec", **scope)
    async def network_changed(
        body: kopf.Body,
        patch: kopf.Patch,
        memo: kopf.Memo,
        logger: Any,
        old: Any,
        new: Any,
        **_: Any,
    ) -> None:
        # Extensible attributes removed from the spec are removed from Infoblox too.
        before = set((old or {}).get("extensibleAttributes") or {})
        after = set((new or {}).get("extensibleAttributes") or {})
        await reconcile_network(body, patch, memo.wapi, settings, logger, forget=before - after)

    @kopf.on.delete(GROUP, VERSION, PLURAL, **scope)
    async def network_deleted(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: Any, **_: Any
    ) -> None:
        await finalize_network(body, patch, memo.wapi, settings, logger)
