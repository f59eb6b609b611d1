"""A ``Record`` spec and a WAPI record object, both in one comparable form.

``DesiredRecord`` is what the spec asks for, ``ActualRecord`` what Infoblox holds; both are
normalised the way NIOS stores values, so that comparing them field by field never finds a
difference NIOS would not keep:

=============  ===============================================================================
names          lower-case, no trailing dot (NIOS stores them so; DNS is case-insensitive)
addresses      ``ipaddress`` canonical form (``2001:0DB8::0001`` is ``2001:db8::1``)
TXT text       the logical text (``record_txt.decode_txt`` of what NIOS returns)
ttl            ``None`` when the record inherits the zone's (``use_ttl`` false)
comment        ``""`` when there is none
CAA tag        lower-case (RFC 8659: tags match case-insensitively)
MAC            lower-case, colon-separated (NIOS's form)
Host aliases   names, as a sorted tuple (their order carries no meaning)
=============  ===============================================================================
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ddisync.api.meta import InvalidSpecError
from ddisync.api.record import RecordSpec, RecordType
from ddisync.reconcile.ownership import ea_values
from ddisync.reconcile.record_txt import decode_txt

OBJTYPES: dict[RecordType, str] = {
    RecordType.A: "record:a",
    RecordType.AAAA: "record:aaaa",
    RecordType.CNAME: "record:cname",
    RecordType.PTR: "record:ptr",
    RecordType.TXT: "record:txt",
    RecordType.MX: "record:mx",
    RecordType.SRV: "record:srv",
    RecordType.HOST: "record:host",
    RecordType.CAA: "record:caa",
}
TYPE_OF_OBJTYPE: dict[str, RecordType] = {objtype: kind for kind, objtype in OBJTYPES.items()}
# Not in OBJTYPES, the types a Record owns by its marker: NIOS keeps no extensible attributes on
# NS records, which are owned through a claim (``record_ns``).
NS_OBJTYPE = "record:ns"


def objtype_of_type(kind: RecordType) -> str:
    """The Infoblox object type of a record type."""
    return NS_OBJTYPE if kind is RecordType.NS else OBJTYPES[kind]


_COMMON_FIELDS = ("name", "view", "comment", "ttl", "use_ttl", "extattrs")
# What to read back (``_return_fields``) for each object type: every field the plan compares.
RETURN_FIELDS: dict[str, tuple[str, ...]] = {
    "record:a": (*_COMMON_FIELDS, "ipv4addr"),
    "record:aaaa": (*_COMMON_FIELDS, "ipv6addr"),
    "record:cname": (*_COMMON_FIELDS, "canonical"),
    "record:ptr": (*_COMMON_FIELDS, "ptrdname", "ipv4addr", "ipv6addr"),
    "record:txt": (*_COMMON_FIELDS, "text"),
    "record:mx": (*_COMMON_FIELDS, "mail_exchanger", "preference"),
    "record:srv": (*_COMMON_FIELDS, "target", "port", "priority", "weight"),
    "record:host": (*_COMMON_FIELDS, "ipv4addrs", "ipv6addrs", "configure_for_dns", "aliases"),
    "record:caa": (*_COMMON_FIELDS, "ca_flag", "ca_tag", "ca_value"),
}


def normal_name(name: str) -> str:
    return name.rstrip(".").lower()


def normal_address(address: str) -> str:
    """Canonical text of an IP address; anything unparsable is kept as it is."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address


def reverse_name(address: str) -> str:
    """The reverse-lookup name of an address: ``4.3.2.1.in-addr.arpa`` or the ip6.arpa nibbles."""
    return ipaddress.ip_address(address).reverse_pointer


def normal_mac(mac: str) -> str:
    return mac.lower().replace("-", ":")


@dataclass(frozen=True)
class HostAddressWant:
    """One address a Host should have, with its DHCP reservation (``mac`` None: none)."""

    address: str
    mac: str | None = None
    configure_for_dhcp: bool = False

    @property
    def version(self) -> int:
        return ipaddress.ip_address(self.address).version


@dataclass(frozen=True)
class Allocation:
    """Take the next free address of ``cidr`` in ``network_view`` inside the create call."""

    cidr: str
    network_view: str

    @property
    def function(self) -> str:
        # Inline in the create call: two claimants can never get the same address, unlike
        # "ask next_available_ip, then create".
        return f"func:nextavailableip:{self.cidr},{self.network_view}"

    @property
    def version(self) -> int:
        return ipaddress.ip_network(self.cidr).version

    def holds(self, address: str) -> bool:
        try:
            return ipaddress.ip_address(address) in ipaddress.ip_network(self.cidr)
        except ValueError:
            return False


