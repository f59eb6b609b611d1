"""The one applier: carry out a planned ``Action`` against the grid.

Every kind's planner (``ddisync.reconcile``) returns the same ``Action`` union; this module is
the only code that turns one into WAPI calls, for every kind and for every object a resource
manages (a Record's PTR included). Kinds never write to the grid on their own.

A create passes ``find_existing`` (the resource's ownership marker): the client looks for the
object before it re-sends a create that may have reached the grid, so a retry never makes a
duplicate (``ddisync.wapi.resend``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ddisync.reconcile.plan import Action, Create, Delete, NoChange, Refuse, Release, Update
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.client import WapiClient, WapiObject
from ddisync.wapi.errors import NotFoundError
from ddisync.wapi.query import QueryParams


@dataclass(frozen=True)
class Applied:
    """What an action left in Infoblox, and what it did."""

    obj: WapiObject | None  # the object as Infoblox now holds it; None when there is none
    what: str  # created | updated | adopted | unchanged | deleted | released | gone | absent
    changes: tuple[str, ...] = ()  # the fields an update changed

    @property
    def wrote(self) -> bool:
        return self.what not in ("unchanged", "absent", "gone")


async def apply(
    client: WapiClient,
    action: Action | None,
    *,
    actual: WapiObject | None,
    return_fields: Sequence[str] = (),
    find_existing: QueryParams | None = None,
) -> Applied:
    """Carry out ``action`` (``None``: nothing wanted, nothing there); raise ``SyncRefused``
    for a ``Refuse`` and the client's ``WapiError`` when the grid says no."""
    match action:
        case None:
            return Applied(None, "absent")
        case Create(objtype=objtype, data=data):
            created = await client.create(
                objtype, data, return_fields=return_fields, find_existing=find_existing
            )
            return Applied(created, "created")
        case Update(data=data, adopting=True) if not data:
            # Adopted as it is, its ownership recorded elsewhere (an NS record's claim): no call.
            return Applied(actual, "adopted")
        case Update(ref=ref, data=data, changes=changes, adopting=adopting):
            # A rename answers with the object under its new ref.
            updated = await client.update(ref, data, return_fields=return_fields)
            what = "adopted" if adopting else "updated"
            return Applied(updated, what, tuple(change.field for change in changes))
        case NoChange():
            return Applied(actual, "unchanged")
        case Delete(ref=ref):
            try:
                await client.delete(ref)
            except NotFoundError:  # gone already: the wanted state
                return Applied(None, "gone")
            return Applied(None, "deleted")
        case Release(ref=ref, data=data):
            await client.update(ref, data)
            return Applied(None, "released")
        case Refuse(reason=reason, message=message):
            raise SyncRefused(reason, message)
    raise AssertionError(f"unexpected action {action!r}")
