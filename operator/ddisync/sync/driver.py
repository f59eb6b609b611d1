"""What a kind is to the pipeline (``pipeline.py``): one ``Driver`` per kind.

A driver holds only what differs between kinds, as data and pure functions:

- its names (``api.crd.KindInfo``), its spec model, the object types it owns and their return
  fields;
- ``desired``: the desired state from a parsed spec (a Record resolves ``addressFrom`` through
  a ``Resolver``: the catalog of watched resources, no API call);
- ``primary``: the ``Part`` for the resource's own Infoblox object, and ``followers``: parts
  derived from the primary as applied (a Record's PTR: an allocated address is known only
  after the create call);
- what goes into the status, and what deleting the resource touches.

A ``Part`` tells the pipeline how to find one object (status ref, then ownership marker within
``scope``, then ``identity``; an object that cannot carry markers, ``by_marker`` False, by
status ref and identity only, its ownership kept by a claim: ``Driver.claimed``) and how to
plan it (``plan``: the kind's pure planner, closed
over the desired state and the resource's ``Intent``). Finding, applying (``apply.py``: the
one applier), drift checks and deletion are the pipeline's, written once for every kind.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from ddisync.api.crd import KindInfo
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import Action
from ddisync.tenancy.grants import Reach
from ddisync.wapi.client import WapiObject
from ddisync.wapi.query import QueryParams

SpecT = TypeVar("SpecT", bound=BaseModel)
DesiredT = TypeVar("DesiredT")

#: The kind's planner for one part: the object found (or None) → the action (None: nothing
#: wanted and nothing there).
PartPlanner = Callable[[WapiObject | None], Action | None]


def _keep(error: Exception) -> Exception:
    return error


@dataclass(frozen=True)
class Identity:
    """How to find an object someone else made: a WAPI search, then a check of each result."""

    search: QueryParams
    matches: Callable[[WapiObject], bool] = lambda _: True


@dataclass(frozen=True)
class Part:
    """One Infoblox object a resource manages, as the pipeline finds, plans and applies it."""

    objtype: str
    status_key: str  # where its ref is kept in the status: "ref", "ptrRef"
    noun: str  # how logs and Events name it: "network", "record", "PTR"
    plan: PartPlanner
    return_fields: Sequence[str]
    scope: QueryParams = field(default_factory=dict)  # searched beside the ownership marker
    # Other object types an owned object may have become (a network NIOS turned into a
    # container): searched by marker when the part's own type finds nothing.
    also_owned_as: tuple[str, ...] = ()
    identity: Identity | None = None
    look_up: bool = True  # False: the pipeline knows there is none (saves a WAPI call)
    # Object types whose ref in the status is read as this part's (default: its own); the
    # planner then sees, and refuses, an object of another type (a changed ``spec.type``).
    ref_types: tuple[str, ...] = ()
    # A WAPI error of this part as the user should read it (e.g. which zone is missing).
    explain: Callable[[Exception], Exception] = _keep
    # False: the object cannot carry ownership markers (an NS record): found by status ref,
    # then ``identity`` only, created without a marker search on retry, and not judged from
    # the owned snapshots (the drift check says it cannot tell, and ``sync`` rechecks it).
    by_marker: bool = True
    # The object as already read (the primary as just applied): planned with no lookup.
    known: WapiObject | None = None


@dataclass(frozen=True)
class Intent:
    """What the resource asks of every part besides its fields."""

    owner: Owner
    adopt: bool
    forget: Collection[str] = ()  # extensible attributes removed from the spec


#: A kind's pure planner (``reconcile``): the desired state, the actual one (None: nothing
#: found), the owner, and the intent's ``adopt`` and ``forget`` as keywords.
KindPlanner = Callable[..., Action | None]


def part_planner(
    plan: KindPlanner,
    read: Callable[[WapiObject], Any],
    desired: Any,
    intent: Intent,
) -> PartPlanner:
    """``plan`` closed over the desired state and the intent: the ``Part.plan`` of a part whose
    found object ``read`` turns into the kind's actual state."""

    def planned(found: WapiObject | None) -> Action | None:
        actual = read(found) if found is not None else None
        return plan(desired, actual, intent.owner, adopt=intent.adopt, forget=intent.forget)

    return planned


@dataclass(frozen=True)
class Claimed:
    """An object that cannot carry markers, owned through another object of ours (its claim):
    its type, and how to find it (``Driver.claimed``)."""

    objtype: str
    identity: Identity | None  # None: the claim does not (yet) say the object is ours
    return_fields: Sequence[str] = ()


