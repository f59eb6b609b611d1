"""What the emulated API server does with a CustomResourceDefinition.

A real server turns an applied CRD into served resources: discovery (kind, scope, short names,
categories, subresources), the printer columns of ``kubectl get`` (``tables``), the OpenAPI
documents kubectl reads (``openapi``) and the schema every custom object is admitted against
(``validation``). This module reads those parts out of a CRD body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ddisync_emulator.objects import ApiError, Body

CRD_RESOURCE = "apiextensions.k8s.io/v1/customresourcedefinitions"
CUSTOM_VERBS = frozenset(
    {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
)
# A CRD without printer columns gets this one (apiextensions' defaulting does the same).
DEFAULT_COLUMNS: tuple[dict[str, Any], ...] = (
    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
)


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
    printer_columns: tuple[dict[str, Any], ...] = DEFAULT_COLUMNS


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
                printer_columns=tuple(version.get("additionalPrinterColumns") or DEFAULT_COLUMNS),
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
