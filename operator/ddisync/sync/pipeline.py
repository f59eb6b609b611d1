"""The one pipeline every kind goes through: find → plan (pure) → apply, per ``Part``.

``sync`` brings a resource's objects in step (the primary, then its followers), ``drift``
judges them against the owned snapshots without a WAPI call, ``delete`` deletes or releases
what the resource owns. Each takes the kind's ``Driver`` (``driver.py``); nothing here knows
a kind. The handlers (``ddisync.handlers``) parse the body, call these, and write the status.

A follower's failure (a PTR whose reverse zone is missing) does not hide what happened to the
primary: ``Synced`` carries both, so the status can show the record and why its PTR failed.

Objects that cannot carry ownership markers (NIOS's NS records) take two small, generic
extensions, so that nothing here knows a kind:

- a ``Part`` with ``by_marker`` False is found by status ref and identity only, and ``drift``
  cannot judge it from the snapshots (keyed by marker uid): the verdict says so (``unknown``)
  and the sweep rechecks the resource through ``sync``, which reads fresh;
- on ``delete``, an object of ours that ``Driver.claimed`` says is a claim leads to the object
  it claims: that object is deleted first (``Delete``; kept with ``Retain``) when the claim
  says it is ours, and the claim itself is deleted under either policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ddisync.api.meta import DeletionPolicy
from ddisync.reconcile.changes import deletion
from ddisync.reconcile.ownership import Owner, ea_values
from ddisync.reconcile.plan import Delete, NoChange
from ddisync.sync.apply import Applied, apply
from ddisync.sync.driver import Claimed, Driver, Intent, Part, Target
from ddisync.sync.lookup import FieldsOf, OwnedLookup, find, find_by_identity, find_owned
from ddisync.wapi.client import WapiClient, WapiObject

__all__ = ["Drift", "Synced", "delete", "delete_claimed", "drift", "sync"]


@dataclass(frozen=True)
class Synced:
    """What one sync did: the primary, each follower that ran, a follower's failure."""

    primary: Applied
    primary_key: str
    followers: tuple[tuple[Part, Applied], ...] = ()
    follower_error: Exception | None = None

    @property
    def objects(self) -> dict[str, WapiObject | None]:
        """Each part's object by its status key (``Driver.status_fields``)."""
        found = {part.status_key: applied.obj for part, applied in self.followers}
        return {self.primary_key: self.primary.obj, **found}


def _fields(driver: Driver[Any, Any]) -> FieldsOf:
    """The kind's return fields by object type; None for a type it does not own."""
    return lambda objtype: driver.return_fields(objtype) if objtype in driver.objtypes else None


async def _sync_part(
    client: WapiClient,
    driver: Driver[Any, Any],
    part: Part,
    owner: Owner,
    ref: str | None,
    owned: OwnedLookup | None,
) -> Applied:
    actual = part.known
    if actual is None and part.look_up:
        actual = await find(client, part, owner, ref, _fields(driver), owned)
    action = part.plan(actual)
    try:
        return await apply(
            client,
            action,
            actual=actual,
            return_fields=part.return_fields,
            # How a create that may have reached the grid is recognised on retry. An object
            # without markers has no such search: the client then never repeats a create that
            # may have landed, and the next sync finds it by identity (its planner decides).
            find_existing={**owner.search(), **part.scope} if part.by_marker else None,
        )
    except Exception as error:
        explained = part.explain(error)
        if explained is error:
            raise
        raise explained from None


async def sync(
    client: WapiClient,
    driver: Driver[Any, Any],
    desired: Any,
    intent: Intent,
    status: Mapping[str, Any],
    owned: OwnedLookup | None = None,
) -> Synced:
    """Make Infoblox match ``desired``; raise ``SyncRefused`` or a ``WapiError`` when the
    primary cannot be brought in step (a follower's failure is in the result). ``owned``: the
    owned snapshots the lookups read first (``lookup.py``)."""
    primary = driver.primary(desired, intent)
    key = primary.status_key
    applied = await _sync_part(client, driver, primary, intent.owner, status.get(key), owned)
    assert applied.obj is not None  # a primary is always wanted: created, found or refused
    done: list[tuple[Part, Applied]] = []
    followers = driver.followers(
        desired, applied.obj, intent, status=status, created=applied.what == "created"
    )
    for part in followers:
        try:
            ref = status.get(part.status_key)
            applied_part = await _sync_part(client, driver, part, intent.owner, ref, owned)
            done.append((part, applied_part))
        except Exception as error:  # reported with the primary's state; bugs re-raised upstream
            return Synced(applied, key, tuple(done), follower_error=error)
    return Synced(applied, key, tuple(done))


