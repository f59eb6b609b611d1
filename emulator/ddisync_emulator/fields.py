"""Field selectors (``?fieldSelector=involvedObject.uid=…,type!=Normal``), as the API server
reads them.

Each resource selects on a fixed set of fields, ``metadata.name`` and ``metadata.namespace``
for all, more for some built-in kinds (an Event's ``involvedObject.*``, ``reason``, ``type``…;
what ``kubectl describe`` asks for its Events section). A label the resource does not know is
refused with 400 ``field label not supported: <label>``, as the server does, rather than
silently selecting nothing. A version may name a stored field differently:
``events.k8s.io/v1`` selects on ``regarding.uid``, which is the stored ``involvedObject.uid``.

Terms are ``label=value``, ``label==value`` or ``label!=value``, joined by commas; a backslash
escapes a comma, an equals sign or itself in a value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import kmock

from ddisync_emulator import events
from ddisync_emulator.namespaces import NAMESPACES
from ddisync_emulator.objects import ApiError, Body

SECRETS = kmock.resource("", "v1", "secrets")

_METADATA = {"metadata.name": "metadata.name", "metadata.namespace": "metadata.namespace"}


@dataclass(frozen=True)
class Fields:
    """What one resource (in one version) selects on: each label it accepts and the stored
    field that label reads, and how to read the stored fields of an object."""

    labels: Mapping[str, str]
    read: Callable[[Body], Mapping[str, str]]


def _metadata_fields(body: Body) -> dict[str, str]:
    meta = body.get("metadata") or {}
    return {
        "metadata.name": str(meta.get("name") or ""),
        "metadata.namespace": str(meta.get("namespace") or ""),
    }


def _namespace_fields(body: Body) -> dict[str, str]:
    meta = _metadata_fields(body)
    phase = str((body.get("status") or {}).get("phase") or "")
    # "name" is a bug the server keeps for compatibility (NamespaceToSelectableFields).
    return {**meta, "status.phase": phase, "name": meta["metadata.name"]}


def _secret_fields(body: Body) -> dict[str, str]:
    return {**_metadata_fields(body), "type": str(body.get("type") or "")}


_DEFAULT = Fields(_METADATA, _metadata_fields)
_BY_RESOURCE = {
    events.CORE_EVENTS: Fields(events.CORE_FIELD_LABELS, events.selectable_fields),
    events.EVENTS_V1: Fields(events.V1_FIELD_LABELS, events.selectable_fields),
    NAMESPACES: Fields(
        {**_METADATA, "status.phase": "status.phase", "name": "name"}, _namespace_fields
    ),
    SECRETS: Fields({**_METADATA, "type": "type"}, _secret_fields),
}


def fields_of(resource: kmock.resource | None) -> Fields:
    return _BY_RESOURCE.get(resource, _DEFAULT) if resource is not None else _DEFAULT


@dataclass(frozen=True)
class Term:
    field: str  # the stored field the label reads
    value: str
    negated: bool


def parse(resource: kmock.resource | None, selector: str) -> list[Term]:
    """The terms of a field selector on ``resource``; ``ApiError`` 400 for a label it does not
    select on, or a term without an operator."""
    known = fields_of(resource).labels
    terms = []
    for text in _split(selector, ","):
        if "!=" in text:
            label, value = text.split("!=", 1)
            negated = True
        elif "=" in text:
            label, value = text.split("=", 1)
            value = value.removeprefix("=")  # "=="
            negated = False
        else:
            message = f"invalid selector: '{selector}'; can't understand '{text}'"
            raise ApiError(400, "BadRequest", message)
        label = label.strip()
        if label not in known:
            raise ApiError(400, "BadRequest", f"field label not supported: {label}")
        terms.append(Term(known[label], _unescape(value.strip()), negated))
    return terms


def matcher(resource: kmock.resource | None, selector: str | None) -> Callable[[Body], bool] | None:
    """Whether a stored object matches the selector (None: no selector, everything matches)."""
    if not selector or not selector.strip():
        return None
    terms = parse(resource, selector)
    read = fields_of(resource).read

    def matches(body: Body) -> bool:
        values = read(body)
        return all((values.get(t.field, "") == t.value) != t.negated for t in terms)

    return matches


def _split(text: str, separator: str) -> list[str]:
    """Split on ``separator`` where no backslash escapes it; empty parts dropped."""
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current + ("\\" if escaped else ""))
    return [part for part in parts if part.strip()]


def _unescape(value: str) -> str:
    out, escaped = "", False
    for char in value:
        if escaped or char != "\\":
            out += char
            escaped = False
        else:
            escaped = True
    return out
