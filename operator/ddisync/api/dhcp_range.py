"""The ``DHCPRange`` kind: a DHCP range (WAPI ``range``) of IPv4 addresses in a network view.

Decisions (the contract users see; the shared ones are in ``ddisync.api.dhcp``):

- ``start`` ≤ ``end``, both IPv4 (``ipv6range`` is not managed). Both may change: the range is
  resized in place, never re-created.
- ``networkRef`` (optional) names a Network in the same namespace: ddisync waits, reason
  ``NetworkNotReady``, until it is Ready, then checks that the range lies inside it and in its
  network view (``InvalidSpec`` otherwise) before any WAPI call. Without it, Infoblox itself
  refuses a range outside every network (``ParentNotFound``). Either way the range counts as a
  user of the Network, which is not deleted from under it.
- ``networkView`` is immutable.
"""

from __future__ import annotations

import ipaddress
from typing import Self

from pydantic import Field, model_validator

from ddisync.api.conditions import SyncStatus
from ddisync.api.dhcp import IPv4Address, ipv4_field
from ddisync.api.grid import grid_field
from ddisync.api.meta import (
    Comment,
    DeletionPolicy,
    ExtensibleAttributes,
    Model,
    ViewName,
    adopt_field,
    deletion_policy_field,
    immutable,
)
from ddisync.api.record import NetworkRef


class DHCPRangeSpec(Model):
    """Desired state of one DHCP range."""

    grid: str = grid_field("DHCPRange")
    start: IPv4Address = ipv4_field("First address of the range.", "start")
    end: IPv4Address = ipv4_field("Last address of the range (not before start).", "end")
    network_view: ViewName = Field(
        "default",
        description="Infoblox network view. Immutable.",
        json_schema_extra=immutable("networkView", "DHCPRange"),
    )
    network_ref: NetworkRef | None = Field(
        None,
        description="A Network in the same namespace the range must lie in; ddisync waits "
        "for it to be Ready.",
    )
    comment: Comment | None = Field(None, description="Comment on the Infoblox range.")
    extensible_attributes: ExtensibleAttributes = Field(default_factory=dict)
    deletion_policy: DeletionPolicy = deletion_policy_field("range")
    adopt: bool = adopt_field("range")

    @model_validator(mode="after")
    def _start_not_after_end(self) -> Self:
        if ipaddress.IPv4Address(self.start) > ipaddress.IPv4Address(self.end):
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


DHCP_RANGE_SPEC_RULES: list[dict[str, str]] = []
"""start ≤ end cannot be written in plain CEL on strings (cel-python has no ip()); the model
checks it, and the operator reports it as InvalidSpec."""


class DHCPRangeStatus(SyncStatus):
    """What ddisync last saw and did."""

    start: str | None = Field(None, description="First address, as in Infoblox.")
    end: str | None = Field(None, description="Last address, as in Infoblox.")
    network: str | None = Field(None, description="The Infoblox network the range lies in.")
    network_view: str | None = Field(None, description="The network view it lives in.")
