"""Pure rules of the emulated API server on object bodies: patches, metadata, selectors.

No I/O here (kmock only for its error class), so each rule is testable on plain dicts. The
emulator calls these and maps ``ApiError`` to the ``Status`` answer a real API server gives.
"""

from __future__ import annotations

import base64
import copy
import datetime
import json
import re
import secrets
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonpatch
import kmock

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


def status_body(exc: Exception) -> dict[str, Any]:
    """The ``Status`` answer for an error: ours, kmock's, or a bug (500 with the traceback)."""
    if isinstance(exc, ApiError):
        status, reason, message, details = exc.status, exc.reason, exc.message, exc.details
    elif isinstance(exc, kmock.KubernetesError):
        status, reason = exc.status, exc.reason or type(exc).__name__
        message, details = exc.message or repr(exc), exc.details or {}
    else:
        status, reason, message = 500, "InternalError", repr(exc)
        details = {"causes": [{"message": traceback.format_exc()}]}
    return {
        "apiVersion": "v1",
        "kind": "Status",
        "metadata": {},
        "status": "Failure",
        "code": status,
        "reason": reason,
        "message": message,
        "details": details,
    }


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def with_last_applied(manifest: Mapping[str, Any], namespace: str | None) -> Body:
    """The manifest as ``kubectl apply`` sends it: with the last-applied annotation.

    kubectl keeps the applied manifest in that annotation to compute its next three-way patch,
    and warns about (and rewrites) objects that lack it. Recording it the same way makes a
    person's later ``kubectl apply -f`` of the same files say "unchanged". The text is what
    kubectl writes: the manifest with its namespace filled in and ``annotations: {}``, as Go's
    JSON encoder prints it (sorted keys, compact, <, > and & escaped, whole floats without ".0",
    a final newline).
    """
    body = copy.deepcopy(dict(manifest))
    meta = body.setdefault("metadata", {})
    if namespace is not None:
        meta.setdefault("namespace", namespace)
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k != LAST_APPLIED}
    meta["annotations"] = annotations
    text = json.dumps(_go_numbers(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    meta["annotations"] = {**annotations, LAST_APPLIED: text + "\n"}
    return body


def fold_string_data(secret: Body) -> Body:
    """A Secret as a real server stores it: ``stringData`` (plain text, for writers' comfort)
    base64-encoded into ``data``, winning over a key of the same name, and not kept itself."""
    string_data = secret.get("stringData")
    if not string_data:
        return {k: v for k, v in secret.items() if k != "stringData"}
    if not isinstance(string_data, dict) or not all(
        isinstance(v, str) for v in string_data.values()
    ):
        raise ApiError(400, "BadRequest", "stringData must map keys to strings")
    encoded = {k: base64.b64encode(v.encode()).decode() for k, v in string_data.items()}
    folded = {k: v for k, v in secret.items() if k != "stringData"}
    folded["data"] = {**(secret.get("data") or {}), **encoded}
    return folded


def _go_numbers(value: Any) -> Any:
    """``value`` with whole floats as ints: Go prints the float64 20.0 (a CRD's ``default:
    20.0``) as ``20``, Python as ``20.0``, and kubectl would see a change that is none."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _go_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_numbers(v) for v in value]
    return value


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
    merge keys and field managers they add matter to built-in kinds, not to ddisync's. The
    directives of a strategic merge patch (``$patch``, ``$setElementOrder/...``, which kubectl
    sends when it re-applies a CRD) are dropped rather than stored as fields.
    """
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/strategic-merge-patch+json":
        data = _without_directives(data)
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


def _without_directives(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {k: _without_directives(v) for k, v in data.items() if not str(k).startswith("$")}
    if isinstance(data, list):
        return [_without_directives(item) for item in data]
    return data


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


def namespace_of(requested: str | None, meta: dict[str, Any], namespaced: bool) -> str | None:
    """The namespace a created object goes to (set in ``meta``): the URL's or the body's."""
    if not namespaced:
        meta.pop("namespace", None)
        return None
    namespace = requested or meta.get("namespace")
    if requested and meta.get("namespace") not in (None, requested):
        raise ApiError(
            400,
            "BadRequest",
            "the namespace of the provided object does not match the namespace sent on the request",
        )
    if not namespace:
        raise ApiError(400, "BadRequest", "a namespaced object needs a namespace")
    meta["namespace"] = namespace
    return str(namespace)


# What the API server appends to a generateName: 5 characters of an alphabet without vowels
# (no words) and without look-alikes. 27**5 names per prefix; on a taken one the server
# (v1.32+, RetryGenerateName) tries another, up to 8 times in all.
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
GENERATE_NAME_ATTEMPTS = 8


def generated_name(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(5))


def new_identity(meta: dict[str, Any], resource_version: int) -> None:
    """Stamp what a real server sets on create."""
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = generated_name(meta["generateName"])
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


# --- label selectors (field selectors are in ``fields``) -------------------------------------

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


def selects(
    body: Body,
    *,
    namespace: str | None = None,
    name: str | None = None,
    labels: str | None = None,
    fields: Callable[[Body], bool] | None = None,
) -> bool:
    """Whether a list or watch for this namespace, name and selectors includes ``body``
    (``fields``: the field selector, as ``fields.matcher`` reads it for the resource)."""
    meta = body.get("metadata") or {}
    return (
        (namespace is None or meta.get("namespace") == namespace)
        and (name is None or meta.get("name") == name)
        and (not labels or matches_labels(meta.get("labels") or {}, labels))
        and (fields is None or fields(body))
    )
