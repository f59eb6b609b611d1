"""Find a ``Record``'s Infoblox objects, plan, and apply the plan (the record, then its PTR).

The record is found as ``ddisync.sync.record_lookup`` says (status ref, ownership marker,
identity). It is applied first; the PTR kept for ``createPTR`` (``ddisync.sync.ptr``) second,
because an allocated address is known only after the create call. Allocation happens inside
that call (``func:nextavailableip``), and a record found by its marker keeps the address it
got, so restarts and a lost status never allocate twice.

A failure of the PTR does not hide what happened to the record: ``RecordSyncResult`` carries
the record as applied and the PTR's error, so the status can show both.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ddisync.api.meta import DeletionPolicy
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import Action, Create, Delete, NoChange, Refuse, Release, Update
from ddisync.reconcile.ptr import plan_ptr_deletion
from ddisync.reconcile.record import (
    RETURN_FIELDS,
    ActualRecord,
    DesiredRecord,
    actual_record,
    plan_record,
    plan_record_deletion,
)
from ddisync.sync.errors import SyncRefused
from ddisync.sync.ptr import PTR_TYPES, PtrResult, find_ptr, sync_ptr
from ddisync.sync.record_lookup import find_by_identity, find_owned
from ddisync.wapi.client import WapiClient
from ddisync.wapi.errors import NotFoundError

__all__ = ["RecordSyncResult", "delete_record", "find_record", "sync_record"]


@dataclass(frozen=True)
class RecordSyncResult:
    """Where the record is now, what this sync did to it, and how its PTR fared."""

    record: ActualRecord
    action: str  # "created" | "updated" | "adopted" | "unchanged"
    changes: tuple[str, ...] = ()
    ptr: PtrResult | None = None  # None: not an A/AAAA record, or the PTR failed
    ptr_error: Exception | None = None


async def find_record(
    client: WapiClient, desired: DesiredRecord, owner: Owner, ref: str | None
) -> ActualRecord | None:
    """The Infoblox record for ``desired``: by ref, by ownership marker, then by identity."""
    found = await find_owned(client, desired.objtype, owner, ref)
    if found is None:
        found = await find_by_identity(client, desired)
    return found


async def _apply(
    client: WapiClient, action: Action, actual: ActualRecord | None, owner: Owner
) -> tuple[ActualRecord, str, tuple[str, ...]]:
    match action:
        case Create(objtype=objtype, data=data):
            created = await client.create(
                objtype,
                data,
                return_fields=RETURN_FIELDS[objtype],
                # How a create that may have reached the grid is recognised on retry.
                find_existing=owner.search(),
            )
            return actual_record(created), "created", ()
        case Update(ref=target, data=data, changes=changes, adopting=adopting):
            assert actual is not None  # an update is planned for the record found: actual.ref
            # A rename answers with the object under its new ref.
            fields = RETURN_FIELDS[actual.objtype]
            updated = await client.update(target, data, return_fields=fields)
            what = "adopted" if adopting else "updated"
            return actual_record(updated), what, tuple(change.field for change in changes)
        case NoChange():
            assert actual is not None
            return actual, "unchanged", ()
        case Refuse(reason=reason, message=message):
            raise SyncRefused(reason, message)
    raise AssertionError(f"unexpected action {action!r}")


def _no_ptr_possible(desired: DesiredRecord, ptr_ref: str | None, what: str) -> bool:
    """Whether looking for a PTR of ours can be skipped (one WAPI call per new record).

    A PTR is only ever created after its record, with createPTR on, and its ref then goes into
    status.ptrRef. So a record created just now, with createPTR off and no ptrRef, has none.
    (Should a PTR still exist, e.g. its record deleted out of band after a status loss, the
    drift check sees it in the PTR snapshot and reconciles with the full lookup.)
    """
    return not desired.create_ptr and ptr_ref is None and what == "created"


async def sync_record(
    client: WapiClient,
    desired: DesiredRecord,
    owner: Owner,
    *,
    ref: str | None,
    ptr_ref: str | None = None,
    adopt: bool,
    forget: Collection[str] = (),
) -> RecordSyncResult:
    """Make Infoblox match ``desired``; raise ``SyncRefused`` or a ``WapiError`` when the
    record itself cannot be brought in step (PTR failures are in the result)."""
    actual = await find_record(client, desired, owner, ref)
    action = plan_record(desired, actual, owner, adopt=adopt, forget=forget)
    record, what, changes = await _apply(client, action, actual, owner)
    if desired.type not in PTR_TYPES or _no_ptr_possible(desired, ptr_ref, what):
        return RecordSyncResult(record, what, changes)
    try:
        ptr = await sync_ptr(
            client, desired, record, owner, ref=ptr_ref, adopt=adopt, forget=forget
        )
    except Exception as error:  # reported with the record's state; bugs re-raised upstream
        return RecordSyncResult(record, what, changes, ptr_error=error)
    return RecordSyncResult(record, what, changes, ptr=ptr)


async def _delete(client: WapiClient, action: Action | None) -> str | None:
    match action:
        case None:
            return None
        case Delete(ref=target):
            try:
                await client.delete(target)
            except NotFoundError:
                return f"{target} already gone"
            return f"deleted {target}"
        case Release(ref=target, data=data):
            await client.update(target, data)
            return f"kept {target} (deletionPolicy Retain) and removed our markers"
    raise AssertionError(f"unexpected action {action!r}")


async def delete_record(
    client: WapiClient,
    objtype: str,
    owner: Owner,
    *,
    ref: str | None,
    ptr_ref: str | None,
    policy: DeletionPolicy,
    with_ptr: bool,
) -> str:
    """Delete (or release) the resource's record and its PTR; say what happened, for the log.

    Only objects carrying this resource's marker are touched (``plan_record_deletion``), so
    the lookup needs no spec: a resource with an invalid spec can still be deleted.
    """
    done: list[str] = []
    if with_ptr:
        ptr = await find_ptr(client, None, owner, ptr_ref)
        done.append(await _delete(client, plan_ptr_deletion(ptr, owner, policy)) or "")
    record = await find_owned(client, objtype, owner, ref)
    done.append(await _delete(client, plan_record_deletion(record, owner, policy)) or "")
    said = "; ".join(part for part in done if part)
    return said or "nothing of ours in Infoblox to delete"
