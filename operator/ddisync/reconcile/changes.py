"""The parts of every plan that do not depend on the kind: who may change an object, which
extensible attributes to send, and what deleting a resource does.

Each kind's planner (``network.py``, ``record.py``) knows its immutable fields and computes its
own field differences; ``change_existing`` does the rest, so the ownership rules and their
order are written once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.api.meta import DeletionPolicy
from ddisync.reconcile.ownership import (
    MARKER_EAS,
    Owner,
    Ownership,
    classify,
    describe_foreign,
    ea_wire,
)
from ddisync.reconcile.plan import Action, Delete, FieldChange, NoChange, Refuse, Release, Update


def may_change(
    what: str, extattrs: Mapping[str, str], owner: Owner, *, adopt: bool
) -> Refuse | bool:
    """``Refuse`` when the object is not ours to change; otherwise whether we are adopting it.

    ``what`` names the object in messages, e.g. ``"network 10.1.0.0/24 in view default"``.
    """
    ownership = classify(extattrs, owner)
    if ownership is Ownership.FOREIGN:
        return Refuse(
            Reason.CONFLICT,
            f"{what} is managed by {describe_foreign(extattrs)}; ddisync will not take it over",
        )
    if ownership is Ownership.UNMANAGED and not adopt:
        return Refuse(
            Reason.NOT_OWNED,
            f"{what} already exists in Infoblox and was not created by ddisync; "
            "set spec.adopt: true to manage it",
        )
    return ownership is Ownership.UNMANAGED


def attribute_changes(
    wanted: Mapping[str, str], actual: Mapping[str, str], forget: Collection[str]
) -> tuple[dict[str, Any], list[FieldChange]]:
    """The ``extattrs+`` / ``extattrs-`` payload that brings ``actual`` to ``wanted``.

    ``extattrs+`` adds or changes only the named attributes and keeps everybody else's;
    ``extattrs-`` removes those in ``forget`` (names dropped from the spec), never a marker.
    """
    changed = {k: v for k, v in wanted.items() if actual.get(k) != v}
    dropped = [k for k in forget if k in actual and k not in wanted and k not in MARKER_EAS]
    data: dict[str, Any] = {}
    if changed:
        data["extattrs+"] = ea_wire(changed)
    if dropped:
        data["extattrs-"] = {k: {} for k in dropped}
    changes = [FieldChange(f"extattrs.{k}", actual.get(k), v) for k, v in changed.items()]
    changes += [FieldChange(f"extattrs.{k}", actual[k], None) for k in dropped]
    return data, changes


FieldChanges = tuple[dict[str, Any], list[FieldChange]]
"""The WAPI fields to send and the changes they make, from a kind's own comparison."""


def changed_fields(fields: Iterable[tuple[str, str | None, str | None]]) -> FieldChanges:
    """(WAPI field, wanted, found) of plain string fields → what to send for those differing."""
    data: dict[str, Any] = {}
    changes: list[FieldChange] = []
    for key, wanted, have in fields:
        if wanted != have:
            data[key] = wanted
            changes.append(FieldChange(key, have, wanted))
    return data, changes


def change_existing(
    ref: str,
    *,
    what: str,
    immutable_violation: str | None,
    field_changes: Callable[[], FieldChanges],
    wanted_attributes: Mapping[str, str],
    actual_attributes: Mapping[str, str],
    owner: Owner,
    adopt: bool,
    forget: Collection[str],
) -> Action:
    """The plan for an object that exists: ``Refuse`` when a field that cannot change differs
    (``immutable_violation`` says which) or the object is not ours (``may_change``); otherwise
    its field changes (``field_changes`` runs only then) and attribute changes, or NoChange."""
    if immutable_violation:
        return Refuse(Reason.IMMUTABLE_FIELD, immutable_violation)
    gate = may_change(what, actual_attributes, owner, adopt=adopt)
    if isinstance(gate, Refuse):
        return gate
    data, changes = field_changes()
    # Our markers join the wanted attributes when adopting.
    wanted = {**wanted_attributes, **(owner.markers() if gate else {})}
    ea_data, ea_changes = attribute_changes(wanted, actual_attributes, forget)
    data = {**data, **ea_data}
    if not data:
        return NoChange(ref)
    return Update(ref, data, (*changes, *ea_changes), adopting=gate)


def deletion(
    ref: str, extattrs: Mapping[str, str], owner: Owner, policy: DeletionPolicy
) -> Action | None:
    """What deleting the resource does to one object; ``None`` when nothing is done.

    Objects that are not ours are never deleted, whatever the policy. ``Retain`` keeps the
    object and removes our markers: it is released, and can be adopted again later.
    """
    if classify(extattrs, owner) is not Ownership.OURS:
        return None
    if policy is DeletionPolicy.RETAIN:
        return Release(ref, {"extattrs-": {name: {} for name in MARKER_EAS}})
    return Delete(ref)
