"""kopf handlers for ``Network``: parse, sync, write status. Nothing else lives here."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import Any

import kopf

from ddisync.api.conditions import Reason
from ddisync.api.meta import GROUP, VERSION, InvalidSpecError, parse_spec
from ddisync.api.network import NetworkSpec
from ddisync.config import Settings
from ddisync.correlation import reconcile_context
from ddisync.handlers.drift import Gate, drift_gate, report_drift, verified_after
from ddisync.handlers.failure import raise_deleting, raise_for
from ddisync.handlers.lifecycle import marker_definitions
from ddisync.handlers.observe import forget_resource, observed
from ddisync.handlers.outcome import RetryDelays
from ddisync.handlers.shared import shared
from ddisync.handlers.specs import attribute_names, deletion_policy
from ddisync.handlers.status import announce, now, patch_ready
from ddisync.reconcile.network import (
    NETWORK_FIELDS,
    DesiredNetwork,
    actual_network,
    desired_network,
    plan_network,
)
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import NoChange
from ddisync.sync.eadefs import MarkerDefinitions
from ddisync.sync.network import delete_network, sync_network
from ddisync.sync.snapshot import OwnedSnapshot
from ddisync.wapi.client import WapiClient

KIND = "Network"
PLURAL = "networks"


def owner_of(body: Mapping[str, Any], cluster: str) -> Owner:
    return Owner.of(KIND, body["metadata"], cluster)


async def reconcile_network(
    body: Mapping[str, Any],
    patch: kopf.Patch,
    client: WapiClient,
    settings: Settings,
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger],
    forget: Collection[str] = (),
    markers: MarkerDefinitions | None = None,
) -> None:
    status = body.get("status") or {}
    try:
        spec = parse_spec(NetworkSpec, body.get("spec"))
        if markers is not None:
            await markers.ensure(client)  # before the first write (lifecycle.py)
        result = await sync_network(
            client,
            desired_network(spec),
            owner_of(body, settings.cluster_id),
            ref=status.get("ref"),
            adopt=spec.adopt,
            forget=forget,
        )
    except Exception as error:
        if markers is not None:
            markers.forget_if_unknown(error)
        raise_for(error, patch, body, delays=RetryDelays.of(settings))
        return
    network = result.network
    if result.action != "unchanged":
        logger.info(
            "network %s %s in Infoblox %s", network.cidr, result.action, result.changes or ""
        )
    if result.action == "adopted":
        announce(body, "Adopted", f"took over the existing Infoblox network {network.cidr}")
    patch_ready(
        patch,
        body,
        ready="True",
        reason=Reason.SYNCED,
        message=f"network {network.cidr} is in sync with Infoblox",
        ref=network.ref,
        cidr=network.cidr,
        networkView=network.network_view,
        lastSyncTime=now(),
    )


def network_snapshot(memo: kopf.Memo, settings: Settings) -> OwnedSnapshot:
    """The shared snapshot of owned networks (drift checks and the orphan scan)."""
    return shared(
        memo,
        "network_snapshot",
        lambda: OwnedSnapshot(
            memo.wapi,
            ("network", "ipv6network"),
            store=memo.snapshots,  # replicas sharing Redis make one paged read per sweep
            return_fields=NETWORK_FIELDS,
            # A little under the interval: each sweep reads the pages about once.
            max_age=settings.resync_interval * 0.9,
        ),
    )


async def check_network_drift(
    body: Mapping[str, Any],
    patch: kopf.Patch,
    client: WapiClient,
    snapshot: OwnedSnapshot,
    settings: Settings,
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger],
) -> bool:
    """Compare with the shared snapshot; reconcile (fresh reads) only on a difference.

    Returns whether a repair was attempted.
    """
    gate = drift_gate(body)
    if gate is Gate.RECHECK:
        await reconcile_network(body, patch, client, settings, logger)
        return True
    if gate is Gate.SKIP:
        return False
    objects = await snapshot.by_uid()
    if verified_after(body.get("status") or {}, [snapshot.taken_at]):
        return False
    spec = parse_spec(NetworkSpec, body.get("spec"))
    found = objects.get(body["metadata"]["uid"])
    action = plan_network(
        desired_network(spec),
        actual_network(found) if found else None,
        owner_of(body, settings.cluster_id),
        adopt=spec.adopt,
    )
    if isinstance(action, NoChange):
        return False
    report_drift(body, logger, type(action).__name__)
    await reconcile_network(body, patch, client, settings, logger)
    return True


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
    policy = deletion_policy(body.get("spec"))
    try:
        outcome = await delete_network(
            client,
            desired,
            owner_of(body, settings.cluster_id),
            ref=(body.get("status") or {}).get("ref"),
            policy=policy,
        )
    except Exception as error:
        raise_deleting(error, patch, body, delays=RetryDelays.of(settings))
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
        with observed(memo, KIND, body):
            await reconcile_network(
                body, patch, memo.wapi, settings, logger, markers=marker_definitions(memo)
            )

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
        before, after = attribute_names(old), attribute_names(new)
        with observed(memo, KIND, body):
            await reconcile_network(
                body,
                patch,
                memo.wapi,
                settings,
                logger,
                forget=before - after,
                markers=marker_definitions(memo),
            )

    @kopf.on.delete(GROUP, VERSION, PLURAL, **scope)
    async def network_deleted(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: Any, **_: Any
    ) -> None:
        with reconcile_context(KIND, body["metadata"]["namespace"], body["metadata"]["name"]):
            await finalize_network(body, patch, memo.wapi, settings, logger)
        forget_resource(memo, KIND, body)
