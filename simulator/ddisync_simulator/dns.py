"""DNS rules: views, authoritative zones (forward and reverse) and records.

Decision table (spec §5 DNS rules, [V SC-NS] unless tagged):

=====================================  ===================================================
situation                              outcome
=====================================  ===================================================
view does not exist                    404 ``View <v> not found`` [V]
no authoritative zone holds the name   400 Conflict ``A parent was not found.`` [V]
CNAME at a zone apex                   400 Conflict ``Zone 'z' cannot have an empty CNAME.``
same name+view: CNAME vs A/AAAA/host   400 Conflict ``The record 'n' already exists.``
A/AAAA: same name+address+view         ``already exists``; other addresses coexist
host: same name+view                   ``already exists``
TXT/MX/SRV/PTR: same name and data     ``already exists``; otherwise coexist
names                                  stored lower-case, trailing dot removed
host with configure_for_dns=false      needs no zone [U]
CAA: same name, flag, tag and value    ``already exists``; ``ca_flag`` 0..255, ``ca_tag``
                                       letters and digits (RFC 8659) [U]
NS: same name and nameserver           ``already exists``; ``addresses`` a list of
                                       ``{address, auto_create_ptr}`` [U]
zone ``ns_group`` not an nsgroup       404 ``Name server group <g> not found`` [U]
deleting an nsgroup a zone uses        Conflict ``... is assigned to zone <z> ...`` [U]
=====================================  ===================================================

A zone served by a name server group gets one NS record at its apex per member of the group
(``grid_primary`` then ``grid_secondaries``), ``creator`` SYSTEM, as NIOS generates them; they
follow the zone's ``ns_group`` and go with the zone [U].

Reverse zones are stored as NIOS shows them: ``fqdn`` is the CIDR (``10.0.0.0/8``) with
``zone_format`` IPV4/IPV6, and ``dns_fqdn`` is the arpa name. [U] A zone created with an arpa
name (``10.in-addr.arpa``) is converted to that form; prefixes must fall on label boundaries
(multiples of 8 for IPv4, of 4 for IPv6).
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from .errors import fail
from .keys import RefContext, host_address_ref, ref_for, view_key
from .store import Grid, Obj
from .values import dnsname, parse_ip

__all__ = ["find_zone", "prepare_dns", "refresh_name_servers", "reverse_name"]

_CONFLICTS = {  # objtype -> types that may not share its name (besides same-data duplicates)
    "record:cname": {"record:a", "record:aaaa", "record:host", "record:cname"},
    "record:a": {"record:cname"},
    "record:aaaa": {"record:cname"},
    "record:host": {"record:cname", "record:host"},
}
_SAME_DATA = {
    "record:a": ("ipv4addr",),
    "record:aaaa": ("ipv6addr",),
    "record:txt": ("text",),
    "record:mx": ("mail_exchanger", "preference"),
    "record:ptr": ("ptrdname",),
    "record:srv": ("target", "port", "priority", "weight"),
    "record:caa": ("ca_flag", "ca_tag", "ca_value"),
    "record:ns": ("nameserver",),
}
_CAA_TAG = re.compile(r"[A-Za-z0-9]{1,15}")
_HOST_ITEM_KEYS = {
    "ipv4addr",
    "ipv6addr",
    "mac",
    "duid",
    "configure_for_dhcp",
    "use_for_ea_inheritance",
    "network_view",
    "_ref",
    "host",
}


def reverse_name(ip: str) -> str:
    return ipaddress.ip_address(ip).reverse_pointer


def _cidr_to_arpa(cidr: str) -> tuple[str, str]:
    net = ipaddress.ip_network(cidr, strict=True)
    step = 8 if net.version == 4 else 4
    if net.prefixlen % step or net.prefixlen == 0:
        raise fail(
            "bad_value",
            field="fqdn",
            value=json.dumps(cidr),
            reason=f"Prefix must be a multiple of {step}",
        )
    labels = net.network_address.reverse_pointer.split(".")
    keep = net.prefixlen // step
    suffix = labels[-2:]
    return ".".join(labels[-2 - keep : -2] + suffix), "IPV4" if net.version == 4 else "IPV6"


def _arpa_to_cidr(name: str) -> str | None:
    labels = name.split(".")
    if name.endswith(".in-addr.arpa"):
        octets = list(reversed(labels[:-2]))
        if not 0 < len(octets) <= 4 or not all(o.isdigit() for o in octets):
            return None
        return f"{'.'.join(octets + ['0'] * (4 - len(octets)))}/{8 * len(octets)}"
    if name.endswith(".ip6.arpa"):
        nibbles = "".join(reversed(labels[:-2]))
        if not 0 < len(nibbles) <= 32:
            return None
        try:
            addr = ipaddress.IPv6Address(int(nibbles.ljust(32, "0"), 16))
        except ValueError:
            return None
        return f"{addr}/{4 * len(nibbles)}"
    return None


def find_zone(grid: Grid, view: str, name: str) -> Obj | None:
    """The closest authoritative zone holding ``name`` in ``view``."""
    labels = name.split(".")
    for i in range(len(labels)):
        zone = grid.first("zone", (view, ".".join(labels[i:])))
        if zone is not None:
            return zone
    return None


def _require_view(grid: Grid, view: str) -> Obj:
    obj = grid.find_view(view)
    if obj is None:
        raise fail("view_not_found", name=view)
    return obj


def _prepare_view(grid: Grid, f: dict[str, Any], old: Obj | None) -> RefContext:
    same = grid.find_view(f["name"])
    if same is not None and same is not old:
        raise fail("object_exists", what="view", name=f["name"])
    nv = str(f.setdefault("network_view", "default"))
    if grid.find_netview(nv) is None:
        raise fail("netview_not_found", name=nv)
    f.setdefault("is_default", False)
    return RefContext()


def _prepare_zone(grid: Grid, f: dict[str, Any], old: Obj | None) -> RefContext:
    view = str(f.setdefault("view", "default"))
    view_obj = _require_view(grid, view)
    fqdn = dnsname(f["fqdn"]) if "/" not in f["fqdn"] else f["fqdn"].strip()
    if "/" not in fqdn and (cidr := _arpa_to_cidr(fqdn)) is not None:
        fqdn = cidr
    if "/" in fqdn:
        try:
            fqdn = str(ipaddress.ip_network(fqdn, strict=True))
        except ValueError:
            raise fail(
                "bad_value", field="fqdn", value=json.dumps(f["fqdn"]), reason="Invalid network"
            ) from None
        dns_fqdn, f["zone_format"] = _cidr_to_arpa(fqdn)
    else:
        dns_fqdn, f["zone_format"] = fqdn, "FORWARD"
    f["fqdn"] = fqdn
    f["dns_fqdn"] = dns_fqdn
    same = grid.first("zone", (view, dns_fqdn))
    if same is not None and same is not old:
        raise fail("object_exists", what="zone", name=fqdn)
    parent = find_zone(grid, view, dns_fqdn.partition(".")[2]) if "." in dns_fqdn else None
    f["parent"] = parent.fields["fqdn"] if parent else ""
    f["network_view"] = view_obj.fields.get("network_view", "default")
    f["display_domain"] = fqdn
    f.setdefault("primary_type", "None")
    if f.get("ns_group") and grid.first("name", ("nsgroup", str(f["ns_group"]).lower())) is None:
        raise fail("nsgroup_not_found", name=f["ns_group"])
    return RefContext(view_key(grid, view), dns_fqdn)


def _fill_ptr(f: dict[str, Any]) -> None:
    ip = f.get("ipv4addr") or f.get("ipv6addr")
    if not f.get("name"):
        if not ip:
            raise fail("missing_field", field="name")
        f["name"] = reverse_name(str(ip))
    elif not ip:
        cidr = _arpa_to_cidr(f["name"])
        if cidr and cidr.endswith(("/32", "/128")):
            addr = cidr.split("/")[0]
            f["ipv4addr" if ":" not in addr else "ipv6addr"] = addr


def _follow_address(f: dict[str, Any], old: Obj | None) -> None:
    """A PTR whose name is its address's reverse name keeps it so when the address moves."""
    if old is None:
        return
    for field in ("ipv4addr", "ipv6addr"):
        before, after = old.fields.get(field), f.get(field)
        derived = before and old.fields.get("name") == reverse_name(str(before))
        if derived and after and after != before and f.get("name") == old.fields.get("name"):
            f["name"] = reverse_name(str(after))


