"""The objects ``plan`` read in bulk, indexed the ways the operator looks objects up. Pure.

The operator finds an object by ref, then by its uid marker, then by identity
(``sync.network.find_network``, ``sync.record.find_record``). Manifests in files have no ref
and no uid, so ``plan`` finds:

1. *ours*: the object whose markers say ``ddisync-cluster`` = the cluster id and
   ``ddisync-owner`` = ``<namespace>/<Kind>/<name>`` of the manifest (its uid is then taken
   from the marker, and the planners see the object as the resource's own);
2. else by identity: a network by CIDR in its network view, a record by the search
   ``reconcile.record.identity_search`` builds, evaluated here on the objects read (exact,
   names case-insensitive, as WAPI matches), then ``same_identity``; a fixed address or a
   range by its driver's ``Identity`` (address, or start and end, in the network view).

One deliberate difference: a resource deleted and re-created in the cluster has a new uid; the
operator then sees the old object as someone else's (Conflict), ``plan`` as its own.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from ddisync.reconcile.network import ActualNetwork, DesiredNetwork, actual_network
from ddisync.reconcile.ownership import CLUSTER_EA, OWNER_EA, ea_values
from ddisync.reconcile.record import identity_search, same_identity
from ddisync.reconcile.record_desired import (
    ActualRecord,
    DesiredRecord,
    actual_record,
    normal_address,
    normal_name,
)
from ddisync.reconcile.zone import ActualZone, DesiredZone, actual_zone
from ddisync.sync.driver import Identity
from ddisync.tools.reading import DHCP_OBJTYPES, NETWORK_OBJTYPES, ZONE_OBJTYPE
from ddisync.wapi.query import objtype_of

__all__ = ["GridIndex"]

WapiObject = Mapping[str, Any]


def _matches(params: Mapping[str, str], actual: ActualRecord) -> bool:
    """``identity_search``'s WAPI search, evaluated on one object."""
    for key, value in params.items():
        match key:
            case "name":
                ok = actual.name == normal_name(value)
            case "view":
                ok = actual.view == value
            case "ipv4addr" | "ipv6addr":
                ok = normal_address(value) in actual.addresses
            case "ptrdname" | "mail_exchanger" | "target" | "canonical":
                ok = getattr(actual, key) == normal_name(value)
            case "ca_value":
                ok = actual.ca_value == value
            case _:
                raise ValueError(f"cannot evaluate the search field {key!r}")
        if not ok:
            return False
    return True


