"""The ``Network`` kind: an IPv4 or IPv6 network in an Infoblox network view."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from ddisync.api.conditions import Condition
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


def _strict_cidr(value: str) -> str:
    """A network in canonical form; host bits set is a typo worth pointing out."""
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an IPv4 or IPv6 network in CIDR form (e.g. 10.1.2.0/24)"
        ) from None
    if "/" not in value:
        raise ValueError(f"{value!r} needs a prefix length (e.g. {network})")
    if str(network) != value:
        if network.network_address != ipaddress.ip_interface(value).ip:
            raise ValueError(f"{value!r} has host bits set; did you mean {network}?")
        raise ValueError(f"{value!r} is not in canonical form; write it as {network}")
    return value


Cidr = Annotated[str, AfterValidator(_strict_cidr), Field(max_length=43)]


class NetworkAllocation(Model):
    """Take the next free network of ``prefixLength`` inside ``fromContainer``."""

    from_container: Cidr = Field(description="CIDR of the Infoblox network container.")
    prefix_length: int = Field(ge=1, le=128, description="Prefix length of the new network.")

    @model_validator(mode="after")
    def _prefix_inside_container(self) -> Self:
        container = ipaddress.ip_network(self.from_container)
        if self.prefix_length > container.max_prefixlen:
            raise ValueError(
                f"prefixLength {self.prefix_length} is longer than an IPv"
                f"{container.version} address ({container.max_prefixlen} bits)"
            )
        if self.prefix_length <= container.prefixlen:
            raise ValueError(
                f"prefixLength {self.prefix_length} must be longer than the container's "
                f"/{container.prefixlen}"
            )
        return self


_IMMUTABLE = "is immutable: create a new Network instead"


class NetworkSpec(Model):
    """Desired state of a network. Exactly one of ``cidr`` and ``allocate``."""

    cidr: Cidr | None = Field(
        None,
        description="The network, e.g. 10.1.2.0/24 or 2001:db8:1::/64. Immutable.",
        json_schema_extra=immutable("cidr", "Network"),
    )
    allocate: NetworkAllocation | None = Field(
        None,
        description="Allocate the next free network from a container instead of naming one. "
        "Immutable.",
        json_schema_extra=immutable("allocate", "Network"),
    )
    grid: str = grid_field("Network")
    network_view: ViewName = Field(
        "default",
        description="Infoblox network view. Immutable.",
        json_schema_extra=immutable("networkView", "Network"),
    )
    comment: Comment | None = Field(None, description="Comment on the Infoblox network.")
    extensible_attributes: ExtensibleAttributes = Field(default_factory=dict)
    deletion_policy: DeletionPolicy = deletion_policy_field("network")
    adopt: bool = adopt_field("network")

    @model_validator(mode="after")
    def _cidr_or_allocate(self) -> Self:
        if (self.cidr is None) == (self.allocate is None):
            raise ValueError("set exactly one of cidr and allocate")
        return self


# Rules on the whole spec, for the API server (the same rules are enforced above).
NETWORK_SPEC_RULES = [
    {
        "rule": "has(self.cidr) != has(self.allocate)",
        "message": "set exactly one of cidr and allocate",
    },
    {
        "rule": "has(self.cidr) == has(oldSelf.cidr)",
        "message": f"cidr {_IMMUTABLE}",
    },
]


class NetworkStatus(Model):
    """What ddisync last saw and did."""

    cidr: str | None = Field(None, description="The network in Infoblox (allocated or given).")
    ref: str | None = Field(None, description="The Infoblox object reference (_ref).")
    network_view: str | None = Field(None, description="The network view it lives in.")
    conditions: list[Condition] = Field(default_factory=list)
    observed_generation: int | None = Field(None, description="Generation last reconciled.")
    last_sync_time: str | None = Field(
        None,
        description="When Infoblox was last confirmed to match the spec.",
        json_schema_extra={"format": "date-time"},
    )