@dataclass(frozen=True)
class DesiredRecord:
    type: RecordType
    objtype: str
    name: str  # lower-case; for a PTR the reverse name (given, or derived from the address)
    view: str
    address: str | None = None  # A, AAAA, Host, PTR; None when allocated
    allocation: Allocation | None = None
    canonical: str | None = None
    text: str | None = None  # the logical text
    mail_exchanger: str | None = None
    preference: int | None = None
    target: str | None = None
    port: int | None = None
    priority: int | None = None
    weight: int | None = None
    ptrdname: str | None = None
    ca_flag: int | None = None  # CAA, named as WAPI names them
    ca_tag: str | None = None
    ca_value: str | None = None
    # Host: its addresses with their DHCP settings (``address`` or ``addresses``; empty when
    # allocated), and its aliases
    host_addresses: tuple[HostAddressWant, ...] = ()
    # Whether the spec says each address's mac and configureForDHCP (``addresses``); with one
    # ``address`` (or ``addressFrom``) they are left as they are in Infoblox, as before
    # ``addresses`` existed: an upgrade never strips a MAC someone set by hand.
    host_dhcp: bool = False
    aliases: tuple[str, ...] = ()
    nameserver: str | None = None  # NS
    ns_addresses: tuple[str, ...] = ()  # NS: glue addresses, canonical, sorted
    ttl: int | None = None
    comment: str = ""
    extattrs: dict[str, str] = field(default_factory=dict)
    create_ptr: bool = False


@dataclass(frozen=True)
class ActualRecord:
    ref: str
    objtype: str
    name: str
    view: str
    addresses: tuple[str, ...] = ()  # A/AAAA/PTR: zero or one; Host: all of its addresses
    canonical: str | None = None
    text: str | None = None  # decoded
    text_wire: str | None = None  # as NIOS returned it
    mail_exchanger: str | None = None
    preference: int | None = None
    target: str | None = None
    port: int | None = None
    priority: int | None = None
    weight: int | None = None
    ptrdname: str | None = None
    ca_flag: int | None = None
    ca_tag: str | None = None
    ca_value: str | None = None
    host_items: tuple[Mapping[str, Any], ...] = ()  # Host: ipv4addrs and ipv6addrs as read
    aliases: tuple[str, ...] = ()
    configure_for_dns: bool | None = None
    ttl: int | None = None
    comment: str = ""
    extattrs: dict[str, str] = field(default_factory=dict)

    @property
    def type(self) -> RecordType | None:
        return TYPE_OF_OBJTYPE.get(self.objtype)

    @property
    def address(self) -> str | None:
        return self.addresses[0] if self.addresses else None


def desired_record(
    spec: RecordSpec, allocation_cidr: str | None = None, network_view: str = "default"
) -> DesiredRecord:
    """The record the spec asks for.

    With ``addressFrom`` the caller resolves the referenced Network (same namespace) and
    passes its ``status.cidr`` and network view; a Network of the wrong IP family for the
    record type is an ``InvalidSpecError``.
    """
    allocation = None
    if spec.address_from is not None:
        if allocation_cidr is None:
            raise ValueError("addressFrom needs the referenced Network's CIDR")
        allocation = Allocation(str(ipaddress.ip_network(allocation_cidr)), network_view)
        wanted = {RecordType.A: 4, RecordType.AAAA: 6}.get(spec.type)
        if wanted is not None and allocation.version != wanted:
            raise InvalidSpecError(
                f"spec.addressFrom.networkRef: Network {spec.address_from.network_ref.name!r} "
                f"is {allocation.cidr} but an {spec.type} record needs an IPv{wanted} network"
            )
    address = normal_address(spec.address) if spec.address is not None else None
    if spec.name is not None:
        name = normal_name(spec.name)
    else:
        assert address is not None  # the model: a PTR without a name has an address
        name = reverse_name(address)
    return DesiredRecord(
        type=spec.type,
        objtype=objtype_of_type(spec.type),
        name=name,
        view=spec.view,
        address=address,
        allocation=allocation,
        canonical=_lower(spec.canonical),
        text=spec.text,
        mail_exchanger=_lower(spec.mail_exchanger),
        preference=spec.preference,
        target=_lower(spec.target),
        port=spec.port,
        priority=spec.priority,
        weight=spec.weight,
        ptrdname=_lower(spec.ptrdname),
        ca_flag=spec.flags,
        ca_tag=spec.tag.lower() if spec.tag is not None else None,
        ca_value=spec.value,
        host_addresses=_host_addresses(spec, address),
        host_dhcp=spec.addresses is not None,
        aliases=tuple(sorted({normal_name(a) for a in spec.aliases or ()})),
        nameserver=_lower(spec.nameserver),
        ns_addresses=tuple(
            sorted({normal_address(entry.address) for entry in spec.addresses or ()})
        )
        if spec.type is RecordType.NS
        else (),
        ttl=spec.ttl,
        comment=spec.comment or "",
        extattrs=dict(spec.extensible_attributes),
        create_ptr=spec.create_ptr,
    )


