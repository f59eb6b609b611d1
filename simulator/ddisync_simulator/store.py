"""The in-memory grid: stored objects and the indexes that keep every lookup cheap.

An object is an ``Obj``: its type, a sequence number (creation order, stable across updates,
used for ordering and paging), its current ``_ref`` and its stored fields in canonical form.

Indexes (all maintained by ``insert``/``remove``/``replace`` only):

==========  ==========================================  =====================================
index       key                                         used for
==========  ==========================================  =====================================
by_key      ``objtype/refdata`` (also host addresses)   ref reads, PUT, DELETE
by_type     objtype -> {seq: Obj} in seq order          scans, counts, paging
name        (objtype, lower-cased name/fqdn/cidr/ip)     ``name=``-style searches, uniqueness
ea          (objtype, EA name, value)                    ``*EA=value`` searches
dns         (view, owner name)                           DNS duplicate and CNAME rules
zone        (view, DNS fqdn of the zone)                 parent-zone lookup
net         (netview, version, address int, prefix)      duplicates, containment, allocation
range       netview                                      next_available_ip skips ranges
used        (netview, version) -> {address: count}       addresses in use
==========  ==========================================  =====================================

Writes run inside ``transaction()``: every primitive pushes its inverse on a journal and a
failure rolls the journal back, so a request (or a whole multi-request) is all-or-nothing.
Handlers are synchronous and the server never awaits inside one, so under asyncio no two
requests interleave: allocation is atomic without locks.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from .refs import lookup_key
from .types import NETWORK_TYPES, RECORD_TYPES

__all__ = ["Grid", "Obj"]

INDEX_FIELD = {
    "networkview": "name",
    "view": "name",
    "extensibleattributedef": "name",
    "nsgroup": "name",
    "zone_auth": "fqdn",
    "network": "network",
    "networkcontainer": "network",
    "ipv6network": "network",
    "ipv6networkcontainer": "network",
    "fixedaddress": "ipv4addr",
    "range": "start_addr",
    **{t: "name" for t in RECORD_TYPES},
}

_ADDR_FIELDS = {
    "record:a": ("ipv4addr",),
    "record:aaaa": ("ipv6addr",),
    "record:ptr": ("ipv4addr", "ipv6addr"),
    "fixedaddress": ("ipv4addr",),
}


class Obj:
    """One stored object. ``fields`` holds canonical values; the ref is kept beside them."""

    __slots__ = ("entries", "fields", "objtype", "ref", "seq")

    def __init__(self, objtype: str, ref: str, fields: dict[str, Any], seq: int = 0) -> None:
        self.objtype = objtype
        self.ref = ref
        self.fields = fields
        self.seq = seq
        self.entries: list[tuple[str, Hashable]] = []

    def __repr__(self) -> str:
        return f"Obj({self.ref!r})"


class Grid:
    def __init__(self) -> None:
        self.by_key: dict[str, Obj] = {}
        self.by_type: dict[str, dict[int, Obj]] = {}
        self.index: dict[str, dict[Hashable, dict[int, Obj]]] = {
            n: {} for n in ("name", "ea", "dns", "zone", "net", "range")
        }
        self.used: dict[tuple[str, int], dict[int, int]] = {}
        self.alloc_hint: dict[tuple[str, int, int, int], int] = {}
        self._next_seq = 1
        self._journal: list[Callable[[], None]] | None = None

    # ------------------------------------------------------------------ reads
    def get(self, ref: str) -> Obj | None:
        return self.by_key.get(lookup_key(ref))

    def of_type(self, objtype: str) -> Iterator[Obj]:
        return iter(list(self.by_type.get(objtype, {}).values()))

    def count(self, objtype: str) -> int:
        """Number of stored objects of ``objtype``."""
        return len(self.by_type.get(objtype, {}))

    def lookup(self, index: str, key: Hashable) -> list[Obj]:
        found = self.index[index].get(key)
        if not found:
            return []
        return [found[s] for s in sorted(found)]

    def first(self, index: str, key: Hashable) -> Obj | None:
        found = self.index[index].get(key)
        return next(iter(found.values())) if found else None

    def net_keys(self) -> list[tuple[str, int, int, int]]:
        """Keys of the network index: (netview, IP version, address as int, prefix length)."""
        return [cast(tuple[str, int, int, int], k) for k in self.index["net"]]

    def find_view(self, name: str) -> Obj | None:
        return self.first("name", ("view", name.lower()))

    def find_netview(self, name: str) -> Obj | None:
        return self.first("name", ("networkview", name.lower()))

    def view_netview(self, view: str) -> str:
        obj = self.find_view(view)
        return str(obj.fields.get("network_view", "default")) if obj else "default"

    def objects(self, objtype: str) -> list[dict[str, Any]]:
        """All stored objects of a type as the WAPI returns them, with every field set."""
        from .render import full_object

        return [full_object(self, obj) for obj in self.by_type.get(objtype, {}).values()]

    # ------------------------------------------------------------------ writes
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: on any exception every primitive done inside is undone."""
        if self._journal is not None:  # nested: the outer transaction owns the journal
            yield
            return
        self._journal = []
        try:
            yield
        except BaseException:
            journal, self._journal = self._journal, None
            for undo in reversed(journal):
                undo()
            raise
        self._journal = None

    def new_seq(self) -> int:
        seq = self._next_seq
        self._next_seq += 1
        return seq

    def insert(self, obj: Obj) -> None:
        if not obj.seq:
            obj.seq = self.new_seq()
        bucket = self.by_type.setdefault(obj.objtype, {})
        if bucket and obj.seq < next(reversed(bucket)):
            # only a rollback re-inserts an old object: restore seq order
            bucket[obj.seq] = obj
            self.by_type[obj.objtype] = dict(sorted(bucket.items()))
        else:
            bucket[obj.seq] = obj
        self._add_entries(obj)
        if self._journal is not None:
            self._journal.append(lambda: self.remove(obj))

    def remove(self, obj: Obj) -> None:
        self.by_type[obj.objtype].pop(obj.seq, None)
        self._drop_entries(obj)
        if self._journal is not None:
            self._journal.append(lambda: self.insert(obj))

    def detach(self, obj: Obj) -> None:
        """Take ``obj`` out of every index but keep its place in ``by_type`` (an update follows)."""
        entries = obj.entries
        self._drop_entries(obj)
        if self._journal is not None:
            self._journal.append(lambda: self._restore_entries(obj, entries))

    def attach(self, old: Obj, new: Obj) -> None:
        """Put ``new`` where the detached ``old`` was (same seq: order and paging are stable)."""
        new.seq = old.seq
        if new.objtype == old.objtype:
            self.by_type[new.objtype][new.seq] = new
        else:  # network <-> networkcontainer conversion
            self.by_type[old.objtype].pop(old.seq, None)
            bucket = self.by_type.setdefault(new.objtype, {})
            bucket[new.seq] = new
            self.by_type[new.objtype] = dict(sorted(bucket.items()))
        self._add_entries(new)
        if self._journal is not None:
            self._journal.append(lambda: self._unattach(old, new))

    def _unattach(self, old: Obj, new: Obj) -> None:
        self._drop_entries(new)
        self.by_type[new.objtype].pop(new.seq, None)
        bucket = self.by_type.setdefault(old.objtype, {})
        bucket[old.seq] = old
        if old.objtype != new.objtype:
            self.by_type[old.objtype] = dict(sorted(bucket.items()))

    def _restore_entries(self, obj: Obj, entries: list[tuple[str, Hashable]]) -> None:
        obj.entries = entries
        self._apply_entries(obj)

    # ------------------------------------------------------------------ indexes
    def _add_entries(self, obj: Obj) -> None:
        obj.entries = self._entries(obj)
        self._apply_entries(obj)

    def _apply_entries(self, obj: Obj) -> None:
        for kind, key in obj.entries:
            if kind == "key":
                self.by_key[str(key)] = obj
            elif kind == "used":
                nv, ver, ip = cast(tuple[str, int, int], key)
                counts = self.used.setdefault((nv, ver), {})
                counts[ip] = counts.get(ip, 0) + 1
            else:
                self.index[kind].setdefault(key, {})[obj.seq] = obj

    def _drop_entries(self, obj: Obj) -> None:
        for kind, key in obj.entries:
            if kind == "key":
                if self.by_key.get(str(key)) is obj:
                    del self.by_key[str(key)]
            elif kind == "used":
                nv, ver, ip = cast(tuple[str, int, int], key)
                counts = self.used.get((nv, ver), {})
                left = counts.get(ip, 0) - 1
                if left > 0:
                    counts[ip] = left
                else:
                    counts.pop(ip, None)
                self._lower_hints(nv, ver, ip)
            else:
                bucket = self.index[kind].get(key)
                if bucket is not None:
                    bucket.pop(obj.seq, None)
                    if not bucket:
                        del self.index[kind][key]
        obj.entries = []

    def _lower_hints(self, nv: str, ver: int, ip: int) -> None:
        # A freed address below an allocation cursor must become allocatable again. Cursors
        # are keyed by network, so walk the (at most 129) networks that could hold ``ip``.
        if not self.alloc_hint:
            return
        bits = 32 if ver == 4 else 128
        for plen in range(bits + 1):
            net = ip >> (bits - plen) << (bits - plen)
            key = (nv, ver, net, plen)
            hint = self.alloc_hint.get(key)
            if hint is not None and ip < hint:
                self.alloc_hint[key] = ip

    def _entries(self, obj: Obj) -> list[tuple[str, Hashable]]:
        t, f = obj.objtype, obj.fields
        out: list[tuple[str, Hashable]] = [("key", lookup_key(obj.ref))]
        ifield = INDEX_FIELD.get(t)
        if ifield and f.get(ifield) is not None:
            out.append(("name", (t, str(f[ifield]).lower())))
        for name, item in (f.get("extattrs") or {}).items():
            value = item.get("value") if isinstance(item, dict) else None
            for v in value if isinstance(value, list) else [value]:
                out.append(("ea", (t, name, str(v))))
        if t in RECORD_TYPES and f.get("name"):
            out.append(("dns", (f.get("view", "default"), f["name"])))
        if t == "zone_auth":
            out.append(("zone", (f.get("view", "default"), f.get("dns_fqdn", f["fqdn"]))))
        if t in NETWORK_TYPES:
            net = ipaddress.ip_network(f["network"])
            nv = f.get("network_view", "default")
            out.append(("net", (nv, net.version, int(net.network_address), net.prefixlen)))
        if t == "range":
            out.append(("range", f.get("network_view", "default")))
        out.extend(self._used_entries(obj))
        return out

    def _used_entries(self, obj: Obj) -> list[tuple[str, Hashable]]:
        t, f = obj.objtype, obj.fields
        if t == "fixedaddress":
            nv = str(f.get("network_view", "default"))
        elif t in RECORD_TYPES:
            nv = self.view_netview(str(f.get("view", "default")))
        else:
            return []
        out: list[tuple[str, Hashable]] = []
        for name in _ADDR_FIELDS.get(t, ()):
            if f.get(name):
                ip = ipaddress.ip_address(f[name])
                out.append(("used", (nv, ip.version, int(ip))))
        if t == "record:host":
            for name in ("ipv4addrs", "ipv6addrs"):
                for item in f.get(name) or []:
                    ip = ipaddress.ip_address(item[name[:-1]])
                    out.append(("used", (nv, ip.version, int(ip))))
                    out.append(("key", lookup_key(item["_ref"])))
        return out