@dataclass(frozen=True)
class Target:
    """An object deleting the resource may touch: its type, its ref if known, its scope."""

    objtype: str
    ref: str | None
    scope: QueryParams = field(default_factory=dict)


def target_in_view(objtype: str, spec: Mapping[str, Any], status: Mapping[str, Any]) -> Target:
    """The resource's object of ``objtype`` in the network view of its raw spec (possibly
    invalid), else of its status: only what carries its marker there is touched."""
    view = spec.get("networkView")
    where = view if isinstance(view, str) and view else status.get("networkView") or "default"
    return Target(objtype, status.get("ref"), {"network_view": where})


class Resolver(Protocol):
    """Other resources' state, for a desired state that refers to them (``addressFrom``)."""

    def status_of(self, kind: str, namespace: str, name: str) -> Mapping[str, Any] | None:
        """The status of that resource (``{}`` before its first reconcile); None: unknown."""


class Driver(ABC, Generic[SpecT, DesiredT]):
    """Everything the pipeline needs to know about one kind. Its spec model has ``grid`` (the
    grid its objects live on, ``api.grid.grid_field``) and ``adopt``, which the pipeline reads."""

    info: KindInfo
    spec_model: type[SpecT]
    #: every object type a resource of this kind may own: drift snapshots, orphan scan
    objtypes: tuple[str, ...]

    @property
    def kind(self) -> str:
        return self.info.kind

    @abstractmethod
    def return_fields(self, objtype: str) -> Sequence[str]:
        """The fields read back for an object of ``objtype`` (one of ``objtypes``)."""

    @abstractmethod
    def desired(
        self, spec: SpecT, namespace: str, resolver: Resolver, status: Mapping[str, Any]
    ) -> DesiredT:
        """The desired state; raise ``SyncRefused`` while waiting for another resource.
        ``status``: the resource's own (what an earlier reconcile settled, e.g. an allocated
        network, which never changes by itself)."""

    @abstractmethod
    def reach(self, spec: SpecT, desired: DesiredT, namespace: str) -> Reach:
        """Everything a resource would touch in Infoblox, in the terms grants are written in
        (``ddisync.tenancy``): judged before any WAPI call."""

    @abstractmethod
    def primary(self, desired: DesiredT, intent: Intent) -> Part:
        """The resource's own object."""

    def followers(
        self,
        desired: DesiredT,
        applied: WapiObject,
        intent: Intent,
        *,
        status: Mapping[str, Any],
        created: bool,
    ) -> list[Part]:
        """Objects kept in step with the primary as applied; none by default."""
        return []

    def references(self, spec: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        """Resources of the same namespace this one uses, as (kind, name), from the raw spec
        (possibly invalid): a resource in use is not deleted from under its users."""
        return ()

    def user_keys(self, spec: Mapping[str, Any], name: str) -> tuple[str, ...]:
        """The names other resources' ``references`` use for this one (a Zone: its DNS name,
        which Records name; see ``sync.zone``), from the raw spec; by default its own name."""
        return (name,)

    def drift_types(self, desired: DesiredT, intent: Intent) -> tuple[str, ...]:
        """The object types whose snapshots judge drift: the primary's and its followers'."""
        return (self.primary(desired, intent).objtype,)

    def claimed(self, obj: WapiObject) -> Claimed | None:
        """When ``obj`` (of ours, carrying our marker) is a claim on an object that cannot carry
        markers: that object. Deleting the resource, or an orphaned claim, deletes the claimed
        object first (if the claim says it is ours), then the claim, whatever the deletion
        policy (a claim released would mean nothing). None (the default): not a claim."""
        return None

    @abstractmethod
    def describe(self, obj: WapiObject) -> str:
        """The object in a log line or an Event: "network 10.0.0.0/24", "record <ref>"."""

    @abstractmethod
    def status_fields(self, applied: Mapping[str, WapiObject | None]) -> dict[str, Any]:
        """The kind's own status fields, from each part's object (by ``status_key``)."""

    @abstractmethod
    def synced_message(self, spec: SpecT, primary: WapiObject) -> str:
        """The Ready condition's message once in sync."""

    @abstractmethod
    def deletion_targets(self, spec: Mapping[str, Any], status: Mapping[str, Any]) -> list[Target]:
        """What deleting the resource may touch, from the raw spec (possibly invalid) or the
        status; empty when nothing in Infoblox can be the resource's."""
