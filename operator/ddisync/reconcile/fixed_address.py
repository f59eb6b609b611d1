"""Planning for ``FixedAddress``: what to do in Infoblox so that a reservation matches a spec.

Decision table of ``plan_fixed_address`` (first matching row wins):

==================  ======================================  ======================================
found in Infoblox   condition                               action
==================  ======================================  ======================================
no                  -                                       Create (markers + spec fields; with
                                                            addressFrom the address is allocated
                                                            inside the create call)
yes                 network view differs from the spec      Refuse ImmutableField
yes                 addressFrom, address outside Network    Refuse ImmutableField (never a second
                                                            allocation)
yes                 FOREIGN markers (another resource)      Refuse Conflict
yes                 no markers, adopt false                 Refuse NotOwned
yes                 no markers, adopt true                  Update (adopting): markers + fields
yes                 ours, fields differ                     Update (only what differs: address,
                                                            mac, name, options, comment)
yes                 ours, all equal                         NoChange
==================  ======================================  ======================================

A reservation someone else made is found by its address in the network view (``identity``):
NIOS keeps one per address. Extensible attributes follow ``changes.attribute_changes``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ddisync.api.dhcp import DHCPOption, normal_mac
from ddisync.api.fixed_address import FixedAddressSpec
from ddisync.reconcile.changes import FieldChanges, change_existing, changed_fields
from ddisync.reconcile.dhcp_options import actual_options, options_wire
from ddisync.reconcile.ownership import Owner, ea_values, ea_wire
from ddisync.reconcile.plan import Action, Create, FieldChange
from ddisync.reconcile.record_desired import Allocation

OBJTYPE = "fixedaddress"
FIXED_ADDRESS_FIELDS = (
    "ipv4addr", "mac", "name", "network", "network_view", "options", "comment", "extattrs",
    "match_client",
)  # fmt: skip


@dataclass(frozen=True)
class DesiredFixedAddress:
    mac: str  # as NIOS stores it (``normal_mac``)
    address: str | None  # None: allocated (``allocation``)
    allocation: Allocation | None
    network_view: str
    name: str
    options: dict[str, str]  # option name -> value
    comment: str
    extattrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ActualFixedAddress:
    ref: str
    address: str
    mac: str
    network: str
    network_view: str
    name: str
    options: dict[str, str]
    comment: str
    extattrs: dict[str, str]


def desired_fixed_address(
    spec: FixedAddressSpec, allocation_cidr: str | None = None
) -> DesiredFixedAddress:
    """With ``addressFrom`` the caller resolves the Network (same namespace, same view)."""
    allocation = None
    if spec.address_from is not None:
        if allocation_cidr is None:
            raise ValueError("addressFrom needs the referenced Network's CIDR")
        allocation = Allocation(allocation_cidr, spec.network_view)
    return DesiredFixedAddress(
        mac=normal_mac(spec.mac),
        address=spec.address,
        allocation=allocation,
        network_view=spec.network_view,
        name=spec.name or "",
        options=_options(spec.options),
        comment=spec.comment or "",
        extattrs=dict(spec.extensible_attributes),
    )


def _options(options: Sequence[DHCPOption]) -> dict[str, str]:
    return {option.name: option.value for option in options}


def actual_fixed_address(obj: Mapping[str, Any]) -> ActualFixedAddress:
    return ActualFixedAddress(
        ref=str(obj["_ref"]),
        address=str(obj.get("ipv4addr", "")),
        mac=normal_mac(str(obj.get("mac") or "")),
        network=str(obj.get("network", "")),
        network_view=str(obj.get("network_view", "default")),
        name=str(obj.get("name") or ""),
        options=actual_options(obj.get("options")),
        comment=str(obj.get("comment") or ""),
        extattrs=ea_values(obj.get("extattrs")),
    )


def _create(desired: DesiredFixedAddress, owner: Owner) -> Create:
    address = desired.address or (desired.allocation.function if desired.allocation else None)
    data: dict[str, Any] = {
        "ipv4addr": address,
        "mac": desired.mac,
        "network_view": desired.network_view,
        "comment": desired.comment,
        "extattrs": ea_wire({**desired.extattrs, **owner.markers()}),
    }
    if desired.name:
        data["name"] = desired.name
    if desired.options:
        data["options"] = options_wire(desired.options)
    return Create(objtype=OBJTYPE, data=data)


def _kept_address(desired: DesiredFixedAddress, actual: ActualFixedAddress) -> str | None:
    """The address the reservation should have: the spec's, or the one allocated earlier."""
    if desired.address is not None:
        return desired.address
    if desired.allocation is not None and desired.allocation.holds(actual.address):
        return actual.address
    return None


def _immutable_violation(desired: DesiredFixedAddress, actual: ActualFixedAddress) -> str | None:
    if actual.network_view != desired.network_view:
        return (
            f"spec.networkView is {desired.network_view!r} but the reservation lives in "
            f"{actual.network_view!r}; networkView is immutable: create a new FixedAddress "
            "instead"
        )
    if _kept_address(desired, actual) is None:
        assert desired.allocation is not None  # a given address is always kept
        return (
            f"spec.addressFrom: the reservation's address {actual.address} is outside the "
            f"Network's {desired.allocation.cidr}; ddisync never allocates a second address: "
            "set spec.address to move it, or create a new FixedAddress"
        )
    return None


def _field_changes(desired: DesiredFixedAddress, actual: ActualFixedAddress) -> FieldChanges:
    data, changes = changed_fields(
        (
            ("ipv4addr", _kept_address(desired, actual), actual.address),
            ("mac", desired.mac, actual.mac),
            ("name", desired.name, actual.name),
            ("comment", desired.comment, actual.comment),
        )
    )
    if desired.options != actual.options:
        data["options"] = options_wire(desired.options)
        changes.append(FieldChange("options", _shown(actual.options), _shown(desired.options)))
    return data, changes


def _shown(options: Mapping[str, str]) -> str:
    return ", ".join(f"{name}={value}" for name, value in sorted(options.items()))


def plan_fixed_address(
    desired: DesiredFixedAddress,
    actual: ActualFixedAddress | None,
    owner: Owner,
    *,
    adopt: bool,
    forget: Collection[str] = (),
) -> Action:
    """The one action that brings Infoblox to the spec (see the module's table)."""
    if actual is None:
        return _create(desired, owner)
    return change_existing(
        actual.ref,
        what=f"fixed address {actual.address} in network view {actual.network_view}",
        immutable_violation=_immutable_violation(desired, actual),
        field_changes=lambda: _field_changes(desired, actual),
        wanted_attributes=desired.extattrs,
        actual_attributes=actual.extattrs,
        owner=owner,
        adopt=adopt,
        forget=forget,
    )
