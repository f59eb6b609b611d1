"""``ddisync plan``: what the operator would do for these manifests against the grid now.

Nothing is written. Steps: settle what the operator settles before any WAPI call (``gate``:
invalid specs, ``addressFrom`` waits, ``Forbidden`` by the DDIGrants among the files, and
resources of another grid); read, in pages, every object of the types and views the remaining
manifests use (plus, with ``--prune``, every object this cluster owns); find each resource's
object as ``grid_index`` describes; plan it with the operator's own planner; file the actions
(``plan``).

Decisions:

- **Owner identity without a cluster.** Resources in files have no uid. The markers of an
  object this cluster created name its owner (``ddisync-owner: <namespace>/<Kind>/<name>``,
  ``ddisync-cluster: <--cluster-id>``), and ``plan`` takes such an object as the resource's own,
  with the uid from its marker. A marker write that adoption would add shows the uid as
  ``(uid of the resource)``.
- **Delete.** By default the operator does not delete an object because no resource claims
  it (an *orphan*: it is reported; it is deleted only with ``DDISYNC_DELETE_ORPHANS=true``),
  and deleting a resource deletes its object through the finalizer. So by default ``plan``
  lists no orphan. With ``--prune`` it lists, under ``delete``, the objects owned by this
  cluster whose owner is not among the manifests: what deleting the missing resources from the
  cluster (GitOps pruning), or the orphan deletion, would delete. Objects with another
  cluster's markers are never listed. A PTR the operator manages for ``createPTR`` is listed
  under ``delete`` when the manifest no longer asks for it.
- **Previously set extensible attributes** the operator would remove (it remembers them from
  the last applied spec) are not known from files: ``plan`` never shows EA removals.
- **addressFrom.** The referenced Network must be among the manifests; while its network is
  not allocated yet the record is a create with the address to be allocated. When the
  Network is refused (by the gate or by its planner), the record waits for it
  (``NetworkNotReady``), as in the operator, whose Network would not become Ready.
- **One grid.** ``plan`` reads one grid (``--grid``, ``default`` when not given); resources
  whose ``spec.grid`` names another are filed under ``skip`` (reason ``OtherGrid``), never
  planned against the wrong grid, and change nothing in the exit code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.api.dhcp_range import DHCPRangeSpec
from ddisync.api.fixed_address import FixedAddressSpec
from ddisync.api.grid import DEFAULT_GRID
from ddisync.api.meta import InvalidSpecError
from ddisync.api.record import RecordType
from ddisync.reconcile.network import plan_network
from ddisync.reconcile.ownership import CLUSTER_EA, OWNER_EA, UID_EA, Owner, ea_values
from ddisync.reconcile.plan import Action, Create, Delete, FieldChange, Refuse
from ddisync.reconcile.ptr import desired_ptr, plan_ptr
from ddisync.reconcile.record import plan_record
from ddisync.reconcile.record_desired import (
    NS_OBJTYPE,
    OBJTYPES,
    ActualRecord,
    DesiredRecord,
    actual_record,
    desired_record,
    objtype_of_type,
)
from ddisync.reconcile.record_ns import (
    CLAIM_OBJTYPE,
    actual_ns,
    claim_name,
    claims_same,
    names_ns,
    plan_claim,
    plan_ns,
    read_claim,
)
from ddisync.reconcile.zone import plan_zone
from ddisync.sync.driver import Intent
from ddisync.sync.errors import SyncRefused
from ddisync.sync.record import missing_zone
from ddisync.tools.gate import (
    Gate,
    Parsed,
    network_text,
    parse,
    record_text,
    refused,
    waiting_for,
    zone_text,
)
from ddisync.tools.grants import Grants
from ddisync.tools.grid_index import GridIndex
from ddisync.tools.kind_planning import (
    ManifestNetworks,
    pending_allocation,
    plan_driver_kind,
    refusal,
)
from ddisync.tools.manifests import Resource
from ddisync.tools.plan import Plan, PlanEntry, entry_for
from ddisync.tools.progress import Progress
from ddisync.tools.reading import (
    DHCP_OBJTYPES,
    NETWORK_OBJTYPES,
    RECORD_OBJTYPES,
    ZONE_OBJTYPE,
    read_all,
)
from ddisync.wapi.client import WapiClient, WapiObject
from ddisync.wapi.query import objtype_of

__all__ = ["PLANNED_UID", "plan_resources"]

PLANNED_UID = "(uid of the resource)"
# orphans' kinds
_KIND_OF = {ZONE_OBJTYPE: "Zone", "fixedaddress": "FixedAddress", "range": "DHCPRange"}
PTR_OBJTYPE = OBJTYPES[RecordType.PTR]
NOT_JUDGED = Grants(enforced=False)


def _scopes(parsed: Sequence[Parsed]) -> set[tuple[str, str, str]]:
    """(objtype, search field, value) of every view the manifests touch."""
    scopes: set[tuple[str, str, str]] = set()
    for item in parsed:
        if item.network is not None:
            scopes.add((item.network.objtype, "network_view", item.network.network_view))
        elif item.zone is not None:
            scopes.add((ZONE_OBJTYPE, "view", item.zone.view))
        elif isinstance(item.spec, FixedAddressSpec | DHCPRangeSpec):
            scopes.add((item.driver.objtypes[0], "network_view", item.spec.network_view))
        elif item.record is not None:
            scopes.add((objtype_of_type(item.record.type), "view", item.record.view))
            if item.record.type is RecordType.NS:  # its claim says whether it is ours
                scopes.add((CLAIM_OBJTYPE, "view", item.record.view))
            if item.record.type is not RecordType.PTR:
                scopes.add((ZONE_OBJTYPE, "view", item.record.view))
            if item.record.create_ptr:
                scopes.add((PTR_OBJTYPE, "view", item.record.view))
    return scopes


async def _read(
    client: WapiClient, parsed: Sequence[Parsed], cluster_id: str, prune: bool,
    progress: Progress,
) -> list[WapiObject]:  # fmt: skip
    objects: list[WapiObject] = []
    for objtype, key, value in sorted(_scopes(parsed)):
        objects += await read_all(client, objtype, {key: value}, progress=progress)
    if prune:
        for objtype in (*NETWORK_OBJTYPES, ZONE_OBJTYPE, *RECORD_OBJTYPES, *DHCP_OBJTYPES):
            objects += await read_all(
                client, objtype, {f"*{CLUSTER_EA}": cluster_id}, progress=progress
            )
    progress.finish()
    return objects


def _owner(resource: Resource, cluster_id: str, extattrs: dict[str, str] | None) -> Owner:
    uid = PLANNED_UID
    if (
        extattrs
        and extattrs.get(CLUSTER_EA) == cluster_id
        and extattrs.get(OWNER_EA) == resource.display
    ):
        uid = extattrs.get(UID_EA, PLANNED_UID)
    return Owner(cluster_id, resource.kind, resource.namespace, resource.name, uid)


class _Planner:
    def __init__(self, index: GridIndex, parsed: Sequence[Parsed]) -> None:
        """``parsed``: every valid resource, this grid's or not (an addressFrom names any)."""
        self.index = index
        self.cluster_id = index.cluster_id
        self.networks = {
            (p.resource.namespace, p.resource.name): p for p in parsed if p.network is not None
        }
        self.planned: dict[tuple[str, str], PlanEntry] = {}  # Networks' entries, by name

    def network(self, item: Parsed) -> list[PlanEntry]:
        desired, resource = item.network, item.resource
        assert desired is not None
        actual = self.index.network(desired, resource.display)
        if actual is None and desired.cidr is not None:
            # Another network around it: the operator refuses (Conflict), as NIOS would make
            # that network a container.
            actual = self.index.enclosing(desired.objtype, desired.network_view, desired.cidr)
        owner = _owner(resource, self.cluster_id, actual.extattrs if actual else None)
        action = plan_network(desired, actual, owner, adopt=item.adopt)
        what = network_text(desired, actual.cidr if actual else None)
        entry = entry_for("Network", resource.display, what, action)
        self.planned[(resource.namespace, resource.name)] = entry
        return [entry]

    def zone(self, item: Parsed) -> list[PlanEntry]:
        desired, resource = item.zone, item.resource
        assert desired is not None
        actual = self.index.zone(desired, resource.display)
        owner = _owner(resource, self.cluster_id, actual.extattrs if actual else None)
        action = plan_zone(desired, actual, owner, adopt=item.adopt)
        if isinstance(action, Create) and desired.zone_format == "FORWARD":
            # The records planned after it may lie in it: no "missing zone" for them.
            self.index.add_zone(desired.view, desired.fqdn)
        return [entry_for("Zone", resource.display, zone_text(desired), action)]

    def _allocation(self, item: Parsed) -> tuple[str, str] | PlanEntry | None:
        """(cidr, network view) of the Network an addressFrom names; None: not allocated yet.

        The gate let the record through, so its Network is among the manifests and valid.
        It was planned before the record when it is on this grid; on another one, only its
        spec is known here.
        """
        spec, resource = item.record, item.resource
        assert spec is not None and spec.address_from is not None
        ref_name = spec.address_from.network_ref.name
        network = self.networks[(resource.namespace, ref_name)]
        planned = self.planned.get((resource.namespace, ref_name))
        if planned is not None and planned.action == "refuse":
            message = waiting_for(ref_name, str(planned.reason))
            return refused(resource, record_text(spec), Reason.NETWORK_NOT_READY, message)
        desired = network.network
        assert desired is not None
        actual = self.index.network(desired, network.resource.display) if planned else None
        cidr = actual.cidr if actual else desired.cidr
        return (cidr, desired.network_view) if cidr else None

    def driver_kind(self, item: Parsed) -> list[PlanEntry]:
        """A FixedAddress or DHCPRange, through its driver (``kind_planning``): its Network's
        network as planned (found, or still to be allocated), then the driver's planner."""
        driver, resource = item.driver, item.resource
        networks: dict[tuple[str, str], tuple[str | None, str, str | None]] = {}
        for key, network in self.networks.items():
            assert network.network is not None
            planned = self.planned.get(key)
            if planned is not None and planned.action == "refuse":
                networks[key] = (None, network.network.network_view, str(planned.reason))
                continue
            found = self.index.network(network.network, network.resource.display)
            cidr = found.cidr if found and planned else network.network.cidr
            networks[key] = (cidr, network.network.network_view, None)
        try:
            desired = driver.desired(item.spec, resource.namespace, ManifestNetworks(networks), {})
        except SyncRefused as exc:
            used = [name for _, name in driver.references(resource.spec)]
            used_key = (resource.namespace, used[0]) if used else None
            state = networks.get(used_key) if used_key else None
            pending = state is not None and state[0] is None and state[2] is None
            if pending and resource.kind == "FixedAddress":
                return [pending_allocation(resource.kind, resource.display, item.spec, used[0])]
            return [refusal(resource.kind, resource.display, resource.source, exc)]
        part = driver.primary(desired, Intent(self._placeholder(resource), adopt=item.adopt))
        found_obj = self.index.identified(part.objtype, part.identity, resource.display)
        extattrs = ea_values(found_obj.get("extattrs")) if found_obj else None
        owner = _owner(resource, self.cluster_id, extattrs)
        found_dict = dict(found_obj) if found_obj is not None else None
        entry = plan_driver_kind(
            driver, desired, item.spec, resource.display, found_dict, owner, item.adopt
        )
        return [entry]

    def _placeholder(self, resource: Resource) -> Owner:
        """An owner to ask the driver how its object is found (the finding needs none)."""
        return _owner(resource, self.cluster_id, None)

    def record(self, item: Parsed) -> list[PlanEntry]:
        spec, resource = item.record, item.resource
        assert spec is not None
        cidr: str | None = None
        view = "default"
        if spec.address_from is not None:
            allocation = self._allocation(item)
            if isinstance(allocation, PlanEntry):
                return [allocation]
            if allocation is not None:
                cidr, view = allocation
            else:
                pending = FieldChange(
                    "address", None, f"allocated from Network {spec.address_from.network_ref.name}"
                )
                what = record_text(spec)
                return [PlanEntry("create", "Record", resource.display, what, changes=(pending,))]
        try:
            desired = desired_record(spec, cidr, view)
        except InvalidSpecError as exc:
            return [refused(resource, record_text(spec), Reason.INVALID_SPEC, str(exc))]
        if desired.type is RecordType.NS:
            return [self._ns(item, desired)]
        actual = self.index.record(desired, resource.display)
        zoned = desired.type is RecordType.PTR or self.index.has_zone_for(
            desired.view, desired.name
        )
        if actual is None and not zoned:  # NIOS would refuse it: "A parent was not found"
            missing = missing_zone(desired)
            reason, message = missing.reason, missing.message
            return [refused(resource, record_text(spec, desired), reason, message)]
        owner = _owner(resource, self.cluster_id, actual.extattrs if actual else None)
        action = plan_record(desired, actual, owner, adopt=item.adopt)
        entries = [entry_for("Record", resource.display, record_text(spec, desired), action)]
        ptr = self._ptr(item, desired, actual, action)
        return entries + ([ptr] if ptr else [])

    def _ns(self, item: Parsed, desired: DesiredRecord) -> PlanEntry:
        """An NS Record as the operator plans it (``record_ns``): its claim (ours by marker, or
        another resource's on the same NS record), then the NS record. One entry, the NS
        record's: the claim stands for its markers, so creating it for an NS record adopted as
        it is files as an adoption."""
        resource, spec = item.resource, item.record
        assert spec is not None
        what = record_text(spec, desired)
        claims = self.index.named(CLAIM_OBJTYPE, desired.view, claim_name(desired.name))
        claim_obj = self.index.owned(CLAIM_OBJTYPE, resource.display) or next(
            (c for c in claims if claims_same(desired, c)), None
        )
        found = [actual_ns(obj) for obj in self.index.named(NS_OBJTYPE, desired.view, desired.name)]
        actual = next((a for a in found if names_ns(a, desired.name, desired.nameserver)), None)
        if actual is None and not self.index.has_zone_for(desired.view, desired.name):
            missing = missing_zone(desired)
            return refused(resource, what, missing.reason, missing.message)
        extattrs = ea_values(claim_obj.get("extattrs")) if claim_obj is not None else None
        owner = _owner(resource, self.cluster_id, extattrs)
        claim_action = plan_claim(desired, claim_obj, owner, adopt=item.adopt)
        if isinstance(claim_action, Refuse):
            return entry_for("Record", resource.display, what, claim_action)
        claim = read_claim(claim_obj) if claim_obj is not None else None
        action = plan_ns(desired, claim, actual, adopt=item.adopt)
        return entry_for("Record", resource.display, what, action)

    def _ptr(
        self, item: Parsed, desired: DesiredRecord, actual: ActualRecord | None,
        action: Action,
    ) -> PlanEntry | None:  # fmt: skip
        """The managed PTR of an A/AAAA record (``reconcile.ptr``), if anything is to be done."""
        if desired.type not in (RecordType.A, RecordType.AAAA):
            return None
        display = item.resource.display
        owned = self.index.owned(PTR_OBJTYPE, display)
        ptr_actual = actual_record(owned) if owned is not None else None
        address = desired.address or (actual.address if actual else None)
        wanted = None
        if desired.create_ptr and address is not None:
            applied = ActualRecord("", desired.objtype, desired.name, desired.view, (address,))
            wanted = desired_ptr(desired, applied)
            if ptr_actual is None and wanted is not None:
                ptr_actual = self.index.record(wanted, display)
        elif desired.create_ptr and isinstance(action, Create):
            what = f"PTR record for {desired.name} (view {desired.view})"
            return PlanEntry("create", "Record", display, what)
        ptr_owner = _owner(
            item.resource, self.cluster_id, ptr_actual.extattrs if ptr_actual else None
        )
        ptr_action = plan_ptr(wanted, ptr_actual, ptr_owner, adopt=item.adopt)
        if ptr_action is None:
            return None
        name = wanted.name if wanted else ptr_actual.name if ptr_actual else ""
        what = f"PTR record {name} (view {desired.view})"
        return entry_for("Record", display, what, ptr_action)


