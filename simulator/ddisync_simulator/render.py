"""Turning stored objects into WAPI output: return fields, computed fields, JSON text.

* Default output is ``_ref`` plus the type's base fields that are set; unset fields are
  omitted [V]. ``_return_fields=a,b`` gives ``_ref`` plus exactly a and b;
  ``_return_fields+=a,b`` gives the base fields plus a and b [V]. Nested names such as
  ``ipv4addrs.ipv4addr`` select sub-fields [V].
* When asked for, ``extattrs`` is ``{}`` if empty [V]; [U] list fields (``aliases``,
  ``ipv4addrs``) are ``[]`` if empty.
* Bodies are pretty JSON with a 4-space indent and sorted keys (``_ref`` sorts first) [V].
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from .errors import fail
from .ipam import container_of, network_of_address
from .store import Grid, Obj
from .types import NETWORK_TYPES, ObjType

__all__ = ["dumps", "full_object", "host_address_objects", "parse_return_fields", "project"]

_EMPTY_LIST_KINDS = ("strlist", "hostaddrs4", "hostaddrs6")


def dumps(value: Any) -> str:
    return json.dumps(value, indent=4, sort_keys=True)


def parse_return_fields(t: ObjType, plain: str | None, plus: str | None) -> list[str]:
    """The field list an output should carry (base fields when neither argument is given)."""
    wanted: list[str] = []
    if plain is None and plus is None:
        return list(t.base_fields)
    if plus is not None:
        wanted.extend(t.base_fields)
    for text in (plain, plus):
        for name in (text or "").split(","):
            name = name.strip()
            if not name or name in wanted:
                continue
            top = name.split(".")[0]
            spec = t.fields.get(top)
            if spec is None and top not in t.passthrough:
                raise fail("unknown_field", field=name)
            if spec is not None and spec.search_only:
                raise fail("not_readable", field=name)
            wanted.append(name)
    return wanted


def _computed(grid: Grid, obj: Obj, name: str) -> Any:
    f = obj.fields
    if obj.objtype in NETWORK_TYPES:
        if name == "network_container":
            return container_of(grid, obj)
        net = ipaddress.ip_network(f["network"])
        if name == "ipv4addr" and net.version == 4:
            return str(net.network_address)
        if name == "netmask" and net.version == 4:
            return net.prefixlen
    if obj.objtype == "networkview" and name == "associated_dns_views":
        return [
            v.fields["name"]
            for v in grid.of_type("view")
            if v.fields.get("network_view", "default") == f["name"]
        ]
    return None


def _value(grid: Grid, obj: Obj, t: ObjType, name: str) -> Any:
    value = obj.fields.get(name)
    if value is None:
        value = _computed(grid, obj, name)
    if value is None:
        spec = t.fields.get(name)
        if name == "extattrs":
            return {}
        if spec is not None and spec.kind in _EMPTY_LIST_KINDS:
            return []
    return value


def project(grid: Grid, obj: Obj, t: ObjType, wanted: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"_ref": obj.ref}
    nested: dict[str, list[str]] = {}
    for name in wanted:
        top, _, sub = name.partition(".")
        if sub:
            nested.setdefault(top, []).append(sub)
            continue
        value = _value(grid, obj, t, name)
        if value is not None:
            out[name] = value
    for top, subs in nested.items():
        value = _value(grid, obj, t, top)
        if isinstance(value, list):
            out[top] = [
                {k: v for k, v in item.items() if k in subs or k == "_ref"}
                if isinstance(item, dict)
                else item
                for item in value
            ]
        elif isinstance(value, dict):
            out[top] = {k: v for k, v in value.items() if k in subs}
    return out


def full_object(grid: Grid, obj: Obj) -> dict[str, Any]:
    """Every stored (and computed) field of ``obj``, as a test wants to inspect it."""
    from .types import TYPES

    t = TYPES[obj.objtype]
    names = [n for n, spec in t.fields.items() if not spec.search_only]
    names += [n for n in obj.fields if n not in t.fields and not n.startswith("__")]
    return project(grid, obj, t, names)


def host_address_objects(grid: Grid, objtype: str) -> list[Obj]:
    """Transient objects for ``record:host_ipv4addr``/``ipv6addr`` built from their hosts."""
    kind = "ipv4addr" if objtype == "record:host_ipv4addr" else "ipv6addr"
    out = []
    for host in grid.of_type("record:host"):
        nv = str(host.fields.get("network_view", "default"))
        for item in host.fields.get(kind + "s") or []:
            fields = dict(item)
            fields["network_view"] = nv
            network = network_of_address(grid, nv, item[kind])
            if network is not None:
                fields["network"] = network.fields["network"]
            out.append(Obj(objtype, item["_ref"], fields, host.seq))
    return out
