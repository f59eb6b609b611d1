"""The ``FixedAddress`` kind: a DHCP reservation (WAPI ``fixedaddress``), one IPv4 address for
one MAC address in a network view.

Decisions (the contract users see; the shared ones are in ``ddisync.api.dhcp``):

- exactly one of ``address`` and ``addressFrom``. ``addressFrom`` takes the next free address
  of a Network in the same namespace inside the create call (as a Record's does) and keeps it
  for good; ``address`` may change (the reservation moves, same object).
- ``mac``, ``name``, ``options`` and ``comment`` may change in place; ``networkView`` and
  ``addressFrom`` are immutable. With ``addressFrom`` the Network must be in the same network
  view.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from ddisync.api.conditions import SyncStatus
from ddisync.api.dhcp import MAC, DHCPOptions, IPv4Address, MacAddress, ipv4_field
from ddisync.api.grid import grid_field
from ddisync.api.meta import (
    Comment,
    DeletionPolicy,
    ExtensibleAttributes,
    Model,
    PlainText,
    ViewName,
    adopt_field,
    deletion_policy_field,
    immutable,
)
from ddisync.api.record import AddressFrom
from ddisync.api.syntax import must_match


class FixedAddressSpec(Model):
    """Desired state of one DHCP reservation. Exactly one of ``address`` and ``addressFrom``."""

    grid: str = grid_field("FixedAddress")
    mac: MacAddress = Field(
        max_length=17,
        description="The client's MAC address, e.g. 00:50:56:aa:bb:cc (':' or '-', any case).",
        json_schema_extra=must_match(MAC, message="spec.mac must be a MAC address"),
    )
    address: IPv4Address | None = ipv4_field(
        "The reserved IPv4 address. Changing it moves the reservation.", "address", None
    )
    address_from: AddressFrom | None = Field(
        None,
        description="Take the next free address of a Network instead of naming one. The "
        "address stays the reservation's once allocated. Immutable.",
        json_schema_extra=immutable("addressFrom", "FixedAddress"),
    )
    network_view: ViewName = Field(
        "default",
        description="Infoblox network view. Immutable.",
        json_schema_extra=immutable("networkView", "FixedAddress"),
    )
    name: PlainText | None = Field(
        None, max_length=256, description="Name of the reservation in Infoblox (optional)."
    )
    options: DHCPOptions = Field(default_factory=list)
    comment: Comment | None = Field(None, description="Comment on the Infoblox object.")
    extensible_attributes: ExtensibleAttributes = Field(default_factory=dict)
    deletion_policy: DeletionPolicy = deletion_policy_field("reservation")
    adopt: bool = adopt_field("reservation")

    @model_validator(mode="after")
    def _address_or_address_from(self) -> Self:
        if (self.address is None) == (self.address_from is None):
            raise ValueError("set exactly one of address and addressFrom")
        return self


FIXED_ADDRESS_SPEC_RULES = [
    {
        "rule": "has(self.address) != has(self.addressFrom)",
        "message": "set exactly one of address and addressFrom",
    },
    {
        "rule": "has(self.addressFrom) == has(oldSelf.addressFrom)",
        "message": "addressFrom is immutable: create a new FixedAddress instead",
    },
]


class FixedAddressStatus(SyncStatus):
    """What ddisync last saw and did."""

    address: str | None = Field(None, description="The reserved address (given or allocated).")
    mac: str | None = Field(None, description="The MAC address, as Infoblox stores it.")
    network: str | None = Field(None, description="The Infoblox network the address lies in.")
    network_view: str | None = Field(None, description="The network view it lives in.")
