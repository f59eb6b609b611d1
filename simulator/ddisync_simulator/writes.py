"""Create, update and delete, the same way for every type; type rules live in dns/ipam.

Flow of a write (inside a grid transaction, so a failure anywhere leaves no trace):

1. reject unknown fields (``Unknown argument/field``), read-only ones (``Field is not
   writable``) and, on update, changes to create-only fields [U];
2. resolve inline function calls (``func:nextavailableip:...`` and the struct form);
3. normalise values; fill defaults; check required fields (``field for create missing``);
4. check extensible attributes against their definitions (``Unknown extensible attribute``);
5. apply the type's rules (``dns.prepare_dns``/``ipam.prepare_ipam``), which also compute
   read-only fields (zone, parent, network...) and the ref context;
6. store the object under a ref computed from its key (a rename gives a new ref).

PUT changes only the fields sent; ``extattrs`` replaces the map, ``extattrs+`` merges into it
and ``extattrs-`` removes the named attributes [C].
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any

from .dns import nsgroup_in_use, prepare_dns, refresh_name_servers
from .errors import fail
from .functions import resolve_inline
from .ipam import default_view_for, prepare_ipam
from .keys import RefContext, ref_for
from .store import Grid, Obj
from .types import NETWORK_TYPES, RECORD_TYPES, ObjType, get_type
from .values import check_extattrs, normalize

__all__ = ["create", "delete", "update"]

_IPAM = NETWORK_TYPES | {"networkview", "fixedaddress", "range", "extensibleattributedef"}
_EA_OPS = ("extattrs+", "extattrs-")


def _type(objtype: str) -> ObjType:
    t = get_type(objtype)
    if t is None:
        raise fail("unknown_type", objtype=objtype)
    if not t.writable:
        raise fail("read_only_type", method="write", objtype=objtype)
    return t


def _prepare(grid: Grid, t: ObjType, f: dict[str, Any], old: Obj | None) -> RefContext:
    if t.name in _IPAM:
        return prepare_ipam(grid, t.name, f, old)
    return prepare_dns(grid, t.name, f, old)


def _accept(
    grid: Grid, t: ObjType, body: dict[str, Any], base: dict[str, Any], old: Obj | None
) -> dict[str, Any]:
    """Steps 1-4: the object's new fields (``base`` updated with ``body``)."""
    fields = dict(base)
    taken: set[int] = set()
    for name, value in body.items():
        if name in _EA_OPS and old is not None:
            continue
        spec = t.fields.get(name)
        if spec is None:
            if name in t.passthrough:
                fields[name] = value
                continue
            raise fail("unknown_field", field=name)
        if spec.search_only:
            raise fail("unknown_field", field=name)
        if spec.readonly:
            # GO re-sends some read-only values unchanged; only a real change is refused [U]
            if old is not None and old.fields.get(name) == value:
                continue
            raise fail("not_writable", field=name)
        if spec.inline_func:
            value = _resolve(grid, name, value, taken)
        value = normalize(name, spec, value) if value is not None else None
        if old is not None and spec.create_only and value != old.fields.get(name, spec.default):
            raise fail("not_writable", field=name)
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    if old is None:
        for name, spec in t.fields.items():
            if spec.default is not None and name not in fields:
                fields[name] = spec.default
            if spec.required and fields.get(name) in (None, ""):
                raise fail("missing_field", field=name)
    _apply_extattrs(grid, body, fields, old)
    return fields


def _resolve(grid: Grid, name: str, value: Any, taken: set[int]) -> Any:
    if name in ("ipv4addrs", "ipv6addrs") and isinstance(value, list):
        kind = name[:-1]
        out = []
        for item in value:
            if isinstance(item, dict) and kind in item:
                item = {**item, kind: resolve_inline(grid, kind, item[kind], taken)}
            out.append(item)
        return out
    return resolve_inline(grid, name, value, taken)


def _apply_extattrs(
    grid: Grid, body: dict[str, Any], fields: dict[str, Any], old: Obj | None
) -> None:
    if "extattrs" in body:
        fields["extattrs"] = check_extattrs(grid, body["extattrs"] or {})
    if old is not None and "extattrs+" in body:
        merged = dict(fields.get("extattrs") or {})
        merged.update(check_extattrs(grid, body["extattrs+"] or {}))
        fields["extattrs"] = merged
    if old is not None and "extattrs-" in body:
        remove = body["extattrs-"] or {}
        if not isinstance(remove, dict):
            raise fail("bad_type", field="extattrs-", value=str(remove), kind="object")
        fields["extattrs"] = {
            k: v for k, v in (fields.get("extattrs") or {}).items() if k not in remove
        }
    if not fields.get("extattrs"):
        fields.pop("extattrs", None)


