"""The reverse (PTR) record ``createPTR`` asks for: planned as its own owned object.

NIOS has no "also create the PTR" flag on ``record:a``/``record:aaaa``, so ddisync manages a
separate ``record:ptr`` (``ptrdname`` = the record's name, ``ipv4addr``/``ipv6addr`` = its
address, same view, TTL, comment and extensible attributes) carrying the same three ownership
markers as the record. The grid defines only those three marker EAs; the PTR is told apart
from the record by its object type, so the sync layer finds it with
``record:ptr?*ddisync-uid=<uid>``.

A ``Host`` gets no separate PTR: NIOS answers reverse queries for a host record itself
(``configure_for_dns``) whenever a reverse zone for its address exists, and a second
``record:ptr`` would only duplicate that answer.

Decision table of ``plan_ptr`` (the record is planned and applied first: an allocated address
is known only after the create call):

===========================  ===================  ===========================================
PTR wanted (createPTR)       PTR found (marker)   action
===========================  ===================  ===========================================
no                           no / not ours        nothing (None)
no                           ours                 Delete
yes                          -                    ``plan_record``'s table: Create when missing
                                                  (also when removed out of band: repaired),
                                                  Update when the record's name or address
                                                  moved, NoChange when in step
===========================  ===================  ===========================================

When the resource is deleted, the PTR goes with the record: ``plan_ptr_deletion``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from ddisync.api.meta import DeletionPolicy
from ddisync.api.record import RecordType
from ddisync.reconcile.ownership import Owner, Ownership, classify
from ddisync.reconcile.plan import Action, Delete, Update
from ddisync.reconcile.record import plan_record, plan_record_deletion
from ddisync.reconcile.record_desired import (
    OBJTYPES,
    ActualRecord,
    DesiredRecord,
    reverse_name,
)

__all__ = ["desired_ptr", "plan_ptr", "plan_ptr_deletion", "reverse_name"]

PTR_OBJTYPE = OBJTYPES[RecordType.PTR]


def desired_ptr(record: DesiredRecord, applied: ActualRecord) -> DesiredRecord | None:
    """The PTR for ``record`` as Infoblox now holds it (``applied``: after its create or
    update), or ``None`` when no separate PTR is wanted.
    """
    if not record.create_ptr or record.type not in (RecordType.A, RecordType.AAAA):
        return None
    address = applied.address
    if address is None:
        return None
    return DesiredRecord(
        type=RecordType.PTR,
        objtype=PTR_OBJTYPE,
        name=reverse_name(address),
        view=record.view,
        address=address,
        ptrdname=applied.name or record.name,
        ttl=record.ttl,
        comment=record.comment,
        extattrs=dict(record.extattrs),
    )


def plan_ptr(
    desired: DesiredRecord | None,
    actual: ActualRecord | None,
    owner: Owner,
    *,
    adopt: bool,
    forget: Collection[str] = (),
) -> Action | None:
    """The one action for the managed PTR (see the module's table); ``None``: nothing to do."""
    if desired is None:
        if actual is not None and classify(actual.extattrs, owner) is Ownership.OURS:
            return Delete(actual.ref)
        return None
    action = plan_record(desired, actual, owner, adopt=adopt, forget=forget)
    moved = isinstance(action, Update) and any(key in action.data for key in _ADDRESS_KEYS)
    if moved and actual is not None and actual.name != desired.name:
        # NIOS derives a PTR's name from its address only on create: a moved address is sent
        # with its new reverse name, so the two never disagree.
        assert isinstance(action, Update)
        return replace(action, data={**action.data, "name": desired.name})
    return action


_ADDRESS_KEYS = ("ipv4addr", "ipv6addr")


def plan_ptr_deletion(
    actual: ActualRecord | None, owner: Owner, policy: DeletionPolicy
) -> Action | None:
    """Deleting the resource: the PTR follows the record's deletion policy."""
    return plan_record_deletion(actual, owner, policy)
