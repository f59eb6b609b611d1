"""Events, stored once and served in two API versions, as the API server does.

kube-apiserver keeps one Event storage (the internal type, which is core ``v1``'s) and serves
it as ``v1`` (``/api/v1/.../events``; kopf posts there, ``kubectl describe`` reads there) and
as ``events.k8s.io/v1`` (the newer clients' API). The same Event reads the same through either,
under the names of that version (``pkg/apis/events/v1/conversion.go``)::

    core v1                       events.k8s.io/v1
    involvedObject                regarding
    message                       note
    source                        deprecatedSource
    firstTimestamp                deprecatedFirstTimestamp
    lastTimestamp                 deprecatedLastTimestamp
    count                         deprecatedCount
    reportingComponent            reportingController
    reason, type, action, related, eventTime, series, reportingInstance, metadata: the same

Fields neither version knows are dropped (a built-in type keeps only its own fields). The
server also re-writes the times it stores in its own format: ``Time`` fields to the second in
UTC (``2026-01-02T03:04:05Z``), ``MicroTime`` fields (``eventTime``,
``series.lastObservedTime``) to the microsecond; kopf sends Python's ``isoformat()``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import kmock

from ddisync_emulator.objects import ApiError, Body

CORE_EVENTS = kmock.resource("", "v1", "events")
EVENTS_V1 = kmock.resource("events.k8s.io", "v1", "events")

# core v1 name -> events.k8s.io/v1 name, for every field of an Event.
_RENAMED = {
    "involvedObject": "regarding",
    "message": "note",
    "source": "deprecatedSource",
    "firstTimestamp": "deprecatedFirstTimestamp",
    "lastTimestamp": "deprecatedLastTimestamp",
    "count": "deprecatedCount",
    "reportingComponent": "reportingController",
}
_SHARED = ("metadata", "reason", "type", "action", "related", "eventTime", "series",
           "reportingInstance")  # fmt: skip
_TO_V1 = {**{name: name for name in _SHARED}, **_RENAMED}
_TO_CORE = {new: old for old, new in _TO_V1.items()}

# Where the two time formats are, in core v1 names (events.k8s.io/v1 renames only Times).
_TIMES = ("firstTimestamp", "lastTimestamp")
_MICRO_TIMES = ("eventTime",)


def to_events_v1(core: Mapping[str, Any]) -> Body:
    """A stored (core v1) Event as ``events.k8s.io/v1`` serves it."""
    body = _renamed(core, _TO_V1)
    return {"apiVersion": "events.k8s.io/v1", "kind": "Event", **body}


def to_core(event: Mapping[str, Any]) -> Body:
    """An ``events.k8s.io/v1`` Event as it is stored (and as core v1 serves it)."""
    body = _renamed(event, _TO_CORE)
    return {"apiVersion": "v1", "kind": "Event", **body}


def _renamed(body: Mapping[str, Any], names: Mapping[str, str]) -> Body:
    return {names[key]: value for key, value in body.items() if key in names}


def stored_times(event: Body) -> Body:
    """The core v1 Event with its times in the server's format (``ApiError`` 400 if one is no
    time at all, as the server fails to decode it)."""
    for key in (*_TIMES, *_MICRO_TIMES):
        if event.get(key) is not None:
            event[key] = _format_time(event[key], key, micro=key in _MICRO_TIMES)
    series = event.get("series")
    if isinstance(series, dict) and series.get("lastObservedTime") is not None:
        when = series["lastObservedTime"]
        series["lastObservedTime"] = _format_time(when, "series.lastObservedTime", micro=True)
    return event


def _format_time(value: Any, field: str, *, micro: bool) -> str:
    try:
        when = parse_time(value)
    except ValueError:
        raise ApiError(
            400,
            "BadRequest",
            f'Event in version "v1" cannot be handled as a Event: {field}: '
            f"cannot parse {value!r} as an RFC 3339 time",
        ) from None
    if micro:
        return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> datetime.datetime:
    """An RFC 3339 time (``Z`` or an offset, any fraction) in UTC; ``ValueError`` if not one."""
    if not isinstance(value, str):
        raise ValueError(value)
    when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError(value)
    return when.astimezone(datetime.UTC)


def selectable_fields(event: Mapping[str, Any]) -> dict[str, str]:
    """What a field selector can match on a stored Event (``ToSelectableFields`` in
    ``pkg/registry/core/event/strategy.go``), in core v1 names."""
    involved = event.get("involvedObject") or {}
    source = (event.get("source") or {}).get("component") or event.get("reportingComponent")
    meta = event.get("metadata") or {}
    fields = {f"involvedObject.{key}": involved.get(key) for key in _INVOLVED_KEYS}
    fields.update(
        {
            "reason": event.get("reason"),
            "reportingComponent": event.get("reportingComponent"),
            "source": source,
            "type": event.get("type"),
            "metadata.name": meta.get("name"),
            "metadata.namespace": meta.get("namespace"),
        }
    )
    return {key: str(value or "") for key, value in fields.items()}


_INVOLVED_KEYS = ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion",
                  "fieldPath")  # fmt: skip

# The labels each version's field selectors accept, and the stored field each one reads
# (AddFieldLabelConversionsForEvent in pkg/apis/core/v1 and pkg/apis/events/v1). Note that
# events.k8s.io/v1 takes regarding.* only: involvedObject.* is refused there.
CORE_FIELD_LABELS = {label: label for label in selectable_fields({})}
V1_FIELD_LABELS = {
    **{f"regarding.{key}": f"involvedObject.{key}" for key in _INVOLVED_KEYS},
    "reason": "reason",
    "reportingController": "reportingComponent",
    "source": "source",
    "type": "type",
    "metadata.name": "metadata.name",
    "metadata.namespace": "metadata.namespace",
}