class GridIndex:
    def __init__(self, objects: Iterable[WapiObject], cluster_id: str) -> None:
        self.cluster_id = cluster_id
        self._by_ref: dict[str, WapiObject] = {}
        self._owned: dict[tuple[str, str], list[WapiObject]] = defaultdict(list)
        self._networks: dict[tuple[str, str, str], WapiObject] = {}
        self._records: dict[tuple[str, str, str], list[ActualRecord]] = defaultdict(list)
        self._zones: dict[str, set[str]] = {}  # view -> zone names read (or to be created)
        self._zone_objects: dict[tuple[str, str], WapiObject] = {}  # (view, fqdn) -> zone
        self._dhcp: dict[str, list[WapiObject]] = defaultdict(list)  # objtype -> objects
        # (objtype, view, name) -> records as read: NS records and their claims (``record_ns``)
        self._named: dict[tuple[str, str, str], list[WapiObject]] = defaultdict(list)
        self._by_fields: dict[tuple[str, tuple[str, ...]], dict[tuple[str, ...], list[WapiObject]]]
        self._by_fields = {}  # (objtype, search fields) -> their values -> objects
        for obj in objects:
            self._add(obj)

    def _add(self, obj: WapiObject) -> None:
        ref = str(obj["_ref"])
        if ref in self._by_ref:
            return
        self._by_ref[ref] = obj
        objtype = objtype_of(ref)
        markers = ea_values(obj.get("extattrs"))
        if markers.get(CLUSTER_EA) == self.cluster_id and OWNER_EA in markers:
            self._owned[(objtype, markers[OWNER_EA])].append(obj)
        if objtype == ZONE_OBJTYPE:
            zone = actual_zone(obj)
            self.add_zone(zone.view, zone.fqdn)
            self._zone_objects[(zone.view, zone.fqdn)] = obj
        elif objtype in DHCP_OBJTYPES:
            self._dhcp[objtype].append(obj)
        elif objtype in NETWORK_OBJTYPES:
            network = actual_network(obj)
            self._networks[(objtype, network.network_view, network.cidr)] = obj
        else:
            record = actual_record(obj)
            self._records[(objtype, record.view, record.name)].append(record)
            self._named[(objtype, record.view, record.name)].append(obj)
            for address in record.addresses:  # a PTR named by its address only
                self._records[(objtype, record.view, address)].append(record)

    def owned(self, objtype: str, display: str) -> WapiObject | None:
        """The object of ``objtype`` this cluster created for the resource ``display``."""
        found = self._owned.get((objtype, display))
        return found[0] if found else None

    def orphans(self, displays: set[str]) -> list[WapiObject]:
        """Objects this cluster owns whose resource is not among ``displays``."""
        return [
            obj
            for (_, display), objects in sorted(self._owned.items())
            for obj in objects
            if display not in displays
        ]

    def add_zone(self, view: str, fqdn: str) -> None:
        """A zone that holds names from now on: read, or planned to be created by a Zone."""
        self._zones.setdefault(view, set()).add(fqdn.lower().rstrip("."))

    def zone(self, desired: DesiredZone, display: str) -> ActualZone | None:
        obj = self.owned(ZONE_OBJTYPE, display) or self._zone_objects.get(
            (desired.view, desired.fqdn)
        )
        return actual_zone(obj) if obj is not None else None

    def has_zone_for(self, view: str, name: str) -> bool:
        """Whether a zone read in ``view`` holds ``name`` (reverse zones, named by their
        network, hold no forward name)."""
        zones = self._zones.get(view, set())
        return any(name == zone or name.endswith(f".{zone}") for zone in zones if "/" not in zone)

    def enclosing(self, objtype: str, view: str, cidr: str) -> ActualNetwork | None:
        """A network of ``objtype`` in ``view`` strictly around ``cidr`` (networks never nest,
        so there is at most one)."""
        inner = ipaddress.ip_network(cidr)
        for (kind, network_view, other), obj in self._networks.items():
            if kind != objtype or network_view != view or other == cidr:
                continue
            outer = ipaddress.ip_network(other)
            if outer.version == inner.version and inner.subnet_of(outer):  # type: ignore[arg-type]
                return actual_network(obj)
        return None

    def network(self, desired: DesiredNetwork, display: str) -> ActualNetwork | None:
        obj = self.owned(desired.objtype, display)
        if obj is None and desired.cidr is not None:
            obj = self._networks.get((desired.objtype, desired.network_view, desired.cidr))
        return actual_network(obj) if obj is not None else None

    def record(self, desired: DesiredRecord, display: str) -> ActualRecord | None:
        obj = self.owned(desired.objtype, display)
        if obj is not None:
            return actual_record(obj)
        params = identity_search(desired)
        if params is None:
            return None
        key = params.get("name") or normal_address(
            params.get("ipv4addr") or params.get("ipv6addr") or ""
        )
        candidates = self._records.get((desired.objtype, desired.view, normal_name(key)), [])
        for actual in candidates:
            if _matches(params, actual) and same_identity(desired, actual):
                return actual
        return None

    def named(self, objtype: str, view: str, name: str) -> list[WapiObject]:
        """The records of ``objtype`` read with that name (lower-case) in ``view``."""
        return self._named.get((objtype, view, name), [])

    def identified(
        self, objtype: str, identity: Identity | None, display: str
    ) -> WapiObject | None:
        """A DHCP object: ours for ``display``, else the one a driver's ``identity`` finds
        (its search evaluated on the objects read: every field equal)."""
        obj = self.owned(objtype, display)
        if obj is not None or identity is None:
            return obj
        fields = tuple(sorted(identity.search))
        index = self._by_fields.get((objtype, fields))
        if index is None:  # built once per object type and search: no scan per resource
            index = defaultdict(list)
            for candidate in self._dhcp.get(objtype, []):
                index[tuple(str(candidate.get(f)) for f in fields)].append(candidate)
            self._by_fields[(objtype, fields)] = index
        wanted = tuple(str(identity.search[f]) for f in fields)
        return next((c for c in index.get(wanted, []) if identity.matches(dict(c))), None)
