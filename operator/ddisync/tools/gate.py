"""What ``plan`` settles before reading the grid, in the operator's order. Pure.

The operator takes each resource through these steps before any WAPI call, and stops at the
first that fails (``handlers/reconcile.py``); ``plan`` takes the same ones, so what it files
for a resource stopped here is what the operator would write into its Ready condition, and
nothing for it is read or planned:

=====================================  ===========  ==========================================
step                                   filed as     reason (message)
=====================================  ===========  ==========================================
parse the spec (``api`` models)        refuse       InvalidSpec
addressFrom (networkRef): the Network  refuse       NetworkNotReady (the operator's "waiting
is among the manifests and not                      for Network ..." message)
refused itself
desired state (``reconcile``)          refuse       InvalidSpec (e.g. a Network of the wrong
                                                    address family)
tenancy: one DDIGrant covers the       refuse       Forbidden (the checker's message,
driver's ``Reach`` (``grants``)                     ``ddisync.tenancy``)
spec.grid is the grid planned          skip         OtherGrid: ``plan`` talks to one grid;
                                                    the resource is planned by ``plan --grid``
                                                    with its grid
=====================================  ===========  ==========================================

Tenancy before the grid: the checker needs no grid, and a Forbidden resource on another grid
is worth knowing too. A Record's ``addressFrom`` is resolved from the referenced Network's
spec: its ``cidr``, or, for a Network that ``allocate``\\ s, its container (every network it
can get lies inside, so a PTR address judged by it is inside a granted container whenever
the allocated one is; the message then names the container where the operator's names the
allocated network).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.api.dhcp_range import DHCPRangeSpec
from ddisync.api.fixed_address import FixedAddressSpec
from ddisync.api.meta import InvalidSpecError, parse_spec
from ddisync.api.network import NetworkSpec
from ddisync.api.record import RecordSpec
from ddisync.api.zone import ZoneSpec
from ddisync.reconcile.network import DesiredNetwork, desired_network
from ddisync.reconcile.record_desired import DesiredRecord, desired_record
from ddisync.reconcile.zone import DesiredZone, desired_zone
from ddisync.sync.errors import SyncRefused
from ddisync.sync.network import DRIVER as NETWORK_DRIVER
from ddisync.sync.record import DRIVER as RECORD_DRIVER
from ddisync.sync.zone import DRIVER as ZONE_DRIVER
from ddisync.tenancy import Reach
from ddisync.tools.grants import Grants
from ddisync.tools.kind_planning import DRIVER_KINDS, ManifestNetworks, describe
from ddisync.tools.manifests import Resource
from ddisync.tools.plan import PlanEntry

__all__ = [
    "OTHER_GRID",
    "Gate",
    "Parsed",
    "network_text",
    "parse",
    "record_text",
    "refused",
    "waiting_for",
    "zone_text",
]

OTHER_GRID = "OtherGrid"


@dataclass(frozen=True)
class Parsed:
    """A resource whose spec is valid."""

    resource: Resource
    spec: NetworkSpec | RecordSpec | ZoneSpec | FixedAddressSpec | DHCPRangeSpec
    network: DesiredNetwork | None = None  # a Network's desired state
    zone: DesiredZone | None = None  # a Zone's

    @property
    def record(self) -> RecordSpec | None:
        return self.spec if isinstance(self.spec, RecordSpec) else None

    @property
    def adopt(self) -> bool:
        return self.spec.adopt

    @property
    def driver(self) -> Any:
        """The operator's driver of a kind ``plan`` plans through it (``kind_planning``)."""
        return DRIVER_KINDS.get(self.resource.kind)


def parse(resource: Resource) -> Parsed | PlanEntry:
    try:
        if resource.kind == "Network":
            spec = parse_spec(NetworkSpec, resource.spec)
            return Parsed(resource, spec, network=desired_network(spec))
        if resource.kind == "Zone":
            zone = parse_spec(ZoneSpec, resource.spec)
            return Parsed(resource, zone, zone=desired_zone(zone))
        driver = DRIVER_KINDS.get(resource.kind)
        if driver is not None:
            return Parsed(resource, parse_spec(driver.spec_model, resource.spec))
        return Parsed(resource, parse_spec(RecordSpec, resource.spec))
    except InvalidSpecError as exc:
        return refused(resource, resource.source, Reason.INVALID_SPEC, str(exc))


def refused(resource: Resource, what: str, reason: Reason | str, message: str) -> PlanEntry:
    return PlanEntry(
        "refuse", resource.kind, resource.display, what, reason=str(reason), message=message
    )


def network_text(desired: DesiredNetwork, cidr: str | None = None) -> str:
    """The network in words: its CIDR (or the one found), else what it is allocated from."""
    cidr = cidr or desired.cidr
    where = cidr or f"a /{desired.prefix_length} of {desired.container}"
    return f"network {where} (network view {desired.network_view})"


def record_text(spec: RecordSpec, desired: DesiredRecord | None = None) -> str:
    name = desired.name if desired is not None else spec.name or spec.address
    return f"{spec.type} record {name} (view {spec.view})"


def zone_text(desired: DesiredZone) -> str:
    return f"zone {desired.fqdn} (view {desired.view})"


