"""One WAPI object -> the spec of the resource that adopts it, or why ddisync cannot.

Pure: no I/O. Each conversion is proven before it is accepted: the spec is validated by the
``api`` model (the same rules the API server applies), then planned against the very object it
came from with the operator's planner (``plan_network``/``plan_record``/``plan_zone``/
``plan_fixed_address``/``plan_dhcp_range``, ``adopt: true``). The only changes allowed are the
ownership markers; anything else means the manifest would change the object on adoption, and
the object is skipped with the planner's own field list. So an exported grid plans with zero
creates, updates and deletes *by construction*.

What is skipped, and why (each with a warning line and a count):

==========================================  ==================================================
object                                      reason
==========================================  ==================================================
carries ddisync markers                     already managed by a ddisync resource (adopting
                                            it again would be a Conflict)
Host without addresses                      a Record of type Host has at least one
Host with ``configure_for_dns: false``      not in DNS; adoption would turn DNS on
fixed address matched by other than MAC     ddisync reserves by MAC (``match_client``
                                            MAC_ADDRESS)
DHCP option ddisync does not know           the spec accepts NIOS's DHCP option names only
name, view, EA or text the spec refuses     e.g. ``_`` in an A record's name, a view name
                                            with spaces, a TXT with non-ASCII text
anything the adoption would change          e.g. TXT strings NIOS split differently
==========================================  ==================================================

Fields equal to the spec's default (view ``default``, no comment, no EAs, zone TTL) are left
out of the manifest: it is the shortest one that plans as "adopt".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from ddisync.api.dhcp_range import DHCPRangeSpec
from ddisync.api.fixed_address import FixedAddressSpec
from ddisync.api.meta import InvalidSpecError, parse_spec
from ddisync.api.network import NetworkSpec
from ddisync.api.record import RecordSpec, RecordType
from ddisync.api.zone import ZoneSpec
from ddisync.reconcile.dhcp_range import OBJTYPE as RANGE_OBJTYPE
from ddisync.reconcile.dhcp_range import actual_range, desired_range, plan_dhcp_range
from ddisync.reconcile.fixed_address import OBJTYPE as FIXED_ADDRESS_OBJTYPE
from ddisync.reconcile.fixed_address import (
    actual_fixed_address,
    desired_fixed_address,
    plan_fixed_address,
)
from ddisync.reconcile.network import actual_network, desired_network, plan_network
from ddisync.reconcile.ownership import MARKER_EAS, Owner, describe_foreign, ea_values
from ddisync.reconcile.plan import Action, NoChange, Update
from ddisync.reconcile.record import actual_record, desired_record, plan_record
from ddisync.reconcile.record_desired import (
    NS_OBJTYPE,
    TYPE_OF_OBJTYPE,
    ActualRecord,
    normal_address,
    normal_mac,
    reverse_name,
)
from ddisync.reconcile.record_ns import actual_ns, plan_ns, read_claim
from ddisync.reconcile.zone import ZONE_OBJTYPE, actual_zone, desired_zone, plan_zone
from ddisync.tools.naming import dhcp_name, network_name, record_name, zone_name
from ddisync.tools.plan import non_marker_fields
from ddisync.tools.reading import NETWORK_OBJTYPES
from ddisync.wapi.query import objtype_of

__all__ = [
    "DHCP_RANGE",
    "FIXED_ADDRESS",
    "NETWORK",
    "ZONE",
    "Exported",
    "Skipped",
    "claimed_ns",
    "convert",
    "folder_of",
]

SpecT = TypeVar("SpecT", bound=BaseModel)

NETWORK = "Network"  # the Network kind; every other exported kind is a Record type or one of:
ZONE = "Zone"
FIXED_ADDRESS = "FixedAddress"
DHCP_RANGE = "DHCPRange"
_FOLDERS = {
    NETWORK: "networks",
    ZONE: "zones",
    FIXED_ADDRESS: "fixedaddresses",
    DHCP_RANGE: "dhcpranges",
}


def folder_of(kind: str) -> str:
    """The folder of ``kind``'s manifests (``NETWORK``, ``ZONE``, a DHCP kind, or a Record type
    such as ``"A"``).

    A re-export removes stale files below these folders: every writer and pruner uses this.
    """
    return _FOLDERS.get(kind, f"records/{kind.lower()}")


# Stands in for the resource while proving a conversion; never written anywhere.
_PROOF_OWNER = Owner("export", "Export", "export", "export", "export")


@dataclass(frozen=True)
class Exported:
    kind: str  # "Network" | "Record" | "Zone" | "FixedAddress" | "DHCPRange"
    name: str
    folder: str  # "networks", "zones", "records/a", "fixedaddresses", ...
    spec: dict[str, Any]  # camelCase, as written in the manifest
    source: str  # the object, for messages


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


def _common(spec: dict[str, Any], comment: str, extattrs: Mapping[str, str]) -> dict[str, Any]:
    if comment:
        spec["comment"] = comment
    eas = {k: v for k, v in sorted(extattrs.items()) if k not in MARKER_EAS}
    if eas:
        spec["extensibleAttributes"] = eas
    spec["adopt"] = True
    return spec


def _only_markers(action: Action) -> str | None:
    """None when ``action`` adds markers and nothing else; else the fields it would change."""
    if isinstance(action, NoChange):
        return None
    if not isinstance(action, Update):
        return f"the operator would not adopt it as exported ({type(action).__name__})"
    fields = non_marker_fields(action.changes)
    if fields:
        return f"adopting it would change {', '.join(fields)}"
    return None


def _unprovable(
    spec_model: type[SpecT], spec: dict[str, Any], plan: Callable[[SpecT], Action]
) -> str | None:
    """Why ``spec`` would not adopt its object as it is (an invalid spec, or changes besides
    the markers); None when it would."""
    try:
        model = parse_spec(spec_model, spec)
    except InvalidSpecError as exc:
        return str(exc)
    return _only_markers(plan(model))


def _network(obj: Mapping[str, Any]) -> Exported | Skipped:
    actual = actual_network(obj)
    source = f"network {actual.cidr} (network view {actual.network_view})"
    spec: dict[str, Any] = {"cidr": actual.cidr}
    if actual.network_view != "default":
        spec["networkView"] = actual.network_view
    spec = _common(spec, actual.comment, actual.extattrs)
    problem = _unprovable(
        NetworkSpec,
        spec,
        lambda model: plan_network(desired_network(model), actual, _PROOF_OWNER, adopt=True),
    )
    if problem:
        return Skipped(source, problem)
    return Exported(
        NETWORK, network_name(actual.cidr, actual.network_view), folder_of(NETWORK), spec, source
    )


def _zone(obj: Mapping[str, Any]) -> Exported | Skipped:
    actual = actual_zone(obj)
    source = f"zone {actual.fqdn} (view {actual.view})"
    spec: dict[str, Any] = {"fqdn": actual.fqdn}
    if actual.view != "default":
        spec["view"] = actual.view
    if actual.ns_group is not None:
        spec["nsGroup"] = actual.ns_group
    spec = _common(spec, actual.comment, actual.extattrs)
    problem = _unprovable(
        ZoneSpec,
        spec,
        lambda model: plan_zone(desired_zone(model), actual, _PROOF_OWNER, adopt=True),
    )
    if problem:
        return Skipped(source, problem)
    return Exported(ZONE, zone_name(actual.fqdn, actual.view), folder_of(ZONE), spec, source)


def _record_fields(kind: RecordType, actual: ActualRecord) -> dict[str, Any] | str:
    """The type-specific part of the spec, or why there is none."""
    match kind:
        case RecordType.A | RecordType.AAAA:
            return {"name": actual.name, "address": actual.address}
        case RecordType.HOST:
            if not actual.addresses:
                return "a Host record without addresses cannot be a Record"
            if actual.configure_for_dns is False:
                return "configure_for_dns is off (not in DNS); ddisync manages DNS hosts"
            return {"name": actual.name, **_host_addresses(actual)}
        case RecordType.CNAME:
            return {"name": actual.name, "canonical": actual.canonical}
        case RecordType.TXT:
            return {"name": actual.name, "text": actual.text}
        case RecordType.MX:
            return {
                "name": actual.name,
                "mailExchanger": actual.mail_exchanger,
                "preference": actual.preference,
            }
        case RecordType.SRV:
            return {
                "name": actual.name,
                "target": actual.target,
                "port": actual.port,
                "priority": actual.priority,
                "weight": actual.weight,
            }
        case RecordType.PTR:
            address = actual.address
            if address is not None and reverse_name(address) == actual.name:
                return {"address": address, "ptrdname": actual.ptrdname}
            return {"name": actual.name, "ptrdname": actual.ptrdname}
        case RecordType.CAA:
            return {
                "name": actual.name,
                "flags": actual.ca_flag,
                "tag": actual.ca_tag,
                "value": actual.ca_value,
            }
    raise AssertionError(kind)


def _host_addresses(actual: ActualRecord) -> dict[str, Any]:
    """``address`` for one plain address; else ``addresses`` with their DHCP settings; and
    ``aliases`` when there are any."""
    entries = []
    for item in actual.host_items:
        version = 4 if "ipv4addr" in item else 6
        entry: dict[str, Any] = {"address": normal_address(str(item.get(f"ipv{version}addr")))}
        if isinstance(item.get("mac"), str) and item["mac"]:
            entry["mac"] = normal_mac(item["mac"])
        if item.get("configure_for_dhcp") is True:
            entry["configureForDHCP"] = True
        entries.append(entry)
    fields: dict[str, Any] = (
        {"address": entries[0]["address"]} if entries == [{"address": entries[0]["address"]}]
        else {"addresses": entries}
    )  # fmt: skip
    if actual.aliases:
        fields["aliases"] = list(actual.aliases)
    return fields


def _identity(kind: RecordType, actual: ActualRecord) -> str:
    """What tells this record apart from its same-name siblings (see ``identity_search``)."""
    match kind:
        case RecordType.A | RecordType.AAAA | RecordType.HOST:
            return actual.address or ""
        case RecordType.TXT:
            return actual.text or ""
        case RecordType.MX:
            return actual.mail_exchanger or ""
        case RecordType.SRV:
            return f"{actual.target}:{actual.port}"
        case RecordType.PTR:
            return f"{actual.address or ''}>{actual.ptrdname}"
        case RecordType.CAA:
            return f"{actual.ca_tag} {actual.ca_value}"
        case _:
            return ""


def _record(obj: Mapping[str, Any]) -> Exported | Skipped:
    actual = actual_record(obj)
    kind = TYPE_OF_OBJTYPE[actual.objtype]
    source = f"{kind} record {actual.name or actual.address} (view {actual.view})"
    fields = _record_fields(kind, actual)
    if isinstance(fields, str):
        return Skipped(source, fields)
    spec: dict[str, Any] = {"type": kind.value}
    if actual.view != "default":
        spec["view"] = actual.view
    spec |= fields
    if actual.ttl is not None:
        spec["ttl"] = actual.ttl
    spec = _common(spec, actual.comment, actual.extattrs)
    problem = _unprovable(
        RecordSpec,
        spec,
        lambda model: plan_record(desired_record(model), actual, _PROOF_OWNER, adopt=True),
    )
    if problem:
        return Skipped(source, problem)
    name = record_name(kind.value, actual.name, actual.view, _identity(kind, actual))
    return Exported("Record", name, folder_of(kind.value), spec, source)


def _fixed_address(obj: Mapping[str, Any]) -> Exported | Skipped:
    actual = actual_fixed_address(obj)
    source = f"fixed address {actual.address} (network view {actual.network_view})"
    if obj.get("match_client", "MAC_ADDRESS") != "MAC_ADDRESS" or not actual.mac:
        return Skipped(source, "it is not matched by MAC address; ddisync reserves by MAC")
    spec: dict[str, Any] = {"mac": actual.mac, "address": actual.address}
    if actual.network_view != "default":
        spec["networkView"] = actual.network_view
    if actual.name:
        spec["name"] = actual.name
    if actual.options:
        spec["options"] = [{"name": n, "value": v} for n, v in sorted(actual.options.items())]
    spec = _common(spec, actual.comment, actual.extattrs)
    problem = _unprovable(
        FixedAddressSpec,
        spec,
        lambda model: plan_fixed_address(
            desired_fixed_address(model), actual, _PROOF_OWNER, adopt=True
        ),
    )
    if problem:
        return Skipped(source, problem)
    name = dhcp_name("fixed", (actual.address,), actual.network_view)
    return Exported(FIXED_ADDRESS, name, folder_of(FIXED_ADDRESS), spec, source)


def _range(obj: Mapping[str, Any]) -> Exported | Skipped:
    actual = actual_range(obj)
    source = f"range {actual.start}-{actual.end} (network view {actual.network_view})"
    spec: dict[str, Any] = {"start": actual.start, "end": actual.end}
    if actual.network_view != "default":
        spec["networkView"] = actual.network_view
    spec = _common(spec, actual.comment, actual.extattrs)
    problem = _unprovable(
        DHCPRangeSpec,
        spec,
        lambda model: plan_dhcp_range(desired_range(model), actual, _PROOF_OWNER, adopt=True),
    )
    if problem:
        return Skipped(source, problem)
    name = dhcp_name("range", (actual.start, actual.end), actual.network_view)
    return Exported(DHCP_RANGE, name, folder_of(DHCP_RANGE), spec, source)


#: NS records a ddisync claim names: (view, name, nameserver) → the claim's markers.
ClaimedNS = Mapping[tuple[str, str, str], Mapping[str, str]]


def claimed_ns(claims: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str, str], dict[str, str]]:
    """The NS records ``claims`` (TXT objects, ``record_ns``) name, with the claims' markers:
    a claim in any state means a ddisync resource manages (or is taking) that NS record."""
    named: dict[tuple[str, str, str], dict[str, str]] = {}
    for obj in claims:
        claim = read_claim(obj)
        markers = ea_values(obj.get("extattrs"))
        if claim is not None and any(marker in markers for marker in MARKER_EAS):
            named[(str(obj.get("view", "default")), claim.name, claim.nameserver)] = markers
    return named


def _ns(obj: Mapping[str, Any], claimed: ClaimedNS) -> Exported | Skipped:
    actual = actual_ns(obj)
    source = f"NS record {actual.name} -> {actual.nameserver} (view {actual.view})"
    markers = claimed.get((actual.view, actual.name, actual.nameserver))
    if markers is not None:
        return Skipped(source, f"already managed by ddisync ({describe_foreign(markers)})")
    spec: dict[str, Any] = {"type": RecordType.NS.value}
    if actual.view != "default":
        spec["view"] = actual.view
    spec |= {"name": actual.name, "nameserver": actual.nameserver}
    if actual.addresses:
        spec["addresses"] = [{"address": a} for a in sorted(actual.addresses)]
    spec = _common(spec, "", {})  # NIOS has no comment nor extensible attributes on NS records
    problem = _unprovable(
        RecordSpec,
        spec,
        lambda model: plan_ns(desired_record(model), None, actual, adopt=True),
    )
    if problem:
        return Skipped(source, problem)
    name = record_name("NS", actual.name, actual.view, actual.nameserver)
    return Exported("Record", name, folder_of("NS"), spec, source)


def convert(obj: Mapping[str, Any], claimed: ClaimedNS | None = None) -> Exported | Skipped:
    """The resource that adopts ``obj`` (a network, a zone, a record of a Record type, a fixed
    address or a DHCP range); ``claimed``: the NS records ddisync claims (``claimed_ns``)."""
    objtype = objtype_of(str(obj["_ref"]))
    if objtype == NS_OBJTYPE:
        return _ns(obj, claimed or {})
    extattrs = ea_values(obj.get("extattrs"))
    if any(marker in extattrs for marker in MARKER_EAS):
        what = (
            obj.get("network") or obj.get("name") or obj.get("fqdn") or obj.get("ipv4addr")
            or obj.get("start_addr") or obj["_ref"]
        )  # fmt: skip
        return Skipped(
            f"{objtype} {what}", f"already managed by ddisync ({describe_foreign(extattrs)})"
        )
    if objtype in NETWORK_OBJTYPES:
        return _network(obj)
    if objtype in TYPE_OF_OBJTYPE:
        return _record(obj)
    if objtype == ZONE_OBJTYPE:
        return _zone(obj)
    if objtype == FIXED_ADDRESS_OBJTYPE:
        return _fixed_address(obj)
    if objtype == RANGE_OBJTYPE:
        return _range(obj)
    raise ValueError(f"cannot export a {objtype}")
