"""``ddisync plan --output table``: one line per action, the field diff below it.

Unchanged resources are counted, not listed (a plan is read for what it would change); an
adoption is one line, since all it writes are the three marker EAs::

    create  default/Network/web           network 10.20.1.0/24 (network view default)
              + comment: 'frontends'
    update  default/Record/www            A record www.example.com (view default)
              ~ ttl: 300 -> 600
    adopt   default/Network/net-10-1-0-0-24  network 10.1.0.0/24 (network view default)
    refuse  default/Record/mail           MX record example.com (view default)
              NotOwned: ... set spec.adopt: true to manage it
    skip    lab/Record/printer            A record printer.lab.example.com (view default)
              OtherGrid: spec.grid is lab; this plan reads grid default (plan it with ...)

    Plan: 1 to create, 1 to update, 0 to delete, 1 to adopt, 4 unchanged, 1 refused, 1 on
    another grid.

The summary names resources on other grids only when there are some.
"""

from __future__ import annotations

from ddisync.reconcile.plan import FieldChange
from ddisync.tools.plan import Plan, PlanEntry

__all__ = ["render_table"]

_ORDER = ("refuse", "create", "update", "delete", "adopt", "skip")


def _value(value: str | None) -> str:
    return "(none)" if value is None else repr(value)


def _change(change: FieldChange) -> str:
    if change.old is None:
        return f"+ {change.field}: {_value(change.new)}"
    if change.new is None:
        return f"- {change.field}: {_value(change.old)}"
    return f"~ {change.field}: {_value(change.old)} -> {_value(change.new)}"


def _lines(entry: PlanEntry, width: int) -> list[str]:
    resource = entry.resource or "(no resource)"
    lines = [f"{entry.action:<7} {resource:<{width}}  {entry.object}"]
    if entry.action in ("refuse", "skip"):
        lines.append(f"          {entry.reason}: {entry.message}")
    elif entry.action != "adopt":
        lines += [f"          {_change(c)}" for c in entry.changes]
    return lines


def render_table(plan: Plan) -> str:
    shown = [e for action in _ORDER for e in plan.of(action)]
    width = max((len(e.resource or "") for e in shown), default=0)
    lines = [line for entry in shown for line in _lines(entry, width)]
    counts = plan.counts()
    summary = (
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete, {counts['adopt']} to adopt, {counts['noop']} unchanged, "
        f"{counts['refuse']} refused"
    )
    if counts["skip"]:
        grids = "another grid" if counts["skip"] == 1 else "other grids"
        summary += f", {counts['skip']} on {grids}"
    summary += "."
    return "\n".join([*lines, "", summary] if lines else [summary])
