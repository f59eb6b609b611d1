"""The ``Zone`` kind: one authoritative DNS zone (``zone_auth``) in an Infoblox DNS view.

Decisions (the contract users see):

- **fqdn** is a forward zone's name (any case, no trailing dot; labels may hold underscores,
  as in ``_msdcs.example.com``) or, for a reverse zone, its network in CIDR form, as NIOS shows
  reverse zones: ``10.64.0.0/16`` is ``64.10.in-addr.arpa``. The prefix must fall on a label
  boundary (a multiple of 8 for IPv4, of 4 for IPv6), which is what a reverse zone can be.
  The zone format (FORWARD, IPV4, IPV6) follows from it. Immutable, as is **view**.
- **nsGroup** names the Infoblox name server group that serves the zone. Absent, ddisync
  leaves the zone's name servers as they are (set by hand, or by another tool): removing the
  field never takes a zone off the air. It must exist in Infoblox.
- **comment** absent means "no comment"; extensible attributes as for the other kinds.
- Deleting a Zone (``deletionPolicy: Delete``) deletes the zone in Infoblox, and NIOS deletes
  every record in it with it. So a Zone waits, in ``Deleting``, while Records of its namespace
  that ddisync manages lie in it (see ``ddisync.sync.zone``); a zone that holds records made
  outside ddisync should be ``Retain``.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, Field

from ddisync.api.conditions import SyncStatus
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
from ddisync.api.syntax import IPV4, IPV6_SHAPE, MAX_NAME, SERVICE_NAME, dns_name_problem

_CIDR4 = IPV4.removesuffix("$") + r"/[0-9]{1,2}$"
_CIDR6 = IPV6_SHAPE.removesuffix("$") + r"/[0-9]{1,3}$"
# An NS group's name in NIOS: printable, no slash (it travels in refs).
NS_GROUP_NAME = r"^[A-Za-z0-9_][A-Za-z0-9 ._-]{0,63}$"


def reverse_zone_problem(value: str) -> str | None:
    """Why a CIDR cannot be a reverse zone, or None when it can."""
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"{value!r} is not a network in CIDR form (e.g. 10.64.0.0/16)"
    if str(network) != value:
        if network.network_address != ipaddress.ip_interface(value).ip:
            return f"{value!r} has host bits set; did you mean {network}?"
        return f"{value!r} is not in canonical form; write it as {network}"
    step = 8 if network.version == 4 else 4
    if network.prefixlen == 0 or network.prefixlen % step:
        return (
            f"{value!r}: a reverse zone's prefix length must be a multiple of {step} "
            f"(IPv{network.version} reverse names have one label per {step} bits)"
        )
    return None


def _zone_fqdn(value: str) -> str:
    if "/" in value:
        problem = reverse_zone_problem(value)
    else:
        problem = dns_name_problem(
            value, SERVICE_NAME, "a DNS name (letters, digits, hyphens, underscores)"
        )
    if problem:
        raise ValueError(problem)
    return value


ZoneFqdn = Annotated[str, Field(max_length=MAX_NAME), AfterValidator(_zone_fqdn)]


def zone_format(fqdn: str) -> str:
    """FORWARD, IPV4 or IPV6: what NIOS calls the zone's format."""
    if "/" not in fqdn:
        return "FORWARD"
    return "IPV4" if ipaddress.ip_network(fqdn).version == 4 else "IPV6"


class ZoneSpec(Model):
    """Desired state of an authoritative zone."""

    fqdn: ZoneFqdn = Field(
        description="The zone's name (team-a.example.com), or a reverse zone's network in CIDR "
        "form (10.64.0.0/16, 2001:db8:a::/48). Immutable.",
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": f"self.matches('{SERVICE_NAME}') || self.matches('{_CIDR4}') "
                    f"|| self.matches('{_CIDR6}')",
                    "message": "spec.fqdn must be a DNS name or a network in CIDR form",
                },
                immutable("fqdn", "Zone")["x-kubernetes-validations"][0],
            ]
        },
    )
    grid: str = grid_field("Zone")
    view: ViewName = Field(
        "default",
        description="Infoblox DNS view. Immutable.",
        json_schema_extra=immutable("view", "Zone"),
    )
    ns_group: str | None = Field(
        None,
        max_length=64,
        pattern=NS_GROUP_NAME,
        description="The Infoblox name server group that serves the zone. Absent: the zone's "
        "name servers are left as they are in Infoblox.",
    )
    comment: Comment | None = Field(None, description="Comment on the Infoblox zone.")
    extensible_attributes: ExtensibleAttributes = Field(default_factory=dict)
    deletion_policy: DeletionPolicy = deletion_policy_field(
        "zone", "and, as NIOS does, every record in it"
    )
    adopt: bool = adopt_field("zone")


class ZoneStatus(SyncStatus):
    """What ddisync last saw and did."""

    fqdn: str | None = Field(None, description="The zone's fqdn as Infoblox stores it.")
    zone_format: str | None = Field(None, description="FORWARD, IPV4 or IPV6.")
    view: str | None = Field(None, description="The DNS view it lives in.")
    ns_group: str | None = Field(None, description="The name server group that serves it.")


def normal_zone_fqdn(fqdn: str) -> str:
    """How NIOS stores a zone's fqdn: names lower-case without a trailing dot, CIDRs canonical."""
    if "/" in fqdn:
        return str(ipaddress.ip_network(fqdn, strict=False))
    return fqdn.rstrip(".").lower()


def dns_name_of_zone(fqdn: str) -> str:
    """The zone's DNS name: itself, or a reverse zone's arpa name (10.64.0.0/16 →
    64.10.in-addr.arpa): what the names of the records in it end with."""
    if "/" not in fqdn:
        return normal_zone_fqdn(fqdn)
    network = ipaddress.ip_network(fqdn, strict=False)
    step = 8 if network.version == 4 else 4
    labels = network.network_address.reverse_pointer.split(".")
    keep = network.prefixlen // step
    return ".".join(labels[len(labels) - 2 - keep :])
