"""The ``Network`` driver: one network (``network`` or ``ipv6network``) per resource.

Found by status ref, then by marker within the network view, then by CIDR in the network view
(an object someone else created: adopt or refuse). An allocated network (``allocate``) has no
CIDR to look for: only the marker finds it, and it keeps the network it got.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ddisync.api.conditions import Reason, ready_condition
from ddisync.api.crd import NETWORK
from ddisync.api.network import NetworkSpec
from ddisync.reconcile.network import (
    CONTAINER_OF,
    NETWORK_FIELDS,
    DesiredNetwork,
    actual_network,
    desired_network,
    plan_network,
)
from ddisync.sync.driver import Driver, Identity, Intent, Part, Resolver, Target, part_planner
from ddisync.sync.errors import SyncRefused
from ddisync.tenancy.grants import Reach
from ddisync.wapi.client import WapiObject
from ddisync.wapi.errors import ParentNotFoundError
from ddisync.wapi.query import objtype_of

OBJTYPES = ("network", "ipv6network", "networkcontainer", "ipv6networkcontainer")
"""What a Network may own: its network, or the container NIOS made of it (for the orphan scan)."""


@dataclass(frozen=True)
class NetworkFacts:
    """What another resource needs to know about a Network, read from the Network's status."""

    cidr: str | None
    network_view: str
    ready: bool
    reason: str  # the Ready condition's reason, for "waiting for ..." messages


def network_facts(status: Mapping[str, Any] | None) -> NetworkFacts:
    status = status or {}
    ready = ready_condition(status)
    return NetworkFacts(
        cidr=status.get("cidr"),
        network_view=status.get("networkView") or "default",
        ready=bool(ready and ready.get("status") == "True" and status.get("cidr")),
        reason=str(ready.get("reason")) if ready else "not reconciled yet",
    )


def ready_network(resolver: Resolver, namespace: str, name: str, field: str) -> NetworkFacts:
    """The facts of a Network another resource uses (``field`` names the reference in
    messages); ``SyncRefused(NetworkNotReady)`` while it does not exist or is not Ready: it is
    usually applied in the same batch and Ready a moment later."""
    network = resolver.status_of(NETWORK.kind, namespace, name)
    if network is None:
        raise SyncRefused(
            Reason.NETWORK_NOT_READY,
            f"{field}: waiting for Network {name!r} in namespace {namespace!r}, which does not "
            "exist (yet)",
        )
    facts = network_facts(network)
    if not facts.ready or facts.cidr is None:
        raise SyncRefused(
            Reason.NETWORK_NOT_READY,
            f"{field}: waiting for Network {name!r} to be Ready (it is not: {facts.reason})",
        )
    return facts


def network_users(spec: Mapping[str, Any], *path: str) -> tuple[tuple[str, str], ...]:
    """``Driver.references`` of a raw spec naming a Network at ``path`` (e.g. ``addressFrom``,
    ``networkRef``): the Network, by name; nothing when the spec does not name one."""
    node: Any = spec
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return ((NETWORK.kind, node),) if isinstance(node, str) and node else ()


class NetworkDriver(Driver[NetworkSpec, DesiredNetwork]):
    info = NETWORK
    spec_model = NetworkSpec
    objtypes = OBJTYPES

    def return_fields(self, objtype: str) -> Sequence[str]:
        return NETWORK_FIELDS

    def desired(
        self, spec: NetworkSpec, namespace: str, resolver: Resolver, status: Mapping[str, Any]
    ) -> DesiredNetwork:
        """Once allocated, a network is the one in ``status.cidr`` for good: found gone, it is
        re-created there, never allocated anew (dependent records keep their addresses)."""
        return desired_network(spec, allocated=status.get("cidr"))

    def reach(self, spec: NetworkSpec, desired: DesiredNetwork, namespace: str) -> Reach:
        """The network view, and the cidr or the container allocated from (with the prefix
        length the allocation takes)."""
        where = desired.container or desired.cidr
        return Reach(
            grid=spec.grid,
            namespace=namespace,
            kind=self.kind,
            network_view=desired.network_view,
            networks=(where,) if where else (),
            prefix_length=desired.prefix_length,
            adopt=spec.adopt,
        )

    def primary(self, desired: DesiredNetwork, intent: Intent) -> Part:
        view = {"network_view": desired.network_view}
        identity = None
        if desired.cidr is not None:
            # The network with this cidr, or one that would enclose it (NIOS would turn that
            # one into a container): networks never nest, so at most one answers.
            first = str(ipaddress.ip_network(desired.cidr).network_address)
            identity = Identity({"contains_address": first, **view})

        return Part(
            objtype=desired.objtype,
            status_key="ref",
            noun="network",
            plan=part_planner(plan_network, actual_network, desired, intent),
            return_fields=NETWORK_FIELDS,
            scope=view,
            identity=identity,
            also_owned_as=(CONTAINER_OF[desired.objtype],),
            ref_types=OBJTYPES,
            explain=lambda error: _explain(desired, error),
        )

    def describe(self, obj: WapiObject) -> str:
        return f"network {obj.get('network')}"

    def status_fields(self, applied: Mapping[str, WapiObject | None]) -> dict[str, Any]:
        network = actual_network(applied["ref"] or {})
        return {"ref": network.ref, "cidr": network.cidr, "networkView": network.network_view}

    def synced_message(self, spec: NetworkSpec, primary: WapiObject) -> str:
        return f"network {primary.get('network')} is in sync with Infoblox"

    def deletion_targets(self, spec: Mapping[str, Any], status: Mapping[str, Any]) -> list[Target]:
        """From the spec; from the status when the spec is invalid (the CIDR it had)."""
        try:
            desired = desired_network(NetworkSpec.model_validate(spec))
        except ValueError:  # pydantic's ValidationError, or an invalid CIDR
            ref = status.get("ref")
            if not ref:
                return []  # never synced: nothing in Infoblox can be ours
            view = status.get("networkView") or "default"
            return [Target(objtype_of(str(ref)), str(ref), {"network_view": view})]
        view = {"network_view": desired.network_view}
        return [Target(desired.objtype, status.get("ref"), view)]


def _explain(desired: DesiredNetwork, error: Exception) -> Exception:
    """An allocation from a container that does not exist names the container."""
    if isinstance(error, ParentNotFoundError) and desired.container is not None:
        return SyncRefused(
            Reason.PARENT_NOT_FOUND,
            f"spec.allocate.fromContainer: no network container {desired.container} in network "
            f"view {desired.network_view!r}: create it in Infoblox, or correct "
            f"spec.allocate.fromContainer (Infoblox: {error.text})",
        )
    return error


DRIVER = NetworkDriver()

__all__ = ["DRIVER", "OBJTYPES", "NetworkFacts", "network_facts", "network_users", "ready_network"]
