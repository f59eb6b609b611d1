"""Object functions: ``next_available_ip`` and ``next_available_network`` (spec §3).

Three ways in, one implementation:

* ``POST <ref>?_function=next_available_ip`` with ``num``/``exclude`` (body or query);
* the inline string form as a field value: ``func:nextavailableip:<cidr>[,<netview>]``,
  ``func:nextavailableip:<start>-<end>,<netview>`` or ``func:nextavailableip:<ref>``, and
  ``func:nextavailablenetwork:<container cidr|ref>,<netview>,<prefixlen>``;
* the inline struct form ``{"_object_function", "_result_field", "_object",
  "_object_parameters" | "_object_ref", "_parameters"}`` (extra keys some clients put in it,
  such as ``network_view`` or ``mac``, are tolerated).

Allocation rules [U]: in a network, skip the network and broadcast addresses (IPv4, prefixes
up to /30), every address used in the network view (A/AAAA/PTR records, host addresses, fixed
addresses), and addresses inside DHCP ranges; in a range, skip used and excluded addresses.
``num`` is capped at 20 for IPs and 100 for networks. Allocation runs synchronously inside
the request's transaction, so two concurrent allocations can never return the same address.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from .errors import fail
from .ipam import ranges_in
from .refs import split_ref
from .store import Grid, Obj
from .types import NETWORK_TYPES

__all__ = ["call_function", "next_ips", "next_networks", "resolve_inline"]

MAX_IPS = 20
MAX_NETWORKS = 100


def _bounds(obj: Obj) -> tuple[int, int, int]:
    """(version, first, last) addresses an allocation in ``obj`` may hand out."""
    if obj.objtype == "range":
        s = ipaddress.ip_address(obj.fields["start_addr"])
        return s.version, int(s), int(ipaddress.ip_address(obj.fields["end_addr"]))
    net = ipaddress.ip_network(obj.fields["network"])
    first, last = int(net.network_address), int(net.broadcast_address)
    if net.version == 4 and net.prefixlen <= 30:
        first, last = first + 1, last - 1
    elif net.version == 6 and net.prefixlen < 127:
        first += 1
    return net.version, first, last


def next_ips(grid: Grid, obj: Obj, num: int = 1, exclude: set[int] | None = None) -> list[str]:
    exclude = exclude or set()
    nv = str(obj.fields.get("network_view", "default"))
    ver, first, last = _bounds(obj)
    used = grid.used.get((nv, ver), {})
    blocked: list[tuple[int, int]] = []
    if obj.objtype != "range":
        for r in ranges_in(grid, nv):
            s = int(ipaddress.ip_address(r.fields["start_addr"]))
            e = int(ipaddress.ip_address(r.fields["end_addr"]))
            if ver == 4 and s <= last and first <= e:
                blocked.append((s, e))
        net = ipaddress.ip_network(obj.fields["network"])
        hint_key = (nv, ver, int(net.network_address), net.prefixlen)
    else:
        hint_key = None
    cand = max(first, grid.alloc_hint.get(hint_key, first)) if hint_key else first
    out: list[str] = []
    first_free: int | None = None
    while cand <= last and len(out) < num:
        jump = next((e for s, e in blocked if s <= cand <= e), None)
        if jump is not None:
            cand = jump + 1
            continue
        if cand not in used:
            if first_free is None:
                first_free = cand
            if cand not in exclude:
                out.append(str(ipaddress.ip_address(cand)))
        cand += 1
    if hint_key is not None:
        grid.alloc_hint[hint_key] = first_free if first_free is not None else cand
    if len(out) < num:
        raise fail("no_free_ip", num=num)
    return out


def next_networks(
    grid: Grid, obj: Obj, cidr: int, num: int = 1, exclude: list[str] | None = None
) -> list[str]:
    net = ipaddress.ip_network(obj.fields["network"])
    nv = str(obj.fields.get("network_view", "default"))
    bits = net.max_prefixlen
    if not net.prefixlen < cidr <= bits:
        raise fail(
            "bad_value",
            field="cidr",
            value=json.dumps(cidr),
            reason=f"Must be larger than {net.prefixlen}",
        )
    start, end = int(net.network_address), int(net.broadcast_address)
    blocked = []
    for k_nv, k_ver, k_addr, k_plen in grid.net_keys():
        if k_nv == nv and k_ver == net.version and k_plen > net.prefixlen:
            k_end = k_addr + (1 << (bits - k_plen)) - 1
            if k_addr <= end and start <= k_end:
                blocked.append((k_addr, k_end))
    for item in exclude or []:
        ex = ipaddress.ip_network(item, strict=False)
        blocked.append((int(ex.network_address), int(ex.broadcast_address)))
    blocked.sort()
    size = 1 << (bits - cidr)
    out: list[str] = []
    cand = start
    for b_start, b_end in [*blocked, (end + 1, end + 1)]:
        while cand + size - 1 < b_start and cand + size - 1 <= end and len(out) < num:
            out.append(f"{ipaddress.ip_address(cand)}/{cidr}")
            cand += size
        if b_end >= cand:
            cand = (b_end + 1 + size - 1) // size * size
    if len(out) < num:
        raise fail("no_free_network")
    return out


def _num(value: Any, cap: int) -> int:
    try:
        num = int(value)
    except (TypeError, ValueError):
        raise fail("bad_type", field="num", value=json.dumps(value), kind="integer") from None
    if not 1 <= num <= cap:
        raise fail(
            "bad_value", field="num", value=json.dumps(value), reason=f"Must be between 1 and {cap}"
        )
    return num


def call_function(grid: Grid, obj: Obj, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """``POST <ref>?_function=<name>``: the function's output object."""
    if name == "next_available_ip" and (obj.objtype in NETWORK_TYPES or obj.objtype == "range"):
        exclude = {int(ipaddress.ip_address(x)) for x in params.get("exclude") or []}
        return {"ips": next_ips(grid, obj, _num(params.get("num", 1), MAX_IPS), exclude)}
    if name == "next_available_network" and obj.objtype in NETWORK_TYPES:
        if "cidr" not in params:
            raise fail("missing_field", field="cidr")
        nets = next_networks(
            grid,
            obj,
            _num(params["cidr"], 128),
            _num(params.get("num", 1), MAX_NETWORKS),
            params.get("exclude"),
        )
        return {"networks": nets}
    if name == "restartservices" and obj.objtype == "grid":
        return {}
    raise fail("unknown_function", function=name)


