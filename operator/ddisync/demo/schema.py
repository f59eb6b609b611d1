"""What the emulated API server does with a CustomResourceDefinition.

A real server turns an applied CRD into a served resource (discovery) and checks every custom
object against the version's structural schema: it applies ``default`` values, prunes unknown
fields and refuses type, enum, pattern, range and required-field violations with 422 Invalid.
CEL rules (``x-kubernetes-validations``) are not evaluated here; ddisync enforces the same rules
in its pydantic models, and the operator reports them as ``InvalidSpec``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ddisync.demo.objects import ApiError, Body

CRD_RESOURCE = "apiextensions.k8s.io/v1/customresourcedefinitions"
CUSTOM_VERBS = frozenset(
    {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
)
_UNPRUNED = frozenset({"apiVersion", "kind", "metadata"})


@dataclass(frozen=True)
class ServedVersion:
    """One served version of a CRD: everything discovery and validation need."""

    resource: str  # group/version/plural, as kmock spells it
    kind: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...]
    categories: tuple[str, ...]
    subresources: tuple[str, ...]
    schema: dict[str, Any] | None


def served_versions(crd: Body) -> list[ServedVersion]:
    """The resources a CRD makes the server serve; ``ApiError`` if the CRD is malformed."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group, plural, kind = spec.get("group"), names.get("plural"), names.get("kind")
    if not (group and plural and kind):
        raise ApiError(
            422, "Invalid", "spec.group, spec.names.plural and spec.names.kind are required"
        )
    expected = f"{plural}.{group}"
    if (crd.get("metadata") or {}).get("name") != expected:
        raise ApiError(422, "Invalid", f'metadata.name: Invalid value: must be "{expected}"')
    result = []
    for version in spec.get("versions") or []:
        if not version.get("served", True):
            continue
        result.append(
            ServedVersion(
                resource=f"{group}/{version['name']}/{plural}",
                kind=kind,
                singular=names.get("singular") or kind.lower(),
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                subresources=tuple(sorted((version.get("subresources") or {}).keys())),
                schema=(version.get("schema") or {}).get("openAPIV3Schema"),
            )
        )
    return result


def crd_status(crd: Body) -> dict[str, Any]:
    """The status a real server writes once it serves the CRD (``kubectl wait`` reads it)."""
    spec = crd.get("spec") or {}
    conditions = [
        {"type": kind, "status": "True", "reason": reason, "message": message}
        for kind, reason, message in (
            ("NamesAccepted", "NoConflicts", "no conflicts found"),
            ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        )
    ]
    stored = [v["name"] for v in spec.get("versions") or [] if v.get("storage")]
    return {
        "conditions": conditions,
        "acceptedNames": spec.get("names") or {},
        "storedVersions": stored,
    }


# --- structural schema: defaults, pruning, validation ----------------------------------------

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def conform(body: Body, schema: Mapping[str, Any] | None) -> Body:
    """Default, prune and validate ``body`` in place as a real server does; returns it."""
    if not schema:
        return body
    errors: list[str] = []
    _walk(body, schema, "", errors, top=True)
    if errors:
        kind, name = body.get("kind", "object"), (body.get("metadata") or {}).get("name")
        raise ApiError(
            422,
            "Invalid",
            f'{kind}.{_group(body)} "{name}" is invalid: ' + ", ".join(errors),
            {"causes": [{"message": error} for error in errors]},
        )
    return body


def _group(body: Body) -> str:
    api_version = str(body.get("apiVersion", ""))
    return api_version.split("/", 1)[0] if "/" in api_version else api_version


def _walk(
    value: Any, schema: Mapping[str, Any], path: str, errors: list[str], top: bool = False
) -> None:
    where = path.lstrip(".") or "<root>"
    if value is None:
        if not schema.get("nullable"):
            errors.append(f"{where}: Invalid value: null: must not be null")
        return
    expected = schema.get("type")
    if expected in _TYPES and (
        not isinstance(value, _TYPES[expected])
        or (expected != "boolean" and isinstance(value, bool))
    ):
        errors.append(f"{where}: Invalid value: {_show(value)}: must be of type {expected}")
        return
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(f'"{v}"' for v in schema["enum"])
        errors.append(f"{where}: Unsupported value: {_show(value)}: supported values: {allowed}")
    if isinstance(value, str):
        _check_string(value, schema, where, errors)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(
                f"{where}: Invalid value: {value}: "
                f"should be greater than or equal to {schema['minimum']}"
            )
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(
                f"{where}: Invalid value: {value}: "
                f"should be less than or equal to {schema['maximum']}"
            )
    elif isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(f"{where}: Invalid value: must have at least {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(
                f"{where}: Too many: {len(value)}: must have at most {schema['maxItems']} items"
            )
        for index, item in enumerate(value):
            if isinstance(schema.get("items"), Mapping):
                _walk(item, schema["items"], f"{path}[{index}]", errors)
    elif isinstance(value, dict):
        _walk_object(value, schema, path, errors, top)


def _walk_object(
    value: dict[str, Any], schema: Mapping[str, Any], path: str, errors: list[str], top: bool
) -> None:
    properties: Mapping[str, Any] = schema.get("properties") or {}
    for key, child in properties.items():
        if key not in value and "default" in child:
            value[key] = child["default"]
    for key in schema.get("required") or ():
        if key not in value:
            errors.append(f"{path.lstrip('.') + '.' if path else ''}{key}: Required value")
    extra = schema.get("additionalProperties")
    for key in list(value):
        if top and key in _UNPRUNED:
            continue
        if key in properties:
            _walk(value[key], properties[key], f"{path}.{key}", errors)
        elif isinstance(extra, Mapping):
            _walk(value[key], extra, f"{path}.{key}", errors)
        elif not (extra is True or schema.get("x-kubernetes-preserve-unknown-fields")):
            del value[key]  # pruned, silently, like a real server


def _check_string(value: str, schema: Mapping[str, Any], where: str, errors: list[str]) -> None:
    if "minLength" in schema and len(value) < schema["minLength"]:
        errors.append(
            f"{where}: Invalid value: {_show(value)}: "
            f"should be at least {schema['minLength']} chars long"
        )
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        errors.append(f"{where}: Too long: may not be more than {schema['maxLength']} bytes")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{where}: Invalid value: {_show(value)}: should match '{schema['pattern']}'")


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)
