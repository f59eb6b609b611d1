"""What ``ddisync plan`` reports: the planners' actions sorted into a reviewable plan. Pure.

The actions come from the operator's own planners (``plan_network``, ``plan_record``,
``plan_ptr``); this module only *files* them, the way external-dns' policies filter its
``Changes``:

==============================================  ==========  ===================================
planner action                                   filed as    why
==============================================  ==========  ===================================
Create                                           create      object missing in Infoblox
Update, adopting, only marker EAs change         adopt       taking over as it is
Update, adopting, other fields change too        update      adoption that also rewrites fields
                                                             (the diff shows both)
Update, ours                                     update      drift or a spec change
NoChange                                         noop        in step
Refuse (NotOwned, Conflict, ImmutableField, ...)  refuse      the operator would stop there
invalid spec, addressFrom wait, Forbidden        refuse      stopped before any WAPI call
                                                             (``gate``)
spec.grid names another grid                     skip        reason OtherGrid: not planned
                                                             here (``plan --grid`` it)
owned by this cluster, no manifest (--prune)     delete      see ``planning``
Delete (a PTR no longer wanted)                  delete      createPTR turned off
==============================================  ==========  ===================================

Exit code: 1 when anything is refused (the manifests cannot be applied as they are, or the
grid could not be read), else 2 when anything would be created, updated or deleted, else 0 --
adoptions alone leave 0: they write only markers, and a freshly exported folder must plan
clean. Skipped resources change nothing in the exit code: each grid is planned on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ddisync.reconcile.ownership import MARKER_EAS
from ddisync.reconcile.plan import Action, Create, Delete, FieldChange, NoChange, Refuse, Update

__all__ = [
    "ACTIONS",
    "EXIT_CHANGES",
    "EXIT_CLEAN",
    "EXIT_ERROR",
    "Plan",
    "PlanEntry",
    "entry_for",
    "non_marker_fields",
]

ACTIONS = ("create", "update", "delete", "adopt", "noop", "refuse", "skip")
EXIT_CLEAN, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


@dataclass(frozen=True)
class PlanEntry:
    action: str  # one of ACTIONS
    kind: str  # Network | Record
    resource: str | None  # <namespace>/<Kind>/<name>; None for an orphan (delete)
    object: str  # the Infoblox object, in words
    ref: str | None = None
    changes: tuple[FieldChange, ...] = ()
    reason: str | None = None
    message: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.resource is not None:
            namespace, _, name = self.resource.split("/", 2)
            out |= {"namespace": namespace, "name": name}
        out["object"] = self.object
        if self.ref:
            out["ref"] = self.ref
        if self.changes:
            out["changes"] = [{"field": c.field, "old": c.old, "new": c.new} for c in self.changes]
        if self.reason:
            out |= {"reason": self.reason, "message": self.message}
        return out


@dataclass
class Plan:
    entries: list[PlanEntry] = field(default_factory=list)

    def of(self, action: str) -> list[PlanEntry]:
        return [e for e in self.entries if e.action == action]

    def counts(self) -> dict[str, int]:
        return {action: len(self.of(action)) for action in ACTIONS}

    @property
    def exit_code(self) -> int:
        counts = self.counts()
        if counts["refuse"]:
            return EXIT_ERROR
        if counts["create"] or counts["update"] or counts["delete"]:
            return EXIT_CHANGES
        return EXIT_CLEAN

    def to_json(self) -> str:
        return json.dumps(
            {action: [e.as_json() for e in self.of(action)] for action in ACTIONS}, indent=2
        )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _created_fields(data: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    changes: list[FieldChange] = []
    for key, value in data.items():
        if key == "extattrs":
            changes += [
                FieldChange(f"extattrs.{name}", None, _text(wrapped.get("value")))
                for name, wrapped in value.items()
            ]
        elif value not in ("", None):
            changes.append(FieldChange(key, None, _text(value)))
    return tuple(changes)


def non_marker_fields(changes: Iterable[FieldChange]) -> list[str]:
    """The fields ``changes`` touch besides the ownership markers (adopting writes only those)."""
    return [c.field for c in changes if c.field.removeprefix("extattrs.") not in MARKER_EAS]


def entry_for(kind: str, resource: str | None, what: str, action: Action) -> PlanEntry:
    """File one planner action (see the module's table)."""
    match action:
        case Create(data=data):
            return PlanEntry("create", kind, resource, what, changes=_created_fields(data))
        case Update(ref=ref, changes=changes, adopting=adopting):
            filed = "adopt" if adopting and not non_marker_fields(changes) else "update"
            return PlanEntry(filed, kind, resource, what, ref=ref, changes=changes)
        case NoChange(ref=ref):
            return PlanEntry("noop", kind, resource, what, ref=ref)
        case Delete(ref=ref):
            return PlanEntry("delete", kind, resource, what, ref=ref)
        case Refuse(reason=reason, message=message):
            return PlanEntry("refuse", kind, resource, what, reason=str(reason), message=message)
    raise AssertionError(f"a plan does not hold {action!r}")
