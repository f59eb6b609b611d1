"""Keep the reverse (PTR) record of an A/AAAA Record in step (``createPTR``).

The PTR is planned by ``ddisync.reconcile.ptr`` (created, moved with the record's name and
address, deleted when ``createPTR`` goes, re-created when removed out of band) after the record
itself was applied: an allocated address is known only then.

Two things are decided here:

- A missing reverse zone is the usual reason a PTR cannot be created. NIOS says only "A parent
  was not found", so the condition names the reverse name and a zone that would hold it.
- NIOS derives a PTR's ``name`` from its address when the record is created. When the address
  moves, ddisync sends the new reverse name with the new address, so the two never disagree.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Collection
from dataclasses import dataclass

from ddisync.api.conditions import Reason
from ddisync.api.record import RecordType
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import Create, Delete, NoChange, Refuse, Update
from ddisync.reconcile.ptr import PTR_OBJTYPE, desired_ptr, plan_ptr
from ddisync.reconcile.record import RETURN_FIELDS, ActualRecord, DesiredRecord, actual_record
from ddisync.sync.errors import SyncRefused
from ddisync.sync.record_lookup import find_by_identity, find_owned
from ddisync.wapi.client import WapiClient
from ddisync.wapi.errors import NotFoundError, ParentNotFoundError

PTR_FIELDS = RETURN_FIELDS[PTR_OBJTYPE]
PTR_TYPES = frozenset({RecordType.A, RecordType.AAAA})
"""Record types for which ddisync manages a separate PTR (Host: NIOS answers for the host)."""


@dataclass(frozen=True)
class PtrResult:
    ptr: ActualRecord | None  # None: no PTR of ours exists (any more)
    action: str  # "created" | "updated" | "deleted" | "unchanged"


def reverse_zone_hint(address: str) -> str:
    """A reverse zone that would hold ``address``: its /24 (IPv4) or /64 (IPv6)."""
    ip = ipaddress.ip_address(address)
    prefix = 24 if ip.version == 4 else 64
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    labels = network.network_address.reverse_pointer.split(".")
    keep = prefix // (8 if ip.version == 4 else 4)
    zone = ".".join(labels[-2 - keep :])
    return f"{zone} ({network})"


def _missing_zone(wanted: DesiredRecord, error: ParentNotFoundError) -> SyncRefused:
    return SyncRefused(
        Reason.PARENT_NOT_FOUND,
        f"createPTR: no reverse zone in view {wanted.view!r} holds {wanted.name} "
        f"(the PTR for {wanted.address}); create a reverse zone such as "
        f"{reverse_zone_hint(wanted.address or '')}, or set createPTR: false "
        f"(Infoblox: {error.text})",
    )


async def find_ptr(
    client: WapiClient, wanted: DesiredRecord | None, owner: Owner, ref: str | None
) -> ActualRecord | None:
    """The PTR kept for ``owner``: by ref, by marker, else (when one is wanted) by identity."""
    ptr_ref = ref if ref and ref.startswith(f"{PTR_OBJTYPE}/") else None
    found = await find_owned(client, PTR_OBJTYPE, owner, ptr_ref)
    if found is None and wanted is not None:
        found = await find_by_identity(client, wanted)
    return found


async def sync_ptr(
    client: WapiClient,
    record: DesiredRecord,
    applied: ActualRecord,
    owner: Owner,
    *,
    ref: str | None,
    adopt: bool,
    forget: Collection[str] = (),
) -> PtrResult:
    """Bring the PTR of ``record`` (as Infoblox now holds it: ``applied``) in step."""
    wanted = desired_ptr(record, applied)
    actual = await find_ptr(client, wanted, owner, ref)
    action = plan_ptr(wanted, actual, owner, adopt=adopt, forget=forget)
    match action:
        case None:
            return PtrResult(None, "unchanged")
        case NoChange():
            return PtrResult(actual, "unchanged")
        case Create(objtype=objtype, data=data):
            assert wanted is not None
            try:
                created = await client.create(
                    objtype, data, return_fields=PTR_FIELDS, find_existing=owner.search()
                )
            except ParentNotFoundError as error:
                raise _missing_zone(wanted, error) from None
            return PtrResult(actual_record(created), "created")
        case Update(ref=target, data=data):
            assert wanted is not None and actual is not None
            if any(key in data for key in ("ipv4addr", "ipv6addr")) and actual.name != wanted.name:
                data = {**data, "name": wanted.name}
            try:
                updated = await client.update(target, data, return_fields=PTR_FIELDS)
            except ParentNotFoundError as error:
                raise _missing_zone(wanted, error) from None
            return PtrResult(actual_record(updated), "updated")
        case Delete(ref=target):
            with contextlib.suppress(NotFoundError):  # gone already: the wanted state
                await client.delete(target)
            return PtrResult(None, "deleted")
        case Refuse(reason=reason, message=message):
            raise SyncRefused(reason, f"createPTR: {message}")
    raise AssertionError(f"unexpected action {action!r}")
