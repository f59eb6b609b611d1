"""Search: ``?<field><modifiers>=<value>`` and ``?*<EA><modifiers>=<value>`` (spec §2).

Modifiers are the letters before ``=``: none (exact), ``!`` (not), ``:`` (case-insensitive),
``~`` (regex, Python ``re.search`` [U]), ``<``/``>`` (less/greater or equal). A field accepts
only the letters in its ``searchable_by`` (``types.py``); anything else is refused.

[U] Repeating the same field with the same modifiers ORs the values (the Go client expands
comma lists this way); different fields AND. Modifiers combine (``!:=``, ``:~=``).
[U] Values of address fields are normalised before an exact match (``2001:0db8::1`` finds
``2001:db8::1``), DNS names are lower-cased; a value that is not an address simply matches
nothing (the official client searches with ``ipv4addr=func:nextavailableip:...``).

Exact searches on the name-like field of a type and on EA values use indexes; everything else
scans the type, which is fine for the object counts a test grid holds.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from .errors import fail
from .ipam import container_of, enclosing
from .render import host_address_objects
from .store import INDEX_FIELD, Grid, Obj
from .types import Field, ObjType, get_type
from .values import dnsname

__all__ = ["Filter", "parse_filters", "search_objects"]

_MODS = "!:~<>"
Filter = tuple[str, str, list[str]]  # field (``*EA`` for EAs), modifiers, OR-ed values
_EA_MODS = "=!:~<>"


def parse_filters(t: ObjType, args: list[tuple[str, Any]]) -> list[Filter]:
    grouped: dict[tuple[str, str], list[str]] = {}
    for key, value in args:
        name = key.rstrip(_MODS)
        mods = key[len(name) :]
        if name.startswith("*"):
            allowed = _EA_MODS
        else:
            spec = t.fields.get(name)
            if spec is None:
                if name in t.passthrough:
                    raise fail("not_searchable", field=name)
                raise fail("unknown_field", field=name)
            if not spec.search:
                raise fail("not_searchable", field=name)
            allowed = spec.search
        for m in mods or "=":
            if m not in allowed:
                raise fail("bad_modifier", modifier=m, field=name)
        text = value if isinstance(value, str) else _as_text(value)
        grouped.setdefault((name, mods), []).append(text)
    return [(name, mods, values) for (name, mods), values in grouped.items()]


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _key(kind: str, value: str) -> Any:
    """A comparable form of ``value`` for a field kind (None when it cannot match)."""
    if kind in ("ipv4", "ipv6"):
        try:
            return int(ipaddress.ip_address(value.strip()))
        except ValueError:
            return None
    if kind in ("uint", "int"):
        try:
            return int(value)
        except ValueError:
            return None
    if kind == "bool":
        return value.lower() in ("true", "1")
    if kind == "dnsname":
        return dnsname(value)
    return value


def _values(grid: Grid, obj: Obj, name: str) -> list[Any]:
    """The values of ``name`` on ``obj`` a search compares with (several for list fields)."""
    f = obj.fields
    if name.startswith("*"):
        item = (f.get("extattrs") or {}).get(name[1:])
        if not isinstance(item, dict):
            return []
        v = item.get("value")
        return list(v) if isinstance(v, list) else [v]
    if obj.objtype == "record:host" and name in ("ipv4addr", "ipv6addr", "mac"):
        return [
            i.get(name)
            for k in ("ipv4addrs", "ipv6addrs")
            for i in f.get(k) or []
            if i.get(name) is not None
        ]
    if name == "network_container" and "network" in f and obj.objtype != "range":
        return [container_of(grid, obj)]
    if name == "ipv4addr" and obj.objtype in ("network", "networkcontainer"):
        return [f["network"].split("/")[0]]
    v = f.get(name)
    return [] if v is None else [v]


def _matcher(t: ObjType, name: str, mods: str, values: list[str]) -> Callable[[Any], bool]:
    spec = t.fields.get(name, Field("str"))
    kind = spec.kind
    negate = "!" in mods
    if name.startswith("*"):
        kind = "any"
    if "~" in mods:
        flags = re.IGNORECASE if ":" in mods else 0
        if name == "network":
            return _network_regex(values, flags, negate)
        try:
            patterns = [re.compile(v, flags) for v in values]
        except re.error as exc:
            raise fail("bad_value", field=name, value=values[0], reason=str(exc)) from None
        return lambda x: any(p.search(str(x)) for p in patterns) != negate
    if "<" in mods or ">" in mods:
        less = "<" in mods
        bounds = [_key(kind if kind != "any" else "uint", v) for v in values]

        def ordered(x: Any) -> bool:
            xv = _key(kind if kind != "any" else "uint", str(x))
            ok = any(
                b is not None and xv is not None and (xv <= b if less else xv >= b) for b in bounds
            )
            return ok != negate

        return ordered
    if ":" in mods:
        lowered = {v.lower() for v in values}
        return lambda x: (str(x).lower() in lowered) != negate
    if kind == "cidr4" or kind == "cidr6" or name == "network":
        nets = set()
        for v in values:
            try:
                nets.add(str(ipaddress.ip_network(v.strip(), strict=False)))
            except ValueError:
                nets.add(v)
        return lambda x: (str(x) in nets) != negate
    wanted = {_key(kind, v) for v in values}
    if kind == "any":
        return lambda x: (_as_text(x) in wanted) != negate
    return lambda x: (_key(kind, _as_text(x)) in wanted) != negate


def _network_regex(values: list[str], flags: int, negate: bool) -> Callable[[Any], bool]:
    # network~= matches the address part only; a CIDR part must match exactly [C].
    tests = []
    for v in values:
        addr, _, plen = v.partition("/")
        tests.append((re.compile(addr, flags), plen))

    def match(x: Any) -> bool:
        addr, _, plen = str(x).partition("/")
        return any(p.search(addr) and (not want or want == plen) for p, want in tests) != negate

    return match


def _candidates(grid: Grid, t: ObjType, filters: list[Filter]) -> list[Obj]:
    if t.name in ("record:host_ipv4addr", "record:host_ipv6addr"):
        return host_address_objects(grid, t.name)
    ifield = INDEX_FIELD.get(t.name)
    for name, mods, values in filters:
        if mods or len(values) != 1:
            continue
        if name == ifield:
            value = values[0]
            spec = t.fields[name]
            if spec.kind in ("cidr4", "cidr6"):
                try:
                    value = str(ipaddress.ip_network(value.strip(), strict=False))
                except ValueError:
                    return []
            elif spec.kind in ("ipv4", "ipv6"):
                try:
                    value = str(ipaddress.ip_address(value.strip()))
                except ValueError:
                    return []
            return grid.lookup(
                "name", (t.name, dnsname(value) if "/" not in value else value.lower())
            )
        if name.startswith("*"):
            return grid.lookup("ea", (t.name, name[1:], values[0]))
    return list(grid.of_type(t.name))


def _contains_address(grid: Grid, t: ObjType, filters: list[Filter]) -> list[Obj] | None:
    for name, _mods, values in filters:
        if name == "contains_address":
            nv = next((v[0] for n, _m, v in filters if n == "network_view"), "default")
            try:
                ip = ipaddress.ip_address(values[0].strip())
            except ValueError:
                return []
            found = enclosing(grid, nv, ip.version, int(ip), ip.max_prefixlen + 1, {t.name})
            return [found] if found else []
    return None


def search_objects(grid: Grid, objtype: str, args: list[tuple[str, Any]]) -> list[Obj]:
    """Objects of ``objtype`` matching the search arguments, in creation order."""
    t = get_type(objtype)
    if t is None:
        raise fail("unknown_type", objtype=objtype)
    filters = parse_filters(t, args)
    for name, _m, _v in filters:
        if (
            name.startswith("*")
            and grid.first("name", ("extensibleattributedef", name[1:].lower())) is None
        ):
            raise fail("unknown_ea", name=name[1:])
    special = _contains_address(grid, t, filters)
    candidates = special if special is not None else _candidates(grid, t, filters)
    tests = [
        (name, "!" in mods, _matcher(t, name, mods, values))
        for name, mods, values in filters
        if name != "contains_address"
    ]
    out = []
    for obj in candidates:
        for name, negated, test in tests:
            vals = _values(grid, obj, name)
            if negated:
                if not all(test(v) for v in vals):
                    break
            elif not any(test(v) for v in vals):
                break
        else:
            out.append(obj)
    return out