def create(grid: Grid, objtype: str, body: dict[str, Any]) -> Obj:
    t = _type(objtype)
    with grid.transaction():
        fields = _accept(grid, t, body, {}, None)
        ctx = _prepare(grid, t, fields, None)
        if objtype in RECORD_TYPES:
            if objtype != "record:host":
                fields.setdefault("creator", "STATIC")
            if objtype != "record:ns":  # NS records have no creation_time
                fields["creation_time"] = int(time.time())
        seq = grid.new_seq()
        obj = Obj(objtype, ref_for(objtype, fields, ctx, seq), fields, seq)
        grid.insert(obj)
        if objtype == "networkview":
            grid.insert(default_view_for(grid, obj))
        if objtype == "zone_auth":
            refresh_name_servers(grid, obj)
    return obj


def update(grid: Grid, obj: Obj, body: dict[str, Any]) -> Obj:
    t = _type(obj.objtype)
    with grid.transaction():
        grid.detach(obj)
        fields = _accept(grid, t, body, obj.fields, obj)
        ctx = _prepare(grid, t, fields, obj)
        new = Obj(obj.objtype, ref_for(obj.objtype, fields, ctx, obj.seq), fields, obj.seq)
        grid.attach(obj, new)
        if obj.objtype == "zone_auth":
            refresh_name_servers(grid, new)
        if obj.objtype == "nsgroup":  # its zones' NS records follow its members
            for zone in grid.of_type("zone_auth"):
                if zone.fields.get("ns_group") == obj.fields["name"]:
                    refresh_name_servers(grid, zone)
    return new


def _cascade(grid: Grid, obj: Obj, args: dict[str, str]) -> list[Obj]:
    """Objects that go with ``obj`` (NIOS deletes children with their parent)."""
    t, f = obj.objtype, obj.fields
    if t == "networkview":
        nv = f["name"]
        out = [
            o
            for ty in (*NETWORK_TYPES, "range", "fixedaddress")
            for o in grid.of_type(ty)
            if o.fields.get("network_view") == nv
        ]
        views = [v for v in grid.of_type("view") if v.fields.get("network_view") == nv]
        return out + [x for v in views for x in [v, *_cascade(grid, v, args)]]
    if t == "view":
        return [
            o
            for ty in (*RECORD_TYPES, "zone_auth")
            for o in grid.of_type(ty)
            if o.fields.get("view") == f["name"]
        ]
    if t == "zone_auth":
        return [
            o
            for ty in RECORD_TYPES
            for o in grid.of_type(ty)
            if o.fields.get("view") == f["view"] and o.fields.get("zone") == f["fqdn"]
        ]
    if t in NETWORK_TYPES:
        net = ipaddress.ip_network(f["network"])
        nv = f.get("network_view", "default")
        kids: list[Obj] = []
        if t.endswith("container") and args.get("remove_subnets", "true").lower() != "false":
            kids += [
                o
                for ty in NETWORK_TYPES
                for o in grid.of_type(ty)
                if o is not obj
                and o.fields.get("network_view") == nv
                and _inside(o.fields["network"], net)
            ]
        holders = [
            o
            for ty in ("range", "fixedaddress")
            for o in grid.of_type(ty)
            if o.fields.get("network_view") == nv
            and net.version == 4
            and ipaddress.ip_address(o.fields.get("ipv4addr") or o.fields["start_addr"]) in net
        ]
        return kids + holders
    return []


def delete(grid: Grid, obj: Obj, args: dict[str, str]) -> None:
    t = _type(obj.objtype)
    if obj.fields.get("is_default") and t.name in ("networkview", "view"):
        raise fail(
            "cannot_delete_default", what="network view" if t.name == "networkview" else "DNS view"
        )
    if t.name == "nsgroup":
        nsgroup_in_use(grid, obj)
    if t.name == "extensibleattributedef":
        name = obj.fields["name"]
        if any(key[1] == name for key in grid.index["ea"]):  # type: ignore[index]
            raise fail("ea_in_use", name=name)
    with grid.transaction():
        seen: set[int] = set()
        for victim in [obj, *_cascade(grid, obj, args)]:
            if id(victim) not in seen and victim.entries:
                seen.add(id(victim))
                grid.remove(victim)


def _inside(cidr: str, net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    """Whether ``cidr`` lies within ``net`` (of the same IP version)."""
    child = ipaddress.ip_network(cidr)
    if isinstance(child, ipaddress.IPv4Network) and isinstance(net, ipaddress.IPv4Network):
        return child.subnet_of(net)
    if isinstance(child, ipaddress.IPv6Network) and isinstance(net, ipaddress.IPv6Network):
        return child.subnet_of(net)
    return False