@dataclass(frozen=True)
class Drift:
    """What drifted (None: in step), and the object types the judgement used."""

    what: str | None
    used: tuple[str, ...]
    ref: str | None = None  # the object that drifted, if it is there at all
    # A part the snapshots cannot judge (``Part.by_marker`` False): only ``sync`` can tell.
    unknown: str | None = None


def drift(
    driver: Driver[Any, Any],
    desired: Any,
    intent: Intent,
    owned: Mapping[str, Mapping[str, WapiObject]],
) -> Drift:
    """Judge a resource against the owned snapshots (object type → uid → object). Pure: any
    difference is repaired by ``sync``, which reads fresh before it writes."""
    uid = intent.owner.uid
    primary = driver.primary(desired, intent)
    found = owned.get(primary.objtype, {}).get(uid)
    action = primary.plan(found)
    if not isinstance(action, NoChange) or found is None:
        ref = str(found["_ref"]) if found is not None else None
        return Drift(f"{primary.noun}: {type(action).__name__}", (primary.objtype,), ref)
    used = [primary.objtype]
    for part in driver.followers(desired, found, intent, status={}, created=False):
        if not part.by_marker:  # keyed by marker uid, the snapshots cannot hold it
            return Drift(None, tuple(used), unknown=f"its {part.noun}")
        used.append(part.objtype)
        theirs = owned.get(part.objtype, {}).get(uid)
        follower = part.plan(theirs)
        if follower is not None and not isinstance(follower, NoChange):
            ref = str(theirs["_ref"]) if theirs is not None else None
            what = f"its {part.noun}: {type(follower).__name__}"
            return Drift(what, tuple(used), ref)
    return Drift(None, tuple(used))


async def delete(
    client: WapiClient,
    driver: Driver[Any, Any],
    targets: Sequence[Target],
    owner: Owner,
    policy: DeletionPolicy,
) -> str:
    """Delete (or release) what ``owner`` owns among ``targets``; say what happened (for the
    log). Only objects carrying the resource's marker are touched, whatever the policy, and
    objects that cannot carry one only through a claim that does (``Driver.claimed``)."""
    done: list[str] = []
    for target in targets:
        obj = await find_owned(
            client, target.objtype, owner, target.ref, _fields(driver), target.scope
        )
        action = None
        if obj is not None:
            action = deletion(str(obj["_ref"]), ea_values(obj.get("extattrs")), owner, policy)
        claimed = driver.claimed(obj) if obj is not None and action is not None else None
        if obj is not None and claimed is not None:
            done.append(await delete_claimed(client, claimed, policy))
            action = Delete(str(obj["_ref"]))  # the claim: released, it would mean nothing
        applied = await apply(client, action, actual=obj)
        ref = obj["_ref"] if obj is not None else None
        match applied.what:
            case "deleted":
                done.append(f"deleted {ref}")
            case "gone":
                done.append(f"{ref} already gone")
            case "released":
                done.append(f"kept {ref} (deletionPolicy Retain) and removed our markers")
    return "; ".join(done) or "nothing of ours in Infoblox to delete"


async def delete_claimed(client: WapiClient, claimed: Claimed, policy: DeletionPolicy) -> str:
    """The object a claim of ours says is ours: deleted (``Delete``) or kept (``Retain``);
    an object the claim does not name as held is never touched."""
    if claimed.identity is None:
        return f"no {claimed.objtype} is known to be ours (its claim is not held); none deleted"
    if policy is DeletionPolicy.RETAIN:  # nothing to do on it: no read either
        return f"kept the {claimed.objtype} (deletionPolicy Retain)"
    found = await find_by_identity(client, claimed.objtype, claimed.identity, claimed.return_fields)
    if found is None:
        return f"the {claimed.objtype} is already gone"
    ref = str(found["_ref"])
    applied = await apply(client, Delete(ref), actual=found)
    return f"deleted {ref}" if applied.what == "deleted" else f"{ref} already gone"