def _host_items(f: dict[str, Any]) -> None:
    if not f.get("ipv4addrs") and not f.get("ipv6addrs"):
        raise fail("missing_field", field="ipv4addrs")
    for kind in ("ipv4addr", "ipv6addr"):
        items = f.get(kind + "s")
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise fail("bad_type", field=kind + "s", value=json.dumps(items), kind="list")
        clean = []
        for item in items:
            for key in item:
                if key not in _HOST_ITEM_KEYS:
                    raise fail("unknown_field", field=f"{kind}s.{key}")
            if kind not in item:
                raise fail("missing_field", field=kind)
            new = {k: v for k, v in item.items() if k not in ("network_view", "_ref", "host")}
            new[kind] = parse_ip(kind, item[kind], 4 if kind == "ipv4addr" else 6)
            new.setdefault("configure_for_dhcp", False)
            clean.append(new)
        f[kind + "s"] = clean


def _check_caa(f: dict[str, Any]) -> None:
    if f["ca_flag"] > 255:
        raise fail("bad_value", field="ca_flag", value=f["ca_flag"], reason="Must be 0 to 255")
    if not isinstance(f["ca_tag"], str) or not _CAA_TAG.fullmatch(f["ca_tag"]):
        value = json.dumps(f["ca_tag"])
        raise fail("bad_value", field="ca_tag", value=value, reason="Must be letters and digits")