def _host_addresses(spec: RecordSpec, address: str | None) -> tuple[HostAddressWant, ...]:
    if spec.type is not RecordType.HOST:
        return ()
    if spec.addresses is not None:
        return tuple(
            HostAddressWant(
                normal_address(entry.address),
                normal_mac(entry.mac) if entry.mac is not None else None,
                entry.configure_for_dhcp,
            )
            for entry in spec.addresses
        )
    return (HostAddressWant(address),) if address is not None else ()


def _lower(name: str | None) -> str | None:
    return normal_name(name) if name is not None else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _addresses(obj: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for key in ("ipv4addr", "ipv6addr"):
        if isinstance(obj.get(key), str) and obj[key]:
            found.append(normal_address(obj[key]))
    for key, inner in (("ipv4addrs", "ipv4addr"), ("ipv6addrs", "ipv6addr")):
        for item in obj.get(key) or []:
            if isinstance(item, Mapping) and isinstance(item.get(inner), str):
                found.append(normal_address(item[inner]))
    return tuple(found)


def actual_record(obj: Mapping[str, Any]) -> ActualRecord:
    """A WAPI record object (any of the record types) → its comparable form."""
    ref = str(obj["_ref"])
    text = obj.get("text")
    return ActualRecord(
        ref=ref,
        objtype=ref.split("/", 1)[0],
        name=normal_name(str(obj.get("name", ""))),
        view=str(obj.get("view", "default")),
        addresses=_addresses(obj),
        canonical=_lower(obj.get("canonical")),
        text=decode_txt(text) if isinstance(text, str) else None,
        text_wire=text if isinstance(text, str) else None,
        mail_exchanger=_lower(obj.get("mail_exchanger")),
        preference=_int(obj.get("preference")),
        target=_lower(obj.get("target")),
        port=_int(obj.get("port")),
        priority=_int(obj.get("priority")),
        weight=_int(obj.get("weight")),
        ptrdname=_lower(obj.get("ptrdname")),
        ca_flag=_int(obj.get("ca_flag")),
        ca_tag=str(obj["ca_tag"]).lower() if isinstance(obj.get("ca_tag"), str) else None,
        ca_value=obj.get("ca_value") if isinstance(obj.get("ca_value"), str) else None,
        host_items=tuple(
            item
            for key in ("ipv4addrs", "ipv6addrs")
            for item in obj.get(key) or []
            if isinstance(item, Mapping)
        ),
        aliases=tuple(
            sorted(normal_name(a) for a in obj.get("aliases") or [] if isinstance(a, str))
        ),
        configure_for_dns=obj.get("configure_for_dns")
        if isinstance(obj.get("configure_for_dns"), bool)
        else None,
        ttl=_int(obj.get("ttl")) if obj.get("use_ttl") else None,
        comment=str(obj.get("comment", "")),
        extattrs=ea_values(obj.get("extattrs")),
    )


def record_value(record: ActualRecord, limit: int = 64) -> str:
    """The record's data in short, for ``status.value`` and ``kubectl get``."""
    match record.type:
        case RecordType.CNAME:
            value = record.canonical or ""
        case RecordType.TXT:
            value = record.text or ""
        case RecordType.MX:
            value = f"{record.preference} {record.mail_exchanger}"
        case RecordType.SRV:
            value = f"{record.priority} {record.weight} {record.port} {record.target}"
        case RecordType.PTR:
            value = record.ptrdname or ""
        case RecordType.CAA:
            value = f'{record.ca_flag} {record.ca_tag} "{record.ca_value}"'
        case _:
            value = ", ".join(record.addresses)
    return value if len(value) <= limit else value[: limit - 3] + "..."
