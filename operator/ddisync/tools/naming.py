"""Resource names for exported objects: valid, stable across runs, unique.

A name is derived from the object alone -- never from the order of a listing or from which
other objects exist -- so re-exporting a grid gives every object the name it had before, and a
Git diff shows only what really changed. (A name that moved would delete one resource and
create another: with ``deletionPolicy: Delete`` that deletes the Infoblox object.)

=========  ==========================================  =======================================
object     name                                        hash suffix
=========  ==========================================  =======================================
network    ``net-10-20-1-0-24``, ``net-2001-db8-1---64``  only in a non-default network view
                                                       (``net-<view>-<cidr>-<hash>``) or when
                                                       the CIDR text holds a dot in IPv6
record     ``<type>-<fqdn with dashes>-<hash>``         always (see below)
zone       ``zone-<fqdn or CIDR with dashes>``           in a non-default view, or when cut
fixed      ``fixed-10-64-1-10``                         only in a non-default network view
address                                                (``fixed-<view>-<address>-<hash>``)
range      ``range-10-64-1-100-10-64-1-149``            the same
=========  ==========================================  =======================================

A fixed address is unique per address and network view, a range per start and end (ranges
never overlap), so these names are unique without a hash in the default view.

Slugs: lower-case, every character outside ``[a-z0-9]`` becomes ``-`` (runs kept for CIDRs,
so ``::`` stays visible and the CIDR can be read back; collapsed for record names).

Why records always carry a hash: several records may share a name (A round robin, TXT, MX,
SRV, PTR), and dashes make ``a-b.example.com`` and ``a.b-example.com`` look alike; a hash of
the record's identity (type, view, name and the value ddisync identifies it by, the same
fields as ``reconcile.record.identity_search``) keeps names unique without depending on the
other records. Six hex digits (24 bits) collide only between records whose readable parts are
equal too; ``export`` refuses to write two resources with one name rather than rename either.

Length: at most 63 characters (a DNS label), although resource names may be 253 long: label
selectors, Helm release names and several GitOps tools assume the shorter limit. A longer
readable part is cut, and then always carries the hash.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re

__all__ = ["MAX_NAME", "dhcp_name", "network_name", "record_name", "short_hash", "zone_name"]

MAX_NAME = 63
_HASH_LEN = 6
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_NOT_ALNUM_RUN = re.compile(r"[^a-z0-9]+")


def short_hash(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()
    return digest[:_HASH_LEN]


def _fit(readable: str, suffix: str) -> str:
    """``readable-suffix``, ``readable`` cut to fit MAX_NAME; the suffix keeps a cut name unique."""
    room = MAX_NAME - len(suffix) - 1
    head = readable[:room].rstrip("-")
    return f"{head}-{suffix}"


def network_name(cidr: str, network_view: str = "default") -> str:
    network = ipaddress.ip_network(cidr)
    text = str(network)
    readable = "net-" + _NOT_ALNUM.sub("-", text.lower())
    # IPv4 uses only dots, IPv6 only colons (unless it embeds an IPv4 address): the slug then
    # reads back to exactly one CIDR.
    faithful = network.version == 4 or "." not in text
    if network_view != "default":
        view = _NOT_ALNUM_RUN.sub("-", network_view.lower()).strip("-")
        readable = f"net-{view}-{readable.removeprefix('net-')}"
        faithful = False
    if faithful and len(readable) <= MAX_NAME:
        return readable
    return _fit(readable, short_hash("network", network_view, text))


def record_name(kind: str, fqdn: str, view: str, identity: str) -> str:
    """``kind`` is the Record type (A, Host, ...); ``identity`` the value it is told apart by."""
    slug = _NOT_ALNUM_RUN.sub("-", fqdn.lower()).strip("-") or "root"
    readable = f"{kind.lower()}-{slug}"
    return _fit(readable, short_hash("record", kind, view, fqdn.lower(), identity))


def zone_name(fqdn: str, view: str = "default") -> str:
    """One zone per fqdn and view: the name is the fqdn (a reverse zone's CIDR) in dashes."""
    readable = "zone-" + (_NOT_ALNUM_RUN.sub("-", fqdn.lower()).strip("-") or "root")
    if view == "default" and len(readable) <= MAX_NAME:
        return readable
    slug = _NOT_ALNUM_RUN.sub("-", view.lower()).strip("-")
    return _fit(f"zone-{slug}-{readable.removeprefix('zone-')}", short_hash("zone", view, fqdn))


def dhcp_name(kind: str, addresses: tuple[str, ...], network_view: str = "default") -> str:
    """``kind``: ``fixed`` or ``range``; ``addresses``: the IPv4 address, or start and end."""
    readable = "-".join([kind, *(_NOT_ALNUM.sub("-", a) for a in addresses)])
    if network_view == "default":
        return readable  # at most 37 characters
    view = _NOT_ALNUM_RUN.sub("-", network_view.lower()).strip("-")
    readable = f"{kind}-{view}-{readable.removeprefix(kind + '-')}"
    return _fit(readable, short_hash(kind, network_view, *addresses))