def _ns_addresses(f: dict[str, Any]) -> None:
    items = f["addresses"]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise fail("bad_type", field="addresses", value=json.dumps(items), kind="list")
    clean = []
    for item in items:
        for key in item:
            if key not in ("address", "auto_create_ptr"):
                raise fail("unknown_field", field=f"addresses.{key}")
        if "address" not in item:
            raise fail("missing_field", field="address")
        auto = item.get("auto_create_ptr", True)
        if not isinstance(auto, bool):
            raise fail("bad_type", field="auto_create_ptr", value=json.dumps(auto), kind="boolean")
        clean.append({"address": parse_ip("address", item["address"]), "auto_create_ptr": auto})
    f["addresses"] = clean


def _prepare_nsgroup(grid: Grid, f: dict[str, Any], old: Obj | None) -> RefContext:
    same = grid.first("name", ("nsgroup", str(f["name"]).lower()))
    if same is not None and same is not old:
        raise fail("object_exists", what="name server group", name=f["name"])
    for key in ("grid_primary", "grid_secondaries"):
        members = f.get(key) or []
        if not isinstance(members, list) or not all(
            isinstance(m, dict) and isinstance(m.get("name"), str) for m in members
        ):
            raise fail("bad_type", field=key, value=json.dumps(members), kind="list of member")
    if old is not None and f["name"] != old.fields["name"]:
        for zone in grid.of_type("zone_auth"):
            if zone.fields.get("ns_group") == old.fields["name"]:
                raise fail("nsgroup_in_use", name=old.fields["name"], zone=zone.fields["fqdn"])
    return RefContext()


