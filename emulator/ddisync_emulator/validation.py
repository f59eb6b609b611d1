"""Admission of a custom object against its CRD version's schema, as a real API server does it.

In the server's order:

1. Decoding with ``fieldValidation``: fields the schema does not know are pruned; with
   ``Strict`` (what kubectl sends) they refuse the request with 400 BadRequest, with ``Warn``
   (the server's default) they come back as ``Warning`` headers, with ``Ignore`` nothing.
2. Defaulting: ``default`` values of the schema fill missing properties.
3. Structural validation: type, enum, pattern, length, range, item counts, required fields.
   Errors refuse the request with 422 Invalid and a ``details.causes`` list naming each field.
4. CEL rules (``x-kubernetes-validations``, through ``ddisync_emulator.cel``), only on an object
   that passed 3. Transition rules see the stored object as ``oldSelf``; values an update does
   not change are not re-judged (ratcheting).

kubectl prints the 422 answer from ``details`` as ``The Network "x" is invalid: spec: ...``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ddisync_emulator import cel
from ddisync_emulator.objects import ApiError, Body

_UNPRUNED = frozenset({"apiVersion", "kind", "metadata"})
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}
FIELD_VALIDATION = ("Strict", "Warn", "Ignore")


@dataclass(frozen=True)
class Cause:
    """One field error of a 422 answer (a ``StatusCause``)."""

    field: str
    reason: str  # FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, ...
    message: str  # without the field, e.g. 'Invalid value: "string": must be ...'

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass
class _Walk:
    causes: list[Cause] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # paths of pruned fields


def field_validation(params: Mapping[str, str]) -> str:
    """The request's ``fieldValidation`` directive; 400 for an unknown one."""
    value = params.get("fieldValidation") or "Warn"
    if value not in FIELD_VALIDATION:
        raise ApiError(
            400,
            "BadRequest",
            f'fieldValidation must be one of "Ignore", "Strict" or "Warn", not "{value}"',
        )
    return value


def conform(
    body: Body,
    schema: Mapping[str, Any] | None,
    *,
    old: Body | None = None,
    directive: str = "Warn",
) -> list[str]:
    """Default, prune and validate ``body`` in place; the warnings for the answer.

    Raises ``ApiError`` 400 (unknown fields under ``Strict``) or 422 (schema or CEL).
    """
    if not schema:
        return []
    walk = _Walk()
    _check(body, schema, "", walk, top=True)
    unknown = [f'unknown field "{path}"' for path in walk.unknown]
    if unknown and directive == "Strict":
        kind, version = body.get("kind", "object"), _version(body)
        raise ApiError(
            400,
            "BadRequest",
            f'{kind} in version "{version}" cannot be handled as a {kind}: '
            f"strict decoding error: {', '.join(unknown)}",
        )
    if not walk.causes:
        rules = cel.check_rules(schema, body, old, ratchet=old is not None)
        walk.causes.extend(
            Cause(
                _display(failure.path),
                failure.reason,
                f'Invalid value: "{failure.value_type}": {failure.message}',
            )
            for failure in rules.failures
        )
    if walk.causes:
        raise invalid(body, walk.causes)
    return unknown if directive == "Warn" else []


def invalid(body: Body, causes: list[Cause]) -> ApiError:
    """The 422 Invalid answer a real server gives, with ``details`` kubectl formats."""
    meta = body.get("metadata") or {}
    kind, name, group = str(body.get("kind", "")), meta.get("name"), _group(body)
    # One error reads as itself; several as Go's aggregate error prints them: [a, b].
    listed = ", ".join(str(c) for c in causes)
    if len(causes) > 1:
        listed = f"[{listed}]"
    return ApiError(
        422,
        "Invalid",
        f'{kind}.{group} "{name}" is invalid: {listed}',
        {
            "name": name,
            "group": group,
            "kind": kind,
            "causes": [
                {"reason": c.reason, "message": c.message, "field": c.field} for c in causes
            ],
        },
    )


def _display(path: str) -> str:
    return "" if path == cel.ROOT else path


