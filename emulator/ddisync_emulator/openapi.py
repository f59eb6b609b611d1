"""The OpenAPI v3 documents kubectl reads before it writes: ``/openapi/v3`` and one per API.

``kubectl apply`` validates strictly by default. It first asks the server's OpenAPI v3 document
of the object's group-version whether the PATCH operation of that kind takes the
``fieldValidation`` query parameter; if so it leaves validation to the server and sends
``fieldValidation=Strict``. Without any OpenAPI document it refuses to apply at all ("failed to
download openapi ... turn validation off with --validate=false"). So every served
group-version gets a document with, per resource, its paths, the PATCH operation tagged with
``x-kubernetes-group-version-kind`` and the query parameters a real server lists, and (for
custom resources) the CRD's schema under ``components.schemas``, which ``kubectl explain`` reads.

The PATCH request bodies list JSON patch, merge patch and apply patch, but not strategic merge
patch: kubectl would then need full strategic-merge schemas here, and falls back to what it
knows of built-in kinds (and to merge patches for custom ones) without it, as it does against
a real server for custom resources.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import kmock

from ddisync_emulator.addressing import kind_of

_PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
)
_WRITE_PARAMS = ("dryRun", "fieldManager", "fieldValidation")
_LIST_PARAMS = (
    "allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit",
    "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch",
)  # fmt: skip


@dataclass(frozen=True)
class ResourceDoc:
    """What the OpenAPI document says about one served resource."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    subresources: tuple[str, ...] = ()
    schema: Mapping[str, Any] | None = None

    @property
    def group_version_path(self) -> str:
        """``api/v1`` or ``apis/<group>/<version>``, as ``/openapi/v3`` keys them."""
        return f"apis/{self.group}/{self.version}" if self.group else f"api/{self.version}"


def resource_docs(
    served: Iterable[tuple[kmock.resource, kmock.ResourceInfo]],
    schemas: Mapping[kmock.resource, Mapping[str, Any] | None],
) -> list[ResourceDoc]:
    """The documentation of each served resource, from the emulator's discovery data."""
    return [
        ResourceDoc(
            group=str(res.group or ""),
            version=str(res.version),
            plural=str(res.plural),
            kind=kind_of(res, info),
            namespaced=bool(info.namespaced),
            subresources=tuple(sorted(info.subresources)),
            schema=schemas.get(res),
        )
        for res, info in served
    ]


def root(resources: Iterable[ResourceDoc]) -> dict[str, Any]:
    """``/openapi/v3``: one entry per group-version, its URL carrying a hash of its content."""
    by_gv: dict[str, list[ResourceDoc]] = {}
    for resource in resources:
        by_gv.setdefault(resource.group_version_path, []).append(resource)
    paths = {}
    for gv_path, members in sorted(by_gv.items()):
        digest = hashlib.sha256(
            json.dumps(group_version(members), sort_keys=True).encode()
        ).hexdigest()[:32]
        paths[gv_path] = {"serverRelativeURL": f"/openapi/v3/{gv_path}?hash={digest.upper()}"}
    return {"paths": paths}


def group_version(resources: Iterable[ResourceDoc]) -> dict[str, Any]:
    """The OpenAPI 3.0 document of one group-version's resources."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for resource in sorted(resources, key=lambda r: r.plural):
        gvk = {"group": resource.group, "version": resource.version, "kind": resource.kind}
        schema_name = _schema_name(resource)
        ref = {"$ref": f"#/components/schemas/{schema_name}"}
        base = f"/{resource.group_version_path}"
        if resource.namespaced:
            base += "/namespaces/{namespace}"
        collection, item = f"{base}/{resource.plural}", f"{base}/{resource.plural}/{{name}}"
        scope_params = [_path_param("namespace")] if resource.namespaced else []
        paths[collection] = {
            "parameters": scope_params,
            "get": _operation("list", gvk, ref, _LIST_PARAMS),
            "post": _operation("post", gvk, ref, _WRITE_PARAMS, body=("application/json",)),
        }
        item_ops = {
            "parameters": [_path_param("name"), *scope_params],
            "get": _operation("get", gvk, ref, ()),
            "put": _operation("put", gvk, ref, _WRITE_PARAMS, body=("application/json",)),
            "patch": _operation("patch", gvk, ref, (*_WRITE_PARAMS, "force"), body=_PATCH_TYPES),
            "delete": _operation("delete", gvk, ref, ("dryRun", "propagationPolicy")),
        }
        paths[item] = item_ops
        for sub in resource.subresources:
            paths[f"{item}/{sub}"] = {
                "parameters": item_ops["parameters"],
                "get": _operation("get", gvk, ref, ()),
                "patch": _operation("patch", gvk, ref, _WRITE_PARAMS, body=_PATCH_TYPES),
            }
        schema = dict(resource.schema or {"type": "object"})
        schema["x-kubernetes-group-version-kind"] = [gvk]
        schemas[schema_name] = schema
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.35.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _schema_name(resource: ResourceDoc) -> str:
    """Reversed group, version and kind, as the server names them: io.ddisync.v1alpha1.Network."""
    group = ".".join(reversed(resource.group.split("."))) if resource.group else "io.k8s.api.core"
    return f"{group}.{resource.version}.{resource.kind}"


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _operation(
    action: str,
    gvk: Mapping[str, str],
    ref: Mapping[str, str],
    query: Iterable[str],
    *,
    body: Iterable[str] = (),
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "parameters": [
            {"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
            for name in query
        ],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": dict(ref)}}}
        },
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": dict(gvk),
    }
    media = list(body)
    if media:
        operation["requestBody"] = {
            "content": {kind: {"schema": dict(ref)} for kind in media},
            "required": True,
        }
    return operation
