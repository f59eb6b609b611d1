"""The parts of an NS Record (``ddisync.reconcile.record_ns``): its claim, a ``record:txt``
that carries the ownership markers (the primary: found, deleted, released and scanned for
orphans by marker like any record), and the ``record:ns`` itself, a follower found by status
ref then by identity (``by_marker`` False: NIOS keeps no extensible attributes on it), followed
by the claim marked held.

Status: ``ref`` is the NS record's (what users look for), ``claimRef`` the claim's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.reconcile.record_desired import NS_OBJTYPE, RETURN_FIELDS, DesiredRecord, normal_name
from ddisync.reconcile.record_ns import (
    CLAIM_OBJTYPE,
    NS_FIELDS,
    actual_ns,
    claim_name,
    claims_same,
    names_ns,
    ns_identity,
    plan_claim,
    plan_hold,
    plan_ns,
    read_claim,
)
from ddisync.sync.driver import Claimed, Identity, Intent, Part
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.client import WapiObject
from ddisync.wapi.errors import ParentNotFoundError
from ddisync.wapi.query import objtype_of

CLAIM_KEY = "claimRef"
NS_KEY = "ref"


def claim_part(desired: DesiredRecord, intent: Intent) -> Part:
    def planned(found: WapiObject | None) -> Any:
        return plan_claim(desired, found, intent.owner, adopt=intent.adopt, forget=intent.forget)

    return Part(
        objtype=CLAIM_OBJTYPE,
        status_key=CLAIM_KEY,
        noun="NS claim",
        plan=planned,
        return_fields=RETURN_FIELDS[CLAIM_OBJTYPE],
        ref_types=(CLAIM_OBJTYPE,),
        # Another resource's claim on the same NS record (any state): its markers make the
        # planner refuse (Conflict), so two resources never share one NS record.
        identity=Identity(
            {"name": claim_name(desired.name), "view": desired.view},
            lambda obj: claims_same(desired, obj),
        ),
        explain=lambda error: _explain(desired, error),
    )


def _explain(desired: DesiredRecord, error: Exception) -> Exception:
    """A missing parent zone named: the claim, created first, lies in the delegation's parent."""
    if not isinstance(error, ParentNotFoundError):
        return error
    parent = desired.name.split(".", 1)[1] if "." in desired.name else desired.name
    return SyncRefused(
        Reason.PARENT_NOT_FOUND,
        f"no DNS zone in view {desired.view!r} holds the parent of {desired.name}, where its "
        f"NS record and the claim {claim_name(desired.name)} go: create its zone in Infoblox "
        f"(for instance {parent}), or correct spec.name (Infoblox: {error.text})",
    )


def ns_parts(desired: DesiredRecord, claim_obj: WapiObject, intent: Intent) -> list[Part]:
    """The NS record, then (run only once the NS record is in step) the claim marked held."""
    claim = read_claim(claim_obj)
    identity = Identity(
        ns_identity(desired),
        lambda obj: names_ns(actual_ns(obj), desired.name, desired.nameserver),
    )

    def planned(found: WapiObject | None) -> Any:
        actual = actual_ns(found) if found is not None else None
        return plan_ns(desired, claim, actual, adopt=intent.adopt)

    ns = Part(
        objtype=NS_OBJTYPE,
        status_key=NS_KEY,
        noun="NS record",
        plan=planned,
        return_fields=NS_FIELDS,
        identity=identity,
        by_marker=False,
    )
    hold = Part(
        objtype=CLAIM_OBJTYPE,
        status_key=CLAIM_KEY,
        noun="NS claim",
        plan=lambda _: plan_hold(desired, claim_obj),
        return_fields=RETURN_FIELDS[CLAIM_OBJTYPE],
        known=claim_obj,
    )
    return [ns, hold]


def claimed_ns(obj: WapiObject) -> Claimed | None:
    """The NS record a claim of ours names, if ``obj`` is such a claim (its text, at the name
    a claim of that NS has); its identity only when the claim says it is held."""
    ref = str(obj.get("_ref", ""))
    claim = read_claim(obj) if objtype_of(ref) == CLAIM_OBJTYPE else None
    if claim is None or normal_name(str(obj.get("name", ""))) != claim_name(claim.name):
        return None
    if not claim.held:
        return Claimed(NS_OBJTYPE, None, NS_FIELDS)
    search = {"name": claim.name, "nameserver": claim.nameserver, "view": str(obj.get("view"))}
    identity = Identity(
        search, lambda found: names_ns(actual_ns(found), claim.name, claim.nameserver)
    )
    return Claimed(NS_OBJTYPE, identity, NS_FIELDS)


def ns_status(applied: Mapping[str, WapiObject | None]) -> dict[str, Any]:
    """The status of an NS Record from its claim and NS record (the NS record is missing when
    it was refused: its last ref stays)."""
    claim_obj, ns_obj = applied.get(CLAIM_KEY), applied.get(NS_KEY)
    claim = read_claim(claim_obj) if claim_obj is not None else None
    fields: dict[str, Any] = {
        "claimRef": claim_obj["_ref"] if claim_obj is not None else None,
        "fqdn": claim.name if claim is not None else None,
        "view": claim_obj.get("view") if claim_obj is not None else None,
    }
    if ns_obj is not None:
        actual = actual_ns(ns_obj)
        addresses = ", ".join(sorted(actual.addresses))
        fields |= {
            "ref": actual.ref,
            "fqdn": actual.name,
            "value": f"{actual.nameserver} ({addresses})" if addresses else actual.nameserver,
        }
    return fields
