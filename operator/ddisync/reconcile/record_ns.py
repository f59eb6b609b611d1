"""Planning for an NS Record: the ``record:ns`` itself, and the claim that says it is ours.

NIOS keeps no extensible attributes on ``record:ns``, so an NS record cannot carry ddisync's
ownership markers (``ownership.py``). Ownership goes into a companion **claim** instead (the
idea of external-dns's TXT registry): a ``record:txt`` that carries the markers like any record
ddisync owns, and whose text names the NS record and a state::

    _ddisync-ns-sub.example.org  TXT  "ddisync ns claim: name=sub.example.org
                                       nameserver=ns1.example.net state=held"

The claim lies beside the delegated name, one label in its parent (a name under the
delegation would be occluded by it); a first label too long for the prefix is replaced by a
hash. Several NS Records of one delegation (one per name server) share the claim's name, each
with its own text. The NS record is ours **iff its claim says** ``state=held``: the claim is
created ``pending``, the NS record next, and the claim turns ``held`` only once the NS record is
known to be the one ddisync created or adopted. A crash between those steps leaves the claim
pending and an NS record that cannot be told from someone else's: it is then refused
(``NotOwned``) until ``adopt: true``, never taken over silently.

Decision table of ``plan_claim`` (the Record's primary object; first matching row wins):

==================  ==============================================  ===========================
claim found         condition                                       action
==================  ==============================================  ===========================
no                  -                                               Create (markers, pending)
yes                 not a claim (spec.type changed), another view   Refuse ImmutableField
yes                 claims another name or nameserver               Refuse ImmutableField
yes                 FOREIGN markers (another resource)              Refuse Conflict
yes                 no markers, adopt false                         Refuse NotOwned
yes                 no markers, adopt true                          Update (adopting): markers
yes                 ours                                            NoChange (its state moves
                                                                    only with the NS record)
==================  ==============================================  ===========================

Decision table of ``plan_ns`` (after the claim, with the claim as applied):

==================  ==============================================  ===========================
NS record found     condition                                       action
==================  ==============================================  ===========================
no                  -                                               Create (no automatic PTRs)
yes                 another type, view, name or nameserver          Refuse ImmutableField
yes                 claim held, addresses differ                    Update addresses
yes                 claim held, addresses equal                     NoChange
yes                 claim pending, adopt true                       Update (adopting): addresses
                                                                    if they differ, else none
yes                 claim pending, adopt false                      Refuse NotOwned
==================  ==============================================  ===========================

``plan_hold`` then marks the claim ``held`` (NoChange when it is). Addresses are compared as a
set of canonical addresses; every address is sent with ``auto_create_ptr: false``: a PTR NIOS
made on its own could land in a reverse zone the team was not granted.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.api.record_rules import CLAIM_PREFIX
from ddisync.reconcile.changes import change_existing
from ddisync.reconcile.ownership import Owner, ea_values, ea_wire
from ddisync.reconcile.plan import Action, Create, FieldChange, NoChange, Refuse, Update
from ddisync.reconcile.record_desired import (
    NS_OBJTYPE,
    DesiredRecord,
    normal_address,
    normal_name,
)
from ddisync.reconcile.record_txt import decode_txt, encode_txt

CLAIM_OBJTYPE = "record:txt"
NS_FIELDS = ("name", "nameserver", "addresses", "view", "creator")

PENDING, HELD = "pending", "held"
_CLAIM_TEXT = re.compile(r"ddisync ns claim: name=(\S+) nameserver=(\S+) state=(pending|held)")
_MAX_LABEL = 63


@dataclass(frozen=True)
class Claim:
    """What a claim's text says: which NS record, and whether it is ours yet."""

    name: str
    nameserver: str
    state: str

    @property
    def text(self) -> str:
        return f"ddisync ns claim: name={self.name} nameserver={self.nameserver} state={self.state}"

    @property
    def held(self) -> bool:
        return self.state == HELD


@dataclass(frozen=True)
class ActualNS:
    ref: str
    objtype: str
    name: str
    nameserver: str
    view: str
    addresses: frozenset[str]
    creator: str | None = None


def claim_name(name: str) -> str:
    """The claim's name for the delegated ``name``: one label beside it, in its parent."""
    first, _, rest = normal_name(name).partition(".")
    label = CLAIM_PREFIX + first
    if len(label) > _MAX_LABEL:
        label = CLAIM_PREFIX + hashlib.sha256(first.encode()).hexdigest()[:16]
    return f"{label}.{rest}" if rest else label


def claim_in(text: str) -> Claim | None:
    """The claim a TXT record's (decoded) text states; None when it is not a claim's."""
    match = _CLAIM_TEXT.fullmatch(text)
    return Claim(*match.groups()) if match else None


def read_claim(obj: Mapping[str, Any]) -> Claim | None:
    """The claim a TXT object states; None when it is not a claim."""
    text = obj.get("text")
    return claim_in(decode_txt(text)) if isinstance(text, str) else None


def claims_same(desired: DesiredRecord, obj: Mapping[str, Any]) -> bool:
    """Whether ``obj`` is a claim (in any state, of anyone) on the NS record ``desired`` is."""
    claim = read_claim(obj)
    return claim is not None and names_ns(claim, desired.name, desired.nameserver)


