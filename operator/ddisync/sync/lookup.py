"""Find the Infoblox object of one ``Part`` (``driver.py``), the same way for every kind.

Lookup order, cheapest and most exact first:

1. the ref from the status: one GET (gone → go on). A ref of another of the kind's object
   types is returned as it is, so that the planner can refuse a changed ``type``;
2. the ownership marker ``*ddisync-uid=<uid>`` (within the part's ``scope``, e.g. the network
   view): finds what ddisync created even when the status was lost, e.g. after a crash
   between the create call and the status patch, so a retry never creates a duplicate and an
   allocated network or address is kept; then the same among the types it may have become
   (``also_owned_as``: a network NIOS turned into a container), for the planner to report;
3. the part's ``identity`` (a network by CIDR, a record by name and value): finds an object
   someone else created, to adopt or refuse.

A part that cannot carry markers (``Part.by_marker`` False: an NS record) skips step 2: its
ownership is not on the object, so the planner decides it (from the claim, ``record_ns``).

A resource with no ref in its status (a cold start, a lost status) reads the owned snapshot of
the object type in step 2 (``OwnedLookup``: the drift sweep's, shared through
``ddisync.cache``): a cold start of N resources reads ``ceil(N / page size)`` pages per type
instead of making N GETs. What the snapshot cannot judge (a type the kind does not own, a scope
field it does not hold) is searched as before. A ref in the status is still read fresh, by ref
(an edit decides its write from what Infoblox holds now, not from a snapshot up to a resync
interval old), and every read and search that remains goes through the client's coalescing
(``WapiClient.get_ref``, ``find``): a restart of N resources with refs makes N/100 requests.

Why absence in a snapshot is as safe as absence in a fresh marker search (no duplicate after a
crash): a snapshot taken *before* a create cannot prove that create did not happen, so only a
snapshot whose paged read began after every create that may carry the uid is used to decide
"not there, create it". Who can have made an object carrying a resource's uid marker:

* this process: every write goes through its grid's ``TrackingClient``, which puts the answer
  into the snapshot before the caller sees it, and marks the snapshot stale on any write whose
  outcome is unknown (a timeout, a 5xx, a failed batch), so that the next lookup reads pages
  begun *after* the failure. A create still queued inside the Grid Master after the client gave
  up on it is the one case neither this nor a fresh GET by marker can see; that is unchanged,
  and the re-send of a create that may have landed still searches by marker first
  (``wapi.resend``, ``wapi.coalesce``);
* a process before this one (a crash between a create and its status patch, a restart, a
  replaced leader): its creates were sent before this process started, and only snapshots read
  after the start of this process's store (``SnapshotStore.started_at``) are used — never a
  Redis copy read earlier, by that very process perhaps, before its last creates;
* another replica: shards own disjoint resources, and a standby does not reconcile until it
  leads (a standby's store must be opened, or its ``started_at`` moved, when it takes over).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ddisync.cache.store import SnapshotStore
from ddisync.reconcile.ownership import Owner
from ddisync.sync.driver import Identity, Part
from ddisync.wapi.client import WapiClient, WapiObject
from ddisync.wapi.errors import NotFoundError
from ddisync.wapi.query import QueryParams, objtype_of

logger = logging.getLogger(__name__)

#: The return fields of a known object type; None for a type the kind does not own.
FieldsOf = Callable[[str], Sequence[str] | None]


@dataclass(frozen=True)
class OwnedLookup:
    """The owned snapshots that steps 1 and 2 read first (see the module docstring)."""

    store: SnapshotStore
    max_age: float  # seconds: the drift sweep's, so that both share one paged read

    async def by_uid(
        self, client: WapiClient, objtype: str, fields: Sequence[str]
    ) -> Mapping[str, WapiObject]:
        """Owner uid → object, from a paged read begun after the store started."""
        since_start = self.store.now() - self.store.started_at
        max_age = max(0.0, min(self.max_age, since_start))
        snapshot = await self.store.read(client, objtype, fields, max_age=max_age)
        return snapshot.objects


def _in_scope(obj: WapiObject, scope: QueryParams) -> bool | None:
    """Whether ``obj`` lies in ``scope`` (exact values); None when it lacks a field to tell."""
    for key, value in scope.items():
        if key not in obj:
            return None
        if str(obj[key]) != str(value):
            return False
    return True


async def _from_snapshot(
    owned: OwnedLookup,
    client: WapiClient,
    objtype: str,
    owner: Owner,
    fields: Sequence[str],
    scope: QueryParams,
) -> tuple[bool, WapiObject | None]:
    """(decided, object): what the snapshot says of ``owner``'s object of ``objtype``;
    ``decided`` False when it cannot tell and a WAPI lookup must."""
    if "extattrs" not in fields:
        return False, None  # a snapshot keys objects by their marker: without it, it is blind
    obj = (await owned.by_uid(client, objtype, fields)).get(owner.uid)
    if obj is None:
        return True, None  # absent from a snapshot read after the store started: not there
    in_scope = _in_scope(obj, scope)
    if in_scope is None:
        return False, None
    return True, obj if in_scope else None


async def find_owned(
    client: WapiClient,
    objtype: str,
    owner: Owner,
    ref: str | None,
    fields_of: FieldsOf,
    scope: QueryParams | None = None,
    owned: OwnedLookup | None = None,
) -> WapiObject | None:
    """Steps 1 and 2: the object ddisync made for ``owner`` (by ref, then by marker), read
    from the owned snapshot when ``owned`` is given and it can tell."""
    ref_fields = fields_of(objtype_of(ref)) if ref else None
    fields = fields_of(objtype)
    if owned is not None and fields is not None and not ref:
        decided, obj = await _from_snapshot(owned, client, objtype, owner, fields, scope or {})
        if decided:
            return obj
    if ref and ref_fields is not None:
        found = await _by_ref(client, ref, ref_fields, owner, "marker")
        if found is not None:
            return found
    search = {**owner.search(), **(scope or {})}
    ours = await client.find(objtype, search, return_fields=fields)
    if len(ours) > 1:
        logger.error(
            "%s: %d Infoblox %s objects carry this resource's marker; using the first",
            owner.display, len(ours), objtype,
        )  # fmt: skip
    return ours[0] if ours else None


async def _by_ref(
    client: WapiClient, ref: str, fields: Sequence[str], owner: Owner, next_step: str
) -> WapiObject | None:
    """Step 1: the object of the status ref; None (logged) when it is gone from Infoblox."""
    try:
        return await client.get_ref(ref, return_fields=fields)
    except NotFoundError:
        logger.info(
            "%s: %s is gone from Infoblox; looking it up by %s", owner.display, ref, next_step
        )
        return None


async def find_by_identity(
    client: WapiClient, objtype: str, identity: Identity, return_fields: Sequence[str]
) -> WapiObject | None:
    """Step 3: an existing object that *is* the desired one, whoever made it."""
    found = await client.find(objtype, identity.search, return_fields=return_fields)
    return next((obj for obj in found if identity.matches(obj)), None)


async def _find_unmarked(
    client: WapiClient, part: Part, owner: Owner, ref: str | None
) -> WapiObject | None:
    """An object that cannot carry markers: by its ref in the status (of the part's type),
    then by identity; never by marker (WAPI cannot search extensible attributes it lacks)."""
    if ref and objtype_of(ref) == part.objtype:
        found = await _by_ref(client, ref, part.return_fields, owner, "identity")
        if found is not None:
            return found
    if part.identity is None:
        return None
    return await find_by_identity(client, part.objtype, part.identity, part.return_fields)


def part_fields(part: Part, fields: FieldsOf) -> FieldsOf:
    """The return fields for the object types a ref of ``part`` may have (``ref_types``)."""
    accepted = part.ref_types or (part.objtype,)
    return lambda objtype: fields(objtype) if objtype in accepted else None


async def find(
    client: WapiClient,
    part: Part,
    owner: Owner,
    ref: str | None,
    fields: FieldsOf,
    owned: OwnedLookup | None = None,
) -> WapiObject | None:
    """The object of ``part``: steps 1 to 3 (``fields``: the kind's return fields by type;
    ``owned``: the owned snapshots to read first)."""
    if not part.by_marker:
        return await _find_unmarked(client, part, owner, ref)
    fields_of = part_fields(part, fields)
    found = await find_owned(client, part.objtype, owner, ref, fields_of, part.scope, owned)
    for objtype in part.also_owned_as:
        if found is None:
            found = await find_owned(client, objtype, owner, None, fields, part.scope, owned)
    if found is None and part.identity is not None:
        found = await find_by_identity(client, part.objtype, part.identity, part.return_fields)
    return found
