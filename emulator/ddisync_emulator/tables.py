"""The ``Table`` answer of ``kubectl get``: rows and printer columns, rendered by the server.

kubectl asks every GET, list and watch with
``Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...;v=v1beta1...,application/json`` and
prints what comes back; without a Table it falls back to ``NAME AGE``. A real server builds the
Table of a custom resource from the CRD's ``additionalPrinterColumns`` (apiextensions'
``tableconvertor``): a ``Name`` column, then one per printer column, each a JSONPath into the
object; ``date`` cells are ages ("5m3s"); a path with no value gives a null cell. Columns with
``priority`` > 0 are sent too: kubectl shows them only with ``-o wide``. Built-in resources get
the default convertor's ``Name`` and ``Created At``.

Each row carries the object as ``includeObject`` asks: ``PartialObjectMetadata`` (default; kubectl
reads namespace and labels from it), ``Object`` or ``None``.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ddisync_emulator.objects import ApiError, Body

TABLE_VERSIONS = ("v1", "v1beta1")
_NAME_COLUMN = {
    "name": "Name",
    "type": "string",
    "format": "name",
    "description": "Name must be unique within a namespace. Is required when creating "
    "resources, although some resources may allow a client to request the generation of an "
    "appropriate name automatically.",
    "priority": 0,
}
_CREATED_AT_COLUMN = {
    "name": "Created At",
    "type": "date",
    "format": "",
    "description": "CreationTimestamp is a timestamp representing the server time when this "
    "object was created.",
    "priority": 0,
}


def table_version(accept: str | None) -> str | None:
    """``v1``/``v1beta1`` if the Accept header's first usable choice is a Table, else None."""
    for clause in (accept or "").split(","):
        media, *raw_params = (part.strip() for part in clause.split(";"))
        params = dict(p.split("=", 1) for p in raw_params if "=" in p)
        if media not in ("application/json", "*/*", "application/*"):
            continue  # e.g. protobuf or yaml: not offered here, try the next choice
        if params.get("as") == "Table":
            if params.get("g") == "meta.k8s.io" and params.get("v") in TABLE_VERSIONS:
                return params["v"]
            continue
        if "as" not in params:
            return None  # plain JSON comes first
    return None


def include_object(params: Mapping[str, str]) -> str:
    value = params.get("includeObject") or "PartialObjectMetadata"
    if value not in ("PartialObjectMetadata", "Object", "None"):
        raise ApiError(
            400,
            "BadRequest",
            f'includeObject must be "None", "Object" or "PartialObjectMetadata", not "{value}"',
        )
    return value