def _orphan(obj: Mapping[str, Any]) -> PlanEntry:
    objtype = objtype_of(str(obj["_ref"]))
    markers = ea_values(obj.get("extattrs"))
    owner = markers.get(OWNER_EA, "")
    kind = _KIND_OF.get(objtype, "Network" if objtype in NETWORK_OBJTYPES else "Record")
    name = (
        obj.get("network") or obj.get("fqdn") or obj.get("name") or obj.get("ipv4addr")
        or obj.get("ipv6addr")
        or (f"{obj.get('start_addr')}-{obj.get('end_addr')}" if "start_addr" in obj else None)
    )  # fmt: skip
    what = f"{objtype} {name} (owned by {owner}, which is not among the manifests)"
    return entry_for(kind, None, what, Delete(str(obj["_ref"])))


async def plan_resources(
    client: WapiClient,
    resources: Sequence[Resource],
    *,
    cluster_id: str,
    prune: bool = False,
    progress: Progress | None = None,
    grants: Grants = NOT_JUDGED,
    grid: str = DEFAULT_GRID,
) -> Plan:
    """The plan for ``resources`` against ``grid``, the grid ``client`` talks to (reads only).

    ``grants``: what tenancy is judged by (``tools.grants``); by default it is not judged.
    """
    settled: dict[str, list[PlanEntry]] = {}
    parsed: list[Parsed] = []
    for resource in resources:
        item = parse(resource)
        if isinstance(item, PlanEntry):
            settled[resource.display] = [item]
        else:
            parsed.append(item)
    gate = Gate(resources, parsed, grants, grid)
    planned: list[Parsed] = []
    for item in parsed:
        stopped = gate.judge(item)
        if stopped is not None:
            settled[item.resource.display] = [stopped]
        else:
            planned.append(item)
    objects = await _read(client, planned, cluster_id, prune, progress or Progress(enabled=False))
    planner = _Planner(GridIndex(objects, cluster_id), parsed)
    # Networks first (records allocate from them), then Zones (records lie in them).
    for item in sorted(planned, key=lambda p: (p.network is None, p.zone is None)):
        if item.network is not None:
            entries = planner.network(item)
        elif item.zone is not None:
            entries = planner.zone(item)
        elif item.driver is not None:
            entries = planner.driver_kind(item)
        else:
            entries = planner.record(item)
        settled[item.resource.display] = entries
    plan = Plan([entry for resource in resources for entry in settled[resource.display]])
    if prune:
        displays = {resource.display for resource in resources}
        plan.entries += [_orphan(obj) for obj in planner.index.orphans(displays)]
    return plan