def actual_ns(obj: Mapping[str, Any]) -> ActualNS:
    ref = str(obj["_ref"])
    items = obj.get("addresses") or []
    creator = obj.get("creator")
    return ActualNS(
        ref=ref,
        objtype=ref.split("/", 1)[0],
        name=normal_name(str(obj.get("name", ""))),
        nameserver=normal_name(str(obj.get("nameserver", ""))),
        view=str(obj.get("view", "default")),
        addresses=frozenset(
            normal_address(str(item["address"]))
            for item in items
            if isinstance(item, Mapping) and "address" in item
        ),
        creator=creator if isinstance(creator, str) else None,
    )


def wanted_claim(desired: DesiredRecord, state: str) -> Claim:
    return Claim(desired.name, desired.nameserver or "", state)


def ns_identity(desired: DesiredRecord) -> dict[str, str]:
    """WAPI search arguments for the NS record ``desired`` is, whoever made it."""
    return {"name": desired.name, "nameserver": desired.nameserver or "", "view": desired.view}


def names_ns(record: Claim | ActualNS, name: str, nameserver: str | None) -> bool:
    """Whether a claim, or an NS record, is of the NS record ``name`` -> ``nameserver``: the
    identity of an NS record (both normalised)."""
    return (record.name, record.nameserver) == (name, nameserver)


def _describe(desired: DesiredRecord) -> str:
    return f"NS record {desired.name} -> {desired.nameserver} in view {desired.view}"


def _immutable(desired: DesiredRecord, name: str, nameserver: str, where: str) -> str | None:
    if (name, nameserver) != (desired.name, desired.nameserver):
        return (
            f"spec.name and spec.nameserver are {desired.name} and {desired.nameserver} but "
            f"{where} is {name} -> {nameserver}; an NS record's name and nameserver are "
            "immutable: create a new Record instead"
        )
    return None


def plan_claim(
    desired: DesiredRecord,
    found: Mapping[str, Any] | None,
    owner: Owner,
    *,
    adopt: bool,
    forget: Collection[str] = (),
) -> Action:
    """The claim's action (the module's first table)."""
    if found is None:
        data = {
            "name": claim_name(desired.name),
            "view": desired.view,
            "text": encode_txt(wanted_claim(desired, PENDING).text),
            "extattrs": ea_wire(owner.markers()),
        }
        return Create(CLAIM_OBJTYPE, data)
    ref = str(found["_ref"])
    claim = read_claim(found) if ref.startswith(CLAIM_OBJTYPE + "/") else None
    view = str(found.get("view", "default"))
    violation: str | None
    if claim is None:
        violation = (
            f"spec.type is NS but the Infoblox object {ref} is not an NS claim of ddisync; "
            "type is immutable: create a new Record instead"
        )
    elif view != desired.view:
        violation = (
            f"spec.view is {desired.view!r} but the NS record lives in view {view!r}; view is "
            "immutable: create a new Record instead"
        )
    else:
        violation = _immutable(desired, claim.name, claim.nameserver, f"its claim {ref}")
    return change_existing(
        ref,
        what=f"the claim of the {_describe(desired)}",
        immutable_violation=violation,
        field_changes=lambda: ({}, []),
        wanted_attributes={},
        actual_attributes=ea_values(found.get("extattrs")),
        owner=owner,
        adopt=adopt,
        forget=forget,
    )


def _address_items(addresses: Collection[str]) -> list[dict[str, Any]]:
    return [{"address": a, "auto_create_ptr": False} for a in sorted(addresses)]


def plan_ns(
    desired: DesiredRecord, claim: Claim | None, actual: ActualNS | None, *, adopt: bool
) -> Action:
    """The NS record's action (the module's second table); ``claim``: as applied."""
    wanted = frozenset(desired.ns_addresses)
    if actual is None:
        data = {
            "name": desired.name,
            "nameserver": desired.nameserver,
            "view": desired.view,
            "addresses": _address_items(wanted),
        }
        return Create(NS_OBJTYPE, data)
    if actual.objtype != NS_OBJTYPE or actual.view != desired.view:
        return Refuse(
            Reason.IMMUTABLE_FIELD,
            f"the Infoblox object {actual.ref} is not an NS record in view {desired.view!r}; "
            "type and view are immutable: create a new Record instead",
        )
    violation = _immutable(desired, actual.name, actual.nameserver, f"the NS record {actual.ref}")
    if violation is not None:
        return Refuse(Reason.IMMUTABLE_FIELD, violation)
    held = claim is not None and claim.held
    if not held and not adopt:
        return Refuse(
            Reason.NOT_OWNED,
            f"{_describe(desired)} already exists in Infoblox and ddisync does not know it as "
            "its own (NS records carry no ownership markers); set spec.adopt: true to take it "
            "over",
        )
    if actual.addresses == wanted:
        # Adopted as it is: nothing to write on it, the claim (marked held next) is its marker.
        return NoChange(actual.ref) if held else Update(actual.ref, {}, (), adopting=True)
    changes = (FieldChange("addresses", _text(actual.addresses), _text(wanted)),)
    return Update(actual.ref, {"addresses": _address_items(wanted)}, changes, adopting=not held)


def plan_hold(desired: DesiredRecord, claim_obj: Mapping[str, Any]) -> Action:
    """Mark the claim held once the NS record is ours (created, found held, or adopted)."""
    ref = str(claim_obj["_ref"])
    claim = read_claim(claim_obj)
    if claim is not None and claim.held:
        return NoChange(ref)
    held = wanted_claim(desired, HELD)
    change = FieldChange("text", claim.text if claim else None, held.text)
    return Update(ref, {"text": encode_txt(held.text)}, (change,))


def _text(addresses: Collection[str]) -> str | None:
    return ", ".join(sorted(addresses)) or None
