"""Pure rules of the emulated API server on object bodies: patches, metadata, selectors.

No I/O and no kmock here, so each rule is testable on plain dicts. The emulator calls these
and maps ``ApiError`` to the Kubernetes ``Status`` answer a real API server would give.
"""

from __future__ import annotations

import copy
import datetime
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonpatch

Body = dict[str, Any]

# Fields a client cannot change once the server has set them (it silently keeps its own).
_SERVER_OWNED = ("uid", "creationTimestamp", "generation", "deletionTimestamp", "namespace")


@dataclass(frozen=True)
class ApiError(Exception):
    """A refusal with the HTTP status, CamelCase reason and message of a Kubernetes Status."""

    status: int
    reason: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.reason}: {self.message}"


def now_rfc3339() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def merge_patch(base: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: dicts merge recursively, ``null`` deletes, the rest replaces."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(base) if isinstance(base, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def patched(old: Body, data: Any, content_type: str) -> Body:
    """The body after a PATCH with ``data`` of ``content_type``.

    Strategic merge and server-side apply are approximated by a JSON merge patch: the list
    merge keys and field managers they add matter to built-in kinds, not to ddisync's.
    """
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json-patch+json" or isinstance(data, list):
        if not isinstance(data, list):
            raise ApiError(400, "BadRequest", "a JSON patch must be a list of operations")
        try:
            result = jsonpatch.apply_patch(old, data)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
            # A failed "test" op (kopf guards finalizer edits with one on resourceVersion) is
            # 422 Invalid on a real server; kopf then re-reads and retries on the next event.
            raise ApiError(422, "Invalid", f"the JSON patch cannot be applied: {exc}") from None
        if not isinstance(result, dict):
            raise ApiError(422, "Invalid", "the JSON patch does not leave an object")
        return result
    if not isinstance(data, Mapping):
        raise ApiError(400, "BadRequest", f"a {kind or 'merge'} patch must be a JSON object")
    result = merge_patch(old, data)
    assert isinstance(result, dict)
    return result


def check_resource_version(current: Body, requested: Body | None) -> None:
    """Optimistic concurrency: a body that names a resourceVersion must name the current one."""
    if not isinstance(requested, Mapping):
        return
    wanted = (requested.get("metadata") or {}).get("resourceVersion")
    actual = (current.get("metadata") or {}).get("resourceVersion")
    if wanted not in (None, "") and str(wanted) != str(actual):
        name = (current.get("metadata") or {}).get("name")
        raise ApiError(
            409,
            "Conflict",
            f'Operation cannot be fulfilled on "{name}": the object has been modified; '
            "please apply your changes to the latest version and try again",
        )


def keep_server_fields(old: Body, new: Body) -> Body:
    """``new`` with the server-owned metadata of ``old`` restored (clients cannot edit them)."""
    meta = dict(new.get("metadata") or {})
    old_meta = old.get("metadata") or {}
    for key in _SERVER_OWNED:
        if key in old_meta:
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)
    meta["name"] = old_meta.get("name")
    new["metadata"] = meta
    return new


def content_changed(old: Body, new: Body) -> bool:
    """Whether anything but metadata and status differs: what bumps ``metadata.generation``."""
    keys = (set(old) | set(new)) - {"metadata", "status"}
    return any(old.get(key) != new.get(key) for key in keys)


def new_identity(meta: dict[str, Any], resource_version: int) -> None:
    """Stamp what a real server sets on create."""
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = f"{meta['generateName']}{uuid.uuid4().hex[:5]}"
    meta["uid"] = str(uuid.uuid4())
    meta["creationTimestamp"] = now_rfc3339()
    meta["generation"] = 1
    meta["resourceVersion"] = str(resource_version)
    meta.pop("deletionTimestamp", None)


_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


def check_name(name: Any) -> None:
    if not name:
        raise ApiError(
            422, "Invalid", "metadata.name: Required value: name or generateName is required"
        )
    if not isinstance(name, str) or not _NAME.match(name):
        raise ApiError(
            422,
            "Invalid",
            f"metadata.name: Invalid value: {name!r}: a lowercase RFC 1123 subdomain must consist "
            "of lower case alphanumeric characters, '-' or '.', and must start and end with an "
            "alphanumeric character",
        )


# --- label and field selectors ----------------------------------------------------------------

_SET_EXPR = re.compile(r"^\s*(\S+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def _split_selector(text: str) -> list[str]:
    """Split on commas that are not inside ``in (a, b)`` parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def matches_labels(labels: Mapping[str, str], selector: str | None) -> bool:
    """Kubernetes label-selector semantics: =, ==, !=, in, notin, exists, !exists."""
    for term in _split_selector(selector or ""):
        if m := _SET_EXPR.match(term):
            key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            if (labels.get(key) in values) != (op == "in") or (op == "in" and key not in labels):
                return False
        elif "!=" in term:
            key, value = (s.strip() for s in term.split("!=", 1))
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = (s.strip() for s in term.replace("==", "=").split("=", 1))
            if labels.get(key) != value:
                return False
        elif term.startswith("!"):
            if term[1:].strip() in labels:
                return False
        elif term not in labels:
            return False
    return True


def matches_fields(body: Body, selector: str | None) -> bool:
    """Field selectors on metadata.name and metadata.namespace (what clients use)."""
    meta = body.get("metadata") or {}
    for term in _split_selector(selector or ""):
        negate = "!=" in term
        key, value = (s.strip() for s in term.replace("!=", "=").replace("==", "=").split("=", 1))
        actual = meta.get(key.removeprefix("metadata.")) if key.startswith("metadata.") else None
        if (actual == value) == negate:
            return False
    return True
