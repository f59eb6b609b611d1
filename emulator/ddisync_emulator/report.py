"""Judging whether a resource has converged, and printing the demo's result.

Decision table for one resource (``Ready`` condition):

    Ready status  observedGeneration == generation  reason              verdict
    True          yes                               any                 ready (settled)
    False         yes                               one of TERMINAL     failed (settled)
    False         yes                               anything else       waiting (transient)
    any           no, or no Ready condition yet     -                   waiting

A manifest the API refused never becomes an object: it is failed with reason ``Rejected`` and
the API's message.

The table fits ``WIDTH`` columns: Infoblox refs are left to ``--output json``, and a message too
long for its column is cut there and printed whole below the table.
"""

from __future__ import annotations

import json
import textwrap
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
_KEY_FIELDS = ("cidr", "fqdn", "address", "mac", "start", "end", "networkView")
WIDTH = 120  # the table fits a terminal this wide
HEADER = ("KIND", "NAMESPACE", "NAME", "READY", "REASON", "DETAILS", "MESSAGE")
_GAP = 2  # spaces between columns
# Columns that give up width when a row is too wide, first to last: MESSAGE (printed whole
# under the table), then DETAILS, NAME, NAMESPACE, KIND and REASON (whole in --output json).
# Down to their headers' lengths every row fits in 54 characters.
_SHRINK = (6, 5, 2, 1, 0, 4)


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


def render_table(
    outcomes: Sequence[Outcome], infoblox: Mapping[str, int], width: int = WIDTH
) -> str:
    """The result for a person: one row per resource, then the tally, every line at most
    ``width`` characters. ``--output json`` has what the table leaves out or cuts: Infoblox
    refs (too long for a row) and whole messages."""
    rows = [HEADER]
    for o in outcomes:
        details = " ".join(str(o.status[k]) for k in _KEY_FIELDS if o.status.get(k))
        # A Ready resource's message only repeats DETAILS ("... is in sync with Infoblox").
        message = "" if o.ready else o.message
        rows.append((o.kind, o.namespace or "", o.name, str(o.ready), o.reason, details, message))
    widths = _fit([max(len(row[i]) for row in rows) for i in range(len(HEADER))], width)
    lines = [
        (" " * _GAP)
        .join(_cut(cell, w).ljust(w) for cell, w in zip(row, widths, strict=True))
        .rstrip()
        for row in rows
    ]
    lines.append("")
    lines.append(f"{sum(o.ready for o in outcomes)}/{len(outcomes)} resources Ready.")
    held = {objtype: count for objtype, count in sorted(infoblox.items()) if count}
    if held:
        # No line breaks inside "record:a: 2": non-breaking spaces for textwrap, then back.
        counts = ", ".join(f"{objtype}:\N{NO-BREAK SPACE}{n}" for objtype, n in held.items())
        text = f"Infoblox (simulated grid) now holds {counts}."
        lines += [line.replace("\N{NO-BREAK SPACE}", " ") for line in textwrap.wrap(text, width)]
    cut = [o for o in outcomes if not o.ready and len(o.message) > widths[-1]]
    if cut:
        lines += ["", "Messages in full:"]
        for o in cut:
            where = f"{o.namespace}/{o.name}" if o.namespace else o.name
            lines += textwrap.wrap(
                f"{o.kind} {where}: {o.message}", width, initial_indent="  ",
                subsequent_indent="    ", break_on_hyphens=False,
            )  # fmt: skip
    return "\n".join(lines)


def _fit(natural: list[int], width: int) -> list[int]:
    """Column widths whose row fits ``width``: the columns in ``_SHRINK`` order give up
    characters, each down to its header's length, until the row fits (or none can give)."""
    widths = list(natural)
    for column in _SHRINK:
        excess = sum(widths) + _GAP * (len(widths) - 1) - width
        if excess <= 0:
            break
        widths[column] = max(len(HEADER[column]), widths[column] - excess)
    return widths


def _cut(cell: str, width: int) -> str:
    """``cell`` in ``width`` characters (at least 4, a header's length), "..." marking a cut."""
    return cell if len(cell) <= width else cell[: width - 3] + "..."
