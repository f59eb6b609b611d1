"""``ddisync plan``: what the operator would do for these manifests against the grid now.

Nothing is written. Steps: parse every spec with the ``api`` models; read, in pages, every
object of the types and views the manifests use (plus, with ``--prune``, every object this
cluster owns); find each resource's object as ``grid_index`` describes; plan it with the
operator's own planner; file the actions (``plan``).

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
  not allocated yet the record is a create with the address to be allocated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.api.meta import InvalidSpecError, parse_spec
from ddisync.api.network import NetworkSpec
from ddisync.api.record import RecordSpec, RecordType
from ddisync.reconcile.network import DesiredNetwork, desired_network, plan_network
from ddisync.reconcile.ownership import CLUSTER_EA, OWNER_EA, UID_EA, Owner, ea_values
from ddisync.reconcile.plan import Action, Create, Delete, FieldChange
from ddisync.reconcile.ptr import desired_ptr, plan_ptr
from ddisync.reconcile.record import plan_record
from ddisync.reconcile.record_desired import (
    OBJTYPES,
    ActualRecord,
    DesiredRecord,
    actual_record,
    desired_record,
)
from ddisync.tools.grid_index import GridIndex
from ddisync.tools.manifests import Resource
from ddisync.tools.plan import Plan, PlanEntry, entry_for
from ddisync.tools.progress import Progress
from ddisync.tools.reading import NETWORK_OBJTYPES, RECORD_OBJTYPES, read_all
from ddisync.wapi.client import WapiClient, WapiObject
from ddisync.wapi.query import objtype_of

__all__ = ["PLANNED_UID", "plan_resources"]

PLANNED_UID = "(uid of the resource)"
PTR_OBJTYPE = OBJTYPES[RecordType.PTR]


@dataclass(frozen=True)
class _Parsed:
    resource: Resource
    network: DesiredNetwork | None = None
    record: RecordSpec | None = None
    adopt: bool = False


def _parse(resource: Resource) -> _Parsed | PlanEntry:
    try:
        if resource.kind == "Network":
            spec = parse_spec(NetworkSpec, resource.spec)
            return _Parsed(resource, network=desired_network(spec), adopt=spec.adopt)
        record = parse_spec(RecordSpec, resource.spec)
        return _Parsed(resource, record=record, adopt=record.adopt)
    except InvalidSpecError as exc:
        return _refused(resource, Reason.INVALID_SPEC, str(exc))


def _refused(resource: Resource, reason: Reason, message: str) -> PlanEntry:
    return PlanEntry(
        "refuse", resource.kind, resource.display, resource.source,
        reason=reason.value, message=message,
    )  # fmt: skip


def _scopes(parsed: Sequence[_Parsed]) -> set[tuple[str, str, str]]:
    """(objtype, search field, value) of every view the manifests touch."""
    scopes: set[tuple[str, str, str]] = set()
    for item in parsed:
        if item.network is not None:
            scopes.add((item.network.objtype, "network_view", item.network.network_view))
        elif item.record is not None:
            scopes.add((OBJTYPES[item.record.type], "view", item.record.view))
            if item.record.create_ptr:
                scopes.add((PTR_OBJTYPE, "view", item.record.view))
    return scopes


async def _read(
    client: WapiClient, parsed: Sequence[_Parsed], cluster_id: str, prune: bool,
    progress: Progress,
) -> list[WapiObject]:  # fmt: skip
    objects: list[WapiObject] = []
    for objtype, key, value in sorted(_scopes(parsed)):
        objects += await read_all(client, objtype, {key: value}, progress=progress)
    if prune:
        for objtype in (*NETWORK_OBJTYPES, *RECORD_OBJTYPES):
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
    def __init__(self, index: GridIndex, parsed: Sequence[_Parsed]) -> None:
        self.index = index
        self.cluster_id = index.cluster_id
        self.networks = {
            (p.resource.namespace, p.resource.name): p for p in parsed if p.network is not None
        }

    def network(self, item: _Parsed) -> list[PlanEntry]:
        desired, resource = item.network, item.resource
        assert desired is not None
        actual = self.index.network(desired, resource.display)
        owner = _owner(resource, self.cluster_id, actual.extattrs if actual else None)
        action = plan_network(desired, actual, owner, adopt=item.adopt)
        if actual:
            cidr = actual.cidr
        elif desired.cidr:
            cidr = desired.cidr
        else:
            cidr = f"a /{desired.prefix_length} of {desired.container}"
        what = f"network {cidr} (network view {desired.network_view})"
        return [entry_for("Network", resource.display, what, action)]

    def _allocation(self, item: _Parsed) -> tuple[str, str] | PlanEntry | None:
        """(cidr, network view) of the Network an addressFrom names; None: not allocated yet."""
        spec, resource = item.record, item.resource
        assert spec is not None and spec.address_from is not None
        ref_name = spec.address_from.network_ref.name
        network = self.networks.get((resource.namespace, ref_name))
        if network is None or network.network is None:
            return _refused(
                resource,
                Reason.NETWORK_NOT_READY,
                f"spec.addressFrom: Network {ref_name!r} is not among the manifests; "
                "plan the record together with its Network",
            )
        desired = network.network
        actual = self.index.network(desired, network.resource.display)
        cidr = actual.cidr if actual else desired.cidr
        return (cidr, desired.network_view) if cidr else None

    def record(self, item: _Parsed) -> list[PlanEntry]:
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
                what = f"{spec.type} record {spec.name} (view {spec.view})"
                pending = FieldChange(
                    "address", None, f"allocated from Network {spec.address_from.network_ref.name}"
                )
                return [PlanEntry("create", "Record", resource.display, what, changes=(pending,))]
        try:
            desired = desired_record(spec, cidr, view)
        except InvalidSpecError as exc:
            return [_refused(resource, Reason.INVALID_SPEC, str(exc))]
        actual = self.index.record(desired, resource.display)
        owner = _owner(resource, self.cluster_id, actual.extattrs if actual else None)
        action = plan_record(desired, actual, owner, adopt=item.adopt)
        what = f"{desired.type} record {desired.name} (view {desired.view})"
        entries = [entry_for("Record", resource.display, what, action)]
        ptr = self._ptr(item, desired, actual, action)
        return entries + ([ptr] if ptr else [])

    def _ptr(
        self, item: _Parsed, desired: DesiredRecord, actual: ActualRecord | None,
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
    kind = "Network" if objtype in NETWORK_OBJTYPES else "Record"
    name = obj.get("network") or obj.get("name") or obj.get("ipv4addr") or obj.get("ipv6addr")
    what = f"{objtype} {name} (owned by {owner}, which is not among the manifests)"
    return entry_for(kind, None, what, Delete(str(obj["_ref"])))


async def plan_resources(
    client: WapiClient,
    resources: Sequence[Resource],
    *,
    cluster_id: str,
    prune: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """The plan for ``resources`` against the grid ``client`` talks to (reads only)."""
    plan = Plan()
    parsed: list[_Parsed] = []
    for resource in resources:
        item = _parse(resource)
        if isinstance(item, PlanEntry):
            plan.entries.append(item)
        else:
            parsed.append(item)
    objects = await _read(client, parsed, cluster_id, prune, progress or Progress(enabled=False))
    planner = _Planner(GridIndex(objects, cluster_id), parsed)
    for item in parsed:
        plan.entries += planner.network(item) if item.network else planner.record(item)
    if prune:
        displays = {resource.display for resource in resources}
        plan.entries += [_orphan(obj) for obj in planner.index.orphans(displays)]
    return plan
