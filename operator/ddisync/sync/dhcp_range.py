"""The ``DHCPRange`` driver: one DHCP range (``range``) per resource.

Found by status ref, then by marker within the network view, then by start and end in the
network view (a range someone else made: adopt or refuse). ``networkRef`` (optional) names a
Network in the same namespace: the resource waits (``NetworkNotReady``) until it is Ready, and
a range outside it, or in another network view, is refused (``InvalidSpec``) before any WAPI
call.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.api.crd import DHCP_RANGE
from ddisync.api.dhcp_range import DHCPRangeSpec
from ddisync.reconcile.dhcp_range import (
    OBJTYPE,
    RANGE_FIELDS,
    DesiredRange,
    actual_range,
    desired_range,
    plan_dhcp_range,
)
from ddisync.sync.driver import (
    Driver,
    Identity,
    Intent,
    Part,
    Resolver,
    Target,
    part_planner,
    target_in_view,
)
from ddisync.sync.errors import SyncRefused
from ddisync.sync.network import network_users, ready_network
from ddisync.tenancy.grants import Reach
from ddisync.wapi.client import WapiObject
from ddisync.wapi.errors import ParentNotFoundError


class DHCPRangeDriver(Driver[DHCPRangeSpec, DesiredRange]):
    info = DHCP_RANGE
    spec_model = DHCPRangeSpec
    objtypes = (OBJTYPE,)

    def return_fields(self, objtype: str) -> Sequence[str]:
        return RANGE_FIELDS

    def desired(
        self, spec: DHCPRangeSpec, namespace: str, resolver: Resolver, status: Mapping[str, Any]
    ) -> DesiredRange:
        if spec.network_ref is not None:
            name = spec.network_ref.name
            facts = ready_network(resolver, namespace, name, "spec.networkRef")
            assert facts.cidr is not None  # a Ready network has one
            _check_inside(spec, name, facts.cidr, facts.network_view)
        return desired_range(spec)

    def reach(self, spec: DHCPRangeSpec, desired: DesiredRange, namespace: str) -> Reach:
        return Reach(
            grid=spec.grid,
            namespace=namespace,
            kind=self.kind,
            network_view=desired.network_view,
            ranges=(f"{desired.start}-{desired.end}",),
            adopt=spec.adopt,
        )

    def primary(self, desired: DesiredRange, intent: Intent) -> Part:
        view = {"network_view": desired.network_view}

        return Part(
            objtype=OBJTYPE,
            status_key="ref",
            noun="range",
            plan=part_planner(plan_dhcp_range, actual_range, desired, intent),
            return_fields=RANGE_FIELDS,
            scope=view,
            identity=Identity({"start_addr": desired.start, "end_addr": desired.end, **view}),
            explain=lambda error: _explain(desired, error),
        )

    def references(self, spec: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        """``networkRef``: the Network the range lies in."""
        return network_users(spec, "networkRef", "name")

    def describe(self, obj: WapiObject) -> str:
        return f"range {obj.get('start_addr')}-{obj.get('end_addr')}"

    def status_fields(self, applied: Mapping[str, WapiObject | None]) -> dict[str, Any]:
        actual = actual_range(applied["ref"] or {})
        return {
            "ref": actual.ref,
            "start": actual.start,
            "end": actual.end,
            "network": actual.network or None,
            "networkView": actual.network_view,
        }

    def synced_message(self, spec: DHCPRangeSpec, primary: WapiObject) -> str:
        actual = actual_range(primary)
        return f"range {actual.start}-{actual.end} is in sync with Infoblox"

    def deletion_targets(self, spec: Mapping[str, Any], status: Mapping[str, Any]) -> list[Target]:
        """Only what carries the resource's marker, in the view of the spec (or the status)."""
        return [target_in_view(OBJTYPE, spec, status)]


def _check_inside(spec: DHCPRangeSpec, name: str, cidr: str, network_view: str) -> None:
    network = ipaddress.ip_network(cidr)
    if network_view != spec.network_view:
        raise SyncRefused(
            Reason.INVALID_SPEC,
            f"spec.networkRef: Network {name!r} is in network view {network_view!r} but "
            f"spec.networkView is {spec.network_view!r}: set spec.networkView to the Network's",
        )
    start, end = ipaddress.ip_address(spec.start), ipaddress.ip_address(spec.end)
    if start.version != network.version or start not in network or end not in network:
        raise SyncRefused(
            Reason.INVALID_SPEC,
            f"the range {spec.start}-{spec.end} is not inside Network {name!r} ({cidr}): "
            "correct spec.start and spec.end, or spec.networkRef",
        )


def _explain(desired: DesiredRange, error: Exception) -> Exception:
    """No one network holds the whole range: say so, and what to do."""
    if not isinstance(error, ParentNotFoundError):
        return error
    return SyncRefused(
        Reason.PARENT_NOT_FOUND,
        f"no network in network view {desired.network_view!r} holds the whole range "
        f"{desired.start}-{desired.end}: create the network, or correct spec.start and "
        f"spec.end (Infoblox: {error.text})",
    )


DRIVER = DHCPRangeDriver()
