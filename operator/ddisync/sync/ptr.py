"""The reverse (PTR) record of an A/AAAA Record (``createPTR``): a follower ``Part``.

The PTR is planned by ``ddisync.reconcile.ptr`` (created, moved with the record's name and
address, deleted when ``createPTR`` goes, re-created when removed out of band) after the record
itself was applied: an allocated address is known only then.

A missing reverse zone is the usual reason a PTR cannot be created. NIOS says only "A parent
was not found", so the condition names the reverse name and a zone that would hold it.
"""

from __future__ import annotations

import ipaddress

from ddisync.api.conditions import Reason
from ddisync.api.record import RecordType
from ddisync.reconcile.ptr import PTR_OBJTYPE, desired_ptr, plan_ptr
from ddisync.reconcile.record import (
    RETURN_FIELDS,
    ActualRecord,
    DesiredRecord,
    actual_record,
    identity_search,
    same_identity,
)
from ddisync.sync.driver import Identity, Intent, Part, part_planner
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.errors import ParentNotFoundError

PTR_FIELDS = RETURN_FIELDS[PTR_OBJTYPE]
PTR_TYPES = frozenset({RecordType.A, RecordType.AAAA})
"""Record types for which ddisync manages a separate PTR (Host: NIOS answers for the host)."""


def reverse_zone_hint(address: str) -> str:
    """A reverse zone that would hold ``address``: its /24 (IPv4) or /64 (IPv6)."""
    ip = ipaddress.ip_address(address)
    prefix = 24 if ip.version == 4 else 64
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    labels = network.network_address.reverse_pointer.split(".")
    keep = prefix // (8 if ip.version == 4 else 4)
    zone = ".".join(labels[-2 - keep :])
    return f"{zone} ({network})"


def record_identity(desired: DesiredRecord) -> Identity | None:
    """How to find a record (or PTR) someone else made that *is* ``desired``."""
    search = identity_search(desired)
    if search is None:
        return None
    return Identity(search, lambda obj: same_identity(desired, actual_record(obj)))


def _explain(wanted: DesiredRecord | None, error: Exception) -> Exception:
    if isinstance(error, SyncRefused):
        return SyncRefused(error.reason, f"createPTR: {error.message}")
    if isinstance(error, ParentNotFoundError) and wanted is not None:
        return SyncRefused(
            Reason.PARENT_NOT_FOUND,
            f"createPTR: no reverse zone in view {wanted.view!r} holds {wanted.name} "
            f"(the PTR for {wanted.address}); create a reverse zone such as "
            f"{reverse_zone_hint(wanted.address or '')}, or set createPTR: false "
            f"(Infoblox: {error.text})",
        )
    return error


def no_ptr_possible(desired: DesiredRecord, ptr_ref: str | None, created: bool) -> bool:
    """Whether looking for a PTR of ours can be skipped (one WAPI call per new record).

    A PTR is only ever created after its record, with createPTR on, and its ref then goes into
    status.ptrRef. So a record created just now, with createPTR off and no ptrRef, has none.
    (Should a PTR still exist, e.g. its record deleted out of band after a status loss, the
    drift check sees it in the PTR snapshot and reconciles with the full lookup.)
    """
    return not desired.create_ptr and ptr_ref is None and created


def ptr_part(record: DesiredRecord, applied: ActualRecord, intent: Intent) -> Part:
    """The PTR of ``record`` as Infoblox now holds it (``applied``)."""
    wanted = desired_ptr(record, applied)

    return Part(
        objtype=PTR_OBJTYPE,
        status_key="ptrRef",
        noun="PTR",
        plan=part_planner(plan_ptr, actual_record, wanted, intent),
        return_fields=PTR_FIELDS,
        identity=record_identity(wanted) if wanted is not None else None,
        explain=lambda error: _explain(wanted, error),
    )
