"""What the DHCP kinds (``FixedAddress``, ``DHCPRange``) share: MAC addresses, DHCP options and
IPv4-only addresses (a Network is referred to as a Record does, ``api.record.NetworkRef``).

Decisions (the contract users see):

- **IPv4 only.** WAPI keeps IPv6 reservations and ranges in other object types
  (``ipv6fixedaddress``, ``ipv6range``, keyed by DUID rather than MAC); ddisync manages the IPv4
  ones. An IPv6 address is refused with a message saying so.
- **MAC addresses** are six octets written with ``:`` or ``-``, any case; ddisync sends and
  compares them as NIOS stores them (lower-case, ``:``), so ``00-50-56-AA-BB-CC`` never causes
  an update loop.
- **DHCP options** are named as in NIOS's ``DHCP`` option space (the ISC dhcpd names of RFC 2132
  and later options: ``routers``, ``domain-name-servers``, ...); ``DHCP_OPTION_NAMES`` is the list
  ddisync accepts. A name may appear once. Values are strings as NIOS takes them
  (``10.64.1.1,10.64.1.2`` for a list of addresses). The options in the spec are all the
  options the object gets: an option set in Infoblox and not in the spec is removed (like an
  absent comment means no comment). Options NIOS lists only as inherited (``use_option``
  false) are not the object's own and are left alone.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, JsonValue

from ddisync.api.meta import Model, PlainText
from ddisync.api.syntax import IPV4, must_match

MAC = r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$"

# NIOS's DHCP option space, by ISC dhcpd name (RFC 2132 and the options NIOS defines beside
# them). Options whose value comes from a NIOS field of its own (subnet-mask, the lease time
# options, the server identifier) are left out: NIOS refuses or ignores them as options.
DHCP_OPTION_NAMES = frozenset(
    [
        "time-offset",
        "routers",
        "time-servers",
        "ien116-name-servers",
        "domain-name-servers",
        "log-servers",
        "cookie-servers",
        "lpr-servers",
        "impress-servers",
        "resource-location-servers",
        "host-name",
        "boot-size",
        "merit-dump",
        "domain-name",
        "swap-server",
        "root-path",
        "extensions-path",
        "ip-forwarding",
        "non-local-source-routing",
        "policy-filter",
        "max-dgram-reassembly",
        "default-ip-ttl",
        "path-mtu-aging-timeout",
        "path-mtu-plateau-table",
        "interface-mtu",
        "all-subnets-local",
        "broadcast-address",
        "perform-mask-discovery",
        "mask-supplier",
        "router-discovery",
        "router-solicitation-address",
        "static-routes",
        "trailer-encapsulation",
        "arp-cache-timeout",
        "ieee802-3-encapsulation",
        "default-tcp-ttl",
        "tcp-keepalive-interval",
        "tcp-keepalive-garbage",
        "nis-domain",
        "nis-servers",
        "ntp-servers",
        "vendor-encapsulated-options",
        "netbios-name-servers",
        "netbios-dd-server",
        "netbios-node-type",
        "netbios-scope",
        "font-servers",
        "x-display-manager",
        "nisplus-domain",
        "nisplus-servers",
        "tftp-server-name",
        "bootfile-name",
        "mobile-ip-home-agent",
        "smtp-server",
        "pop-server",
        "nntp-server",
        "www-server",
        "finger-server",
        "irc-server",
        "streettalk-server",
        "streettalk-directory-assistance-server",
        "domain-search",
    ]
)
# Options NIOS shows apart from the others, with a flag saying the object sets them itself
# (``use_option``); every other option is the object's own once listed.
USE_FLAG_OPTIONS = frozenset({"routers", "domain-name-servers", "domain-name", "broadcast-address"})


_OPTION_ENUM: list[JsonValue] = [*sorted(DHCP_OPTION_NAMES)]


def _known_option(value: str) -> str:
    if value not in DHCP_OPTION_NAMES:
        raise ValueError(
            f"{value!r} is not a DHCP option name ddisync knows; use the ISC dhcpd name NIOS "
            "shows (e.g. routers, domain-name-servers, ntp-servers; see the README's list)"
        )
    return value


class DHCPOption(Model):
    """One DHCP option the object gives its clients."""

    # The list as an enum in the CRD too: the API server refuses a typo at apply time.
    name: Annotated[str, AfterValidator(_known_option)] = Field(
        max_length=64,
        description="Option name in NIOS's DHCP option space, e.g. routers.",
        json_schema_extra={"enum": _OPTION_ENUM},
    )
    # A DHCP option carries at most 255 octets on the wire.
    value: PlainText = Field(
        min_length=1, max_length=255, description="Option value, e.g. 10.64.1.1."
    )


def _unique_names(options: list[DHCPOption]) -> list[DHCPOption]:
    seen: set[str] = set()
    for option in options:
        if option.name in seen:
            raise ValueError(
                f"option {option.name!r} appears twice; give it once (a list of values is one "
                "comma-separated value)"
            )
        seen.add(option.name)
    return options


DHCPOptions = Annotated[
    list[DHCPOption],
    AfterValidator(_unique_names),
    Field(max_length=64, description="DHCP options (name and value); absent: none of its own."),
]


def ipv4_address(value: str) -> str:
    """An IPv4 address in canonical form (the DHCP kinds are IPv4 only, see above)."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 address") from None
    if address.version != 4:
        raise ValueError(
            f"{value!r} is an IPv6 address; ddisync manages IPv4 DHCP objects only "
            "(NIOS keeps IPv6 ones apart, keyed by DUID)"
        )
    if str(address) != value:
        raise ValueError(f"{value!r} is not in canonical form; write it as {address}")
    return value


def ipv4_field(description: str, field: str, default: Any = ...) -> Any:
    """A string field holding one IPv4 address (checked by CEL in the CRD too)."""
    return Field(
        default,
        max_length=15,
        description=description,
        json_schema_extra=must_match(IPV4, message=f"spec.{field} must be an IPv4 address"),
    )


IPv4Address = Annotated[str, AfterValidator(ipv4_address)]


def _mac(value: str) -> str:
    if not re.fullmatch(MAC, value):
        raise ValueError(f"{value!r} is not a MAC address (six octets, e.g. 00:50:56:aa:bb:cc)")
    return value


MacAddress = Annotated[str, AfterValidator(_mac)]


def normal_mac(value: str) -> str:
    """A MAC as NIOS stores it: lower-case, ``:`` between octets."""
    return value.lower().replace("-", ":")
