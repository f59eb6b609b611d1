"""Judging whether a resource has converged, and printing the demo's result.

Decision table for one resource (``Ready`` condition):

    Ready status  observedGeneration == generation  reason              verdict
    True          yes                               any                 ready (settled)
    False         yes                               one of TERMINAL     failed (settled)
    False         yes                               anything else       waiting (transient)
    any           no, or no Ready condition yet     -                   waiting

A manifest the API refused never becomes an object: it is failed with reason ``Rejected`` and
the API's message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

# Reasons that will not change without a change of the spec or of Infoblox by a person.
TERMINAL = frozenset(
    {
        "InvalidSpec",
        "ImmutableField",
        "Conflict",
        "NotOwned",
        "ParentNotFound",
        "NoFreeAddress",
        "AuthenticationFailed",
        "Forbidden",
        "SecretMissing",
        "SecretKeyMissing",
        "Rejected",
    }
)
_KEY_FIELDS = ("cidr", "fqdn", "address", "networkView")


@dataclass(frozen=True)
class Outcome:
    """One resource as the demo reports it (the JSON contract's ``resources[]`` entries)."""

    kind: str
    namespace: str | None
    name: str
    ready: bool
    reason: str
    message: str
    status: dict[str, Any] = field(default_factory=dict)
    settled: bool = False  # not in the JSON: whether waiting longer could change it

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["settled"]
        return data


def judge(body: Mapping[str, Any]) -> Outcome:
    """Where an object stands, from its ``Ready`` condition (see the table above)."""
    meta = body.get("metadata") or {}
    status = dict(body.get("status") or {})
    ready = next(
        (
            c
            for c in status.get("conditions") or []
            if isinstance(c, dict) and c.get("type") == "Ready"
        ),
        None,
    )
    kind, namespace, name = str(body.get("kind", "")), meta.get("namespace"), str(meta.get("name"))
    if ready is None:
        return Outcome(kind, namespace, name, False, "Progressing", "not reconciled yet", status)
    observed = ready.get("observedGeneration", status.get("observedGeneration"))
    reason, message = str(ready.get("reason") or ""), str(ready.get("message") or "")
    current = observed is not None and observed == meta.get("generation")
    is_ready = current and ready.get("status") == "True"
    settled = is_ready or (current and ready.get("status") == "False" and reason in TERMINAL)
    return Outcome(kind, namespace, name, is_ready, reason, message, status, settled)


def rejected(manifest: Mapping[str, Any], message: str) -> Outcome:
    """A manifest the API refused."""
    meta = manifest.get("metadata") or {}
    return Outcome(
        kind=str(manifest.get("kind", "")),
        namespace=meta.get("namespace", "default") if isinstance(meta, dict) else None,
        name=str(meta.get("name", "") if isinstance(meta, dict) else ""),
        ready=False,
        reason="Rejected",
        message=message,
        settled=True,
    )


def render_json(outcomes: Sequence[Outcome], infoblox: Mapping[str, int]) -> str:
    document = {"resources": [o.as_json() for o in outcomes], "infoblox": dict(infoblox)}
    return json.dumps(document, indent=2, sort_keys=False)


def render_table(outcomes: Sequence[Outcome], infoblox: Mapping[str, int]) -> str:
    header = ("KIND", "NAMESPACE", "NAME", "READY", "REASON", "DETAILS", "REF", "MESSAGE")
    rows = [header]
    for o in outcomes:
        details = " ".join(str(o.status[k]) for k in _KEY_FIELDS if o.status.get(k))
        ref = str(o.status.get("ref") or "")
        message = o.message if len(o.message) <= 80 else o.message[:77] + "..."
        rows.append(
            (o.kind, o.namespace or "", o.name, str(o.ready), o.reason, details, ref, message)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    ready = sum(o.ready for o in outcomes)
    lines.append("")
    lines.append(f"{ready}/{len(outcomes)} resources Ready.")
    held = {objtype: count for objtype, count in sorted(infoblox.items()) if count}
    if held:
        counts = ", ".join(f"{objtype}: {count}" for objtype, count in held.items())
        lines.append(f"Infoblox (simulated grid) now holds {counts}.")
    return "\n".join(lines)
