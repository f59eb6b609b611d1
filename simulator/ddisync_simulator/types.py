"""The object types the simulator serves, as data: one table, one row per WAPI object type.

Each row lists the type's modelled fields with their kind, whether they are base fields
(returned by default), required on create, read-only, settable on create only, which search
modifiers they accept (``searchable_by`` letters, spec §2: ``=`` exact, ``!`` negation,
``:`` case-insensitive, ``~`` regex, ``<``/``>`` ordering), and which accept inline function
calls (``func:nextavailableip:...``). Base and searchable sets follow spec §5 and the official
client's ``_all_searchable_fields`` (WAPI 2.12.1 schema).

Any other field that NIOS 2.12 knows for the type (``nios_fields.py``) is accepted on writes and
stored verbatim ("pass-through") so that clients sending e.g. ``use_ttl`` or ``members`` work;
it is readable but not searchable. A field in neither set is ``Unknown argument/field``.

[U] ``!`` (negation) is accepted only in extensible-attribute searches: the WAPI schema
publishes it for EA searches, and for none of the modelled fields of these types.
[U] Fields marked ``create_only`` (views, network views, a network's CIDR, a zone's fqdn) may be
re-sent unchanged on update; a different value is refused with ``Field is not writable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from .nios_fields import NIOS_FIELDS

__all__ = ["TYPES", "Field", "Kind", "ObjType", "get_type"]

Kind = Literal[
    "str",
    "dnsname",
    "uint",
    "int",
    "bool",
    "ipv4",
    "ipv6",
    "cidr4",
    "cidr6",
    "strlist",
    "extattrs",
    "hostaddrs4",
    "hostaddrs6",
    "mac",
    "dhcpoptions",
    "any",
]


@dataclass(frozen=True, slots=True)
class Field:
    kind: Kind = "str"
    base: bool = False
    required: bool = False
    readonly: bool = False
    create_only: bool = False
    search: str = ""  # searchable_by letters
    inline_func: bool = False  # accepts func:nextavailable... / _object_function
    search_only: bool = False  # pseudo field usable only in searches (contains_address)
    default: object = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ObjType:
    name: str
    fields: Mapping[str, Field]
    functions: tuple[str, ...] = ()
    writable: bool = True  # False for grid and host-address sub-objects
    passthrough: frozenset[str] = field(default_factory=frozenset)

    @property
    def base_fields(self) -> tuple[str, ...]:
        return tuple(sorted(n for n, f in self.fields.items() if f.base))

    def known(self, name: str) -> bool:
        return name in self.fields or name in self.passthrough


TEXT = ":=~"  # comment-like strings [V WD network comment]
NAME = "=:~"
EXACT = "="
ORDER = "=<>"
ADDR = "=~<>"  # addresses: ipv4addr~= is used by real clients [V IBC#154]
CIDR = "=~"  # [V WD network]

COMMENT = Field("str", search=TEXT)
EXTATTRS = Field("extattrs")
DISABLE = Field("bool")
TTL = Field("uint")
USE_TTL = Field("bool")
RO = Field("any", readonly=True)

_NETVIEW_REF = Field("str", base=True, create_only=True, search=EXACT, default="default")
_DNS_VIEW = Field("str", base=True, create_only=True, search=EXACT, default="default")


def _network(kind: Kind, v4: bool) -> dict[str, Field]:
    fields = {
        "network": Field(
            kind, base=True, required=True, create_only=True, search=CIDR, inline_func=True
        ),
        "network_view": _NETVIEW_REF,
        "comment": Field("str", base=True, search=TEXT),
        "network_container": Field("str", readonly=True, search=EXACT),
        "unmanaged": Field("bool", search=EXACT),
        "contains_address": Field("ipv4" if v4 else "ipv6", search=EXACT, search_only=True),
        "extattrs": EXTATTRS,
        "disable": DISABLE,
        "utilization": RO,
        "total_hosts": RO,
        "dhcp_utilization": RO,
        "rir": RO,
    }
    if v4:
        fields["ipv4addr"] = Field("ipv4", readonly=True, search=ADDR)
        fields["netmask"] = Field("uint", readonly=True)
    return fields


def _record(**extra: Field) -> dict[str, Field]:
    fields = {
        "name": Field("dnsname", base=True, required=True, search=NAME),
        "view": _DNS_VIEW,
        "zone": Field("str", readonly=True, search=EXACT),
        "comment": COMMENT,
        "creator": Field("str", search=EXACT, choices=("STATIC", "DYNAMIC", "SYSTEM")),
        "ttl": TTL,
        "use_ttl": USE_TTL,
        "disable": DISABLE,
        "extattrs": EXTATTRS,
        "ddns_principal": Field("str", search=NAME),
        "dns_name": RO,
        "creation_time": RO,
        "last_queried": RO,
        "reclaimable": Field("bool", readonly=True, search=EXACT),
    }
    fields.update(extra)
    return fields


def _host_address(name: str, kind: Kind) -> dict[str, Field]:
    return {
        name: Field(kind, base=True, search=ADDR),
        "host": Field("str", base=True, readonly=True),
        "configure_for_dhcp": Field("bool", base=True),
        "mac": Field("str", search=EXACT),
        "duid": Field("str", search=EXACT),
        "network": Field("str", readonly=True, search=EXACT),
        "network_view": Field("str", readonly=True, search=EXACT),
        "use_for_ea_inheritance": Field("bool"),
    }


_NA_IP = ("next_available_ip",)
_NA_BOTH = ("next_available_ip", "next_available_network")

_TABLE: dict[str, tuple[dict[str, Field], tuple[str, ...]]] = {
    "networkview": (
        {
            "name": Field("str", base=True, required=True, search=NAME),
            "is_default": Field("bool", base=True, readonly=True, search=EXACT),
            "comment": COMMENT,
            "extattrs": EXTATTRS,
            "associated_dns_views": RO,
        },
        (),
    ),
    "view": (
        {
            "name": Field("str", base=True, required=True, search=NAME),
            "is_default": Field("bool", base=True, readonly=True, search=EXACT),
            "network_view": Field("str", create_only=True, search=EXACT, default="default"),
            "comment": COMMENT,
            "disable": DISABLE,
            "extattrs": EXTATTRS,
        },
        (),
    ),
    "network": (_network("cidr4", True), _NA_BOTH),
    "networkcontainer": (_network("cidr4", True), _NA_BOTH),
    "ipv6network": (_network("cidr6", False), _NA_BOTH),
    "ipv6networkcontainer": (_network("cidr6", False), _NA_BOTH),
    "zone_auth": (
        {
            "fqdn": Field("str", base=True, required=True, create_only=True, search=NAME),
            "view": _DNS_VIEW,
            "zone_format": Field(
                "str",
                create_only=True,
                search=EXACT,
                default="FORWARD",
                choices=("FORWARD", "IPV4", "IPV6"),
            ),
            "comment": COMMENT,
            "disable": DISABLE,
            "extattrs": EXTATTRS,
            "parent": Field("str", readonly=True, search=EXACT),
            "network_view": Field("str", readonly=True),
            "primary_type": Field("str", readonly=True),
            "dns_fqdn": Field("str", readonly=True),
            "display_domain": Field("str", readonly=True),
            # The name server group that serves the zone; it must exist (``nsgroup``), and
            # the zone's apex NS records follow its members (``dns.py``).
            "ns_group": Field("str"),
        },
        (),
    ),
    "nsgroup": (
        {
            "name": Field("str", base=True, required=True, search=NAME),
            "comment": Field("str", base=True, search=TEXT),
            "grid_primary": Field("any"),  # [{"name": <member fqdn>}]
            "grid_secondaries": Field("any"),
            "extattrs": EXTATTRS,
        },
        (),
    ),
    "record:a": (
        _record(
            ipv4addr=Field("ipv4", base=True, required=True, search=ADDR, inline_func=True),
        ),
        (),
    ),
    "record:aaaa": (
        _record(
            ipv6addr=Field("ipv6", base=True, required=True, search=ADDR, inline_func=True),
        ),
        (),
    ),
    "record:cname": (
        _record(
            canonical=Field("dnsname", base=True, required=True, search=NAME),
            dns_canonical=RO,
        ),
        (),
    ),
    "record:txt": (_record(text=Field("str", base=True, required=True, search=NAME)), ()),
    "record:mx": (
        _record(
            mail_exchanger=Field("dnsname", base=True, required=True, search=NAME),
            preference=Field("uint", base=True, required=True, search=ORDER),
            dns_mail_exchanger=RO,
        ),
        (),
    ),
    "record:srv": (
        _record(
            target=Field("dnsname", base=True, required=True, search=NAME),
            port=Field("uint", base=True, required=True, search=ORDER),
            priority=Field("uint", base=True, required=True, search=ORDER),
            weight=Field("uint", base=True, required=True, search=ORDER),
            dns_target=RO,
        ),
        (),
    ),
    "record:ptr": (
        _record(
            # name is derived from the address when absent (spec: ptrdname plus name or ip)
            name=Field("dnsname", search=NAME),
            ptrdname=Field("dnsname", base=True, required=True, search=NAME),
            ipv4addr=Field("ipv4", base=True, search=ADDR, inline_func=True),
            ipv6addr=Field("ipv6", base=True, search=ADDR, inline_func=True),
            dns_ptrdname=RO,
        ),
        (),
    ),
    "record:host": (
        _record(
            ipv4addrs=Field("hostaddrs4", base=True, inline_func=True),
            ipv6addrs=Field("hostaddrs6", base=True, inline_func=True),
            configure_for_dns=Field("bool", default=True),
            aliases=Field("strlist"),
            network_view=Field("str", create_only=True, search=EXACT),
            ipv4addr=Field("ipv4", search=ADDR, search_only=True),
            ipv6addr=Field("ipv6", search=ADDR, search_only=True),
            mac=Field("str", search=EXACT, search_only=True),
            creator=Field("str", readonly=True),
        ),
        (),
    ),
    "record:caa": (
        _record(
            ca_flag=Field("uint", required=True, search=ORDER),
            ca_tag=Field("str", required=True, search=NAME),
            ca_value=Field("str", required=True, search=NAME),
        ),
        (),
    ),
    # No extattrs, comment nor ttl: NIOS has none on NS records [C IBC NsRecord].
    "record:ns": (
        {
            "name": Field("dnsname", base=True, required=True, search=NAME),
            "nameserver": Field("dnsname", base=True, required=True, search=NAME),
            "addresses": Field("any", required=True),  # [{"address", "auto_create_ptr"}]
            "view": _DNS_VIEW,
            "zone": Field("str", readonly=True, search=EXACT),
            "creator": Field("str", readonly=True, search=EXACT),
            "dns_name": RO,
            "last_queried": RO,
        },
        (),
    ),
    "record:host_ipv4addr": (_host_address("ipv4addr", "ipv4"), ()),
    "record:host_ipv6addr": (_host_address("ipv6addr", "ipv6"), ()),
    "fixedaddress": (
        {
            "ipv4addr": Field("ipv4", base=True, required=True, search=ADDR, inline_func=True),
            "network_view": _NETVIEW_REF,
            "mac": Field("mac", search=EXACT),
            "options": Field("dhcpoptions"),
            "match_client": Field(
                "str",
                search=EXACT,
                default="MAC_ADDRESS",
                choices=("MAC_ADDRESS", "CLIENT_ID", "RESERVED", "CIRCUIT_ID", "REMOTE_ID"),
            ),
            "network": Field("str", readonly=True, search=EXACT),
            "name": Field("str", search=NAME),
            "comment": COMMENT,
            "disable": DISABLE,
            "extattrs": EXTATTRS,
        },
        (),
    ),
    "range": (
        {
            "start_addr": Field("ipv4", base=True, required=True, search=ORDER),
            "end_addr": Field("ipv4", base=True, required=True, search=ORDER),
            "network": Field("str", base=True, readonly=True, search=EXACT),
            "network_view": _NETVIEW_REF,
            "comment": Field("str", base=True, search=TEXT),
            "name": Field("str", search=NAME),
            "options": Field("dhcpoptions"),
            "disable": DISABLE,
            "extattrs": EXTATTRS,
        },
        _NA_IP,
    ),
    "extensibleattributedef": (
        {
            "name": Field("str", base=True, required=True, search=NAME),
            "type": Field(
                "str",
                base=True,
                required=True,
                search=EXACT,
                choices=("STRING", "INTEGER", "EMAIL", "URL", "DATE", "ENUM"),
            ),
            "comment": Field("str", base=True, search=TEXT),
            "default_value": Field("any", base=True),
            "flags": Field("str"),
            "list_values": Field("any"),
            "min": Field("uint"),
            "max": Field("uint"),
            "allowed_object_types": Field("any"),
            "descendants_action": Field("any"),
            "namespace": Field("str", readonly=True, search=EXACT),
        },
        (),
    ),
    "grid": ({"name": Field("str", readonly=True)}, ("restartservices",)),
}

_READ_ONLY_TYPES = frozenset({"grid", "record:host_ipv4addr", "record:host_ipv6addr"})


def _build() -> dict[str, ObjType]:
    types: dict[str, ObjType] = {}
    for name, (fields, functions) in _TABLE.items():
        extra = NIOS_FIELDS.get(name, frozenset()) - fields.keys()
        types[name] = ObjType(name, fields, functions, name not in _READ_ONLY_TYPES, extra)
    return types


TYPES: Final[dict[str, ObjType]] = _build()

NETWORK_TYPES: Final = frozenset(
    {"network", "networkcontainer", "ipv6network", "ipv6networkcontainer"}
)
RECORD_TYPES: Final = frozenset(
    {
        "record:a",
        "record:aaaa",
        "record:cname",
        "record:txt",
        "record:mx",
        "record:srv",
        "record:ptr",
        "record:host",
        "record:caa",
        "record:ns",
    }
)


def get_type(name: str) -> ObjType | None:
    return TYPES.get(name)
