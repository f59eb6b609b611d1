"""The ``Record`` driver: one DNS record per resource, plus its PTR for ``createPTR``.

The record is found by status ref, marker, then identity (name and value in the view). It is
applied first; the PTR (``ptr.py``) follows, because an allocated address is known only after
the create call. Allocation happens inside that call (``func:nextavailableip``), and a record
found by its marker keeps the address it got, so restarts and a lost status never allocate
twice.

An NS record carries no markers: its parts (``record_ns.py``) are a TXT claim (the primary),
the NS record found by ref or identity, and the claim marked held.

``addressFrom`` names a Network in the same namespace, resolved from that Network's status
(the catalog, no API call). A Network that does not exist or is not Ready yet is a wait
(``NetworkNotReady``): it is usually applied in the same batch and Ready a moment later.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.api.crd import RECORD
from ddisync.api.grid import DEFAULT_GRID
from ddisync.api.record import RecordSpec, RecordType
from ddisync.reconcile.ptr import PTR_OBJTYPE
from ddisync.reconcile.record import (
    OBJTYPES,
    RETURN_FIELDS,
    DesiredRecord,
    actual_record,
    desired_record,
    plan_record,
    record_value,
    reverse_name,
)
from ddisync.reconcile.record_desired import NS_OBJTYPE, normal_name
from ddisync.reconcile.record_ns import CLAIM_OBJTYPE, claim_name
from ddisync.sync.driver import Claimed, Driver, Intent, Part, Resolver, Target, part_planner
from ddisync.sync.errors import SyncRefused
from ddisync.sync.network import network_users, ready_network
from ddisync.sync.ptr import PTR_TYPES, no_ptr_possible, ptr_part, record_identity
from ddisync.sync.record_ns import CLAIM_KEY, claim_part, claimed_ns, ns_parts, ns_status
from ddisync.sync.zone import KIND as ZONE_KIND
from ddisync.sync.zone import zone_keys_of_name
from ddisync.tenancy.grants import Reach
from ddisync.wapi.client import WapiObject
from ddisync.wapi.errors import ParentNotFoundError
from ddisync.wapi.query import objtype_of

_RECORD_OBJTYPES = tuple(dict.fromkeys(OBJTYPES.values()))


class RecordDriver(Driver[RecordSpec, DesiredRecord]):
    info = RECORD
    spec_model = RecordSpec
    objtypes = _RECORD_OBJTYPES

    def return_fields(self, objtype: str) -> Sequence[str]:
        return RETURN_FIELDS[objtype]

    def desired(
        self, spec: RecordSpec, namespace: str, resolver: Resolver, status: Mapping[str, Any]
    ) -> DesiredRecord:
        """The desired record; ``addressFrom`` resolved to the Network's CIDR and view."""
        if spec.address_from is None:
            return desired_record(spec)
        name = spec.address_from.network_ref.name
        facts = ready_network(resolver, namespace, name, "spec.addressFrom.networkRef")
        assert facts.cidr is not None  # a Ready network has one
        return desired_record(spec, facts.cidr, facts.network_view)

    def reach(self, spec: RecordSpec, desired: DesiredRecord, namespace: str) -> Reach:
        """The record's own name (and a Host's aliases) and view, and its type. Targets
        (canonical, mail exchanger, SRV target, a PTR's ptrdname) may point anywhere. A PTR is
        judged by its address, and so is the PTR ``createPTR`` keeps; an address still to be
        allocated by the Network it comes from."""
        names: tuple[str, ...] = (desired.name, *desired.aliases)
        if desired.type is RecordType.NS:  # and its claim, beside it in the parent zone
            names = (desired.name, claim_name(desired.name))
        addresses: tuple[str, ...] = ()
        if desired.type is RecordType.PTR:
            address = desired.address or _address_of_reverse_name(desired.name)
            names, addresses = ((), (address,)) if address else (names, ())
        elif desired.create_ptr:
            if desired.host_addresses:
                addresses = tuple(want.address for want in desired.host_addresses)
            elif desired.address is not None:
                addresses = (desired.address,)
            elif desired.allocation is not None:
                addresses = (desired.allocation.cidr,)
        return Reach(
            grid=spec.grid,
            namespace=namespace,
            kind=self.kind,
            record_type=desired.type,
            view=desired.view,
            names=names,
            addresses=addresses,
            adopt=spec.adopt,
        )

    def primary(self, desired: DesiredRecord, intent: Intent) -> Part:
        if desired.type is RecordType.NS:
            return claim_part(desired, intent)
        return Part(
            objtype=desired.objtype,
            status_key="ref",
            noun="record",
            plan=part_planner(plan_record, actual_record, desired, intent),
            return_fields=RETURN_FIELDS[desired.objtype],
            identity=record_identity(desired),
            ref_types=self.objtypes,
            explain=lambda error: _explain(desired, error),
        )

    def followers(
        self,
        desired: DesiredRecord,
        applied: WapiObject,
        intent: Intent,
        *,
        status: Mapping[str, Any],
        created: bool,
    ) -> list[Part]:
        if desired.type is RecordType.NS:
            return ns_parts(desired, applied, intent)
        if desired.type not in PTR_TYPES:
            return []
        if no_ptr_possible(desired, status.get("ptrRef"), created):
            return []
        return [ptr_part(desired, actual_record(applied), intent)]

    def references(self, spec: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        """``addressFrom.networkRef``: the Network its address is allocated from; and every
        Zone that may hold its name or its PTR's (``sync.zone``: by DNS name)."""
        network = network_users(spec, "addressFrom", "networkRef", "name")
        return network + tuple((ZONE_KIND, key) for key in _zone_keys(spec))

    def drift_types(self, desired: DesiredRecord, intent: Intent) -> tuple[str, ...]:
        if desired.type in PTR_TYPES:
            return (desired.objtype, PTR_OBJTYPE)
        if desired.type is RecordType.NS:  # the NS record itself: rechecked by sync
            return (CLAIM_OBJTYPE,)
        return (desired.objtype,)

    def claimed(self, obj: WapiObject) -> Claimed | None:
        return claimed_ns(obj)

    def describe(self, obj: WapiObject) -> str:
        return f"record {obj.get('_ref')}"

    def status_fields(self, applied: Mapping[str, WapiObject | None]) -> dict[str, Any]:
        if CLAIM_KEY in applied:
            return ns_status(applied)
        record = actual_record(applied["ref"] or {})
        fields: dict[str, Any] = {
            "ref": record.ref,
            "fqdn": record.name,
            "address": record.address,
            "value": record_value(record),
            "view": record.view,
        }
        if "ptrRef" in applied:
            ptr = applied["ptrRef"]
            fields["ptrRef"] = ptr["_ref"] if ptr is not None else None
        return fields

    def synced_message(self, spec: RecordSpec, primary: WapiObject) -> str:
        if spec.type is RecordType.NS:
            glue = ", ".join(entry.address for entry in spec.addresses or ())
            value = f"{spec.nameserver} ({glue})" if glue else spec.nameserver
            return f"NS record {normal_name(spec.name or '')} ({value}) is in sync with Infoblox"
        record = actual_record(primary)
        return f"{spec.type} record {record.name} ({record_value(record)}) is in sync with Infoblox"

    def deletion_targets(self, spec: Mapping[str, Any], status: Mapping[str, Any]) -> list[Target]:
        """The PTR (A/AAAA) first, then the record: by type from the spec, else from the
        status ref. Only objects carrying the resource's marker are touched, so no valid spec
        is needed: a resource with an invalid spec can still be deleted."""
        ref = status.get("ref")
        try:
            kind: RecordType | None = RecordType(str(spec.get("type")))
        except ValueError:
            kind = None
        was_ns = status.get(CLAIM_KEY) or (ref and objtype_of(str(ref)) == NS_OBJTYPE)
        if kind is RecordType.NS or (kind is None and was_ns):
            # The claim, found by marker; it leads to the NS record (``claimed``).
            return [Target(CLAIM_OBJTYPE, status.get(CLAIM_KEY))]
        if kind is None:
            if not ref:
                return []  # never synced: nothing in Infoblox can be ours
            objtype = objtype_of(str(ref))
            with_ptr = objtype in {OBJTYPES[kind] for kind in PTR_TYPES}
        else:
            objtype, with_ptr = OBJTYPES[kind], kind in PTR_TYPES
        targets = [Target(objtype, ref)]
        if with_ptr:
            ptr_ref = status.get("ptrRef")
            if ptr_ref and objtype_of(str(ptr_ref)) != PTR_OBJTYPE:
                ptr_ref = None
            targets.insert(0, Target(PTR_OBJTYPE, ptr_ref))
        return targets


def _zone_keys(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """The zones a raw spec's names may lie in: its name's, a Host's aliases', and its PTR's
    (PTR, createPTR)."""
    grid, view = str(spec.get("grid") or DEFAULT_GRID), str(spec.get("view") or "default")
    names = [spec["name"]] if isinstance(spec.get("name"), str) and spec["name"] else []
    aliases = spec.get("aliases")
    names += [a for a in aliases if isinstance(a, str) and a] if isinstance(aliases, list) else []
    address = spec.get("address")
    if isinstance(address, str) and (spec.get("type") == "PTR" or spec.get("createPTR")):
        with contextlib.suppress(ValueError):  # an invalid spec: its name alone
            names.append(reverse_name(address))
    return tuple(key for name in names for key in zone_keys_of_name(grid, view, name))


def _explain(desired: DesiredRecord, error: Exception) -> Exception:
    """A missing parent named: the zone that would hold the name, or the allocation's network."""
    if not isinstance(error, ParentNotFoundError):
        return error
    if desired.allocation is not None and "parent was not found" not in error.text.lower():
        where = desired.allocation
        return SyncRefused(
            Reason.PARENT_NOT_FOUND,
            f"spec.addressFrom: the network {where.cidr} is not in Infoblox (network view "
            f"{where.network_view!r}), so no address can be allocated from it "
            f"(Infoblox: {error.text})",
        )
    return missing_zone(desired, error.text)


def missing_zone(desired: DesiredRecord, infoblox: str | None = None) -> SyncRefused:
    """No zone holds the record's name: which zone to create (``ddisync plan`` predicts it)."""
    parent = desired.name.split(".", 1)[1] if "." in desired.name else desired.name
    said = f" (Infoblox: {infoblox})" if infoblox else ""
    return SyncRefused(
        Reason.PARENT_NOT_FOUND,
        f"no DNS zone in view {desired.view!r} holds {desired.name}: create its zone in Infoblox "
        f"(for instance {parent}), or correct spec.name{said}",
    )


def _address_of_reverse_name(name: str) -> str | None:
    """``5.0.1.10.in-addr.arpa`` → ``10.1.0.5`` (and the ip6.arpa nibbles); None for a name
    that names a whole reverse zone or is not a reverse name."""
    labels = name.rstrip(".").lower().split(".")
    try:
        if labels[-2:] == ["in-addr", "arpa"] and len(labels) == 6:
            return str(ipaddress.IPv4Address(".".join(reversed(labels[:4]))))
        if labels[-2:] == ["ip6", "arpa"] and len(labels) == 34:
            nibbles = "".join(reversed(labels[:32]))
            groups = ":".join(nibbles[i : i + 4] for i in range(0, 32, 4))
            return str(ipaddress.IPv6Address(groups))
    except ValueError:
        return None
    return None


DRIVER = RecordDriver()