def column_definitions(printer_columns: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The Table's columns: Name, then the CRD's printer columns (or the default Created At)."""
    if printer_columns is None:
        return [dict(_NAME_COLUMN), dict(_CREATED_AT_COLUMN)]
    columns = [dict(_NAME_COLUMN)]
    for column in printer_columns:
        path = str(column.get("jsonPath", ""))
        columns.append(
            {
                "name": str(column.get("name", "")),
                "type": str(column.get("type", "string")),
                "format": str(column.get("format", "")),
                "description": str(
                    column.get("description")
                    or f"Custom resource definition column (in JSONPath format): {path}"
                ),
                "priority": int(column.get("priority", 0)),
            }
        )
    return columns


def build_table(
    bodies: Iterable[Body],
    printer_columns: Sequence[Mapping[str, Any]] | None,
    *,
    version: str,
    resource_version: str,
    include: str = "PartialObjectMetadata",
    headers: bool = True,
    list_meta: Mapping[str, Any] | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    """A ``meta.k8s.io`` Table of ``bodies`` (``printer_columns`` None: a built-in resource)."""
    now = now or datetime.datetime.now(datetime.UTC)
    paths = None if printer_columns is None else [c.get("jsonPath", "") for c in printer_columns]
    columns = column_definitions(printer_columns)
    rows = []
    for body in bodies:
        meta = body.get("metadata") or {}
        cells: list[Any] = [meta.get("name")]
        if paths is None:
            cells.append(meta.get("creationTimestamp"))
        else:
            for path, column in zip(paths, columns[1:], strict=True):
                cells.append(_cell(column["type"], find(body, str(path)), now))
        row: dict[str, Any] = {"cells": cells}
        if include == "Object":
            row["object"] = body
        elif include == "PartialObjectMetadata":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": f"meta.k8s.io/{version}",
                "metadata": meta,
            }
        else:
            row["object"] = None
        rows.append(row)
    table: dict[str, Any] = {
        "kind": "Table",
        "apiVersion": f"meta.k8s.io/{version}",
        "metadata": {"resourceVersion": resource_version, **(list_meta or {})},
        "rows": rows,
    }
    if headers:
        table["columnDefinitions"] = columns
    return table


def _cell(column_type: str, results: list[Any], now: datetime.datetime) -> Any:
    """One cell, as apiextensions' ``cellForJSONValue`` (and ``PrintResults``) make it."""
    if not results or results[0] is None:
        return None
    value = results[0]
    if column_type == "string":
        if isinstance(value, dict | list):
            return json.dumps(value, separators=(",", ":"))
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    if column_type == "integer" and isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if column_type == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if column_type == "boolean" and isinstance(value, bool):
        return value
    if column_type == "date" and isinstance(value, str):
        try:
            then = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return "<invalid>"
        return human_duration(now - then)
    return None


def human_duration(delta: datetime.timedelta) -> str:
    """apimachinery's ``duration.HumanDuration``: the AGE column's "5m3s", "3h", "12d"."""
    seconds = int(delta.total_seconds())
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        rest = (hours // 24) % 365
        return f"{hours // 24 // 365}y{rest}d" if rest else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


# --- the JSONPath of printer columns ------------------------------------------------------------
# client-go's jsonpath with missing keys allowed; printer columns use a small part of it:
# .a.b, ['a'], [0], [*], and filters [?(@.type=="Ready")] (==, !=; string or number literals).

_STEP = re.compile(
    r"""\.(?P<field>[A-Za-z0-9_$-]+)
      | \[['"](?P<quoted>[^'"]+)['"]\]
      | \[(?P<index>-?\d+)\]
      | \[\*\] | \.\*
      | \[\?\(@\.(?P<key>[A-Za-z0-9_.$-]+)\s*(?P<op>==|!=)\s*
        (?P<literal>"[^"]*"|'[^']*'|[^)\s]+)\s*\)\]
    """,
    re.VERBOSE,
)


def find(body: Any, path: str) -> list[Any]:
    """The values a printer column's JSONPath selects (missing keys select nothing)."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    path = path.removeprefix("$")
    current = [body]
    position = 0
    while position < len(path):
        step = _STEP.match(path, position)
        if step is None:
            raise ApiError(500, "InternalError", f"unsupported JSONPath {path!r} at {position}")
        position = step.end()
        current = [found for value in current for found in _apply(step, value)]
    return current


def _apply(step: re.Match[str], value: Any) -> list[Any]:
    name = step.group("field") or step.group("quoted")
    if name is not None:
        return [value[name]] if isinstance(value, dict) and name in value else []
    if step.group("index") is not None:
        index = int(step.group("index"))
        return (
            [value[index]] if isinstance(value, list) and -len(value) <= index < len(value) else []
        )
    if step.group("key") is not None:
        items = value if isinstance(value, list) else []
        literal = _literal(step.group("literal"))
        equal = step.group("op") == "=="
        return [item for item in items if (_lookup(item, step.group("key")) == literal) == equal]
    if isinstance(value, dict):  # [*] or .*
        return list(value.values())
    return list(value) if isinstance(value, list) else []


def _lookup(item: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(item, dict) or part not in item:
            return _MISSING
        item = item[part]
    return item


_MISSING = object()


def _literal(text: str) -> Any:
    if text[:1] in ('"', "'"):
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text
