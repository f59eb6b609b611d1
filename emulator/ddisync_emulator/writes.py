"""What a create, update or delete does in the emulated API server, decided before anything changes.

``write`` takes the request and the resource as the server has it (``Target``) and returns a
``Write``: the answer, and the one change to make to the store (an object stored or removed),
or raises ``ApiError`` with the answer a real server gives. The emulator then makes the change
(which publishes the watch event), so its state changes in one place, once every check passed.
The rules on single fields are in ``objects``; these apply them in a real server's order.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

import kmock

from ddisync_emulator import crd_serving, events, namespaces, objects, validation
from ddisync_emulator.addressing import (
    Key,
    describe,
    group_version,
    not_found,
    object_key,
    unknown_resource,
)
from ddisync_emulator.objects import (
    GENERATE_NAME_ATTEMPTS,
    ApiError,
    Body,
    check_name,
    check_resource_version,
    content_changed,
    keep_server_fields,
    namespace_of,
    new_identity,
    now_rfc3339,
    patched,
)
from ddisync_emulator.schema import ServedVersion


class Outcome(NamedTuple):
    """The answer to a write: HTTP status, body, and the warnings to send."""

    status: int
    body: Body
    warnings: list[str]


@dataclass(frozen=True)
class Write:
    """What one write does: its answer, and the change to make to the store.

    ``change`` "store": ``outcome.body`` becomes the object's version under ``key`` (``old`` is
    the one it replaces, None for a new object); "remove": the object goes, ``outcome.body`` is
    its last state; None: nothing changes (a dry run, an update that changes nothing, a delete
    of an object already being deleted).
    """

    outcome: Outcome
    key: Key
    change: Literal["store", "remove"] | None = None
    old: Body | None = None


@dataclass(frozen=True)
class Target:
    """The resource a write goes to, as the server has it when the request comes."""

    resource: kmock.resource
    info: kmock.ResourceInfo
    objects: Mapping[Key, kmock.Object]  # its stored objects
    served: ServedVersion | None  # the CRD version behind a custom resource; None: built in
    rv: int  # the newest resourceVersion handed out
    next_rv: Callable[[], int]  # hands out the next one; called only for a change to store


def write(request: kmock.Request, target: Target) -> Write:
    """What the create, update (PUT or PATCH) or delete in ``request`` does."""
    if request.action == kmock.action.CREATE:
        return _create(request, target)
    if request.action == kmock.action.UPDATE:
        return _update(request, target)
    return _delete(request, target)


def _create(request: kmock.Request, target: Target) -> Write:
    key, body = new_object(request, target)
    body, warnings = admit(request, target, body, None)
    if request.params.get("dryRun"):
        return Write(Outcome(201, body, warnings), key)
    body["metadata"]["resourceVersion"] = str(target.next_rv())
    return Write(Outcome(201, body, warnings), key, "store")


def _update(request: kmock.Request, target: Target) -> Write:
    key = object_key(request, target.info)
    current = target.objects.get(key)
    if current is None:
        if _creates_when_missing(request):
            return _create(request, target)  # server-side apply creates
        raise not_found(target.resource, request.name)
    old = current.raw
    new, warnings = admit(request, target, changed_object(request, target.info, old), old)
    if new == old or request.params.get("dryRun"):
        return Write(Outcome(200, new, warnings), key)  # no change: no new version or event
    meta = new["metadata"]
    meta["resourceVersion"] = str(target.next_rv())
    if content_changed(old, new):
        meta["generation"] = int(old["metadata"].get("generation", 1)) + 1
    if meta.get("deletionTimestamp") and not meta.get("finalizers"):
        return Write(Outcome(200, new, warnings), key, "remove")  # the last finalizer went
    return Write(Outcome(200, new, warnings), key, "store", old)


def _delete(request: kmock.Request, target: Target) -> Write:
    if request.name is None:
        raise ApiError(405, "MethodNotAllowed", "deleting a collection is not supported here")
    key = object_key(request, target.info)
    current = target.objects.get(key)
    if current is None:
        raise not_found(target.resource, request.name)
    old = current.raw
    options = request.data if isinstance(request.data, dict) else {}
    check_resource_version(old, {"metadata": options.get("preconditions") or {}})
    meta = old.get("metadata", {})
    if meta.get("deletionTimestamp"):
        return Write(Outcome(200, old, []), key)
    if meta.get("finalizers"):  # it stays until they go, marked as being deleted
        new = copy.deepcopy(old)
        new["metadata"]["deletionTimestamp"] = now_rfc3339()
        new["metadata"]["deletionGracePeriodSeconds"] = 0
        new["metadata"]["resourceVersion"] = str(target.next_rv())
        return Write(Outcome(200, new, []), key, "store", old)
    gone = {**old, "metadata": {**meta, "resourceVersion": str(target.next_rv())}}
    return Write(Outcome(200, gone, []), key, "remove")


def new_object(request: kmock.Request, target: Target) -> tuple[Key, Body]:
    """The body a create stores, and its key (not yet admitted; resourceVersion provisional).

    A ``generateName`` object whose name is taken gets another (the server retries); any other
    taken name is 409 AlreadyExists.
    """
    resource, info, taken = target.resource, target.info, target.objects
    if not isinstance(request.data, dict):
        raise ApiError(400, "BadRequest", "the body of the request must be a JSON object")
    body = copy.deepcopy(request.data)
    meta = body.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise ApiError(400, "BadRequest", "metadata must be an object")
    namespace = namespace_of(request.namespace, meta, bool(info.namespaced))
    body.setdefault("apiVersion", group_version(resource))
    body.setdefault("kind", info.kind)
    generated = bool(meta.get("generateName")) and not meta.get("name")
    new_identity(meta, target.rv + 1)
    check_name(meta.get("name"))
    key: Key = (namespace, meta["name"])
    for _ in range(GENERATE_NAME_ATTEMPTS - 1 if generated else 0):
        if key not in taken:
            break
        meta["name"] = objects.generated_name(meta["generateName"])  # taken: try again
        key = (namespace, meta["name"])
    if key in taken:
        raise ApiError(409, "AlreadyExists", f"{describe(resource, meta['name'])} already exists")
    if "status" in info.subresources:
        body.pop("status", None)  # status is set through /status only
    return key, body


def _content_type(request: kmock.Request) -> str:
    return str(request.headers.get("Content-Type", "application/json"))


def _creates_when_missing(request: kmock.Request) -> bool:
    """Whether an update of a missing object creates it: server-side apply does."""
    return "apply-patch" in _content_type(request) and request.subresource is None


def changed_object(request: kmock.Request, info: kmock.ResourceInfo, old: Body) -> Body:
    """The body a PUT or PATCH (of the object or of its /status) leaves; not yet admitted.

    With the status subresource on, a write to the object keeps the stored status and a write
    to /status changes nothing else; fields only the server sets keep their stored values.
    """
    if request.subresource not in (None, "status") or (
        request.subresource == "status" and "status" not in info.subresources
    ):
        raise unknown_resource()
    check_resource_version(old, request.data)
    if request.method == kmock.method.PUT:
        if not isinstance(request.data, dict):
            raise ApiError(400, "BadRequest", "the body of the request must be a JSON object")
        new = copy.deepcopy(request.data)
    else:
        new = patched(old, request.data, _content_type(request))
    if request.subresource == "status":
        new = {**old, "status": new.get("status")}
        if new["status"] is None:
            del new["status"]
    elif "status" in info.subresources:
        new.pop("status", None)
        if "status" in old:
            new["status"] = old["status"]
    new = keep_server_fields(old, new)
    new["apiVersion"], new["kind"] = old.get("apiVersion"), old.get("kind")
    return new


def admit(
    request: kmock.Request, target: Target, body: Body, old: Body | None
) -> tuple[Body, list[str]]:
    """Schema and CEL checks of custom objects (see ``validation``), what the server sets on
    the built-in kinds it knows here (CRDs, Namespaces, Events), and a Secret's ``stringData``
    folded into its ``data``; the body to store and the warnings to send."""
    directive = validation.field_validation(request.params)
    warnings: list[str] = []
    if target.served is not None:
        body = copy.deepcopy(body)
        warnings = validation.conform(body, target.served.schema, old=old, directive=directive)
    if target.resource == crd_serving.CRD_RESOURCE:
        crd_serving.admit_crd(body)
    elif target.resource == namespaces.NAMESPACES:
        namespaces.admit_namespace(body, old)
    elif target.resource == events.CORE_EVENTS:
        events.stored_times(body)
    if not target.resource.group and target.info.kind == "Secret":
        body = objects.fold_string_data(body)
    return body, warnings