def waiting_for(name: str, reason: str) -> str:
    """The operator's message for a record whose Network is not Ready (``sync/record.py``)."""
    return (
        f"spec.addressFrom.networkRef: waiting for Network {name!r} to be Ready "
        f"(it is not: {reason})"
    )


class Gate:
    """Judges each resource by the steps of the module's table, for one grid."""

    def __init__(
        self, resources: Sequence[Resource], parsed: Sequence[Parsed], grants: Grants, grid: str
    ) -> None:
        self.grants = grants
        self.grid = grid
        self._resources = {(r.namespace, r.name) for r in resources if r.kind == "Network"}
        self._networks = {
            (p.resource.namespace, p.resource.name): p for p in parsed if p.network is not None
        }
        # Networks first: a record's addressFrom depends on its Network's outcome.
        self._stopped: dict[tuple[str, str], PlanEntry] = {}
        for item in self._networks.values():
            entry = self._network(item)
            if entry is not None:
                self._stopped[(item.resource.namespace, item.resource.name)] = entry

    def judge(self, item: Parsed) -> PlanEntry | None:
        """Where the operator would stop before any WAPI call; None: it goes on to the grid."""
        if item.network is not None:
            return self._stopped.get((item.resource.namespace, item.resource.name))
        if item.zone is not None:
            assert isinstance(item.spec, ZoneSpec)
            reach = ZONE_DRIVER.reach(item.spec, item.zone, item.resource.namespace)
            return self._tenancy_and_grid(item, reach, zone_text(item.zone))
        if item.driver is not None:
            return self._driver_kind(item)
        return self._record(item)

    def _driver_kind(self, item: Parsed) -> PlanEntry | None:
        """A FixedAddress or DHCPRange: its driver resolves its Network from the manifests (an
        allocating one by its container) and says what it reaches."""
        driver, resource = item.driver, item.resource
        networks: dict[tuple[str, str], tuple[str | None, str, str | None]] = {
            key: (None, "default", str(Reason.INVALID_SPEC)) for key in self._resources
        }
        for key, parsed in self._networks.items():
            assert parsed.network is not None
            stopped = self._stopped.get(key)
            reason = str(stopped.reason) if stopped and stopped.action == "refuse" else None
            where = parsed.network.cidr or parsed.network.container
            networks[key] = (where, parsed.network.network_view, reason)
        try:
            desired = driver.desired(item.spec, resource.namespace, ManifestNetworks(networks), {})
        except SyncRefused as exc:
            return refused(resource, resource.source, exc.reason, exc.message)
        reach = driver.reach(item.spec, desired, resource.namespace)
        return self._tenancy_and_grid(item, reach, describe(desired, item.spec))

    def _network(self, item: Parsed) -> PlanEntry | None:
        assert isinstance(item.spec, NetworkSpec) and item.network is not None
        reach = NETWORK_DRIVER.reach(item.spec, item.network, item.resource.namespace)
        return self._tenancy_and_grid(item, reach, network_text(item.network))

    def _record(self, item: Parsed) -> PlanEntry | None:
        spec, resource = item.record, item.resource
        assert spec is not None
        cidr, view = None, "default"
        if spec.address_from is not None:
            name = spec.address_from.network_ref.name
            network = self._networks.get((resource.namespace, name))
            if network is None:
                return refused(resource, record_text(spec), Reason.NETWORK_NOT_READY,
                               self._missing(resource.namespace, name))  # fmt: skip
            stopped = self._stopped.get((resource.namespace, name))
            if stopped is not None and stopped.action == "refuse":
                message = waiting_for(name, str(stopped.reason))
                return refused(resource, record_text(spec), Reason.NETWORK_NOT_READY, message)
            assert network.network is not None
            cidr = network.network.cidr or network.network.container
            view = network.network.network_view
        try:
            desired = desired_record(spec, cidr, view)
        except InvalidSpecError as exc:
            return refused(resource, record_text(spec), Reason.INVALID_SPEC, str(exc))
        reach = RECORD_DRIVER.reach(spec, desired, resource.namespace)
        return self._tenancy_and_grid(item, reach, record_text(spec, desired))

    def _missing(self, namespace: str, name: str) -> str:
        if (namespace, name) in self._resources:  # among the files, but its spec is invalid
            return waiting_for(name, str(Reason.INVALID_SPEC))
        return (
            f"spec.addressFrom: Network {name!r} is not among the manifests; "
            "plan the record together with its Network"
        )

    def _tenancy_and_grid(self, item: Parsed, reach: Reach, what: str) -> PlanEntry | None:
        refusal = self.grants.refusal(reach)
        if refusal is not None:
            return refused(item.resource, what, Reason.FORBIDDEN, str(refusal))
        if item.spec.grid != self.grid:
            resource = item.resource
            return PlanEntry(
                "skip", resource.kind, resource.display, what, reason=OTHER_GRID,
                message=_other_grid(item.spec.grid, self.grid),
            )  # fmt: skip
        return None


def _other_grid(theirs: str, planned: str) -> str:
    how = "without --grid" if theirs == "default" else f"with --grid {theirs}"
    return f"spec.grid is {theirs}; this plan reads grid {planned} (plan it {how})"
