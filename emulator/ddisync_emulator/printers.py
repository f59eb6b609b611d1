"""The ``kubectl get`` columns of the built-in kinds people look at next to ddisync's.

A real server renders each built-in kind's Table with its own printer
(``pkg/printers/internalversion/printers.go``): ``kubectl get events`` shows LAST SEEN, TYPE,
REASON, OBJECT and MESSAGE, ``kubectl get ns`` shows NAME, STATUS and AGE. The emulator's other
built-ins keep the default Name and Created At (``tables``). A printer gives every column (the
server renders "wide"); kubectl hides those with a priority above 0 unless asked ``-o wide``.

Events are printed from their stored (core v1) form whichever version is asked: one printer
serves both, as on the server.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import kmock

from ddisync_emulator import events
from ddisync_emulator.namespaces import NAMESPACES
from ddisync_emulator.objects import Body
from ddisync_emulator.tables import human_duration

Cells = Callable[[Body, datetime.datetime], list[Any]]


@dataclass(frozen=True)
class Printer:
    columns: tuple[dict[str, Any], ...]
    cells: Cells


def _column(name: str, description: str, priority: int = 0, format: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "type": "string",
        "format": format,
        "description": description,
        "priority": priority,
    }


_NAME = _column("Name", "Name must be unique within a namespace.", format="name")
_AGE = _column("Age", "CreationTimestamp is the server time when this object was created.")


def _since(value: Any, now: datetime.datetime) -> str:
    """``translateTimestampSince``: the age of a time, ``<unknown>`` if there is none."""
    if not value:
        return "<unknown>"
    try:
        return human_duration(now - events.parse_time(value))
    except ValueError:
        return "<unknown>"


def _namespace_cells(body: Body, now: datetime.datetime) -> list[Any]:
    meta = body.get("metadata") or {}
    phase = (body.get("status") or {}).get("phase") or ""
    return [meta.get("name"), phase, _since(meta.get("creationTimestamp"), now)]


NAMESPACE = Printer(
    (_NAME, _column("Status", "The status of the namespace"), _AGE), _namespace_cells
)


def _event_cells(event: Body, now: datetime.datetime) -> list[Any]:
    """``printEvent``, wide."""
    first = (
        _since(event.get("firstTimestamp"), now)
        if event.get("firstTimestamp")
        else _since(event.get("eventTime"), now)
    )
    last = _since(event["lastTimestamp"], now) if event.get("lastTimestamp") else first
    count = event.get("count") or 0
    series = event.get("series")
    if series:
        last = _since(series.get("lastObservedTime"), now)
        count = series.get("count") or 0
    elif count == 0:
        count = 1  # a singleton event of the new API has no count
    involved = event.get("involvedObject") or {}
    kind = str(involved.get("kind") or "").lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingComponent") or ""
    instance = source.get("host") or event.get("reportingInstance") or ""
    return [
        last,
        event.get("type") or "",
        event.get("reason") or "",
        target,
        involved.get("fieldPath") or "",
        f"{component}, {instance}" if instance else component,
        str(event.get("message") or "").strip(),
        first,
        int(count),
        (event.get("metadata") or {}).get("name"),
    ]


EVENT = Printer(
    (
        _column("Last Seen", "The time at which the most recent occurrence of this event was "
                "recorded."),
        _column("Type", "Type of this event (Normal, Warning), new types could be added."),
        _column("Reason", "A short, machine understandable string that gives the reason for "
                "the transition into the object's current status."),
        _column("Object", "The object that this event is about."),
        _column("Subobject", "The field of the object the event is about.", priority=1),
        _column("Source", "The component reporting this event.", priority=1),
        _column("Message", "A human-readable description of the status of this operation."),
        _column("First Seen", "The time at which the event was first recorded.", priority=1),
        _column("Count", "The number of times this event has occurred.", priority=1),
        _column("Name", "Name must be unique within a namespace.", priority=1, format="name"),
    ),
    _event_cells,
)  # fmt: skip

_PRINTERS = {
    events.CORE_EVENTS: EVENT,
    events.EVENTS_V1: EVENT,
    NAMESPACES: NAMESPACE,
}


def printer_of(resource: kmock.resource) -> Printer | None:
    """The built-in printer of a resource, None if it has none here (the default columns)."""
    return _PRINTERS.get(resource)


def print_rows(
    table: dict[str, Any],
    printer: Printer,
    bodies: Sequence[Body],
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    """``table`` (built with the default columns, one row per body) with the printer's."""
    now = now or datetime.datetime.now(datetime.UTC)
    if "columnDefinitions" in table:
        table["columnDefinitions"] = [dict(column) for column in printer.columns]
    for row, body in zip(table["rows"], bodies, strict=True):
        row["cells"] = printer.cells(body, now)
    return table
