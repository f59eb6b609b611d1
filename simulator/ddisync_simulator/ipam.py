"""IPAM rules: network views, networks and containers, fixed addresses, ranges, EA definitions.

Decision table (spec §3, §5 IPAM rules):

=========================================  ==============================================
situation                                  outcome
=========================================  ==============================================
same (netview, CIDR) exists (any kind)     409-ish 400 ``The network N already exists.  ...``
network created inside a *network*         parent becomes a networkcontainer, new ref [V]
network created around existing networks   400 Conflict ``encloses_networks`` [U]
container created around existing ones     allowed; they become its children
fixedaddress/range outside any network     400 ``A parent was not found.`` [U]
fixedaddress on an address in use          400 Conflict ``address_in_use`` [U]
fixedaddress MAC taken in its network      400 Conflict ``mac_in_use`` [U]
overlapping ranges                         400 Conflict ``range_overlap`` [U]
new networkview X                          also creates DNS view ``default.X`` [V]
=========================================  ==============================================
"""

from __future__ import annotations

import ipaddress
from typing import Any

from .errors import fail
from .keys import RefContext, netview_id
from .refs import make_ref
from .store import Grid, Obj
from .types import NETWORK_TYPES

__all__ = [
    "container_of",
    "enclosing",
    "network_of_address",
    "prepare_ipam",
    "ranges_in",
]

_CONTAINER_FOR = {"network": "networkcontainer", "ipv6network": "ipv6networkcontainer"}


def enclosing(
    grid: Grid,
    nv: str,
    ver: int,
    addr: int,
    plen: int,
    types: frozenset[str] | set[str] = NETWORK_TYPES,
) -> Obj | None:
    """The smallest object of ``types`` strictly enclosing ``addr/plen`` (prefix walk)."""
    bits = 32 if ver == 4 else 128
    net_index = grid.index["net"]
    for p in range(plen - 1, -1, -1):
        key = (nv, ver, addr >> (bits - p) << (bits - p), p)
        for obj in net_index.get(key, {}).values():
            if obj.objtype in types:
                return obj
    return None


def container_of(grid: Grid, obj: Obj) -> str:
    """``network_container`` of a network: the enclosing container's CIDR, or ``/``."""
    net = ipaddress.ip_network(obj.fields["network"])
    nv = str(obj.fields.get("network_view", "default"))
    kinds = {"networkcontainer", "ipv6networkcontainer"}
    parent = enclosing(grid, nv, net.version, int(net.network_address), net.prefixlen, kinds)
    return str(parent.fields["network"]) if parent else "/"


def network_of_address(grid: Grid, nv: str, ip: str) -> Obj | None:
    """The (leaf) network holding ``ip`` in ``nv``."""
    addr = ipaddress.ip_address(ip)
    bits = addr.max_prefixlen
    return enclosing(grid, nv, addr.version, int(addr), bits + 1, {"network", "ipv6network"})


def ranges_in(grid: Grid, nv: str) -> list[Obj]:
    return list(grid.index["range"].get(nv, {}).values())


def _require_netview(grid: Grid, name: str) -> None:
    if grid.find_netview(name) is None:
        raise fail("netview_not_found", name=name)


def _prepare_network(grid: Grid, t: str, f: dict[str, Any], old: Obj | None) -> RefContext:
    nv = str(f.setdefault("network_view", "default"))
    _require_netview(grid, nv)
    net = ipaddress.ip_network(f["network"])
    addr, plen, ver = int(net.network_address), net.prefixlen, net.version
    if old is None:
        if grid.first("net", (nv, ver, addr, plen)) is not None:
            raise fail("network_exists", network=f["network"])
        if t in _CONTAINER_FOR:
            _check_no_children(grid, nv, net)
        parent = enclosing(grid, nv, ver, addr, plen, set(_CONTAINER_FOR))
        if parent is not None:
            _convert_to_container(grid, parent)
    if ver == 4 and t in ("network", "networkcontainer"):
        f.pop("ipv4addr", None)
        f.pop("netmask", None)
    return RefContext(netview_id=netview_id(grid, nv))


