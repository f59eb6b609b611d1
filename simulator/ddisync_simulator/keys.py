"""NIOS-like internal keys and readable parts, per object type (spec §1 table).

=====================  ===============================================  ======================
type                   key (before base64)                              readable part
=====================  ===============================================  ======================
networkview            ``dns.network_view$<id>`` (default: 0)           name/is_default
view                   ``dns.view$._default`` or ``dns.view$.<id>``      name/is_default
zone_auth              ``dns.zone$<view>.<labels reversed>``            fqdn/view
network(container)     ``dns.network$<cidr>/<netview id>``               cidr/netview
record:a / aaaa        ``dns.bind_a$<view>.<zone rev>,<label>,<ip>``    name/view
record:cname ...       ``dns.bind_cname$<view>.<zone rev>.<label>``     name/view
record:host            ``dns.host$<view>.<zone rev>.<label>``           name/view
host address           ``dns.host_address$<view>.<zone rev>.<label>.<ip>.``  ip/host/view
record:caa [U]         ``dns.bind_caa$<view>.<zone rev>.<label>.<flag>.<tag>.<value>``  name/view
record:ns [U]          ``dns.bind_ns$<view>.<zone rev>.<label>.<nameserver>``  name/view
nsgroup [U]            ``dns.nsgroup$<name>``                            name
fixedaddress           ``dns.fixed_address$<ip>.<netview id>..``         ip/netview
range                  ``dns.dhcp_range$<start>/<end>///<netview id>/``  start/end/netview
=====================  ===============================================  ======================

Ids of non-default views and network views are their creation sequence numbers [U].
"""

from __future__ import annotations

from typing import Any

from .refs import make_ref
from .store import Grid

__all__ = ["RefContext", "host_address_ref", "ref_for"]

_PREFIX = {
    "network": "dns.network",
    "networkcontainer": "dns.network_container",
    "ipv6network": "dns.ipv6_network",
    "ipv6networkcontainer": "dns.ipv6_network_container",
    "record:a": "dns.bind_a",
    "record:aaaa": "dns.bind_aaaa",
    "record:cname": "dns.bind_cname",
    "record:txt": "dns.bind_txt",
    "record:mx": "dns.bind_mx",
    "record:srv": "dns.bind_srv",
    "record:ptr": "dns.bind_ptr",
    "record:host": "dns.host",
    "record:caa": "dns.bind_caa",
    "record:ns": "dns.bind_ns",
}


class RefContext:
    """What a key needs besides the object's own fields: its view key, zone and netview id."""

    __slots__ = ("label", "netview_id", "view_key", "zone_rev")

    def __init__(
        self, view_key: str = "._default", zone_dns: str = "", name: str = "", netview_id: str = "0"
    ) -> None:
        self.view_key = view_key
        self.zone_rev = ".".join(reversed(zone_dns.split("."))) if zone_dns else ""
        if zone_dns and name.endswith(zone_dns):
            self.label = name[: -len(zone_dns)].rstrip(".")
        else:
            self.label = name
        self.netview_id = netview_id


def view_key(grid: Grid, view: str) -> str:
    obj = grid.find_view(view)
    if obj is None or obj.fields.get("is_default"):
        return "._default"
    return f".{obj.seq}"


def netview_id(grid: Grid, netview: str) -> str:
    obj = grid.find_netview(netview)
    if obj is None or obj.fields.get("is_default"):
        return "0"
    return str(obj.seq)


def ref_for(objtype: str, f: dict[str, Any], ctx: RefContext, seq: int = 0) -> str:
    """The ``_ref`` of an object of ``objtype`` with fields ``f``."""
    vk, zr, label, nvid = ctx.view_key, ctx.zone_rev, ctx.label, ctx.netview_id
    view = str(f.get("view", "default"))
    if objtype == "networkview":
        key = "dns.network_view$" + ("0" if f.get("is_default") else str(seq))
        return make_ref(objtype, key, f["name"], str(bool(f.get("is_default"))).lower())
    if objtype == "view":
        key = "dns.view$" + ("._default" if f.get("is_default") else f".{seq}")
        return make_ref(objtype, key, f["name"], str(bool(f.get("is_default"))).lower())
    if objtype == "zone_auth":
        # the slash of a reverse zone's CIDR is written %2F: ``:10.0.0.0%2F8/default`` [V]
        return make_ref(objtype, f"dns.zone${vk}.{zr}", f["fqdn"].replace("/", "%2F"), view)
    if objtype in ("network", "networkcontainer", "ipv6network", "ipv6networkcontainer"):
        key = f"{_PREFIX[objtype]}${f['network']}/{nvid}"
        return make_ref(objtype, key, f["network"], str(f.get("network_view", "default")))
    if objtype == "fixedaddress":
        key = f"dns.fixed_address${f['ipv4addr']}.{nvid}.."
        return make_ref(objtype, key, f["ipv4addr"], str(f.get("network_view", "default")))
    if objtype == "range":
        key = f"dns.dhcp_range${f['start_addr']}/{f['end_addr']}///{nvid}/"
        nv = str(f.get("network_view", "default"))
        return make_ref(objtype, key, f["start_addr"], f["end_addr"], nv)
    if objtype == "extensibleattributedef":
        return make_ref(objtype, f"dns.extensible_attributes_def$.{f['name']}", f["name"])
    if objtype == "nsgroup":
        return make_ref(objtype, f"dns.nsgroup${f['name']}", f["name"])
    if objtype == "grid":
        return make_ref(objtype, "one.cluster$0", "Infoblox")
    return make_ref(objtype, _record_key(objtype, f, vk, zr, label), f.get("name", ""), view)


def _record_key(objtype: str, f: dict[str, Any], vk: str, zr: str, label: str) -> str:
    head = f"{_PREFIX[objtype]}${vk}.{zr}"
    if objtype == "record:a":
        return f"{head},{label},{f['ipv4addr']}"
    if objtype == "record:aaaa":
        return f"{head},{label},{f['ipv6addr']}"
    if objtype == "record:txt":
        return f'{head}.{label}."{f["text"]}"'
    if objtype == "record:mx":
        return f"{head}.{label}.{f['mail_exchanger']}.{f['preference']}"
    if objtype == "record:srv":
        return f"{head}.{label}/{f['priority']}/{f['weight']}/{f['port']}/{f['target']}"
    if objtype == "record:ptr":
        return f"{head}.{label}.{f['ptrdname']}"
    if objtype == "record:caa":
        return f"{head}.{label}.{f['ca_flag']}.{f['ca_tag']}.{f['ca_value']}"
    if objtype == "record:ns":
        return f"{head}.{label}.{f['nameserver']}"
    if objtype == "record:host" and not f.get("configure_for_dns", True):
        return f"dns.host$.non_DNS_host_root.{vk}.{f['name']}"
    return f"{head}.{label}"  # cname, host


def host_address_ref(kind: str, ip: str, host: dict[str, Any], ctx: RefContext) -> str:
    """Ref of a ``record:host_ipv4addr``/``ipv6addr`` sub-object."""
    objtype = "record:host_ipv4addr" if kind == "ipv4addr" else "record:host_ipv6addr"
    key = f"dns.host_address${ctx.view_key}.{ctx.zone_rev}.{ctx.label}.{ip}."
    # [U] a host outside DNS shows its view as a blank (NIOS writes %20)
    view = str(host.get("view", "default")) if host.get("configure_for_dns", True) else " "
    return make_ref(objtype, key, ip, host["name"], view)