def _group(body: Body) -> str:
    api_version = str(body.get("apiVersion", ""))
    return api_version.split("/", 1)[0] if "/" in api_version else api_version


def _version(body: Body) -> str:
    return str(body.get("apiVersion", "")).rpartition("/")[2]


def _check(
    value: Any, schema: Mapping[str, Any], path: str, walk: _Walk, top: bool = False
) -> None:
    where = path.lstrip(".") or "<root>"
    causes = walk.causes
    if value is None:
        if not schema.get("nullable"):
            causes.append(Cause(where, "FieldValueRequired", "Required value"))
        return
    expected = schema.get("type")
    if expected in _TYPES and (
        not isinstance(value, _TYPES[expected])
        or (expected != "boolean" and isinstance(value, bool))
    ):
        actual = _json_type(value)
        causes.append(
            Cause(
                where,
                "FieldValueTypeInvalid",
                f'Invalid value: "{actual}": {where} in body must be of type {expected}: '
                f'"{actual}"',
            )
        )
        return
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(f'"{v}"' for v in schema["enum"])
        causes.append(
            Cause(
                where,
                "FieldValueNotSupported",
                f"Unsupported value: {_show(value)}: supported values: {allowed}",
            )
        )
    if isinstance(value, str):
        _check_string(value, schema, where, causes)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        for key, word in (("minimum", "greater"), ("maximum", "less")):
            limit = schema.get(key)
            if limit is not None and (value < limit if key == "minimum" else value > limit):
                causes.append(
                    Cause(
                        where,
                        "FieldValueInvalid",
                        f"Invalid value: {value}: {where} in body should be {word} than or "
                        f"equal to {limit}",
                    )
                )
    elif isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            causes.append(
                Cause(
                    where,
                    "FieldValueInvalid",
                    f"Invalid value: {len(value)}: {where} in body should have at least "
                    f"{schema['minItems']} items",
                )
            )
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            causes.append(
                Cause(
                    where,
                    "FieldValueTooMany",
                    f"Too many: {len(value)}: must have at most {schema['maxItems']} items",
                )
            )
        for index, item in enumerate(value):
            if isinstance(schema.get("items"), Mapping):
                _check(item, schema["items"], f"{path}[{index}]", walk)
    elif isinstance(value, dict):
        _check_object(value, schema, path, walk, top)


def _check_object(
    value: dict[str, Any], schema: Mapping[str, Any], path: str, walk: _Walk, top: bool
) -> None:
    properties: Mapping[str, Any] = schema.get("properties") or {}
    for key, child in properties.items():
        if key not in value and "default" in child:
            value[key] = child["default"]
    for key in schema.get("required") or ():
        if key not in value:
            prefix = path.lstrip(".") + "." if path else ""
            walk.causes.append(Cause(f"{prefix}{key}", "FieldValueRequired", "Required value"))
    extra = schema.get("additionalProperties")
    for key in list(value):
        if top and key in _UNPRUNED:
            continue
        if key in properties:
            _check(value[key], properties[key], f"{path}.{key}", walk)
        elif isinstance(extra, Mapping):
            _check(value[key], extra, f"{path}.{key}", walk)
        elif not (extra is True or schema.get("x-kubernetes-preserve-unknown-fields")):
            walk.unknown.append(f"{path}.{key}".lstrip("."))
            del value[key]  # pruned, like a real server


def _check_string(value: str, schema: Mapping[str, Any], where: str, causes: list[Cause]) -> None:
    if "minLength" in schema and len(value) < schema["minLength"]:
        causes.append(
            Cause(
                where,
                "FieldValueInvalid",
                f"Invalid value: {_show(value)}: {where} in body should be at least "
                f"{schema['minLength']} chars long",
            )
        )
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        causes.append(
            Cause(
                where,
                "FieldValueTooLong",
                f"Too long: may not be longer than {schema['maxLength']}",
            )
        )
    if "pattern" in schema and not re.search(schema["pattern"], value):
        causes.append(
            Cause(
                where,
                "FieldValueInvalid",
                f"Invalid value: {_show(value)}: {where} in body should match "
                f"'{schema['pattern']}'",
            )
        )


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)
