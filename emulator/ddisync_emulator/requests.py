"""Turning an HTTP request into a kmock ``Request`` with its Kubernetes meaning.

kmock's own parser fails on ``/api/v1/namespaces`` (a ValueError, answered 500), does not know
PUT (replace) and reads only JSON bodies. This one handles the paths kubectl, kopf and the
official client use, PUT, YAML bodies (server-side apply sends
``application/apply-patch+yaml``) and the protobuf bodies of kubectl's typed commands
(``protobuf``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp.web
import kmock
import yaml

from ddisync_emulator import protobuf
from ddisync_emulator.objects import ApiError

# Subresources of a namespace itself: /api/v1/namespaces/NAME/status (not a resource "status"
# inside namespace NAME).
_NAMESPACE_SUBRESOURCES = frozenset({"status", "finalize"})


@dataclass(frozen=True)
class ApiPath:
    group: str | None = None
    version: str | None = None
    plural: str | None = None
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None


def parse_path(path: str) -> ApiPath:
    """The API coordinates of a URL path; all None for paths outside /api and /apis."""
    parts = [part for part in path.strip("/").split("/") if part]
    version: str | None
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 2 and parts[0] == "apis":
        group, version, rest = parts[1], (parts[2] if len(parts) >= 3 else None), parts[3:]
    else:
        return ApiPath()
    if not rest:
        return ApiPath(group, version)
    if rest[0] == "namespaces" and (
        len(rest) <= 2 or (len(rest) == 3 and rest[2] in _NAMESPACE_SUBRESOURCES)
    ):  # the namespaces resource itself
        return ApiPath(group, version, "namespaces", None, *_name_and_sub(rest[1:]))
    namespace = None
    if rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    return ApiPath(group, version, rest[0], namespace, *_name_and_sub(rest[1:]))


def _name_and_sub(rest: list[str]) -> tuple[str | None, str | None]:
    return (rest[0] if rest else None), ("/".join(rest[1:]) or None)


def guess_action(path: ApiPath, method: str, query: dict[str, str]) -> kmock.action | None:
    if path.plural is None:
        return None
    if method == "GET":
        if query.get("watch") in ("true", "1"):
            return kmock.action.WATCH
        return kmock.action.LIST if path.name is None else kmock.action.FETCH
    if path.name is None:
        return kmock.action.CREATE if method == "POST" else None
    return {
        "PATCH": kmock.action.UPDATE,
        "PUT": kmock.action.UPDATE,
        "DELETE": kmock.action.DELETE,
    }.get(method)


def parse_body(body: bytes, content_type: str) -> Any:
    if not body:
        return None
    if content_type.split(";", 1)[0].strip() == protobuf.CONTENT_TYPE:
        return protobuf.decode(body)  # kubectl create namespace/secret/configmap
    try:
        if "yaml" in content_type:
            return yaml.safe_load(body)
        return json.loads(body)
    except (ValueError, yaml.YAMLError) as exc:
        raise ApiError(
            400, "BadRequest", f"the request body is not valid JSON or YAML: {exc}"
        ) from None


# kube-apiserver refuses a request body over 3 MiB with 413 and a Status. aiohttp's own limit
# (1 MiB) would answer in plain text, which no Kubernetes client expects.
MAX_REQUEST_BYTES = 3 * 1024 * 1024


async def read_body(raw: aiohttp.web.BaseRequest) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in raw.content.iter_any():
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            raise ApiError(
                413,
                "RequestEntityTooLarge",
                f"Request entity too large: limit is {MAX_REQUEST_BYTES}",
            )
        chunks.append(chunk)
    return b"".join(chunks)


async def parse_request(raw: aiohttp.web.BaseRequest, *, id: int) -> kmock.Request:
    body = await read_body(raw)
    path = parse_path(raw.path)
    query = dict(raw.query)
    resource = None
    if path.group is not None:
        resource = kmock.resource(group=path.group, version=path.version, plural=path.plural)
    return kmock.Request(
        id=id,
        raw_request=raw,
        url=raw.url,
        method=raw.method,
        params=query,
        headers=dict(raw.headers),
        cookies=dict(raw.cookies),
        body=body,
        text=body.decode("utf-8", "replace"),
        data=parse_body(body, raw.headers.get("Content-Type", "")),
        action=guess_action(path, raw.method, query),
        resource=resource,
        namespace=path.namespace,
        name=path.name,
        subresource=path.subresource,
    )
