"""The ``FixedAddress`` driver: one DHCP reservation (``fixedaddress``) per resource.

Found by status ref, then by marker within the network view, then by address in the network
view (a reservation someone else made: adopt or refuse). With ``addressFrom`` the address is
allocated inside the create call (``func:nextavailableip``, as a Record's), and a reservation
found by its marker keeps the address it got: a restart or a lost status never allocates twice.

``addressFrom`` names a Network in the same namespace, resolved from that Network's status (no
API call); while it is missing or not Ready the resource waits (``NetworkNotReady``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.api.crd import FIXED_ADDRESS
from ddisync.api.fixed_address import FixedAddressSpec
from ddisync.reconcile.fixed_address import (
    FIXED_ADDRESS_FIELDS,
    OBJTYPE,
    DesiredFixedAddress,
    actual_fixed_address,
    desired_fixed_address,
    plan_fixed_address,
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


class FixedAddressDriver(Driver[FixedAddressSpec, DesiredFixedAddress]):
    info = FIXED_ADDRESS
    spec_model = FixedAddressSpec
    objtypes = (OBJTYPE,)

    def return_fields(self, objtype: str) -> Sequence[str]:
        return FIXED_ADDRESS_FIELDS

    def desired(
        self, spec: FixedAddressSpec, namespace: str, resolver: Resolver, status: Mapping[str, Any]
    ) -> DesiredFixedAddress:
        if spec.address_from is None:
            return desired_fixed_address(spec)
        name = spec.address_from.network_ref.name
        facts = ready_network(resolver, namespace, name, "spec.addressFrom.networkRef")
        assert facts.cidr is not None  # a Ready network has one
        if facts.network_view != spec.network_view:
            raise SyncRefused(
                Reason.INVALID_SPEC,
                f"spec.addressFrom.networkRef: Network {name!r} is in network view "
                f"{facts.network_view!r} but spec.networkView is {spec.network_view!r}: set "
                "spec.networkView to the Network's",
            )
        return desired_fixed_address(spec, facts.cidr)

    def reach(self, spec: FixedAddressSpec, desired: DesiredFixedAddress, namespace: str) -> Reach:
        """The network view and the address, or the Network it is still to come from."""
        where = desired.address or (desired.allocation.cidr if desired.allocation else None)
        return Reach(
            grid=spec.grid,
            namespace=namespace,
            kind=self.kind,
            network_view=desired.network_view,
            addresses=(where,) if where else (),
            adopt=spec.adopt,
        )

    def primary(self, desired: DesiredFixedAddress, intent: Intent) -> Part:
        view = {"network_view": desired.network_view}
        identity = None
        if desired.address is not None:
            # NIOS keeps one reservation per address in a network view.
            identity = Identity({"ipv4addr": desired.address, **view})

        return Part(
            objtype=OBJTYPE,
            status_key="ref",
            noun="fixed address",
            plan=part_planner(plan_fixed_address, actual_fixed_address, desired, intent),
            return_fields=FIXED_ADDRESS_FIELDS,
            scope=view,
            identity=identity,
            explain=lambda error: _explain(desired, error),
        )

    def references(self, spec: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        """``addressFrom.networkRef``: the Network its address is allocated from."""
        return network_users(spec, "addressFrom", "networkRef", "name")

    def describe(self, obj: WapiObject) -> str:
        return f"fixed address {obj.get('ipv4addr')} ({obj.get('mac')})"

    def status_fields(self, applied: Mapping[str, WapiObject | None]) -> dict[str, Any]:
        actual = actual_fixed_address(applied["ref"] or {})
        return {
            "ref": actual.ref,
            "address": actual.address,
            "mac": actual.mac,
            "network": actual.network or None,
            "networkView": actual.network_view,
        }

    def synced_message(self, spec: FixedAddressSpec, primary: WapiObject) -> str:
        actual = actual_fixed_address(primary)
        return f"fixed address {actual.address} for {actual.mac} is in sync with Infoblox"

    def deletion_targets(self, spec: Mapping[str, Any], status: Mapping[str, Any]) -> list[Target]:
        """Only what carries the resource's marker, in the view of the spec (or the status)."""
        return [target_in_view(OBJTYPE, spec, status)]


def _explain(desired: DesiredFixedAddress, error: Exception) -> Exception:
    """No network holds the address: say which, and what to do."""
    if not isinstance(error, ParentNotFoundError):
        return error
    if desired.allocation is not None:
        where = f"the Network's {desired.allocation.cidr} is not in Infoblox"
    else:
        where = f"no network holds {desired.address}"
    return SyncRefused(
        Reason.PARENT_NOT_FOUND,
        f"{where} (network view {desired.network_view!r}): create the network, or correct "
        f"spec.address (Infoblox: {error.text})",
    )


DRIVER = FixedAddressDriver()