def _check_no_children(
    grid: Grid, nv: str, net: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> None:
    for k_nv, k_ver, k_addr, k_plen in grid.net_keys():
        if k_nv == nv and k_ver == net.version and k_plen > net.prefixlen:
            child = ipaddress.ip_network((k_addr, k_plen))
            if child.subnet_of(net):  # type: ignore[arg-type]
                raise fail("encloses_networks", network=str(net))


def _convert_to_container(grid: Grid, parent: Obj) -> None:
    """A network that gets a child network becomes a container, with a new ref [V]."""
    from .keys import ref_for

    new_type = _CONTAINER_FOR[parent.objtype]
    fields = dict(parent.fields)
    nv = str(fields.get("network_view", "default"))
    ref = ref_for(new_type, fields, RefContext(netview_id=netview_id(grid, nv)), parent.seq)
    grid.detach(parent)
    grid.attach(parent, Obj(new_type, ref, fields))


def _prepare_address_holder(grid: Grid, t: str, f: dict[str, Any], old: Obj | None) -> RefContext:
    nv = str(f.setdefault("network_view", "default"))
    _require_netview(grid, nv)
    if t == "fixedaddress":
        if f.get("match_client", "MAC_ADDRESS") == "MAC_ADDRESS" and not f.get("mac"):
            raise fail("missing_field", field="mac")
        network = network_of_address(grid, nv, f["ipv4addr"])
        if network is None:
            raise fail("no_parent")
        ip = ipaddress.ip_address(f["ipv4addr"])
        if grid.used.get((nv, 4), {}).get(int(ip)):
            raise fail("address_in_use", address=f["ipv4addr"])
        f["network"] = network.fields["network"]
        _check_mac_free(grid, nv, f, old)
    else:
        start = int(ipaddress.ip_address(f["start_addr"]))
        end = int(ipaddress.ip_address(f["end_addr"]))
        if end < start:
            raise fail(
                "bad_value",
                field="end_addr",
                value=f'"{f["end_addr"]}"',
                reason="End address is before the start address",
            )
        network = network_of_address(grid, nv, f["start_addr"])
        if network is None or ipaddress.ip_address(f["end_addr"]) not in ipaddress.ip_network(
            network.fields["network"]
        ):
            raise fail("no_parent")
        for other in ranges_in(grid, nv):
            o_start = int(ipaddress.ip_address(other.fields["start_addr"]))
            o_end = int(ipaddress.ip_address(other.fields["end_addr"]))
            if o_start <= end and start <= o_end:
                raise fail("range_overlap", start=f["start_addr"], end=f["end_addr"])
        f["network"] = network.fields["network"]
    return RefContext(netview_id=netview_id(grid, nv))


def _check_mac_free(grid: Grid, nv: str, f: dict[str, Any], old: Obj | None) -> None:
    """One reservation per MAC in a network: DHCP could not tell which to answer [U]. The
    same MAC in another network (a client moving between subnets) is allowed."""
    mac = f.get("mac")
    if not mac or f.get("match_client", "MAC_ADDRESS") != "MAC_ADDRESS":
        return
    for other in grid.of_type("fixedaddress"):
        if other is old:  # an update: detached from the indexes, still listed by type
            continue
        o = other.fields
        same_place = o.get("network_view") == nv and o.get("network") == f["network"]
        if same_place and o.get("mac") == mac:
            raise fail("mac_in_use", other=o["ipv4addr"], mac=mac, network=f["network"])


def _prepare_netview(grid: Grid, f: dict[str, Any], old: Obj | None) -> RefContext:
    same = grid.find_netview(f["name"])
    if same is not None and same is not old:
        raise fail("object_exists", what="network view", name=f["name"])
    f.setdefault("is_default", False)
    return RefContext()


def _prepare_eadef(grid: Grid, f: dict[str, Any], old: Obj | None) -> RefContext:
    same = grid.first("name", ("extensibleattributedef", f["name"].lower()))
    if same is not None and same is not old:
        raise fail("object_exists", what="extensible attribute", name=f["name"])
    f.setdefault("namespace", "default")
    return RefContext()


def prepare_ipam(grid: Grid, t: str, f: dict[str, Any], old: Obj | None) -> RefContext:
    if t in NETWORK_TYPES:
        return _prepare_network(grid, t, f, old)
    if t in ("fixedaddress", "range"):
        return _prepare_address_holder(grid, t, f, old)
    if t == "networkview":
        return _prepare_netview(grid, f, old)
    return _prepare_eadef(grid, f, old)


def default_view_for(grid: Grid, netview: Obj) -> Obj:
    """The DNS view ``default.<nv>`` NIOS creates with a network view [V SC-OV]."""
    name = f"default.{netview.fields['name']}"
    seq = grid.new_seq()
    fields = {"name": name, "is_default": False, "network_view": netview.fields["name"]}
    return Obj("view", make_ref("view", f"dns.view$.{seq}", name, "false"), fields, seq)