def nsgroup_in_use(grid: Grid, group: Obj) -> None:
    """A group that serves a zone cannot be deleted (the zone would have no name servers)."""
    for zone in grid.of_type("zone_auth"):
        if zone.fields.get("ns_group") == group.fields["name"]:
            raise fail("nsgroup_in_use", name=group.fields["name"], zone=zone.fields["fqdn"])


def refresh_name_servers(grid: Grid, zone: Obj) -> None:
    """The zone's apex NS records (creator SYSTEM) made to follow its name server group."""
    apex = str(zone.fields["dns_fqdn"])
    view = str(zone.fields.get("view", "default"))
    for old in grid.lookup("dns", (view, apex)):
        if old.objtype == "record:ns" and old.fields.get("creator") == "SYSTEM":
            grid.remove(old)
    group_name = zone.fields.get("ns_group")
    group = grid.first("name", ("nsgroup", str(group_name).lower())) if group_name else None
    if group is None:
        return
    members = [
        *(group.fields.get("grid_primary") or []),
        *(group.fields.get("grid_secondaries") or []),
    ]
    ctx = RefContext(view_key(grid, view), apex, apex)
    for member in members:
        fields: dict[str, Any] = {
            "name": apex,
            "nameserver": dnsname(member["name"]),
            "addresses": [],
            "view": view,
            "zone": zone.fields["fqdn"],
            "creator": "SYSTEM",
            "dns_name": apex,
        }
        seq = grid.new_seq()
        grid.insert(Obj("record:ns", ref_for("record:ns", fields, ctx, seq), fields, seq))


def _check_duplicates(grid: Grid, t: str, f: dict[str, Any], view: str) -> None:
    conflicts = _CONFLICTS.get(t, set())
    same_data = _SAME_DATA.get(t)
    for other in grid.lookup("dns", (view, f["name"])):
        if other.objtype in conflicts:
            raise fail("record_exists", name=f["name"])
        if (
            other.objtype == t
            and same_data
            and all(other.fields.get(k) == f.get(k) for k in same_data)
        ):
            raise fail("record_exists", name=f["name"])


def _prepare_record(grid: Grid, t: str, f: dict[str, Any], old: Obj | None) -> RefContext:
    view = str(f.setdefault("view", "default"))
    view_obj = _require_view(grid, view)
    if t == "record:ptr":
        _follow_address(f, old)
        _fill_ptr(f)
    if t == "record:host":
        _host_items(f)
        f["network_view"] = view_obj.fields.get("network_view", "default")
    if t == "record:caa":
        _check_caa(f)
    if t == "record:ns":
        _ns_addresses(f)
    in_dns = t != "record:host" or f.get("configure_for_dns", True)
    zone = find_zone(grid, view, f["name"]) if in_dns else None
    if in_dns and zone is None:
        raise fail("no_parent")
    zone_dns = str(zone.fields["dns_fqdn"]) if zone else ""
    if zone is not None:
        f["zone"] = zone.fields["fqdn"]
        if t == "record:cname" and zone_dns == f["name"]:
            raise fail("apex_cname", zone=zone.fields["fqdn"])
    else:
        f.pop("zone", None)
    _check_duplicates(grid, t, f, view)
    f["dns_name"] = f["name"]
    ctx = RefContext(view_key(grid, view), zone_dns, f["name"])
    if t == "record:host":
        for kind in ("ipv4addr", "ipv6addr"):
            for item in f.get(kind + "s") or []:
                item["host"] = f["name"]
                item["_ref"] = host_address_ref(kind, item[kind], f, ctx)
    return ctx


def prepare_dns(grid: Grid, t: str, f: dict[str, Any], old: Obj | None) -> RefContext:
    if t == "view":
        return _prepare_view(grid, f, old)
    if t == "zone_auth":
        return _prepare_zone(grid, f, old)
    if t == "nsgroup":
        return _prepare_nsgroup(grid, f, old)
    return _prepare_record(grid, t, f, old)
