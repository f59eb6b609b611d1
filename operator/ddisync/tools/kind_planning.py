"""``plan`` for the kinds it plans through their operator ``Driver`` (``sync``): FixedAddress
and DHCPRange. Pure: the objects were read in bulk (``grid_index``).

The driver does what it does in the operator: its ``desired`` resolves the Network a resource
names (``addressFrom``, ``networkRef``) and raises the operator's own ``SyncRefused`` (waiting
for the Network, a range outside it); its ``reach`` is judged by the grants; its ``primary``
part says how the object is identified and planned. Here the Networks are the manifests'
(``ManifestNetworks``), so ``plan`` files what the operator would write into the resource's
Ready condition:

=====================================  ==========  ===========================================
the referenced Network                 filed as    why
=====================================  ==========  ===========================================
not among the manifests                refuse      NetworkNotReady ("does not exist (yet)")
refused itself (gate or planner)       refuse      NetworkNotReady (waiting, its reason)
to be allocated (``allocate``)         create      a FixedAddress: its address comes from the
                                                   network once allocated; a DHCPRange waits
                                                   (NetworkNotReady), as in the operator
known                                  planned     the driver's planner against the object
                                                   found (ours by marker, else its identity)
=====================================  ==========  ===========================================

Before the grid is read (the gate) an allocating Network is judged by its container, as a
Record's ``addressFrom`` is (``gate``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.reconcile.dhcp_range import DesiredRange
from ddisync.reconcile.fixed_address import DesiredFixedAddress
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import FieldChange
from ddisync.sync.dhcp_range import DRIVER as DHCP_RANGE_DRIVER
from ddisync.sync.driver import Driver, Intent
from ddisync.sync.errors import SyncRefused
from ddisync.sync.fixed_address import DRIVER as FIXED_ADDRESS_DRIVER
from ddisync.tools.plan import PlanEntry, entry_for
from ddisync.wapi.client import WapiObject

__all__ = ["DRIVER_KINDS", "ManifestNetworks", "describe", "plan_driver_kind"]

DRIVER_KINDS: dict[str, Driver[Any, Any]] = {
    FIXED_ADDRESS_DRIVER.kind: FIXED_ADDRESS_DRIVER,
    DHCP_RANGE_DRIVER.kind: DHCP_RANGE_DRIVER,
}


class ManifestNetworks:
    """The Networks of the manifests as the driver's ``Resolver`` sees Networks' statuses:
    (namespace, name) → (cidr, network view, the reason it is not Ready or None)."""

    def __init__(self, networks: Mapping[tuple[str, str], tuple[str | None, str, str | None]]):
        self._networks = networks

    def status_of(self, kind: str, namespace: str, name: str) -> Mapping[str, Any] | None:
        found = self._networks.get((namespace, name)) if kind == "Network" else None
        if found is None:
            return None
        cidr, view, not_ready = found
        if cidr is None and not_ready is None:
            not_ready = "its network is not allocated yet"
        ready = {"type": "Ready", "status": "False" if not_ready else "True",
                 "reason": not_ready or str(Reason.SYNCED)}  # fmt: skip
        return {"cidr": cidr, "networkView": view, "conditions": [ready]}


def describe(desired: Any, spec: Any) -> str:
    """The object in words, for the plan's lines."""
    if isinstance(desired, DesiredFixedAddress):
        address = desired.address or "(allocated)"
        return f"fixed address {address} for {desired.mac} (network view {desired.network_view})"
    if isinstance(desired, DesiredRange):
        return f"range {desired.start}-{desired.end} (network view {desired.network_view})"
    return f"{type(spec).__name__}"


def pending_allocation(kind: str, display: str, spec: Any, network: str) -> PlanEntry:
    """A FixedAddress whose Network is still to be allocated: created, address to come."""
    what = f"fixed address for {spec.mac} (network view {spec.network_view})"
    change = FieldChange("ipv4addr", None, f"allocated from Network {network}")
    return PlanEntry("create", kind, display, what, changes=(change,))


def plan_driver_kind(
    driver: Driver[Any, Any],
    desired: Any,
    spec: Any,
    display: str,
    found: WapiObject | None,
    owner: Owner,
    adopt: bool,
) -> PlanEntry:
    """The driver's planner against the object found (``found``: ours, or by identity)."""
    part = driver.primary(desired, Intent(owner, adopt=adopt))
    action = part.plan(found)
    assert action is not None  # a primary is always wanted
    return entry_for(driver.kind, display, describe(desired, spec), action)


def refusal(kind: str, display: str, what: str, error: SyncRefused) -> PlanEntry:
    return PlanEntry("refuse", kind, display, what, reason=str(error.reason), message=error.message)
