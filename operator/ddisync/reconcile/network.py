"""Planning for ``Network``: what to do in Infoblox so that it matches a spec.

Decision table of ``plan_network`` (first matching row wins):

==================  ===================================  =========================================
found in Infoblox   condition                            action
==================  ===================================  =========================================
no                  -                                    Create (markers + spec fields)
yes, a container    ours (NIOS made it one)              Refuse NetworkBecameContainer
yes, a container    not ours                             Refuse Conflict
yes, another cidr   not ours (it would enclose ours)     Refuse Conflict, naming it and its owner
yes                 CIDR/view differs from the spec      Refuse ImmutableField
yes                 FOREIGN markers (another resource)   Refuse Conflict
yes                 no markers, adopt false              Refuse NotOwned
yes                 no markers, adopt true               Update (adopting): markers + spec fields
yes                 ours, fields differ                  Update (only what differs)
yes                 ours, all equal                      NoChange
==================  ===================================  =========================================

Extensible attributes: ddisync sets those named in the spec and leaves the others alone (another
team's ``Site`` attribute survives adoption); names removed from the spec since the last
reconcile are passed in ``forget`` and removed. ``comment`` absent from the spec means "no
comment".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.api.meta import DeletionPolicy
from ddisync.api.network import NetworkSpec
from ddisync.reconcile.changes import FieldChanges, change_existing, deletion
from ddisync.reconcile.ownership import (
    Owner,
    Ownership,
    classify,
    describe_foreign,
    ea_values,
    ea_wire,
)
from ddisync.reconcile.plan import Action, Create, FieldChange, Refuse
from ddisync.wapi.query import objtype_of

NETWORK_FIELDS = ("network", "network_view", "comment", "extattrs")
CONTAINER_OF = {"network": "networkcontainer", "ipv6network": "ipv6networkcontainer"}
"""What NIOS turns a network into when a network is created inside it."""


@dataclass(frozen=True)
class DesiredNetwork:
    objtype: str  # "network" or "ipv6network"
    cidr: str | None
    container: str | None
    prefix_length: int | None
    network_view: str
    comment: str
    extattrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ActualNetwork:
    ref: str
    cidr: str
    network_view: str
    comment: str
    extattrs: dict[str, str]


def desired_network(spec: NetworkSpec, allocated: str | None = None) -> DesiredNetwork:
    """``allocated``: the network an ``allocate`` spec got earlier (its status), kept for good."""
    if spec.allocate is not None:
        container = ipaddress.ip_network(spec.allocate.from_container)
        version, cidr = container.version, allocated
        from_container, prefix = spec.allocate.from_container, spec.allocate.prefix_length
    else:
        assert spec.cidr is not None  # the model guarantees exactly one of the two
        version, cidr = ipaddress.ip_network(spec.cidr).version, spec.cidr
        from_container, prefix = None, None
    return DesiredNetwork(
        objtype="network" if version == 4 else "ipv6network",
        cidr=cidr,
        container=from_container,
        prefix_length=prefix,
        network_view=spec.network_view,
        comment=spec.comment or "",
        extattrs=dict(spec.extensible_attributes),
    )


def actual_network(obj: Mapping[str, Any]) -> ActualNetwork:
    return ActualNetwork(
        ref=str(obj["_ref"]),
        cidr=str(obj.get("network", "")),
        network_view=str(obj.get("network_view", "default")),
        comment=str(obj.get("comment", "")),
        extattrs=ea_values(obj.get("extattrs")),
    )


def _create(desired: DesiredNetwork, owner: Owner) -> Create:
    if desired.cidr is not None:
        network = desired.cidr
    else:
        # Allocation happens inside the create call: two claimants can never get the same
        # network, unlike "ask next_available_network, then create".
        network = (
            f"func:nextavailablenetwork:{desired.container},{desired.network_view},"
            f"{desired.prefix_length}"
        )
    return Create(
        objtype=desired.objtype,
        data={
            "network": network,
            "network_view": desired.network_view,
            "comment": desired.comment,
            "extattrs": ea_wire({**desired.extattrs, **owner.markers()}),
        },
    )


def _immutable_violation(desired: DesiredNetwork, actual: ActualNetwork) -> str | None:
    if actual.network_view != desired.network_view:
        return (
            f"spec.networkView is {desired.network_view!r} but the network lives in "
            f"{actual.network_view!r}; networkView is immutable: create a new Network instead"
        )
    if desired.cidr is not None and actual.cidr != desired.cidr:
        return (
            f"spec.cidr is {desired.cidr} but the network in Infoblox is {actual.cidr}; "
            "cidr is immutable: create a new Network instead"
        )
    if desired.container is not None:
        allocated = ipaddress.ip_network(actual.cidr)
        container = ipaddress.ip_network(desired.container)
        if allocated.version != container.version or not allocated.subnet_of(container):  # type: ignore[arg-type]
            return (
                f"spec.allocate.fromContainer is {desired.container} but the allocated "
                f"network {actual.cidr} is outside it; allocate is immutable"
            )
        if allocated.prefixlen != desired.prefix_length:
            return (
                f"spec.allocate.prefixLength is {desired.prefix_length} but the allocated "
                f"network is {actual.cidr}; allocate is immutable"
            )
    return None


def plan_network(
    desired: DesiredNetwork,
    actual: ActualNetwork | None,
    owner: Owner,
    *,
    adopt: bool,
    forget: Collection[str] = (),
) -> Action:
    """The one action that brings Infoblox to the spec (see the module's table)."""
    if actual is None:
        return _create(desired, owner)
    refused = _not_this_network(desired, actual, owner)
    if refused is not None:
        return refused
    return change_existing(
        actual.ref,
        what=f"network {actual.cidr} in view {actual.network_view}",
        immutable_violation=_immutable_violation(desired, actual),
        field_changes=lambda: _field_changes(desired, actual),
        wanted_attributes=desired.extattrs,
        actual_attributes=actual.extattrs,
        owner=owner,
        adopt=adopt,
        forget=forget,
    )


def _owned_by(actual: ActualNetwork, owner: Owner) -> str:
    ownership = classify(actual.extattrs, owner)
    if ownership is Ownership.FOREIGN:
        return f"managed by {describe_foreign(actual.extattrs)}"
    return "this resource's" if ownership is Ownership.OURS else "not managed by ddisync"


def _not_this_network(
    desired: DesiredNetwork, actual: ActualNetwork, owner: Owner
) -> Refuse | None:
    """A container where the network was, or another network around or inside the cidr."""
    where = f"in network view {actual.network_view}"
    if objtype_of(actual.ref) in CONTAINER_OF.values():
        if classify(actual.extattrs, owner) is Ownership.OURS:
            return Refuse(
                Reason.NETWORK_BECAME_CONTAINER,
                f"the network {actual.cidr} {where} was turned into a network container in "
                "Infoblox (a network was created inside it); ddisync never replaces it with a "
                "new allocation: move or delete the networks inside it, or delete this resource",
            )
        return Refuse(
            Reason.CONFLICT,
            f"{actual.cidr} {where} is a network container ({_owned_by(actual, owner)}): "
            "allocate from it with spec.allocate instead",
        )
    if desired.cidr is None or actual.cidr == desired.cidr:
        return None
    if classify(actual.extattrs, owner) is Ownership.OURS:
        return None  # our own network under another cidr: _immutable_violation says so
    return Refuse(
        Reason.CONFLICT,
        f"network {desired.cidr} would lie inside network {actual.cidr} {where} "
        f"({_owned_by(actual, owner)}), which NIOS would turn into a container: choose a cidr "
        "outside it, or allocate from a container (spec.allocate)",
    )


def _field_changes(desired: DesiredNetwork, actual: ActualNetwork) -> FieldChanges:
    """Only the comment: the other fields are immutable (see ``_immutable_violation``)."""
    if actual.comment == desired.comment:
        return {}, []
    return {"comment": desired.comment}, [FieldChange("comment", actual.comment, desired.comment)]


def plan_network_deletion(
    actual: ActualNetwork | None, owner: Owner, policy: DeletionPolicy
) -> Action | None:
    """What deleting the resource does in Infoblox; ``None`` when there is nothing to do.

    Objects that are not ours are never deleted, whatever the policy: the resource goes away
    and the object stays as it was.
    """
    return None if actual is None else deletion(actual.ref, actual.extattrs, owner, policy)