def _find_target(grid: Grid, arg: str, field: str, for_network: bool) -> Obj | None:
    """The network/range an inline string form names: a ref, ``cidr[,nv]`` or range."""
    head = arg.split(",")[0]
    split = split_ref(head)
    if split is not None and not head[0].isdigit() and ":" in head.split("/")[1]:
        return grid.get(head)
    parts = [p.strip() for p in arg.split(",")]
    nv = parts[1] if len(parts) > 1 and parts[1] else "default"
    if "-" in parts[0] and not for_network:
        start, _, end = parts[0].partition("-")
        for r in ranges_in(grid, nv):
            if r.fields["start_addr"] == start.strip() and r.fields["end_addr"] == end.strip():
                return r
        return None
    try:
        net = ipaddress.ip_network(parts[0], strict=False)
    except ValueError:
        return None
    return grid.first("net", (nv, net.version, int(net.network_address), net.prefixlen))


def _inline_string(grid: Grid, field: str, value: str, taken: set[int]) -> str:
    func, _, arg = value[len("func:") :].partition(":")
    if func == "nextavailableip":
        target = _find_target(grid, arg, field, False)
        if target is None:
            raise fail("no_unique_network", arg=arg, field=field)
        ip = next_ips(grid, target, 1, taken)[0]
        taken.add(int(ipaddress.ip_address(ip)))
        return ip
    if func == "nextavailablenetwork":
        parts = arg.rsplit(",", 1)
        target = _find_target(grid, parts[0], field, True)
        if target is None or len(parts) < 2:
            raise fail("no_unique_network", arg=arg, field=field)
        return next_networks(grid, target, _num(parts[1], 128))[0]
    raise fail("unknown_function", function=func)


def _inline_struct(grid: Grid, field: str, value: dict[str, Any], taken: set[int]) -> str:
    func = value.get("_object_function")
    params = dict(value.get("_parameters") or {})
    if "_object_ref" in value:
        target = grid.get(str(value["_object_ref"]))
        if target is None:
            raise fail("ref_not_found", ref=value["_object_ref"])
    else:
        from .search import search_objects

        objtype = str(value.get("_object", ""))
        found = search_objects(grid, objtype, list((value.get("_object_parameters") or {}).items()))
        if len(found) != 1:
            shown = json.dumps(value.get("_object_parameters") or {})
            raise fail("no_search_result", params=shown, objtype=objtype)
        target = found[0]
    if func == "next_available_ip":
        excl = {int(ipaddress.ip_address(x)) for x in params.get("exclude") or []} | taken
        ip = next_ips(grid, target, 1, excl)[0]
        taken.add(int(ipaddress.ip_address(ip)))
        return ip
    if func == "next_available_network":
        return next_networks(grid, target, _num(params.get("cidr"), 128), 1, params.get("exclude"))[
            0
        ]
    raise fail("unknown_function", function=str(func))


def resolve_inline(grid: Grid, field: str, value: Any, taken: set[int]) -> Any:
    """Replace an inline function call in a field value by its result; else return value."""
    if isinstance(value, str) and value.startswith("func:"):
        return _inline_string(grid, field, value, taken)
    if isinstance(value, dict) and "_object_function" in value:
        return _inline_struct(grid, field, value, taken)
    return value
