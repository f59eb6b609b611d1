"""Find a ``Network``'s Infoblox object, plan, and apply the plan.

Lookup order, cheapest and most exact first:

1. ``status.ref``: one GET by reference (gone → go on);
2. the ownership marker ``*ddisync-uid=<uid>``: finds what we created even when the status
   was lost, e.g. a crash between the create call and the status patch, so a retry never
   creates a duplicate (an allocated network stays the same, too);
3. the CIDR in the network view: finds an object someone else created (adopt or refuse).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from ddisync.api.meta import DeletionPolicy
from ddisync.reconcile.network import (
    NETWORK_FIELDS,
    ActualNetwork,
    DesiredNetwork,
    actual_network,
    plan_network,
    plan_network_deletion,
)
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import Create, Delete, NoChange, Refuse, Release, Update
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.client import WapiClient
from ddisync.wapi.errors import NotFoundError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncResult:
    """Where the object is now and what this sync did to it."""

    network: ActualNetwork
    action: str  # "created" | "updated" | "adopted" | "unchanged"
    changes: tuple[str, ...] = ()


async def find_network(
    client: WapiClient, desired: DesiredNetwork, owner: Owner, ref: str | None
) -> ActualNetwork | None:
    if ref:
        try:
            return actual_network(await client.get_ref(ref, return_fields=NETWORK_FIELDS))
        except NotFoundError:
            logger.info("%s: %s is gone from Infoblox; looking it up by marker", owner.display, ref)
    view = {"network_view": desired.network_view}
    ours = await client.get(
        desired.objtype, {**owner.search(), **view}, return_fields=NETWORK_FIELDS
    )
    if len(ours) > 1:
        logger.error(
            "%s: %d Infoblox networks carry this resource's marker; using the first",
            owner.display, len(ours),
        )  # fmt: skip
    if ours:
        return actual_network(ours[0])
    if desired.cidr is None:
        return None
    existing = await client.get(
        desired.objtype, {"network": desired.cidr, **view}, return_fields=NETWORK_FIELDS
    )
    return actual_network(existing[0]) if existing else None


async def sync_network(
    client: WapiClient,
    desired: DesiredNetwork,
    owner: Owner,
    *,
    ref: str | None,
    adopt: bool,
    forget: Collection[str] = (),
) -> SyncResult:
    """Make Infoblox match ``desired``; raise ``SyncRefused`` or a ``WapiError`` otherwise."""
    actual = await find_network(client, desired, owner, ref)
    action = plan_network(desired, actual, owner, adopt=adopt, forget=forget)
    match action:
        case Create(objtype=objtype, data=data):
            created = await client.create(
                objtype,
                data,
                return_fields=NETWORK_FIELDS,
                # How a create that may have reached the grid is recognised on retry.
                find_existing={**owner.search(), "network_view": desired.network_view},
            )
            return SyncResult(actual_network(created), "created")
        case Update(ref=target, data=data, changes=changes, adopting=adopting):
            updated = await client.update(target, data, return_fields=NETWORK_FIELDS)
            return SyncResult(
                actual_network(updated),
                "adopted" if adopting else "updated",
                tuple(change.field for change in changes),
            )
        case NoChange():
            assert actual is not None
            return SyncResult(actual, "unchanged")
        case Refuse(reason=reason, message=message):
            raise SyncRefused(reason, message)
    raise AssertionError(f"unexpected action {action!r}")


async def delete_network(
    client: WapiClient,
    desired: DesiredNetwork,
    owner: Owner,
    *,
    ref: str | None,
    policy: DeletionPolicy,
) -> str:
    """Delete (or release) the resource's network; say what happened, for the log."""
    actual = await find_network(client, desired, owner, ref)
    action = plan_network_deletion(actual, owner, policy)
    match action:
        case None:
            return "nothing of ours in Infoblox to delete"
        case Delete(ref=target):
            try:
                await client.delete(target)
            except NotFoundError:
                return "already gone from Infoblox"
            return f"deleted {target}"
        case Release(ref=target, data=data):
            await client.update(target, data)
            return f"kept {target} in Infoblox (deletionPolicy Retain) and removed our markers"
    raise AssertionError(f"unexpected action {action!r}")
