"""``ApiServerEmulator``: kmock's KubernetesEmulator made to behave like a Kubernetes API server.

kmock 0.8 stores bodies as sent. A real server, which kopf, the official client and kubectl
rely on, also: stamps uid, creationTimestamp, resourceVersion and generation; bumps generation
only on spec changes; keeps ``status`` and the main resource apart when the status subresource
is on; answers 422 to a failed JSON-patch ``test`` op and 409 to a stale resourceVersion;
serves a CRD's resource once the CRD is applied; admits objects against its schema and CEL
rules (``validation``); lists with ``kind: <Kind>List``; renders the ``Table`` of ``kubectl
get`` from the printer columns (``tables``); serves the OpenAPI v3 documents ``kubectl apply``
reads (``openapi``); watches from a resourceVersion; keeps an object with finalizers until the
last one goes; and names ``generateName`` objects (Events).

Speed: kmock matches each request against views over its whole request history and scans
every object for every fetch; both made the stock emulator quadratic (3 objects/s at 200
objects). Here the history holds only requests in flight, object versions are capped, and a
per-resource index answers fetch, list and watch without a scan.

kmock's DSL still works on top (``emu['get /version'] << 503`` injects faults), and
``emu.objects[...]`` still shows the stored objects; writes made there directly are picked up
by the index on the next request.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any

import aiohttp.web
import kmock
from kmock._internal.rendering import Response, StreamingError

from ddisync.demo import discovery, openapi, tables, validation, watching
from ddisync.demo import schema as crds
from ddisync.demo.objects import (
    GENERATE_NAME_ATTEMPTS,
    ApiError,
    Body,
    check_name,
    check_resource_version,
    content_changed,
    generated_name,
    keep_server_fields,
    namespace_of,
    new_identity,
    now_rfc3339,
    patched,
    selects,
    status_body,
)
from ddisync.demo.requests import parse_request

Key = tuple[str | None, str]  # (namespace, name) inside one resource
SERVER_VERSION = {"major": "1", "minor": "35", "gitVersion": "v1.35.0+ddisync-emulator",
                  "gitTreeState": "clean", "platform": "linux/amd64"}  # fmt: skip


class ApiServerEmulator(kmock.KubernetesEmulator):
    """An in-memory Kubernetes API server for kopf, the official client and kubectl."""

    #: Object versions kept per object for ``emu.objects[...].history`` assertions.
    history_limit = 3
    #: Seconds between watch BOOKMARKs; kopf restarts a watch silent for 70 s.
    bookmark_interval = 20.0

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        self._rv = 0
        self._index: dict[kmock.resource, dict[Key, kmock.Object]] = {}
        self._indexed = 0  # len(self._objects) when the index was last in step
        self._hubs: dict[kmock.resource, watching.WatchHub] = {}
        self._schemas: dict[kmock.resource, dict[str, Any] | None] = {}
        self._columns: dict[kmock.resource, tuple[dict[str, Any], ...]] = {}
        self._outcomes: dict[kmock.Request, tuple[int, Body, list[str]]] = {}
        self.fallback["get /openapi/v3"] << self._serve_openapi_root
        self.fallback["get", re.compile(r"/openapi/v3/apis?/.+")] << self._serve_openapi_doc
        self._builtin_reactions = tuple(self._payloads)  # see _serve_directly

    @property
    def resource_version(self) -> int:
        """The newest resourceVersion handed out (a list's ``metadata.resourceVersion``)."""
        return self._rv

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close_watches()
        await super().__aexit__(exc_type, exc_value, tb)

    def close_watches(self) -> None:
        """End every open watch stream (before the server stops, so it need not wait)."""
        for hub in self._hubs.values():
            hub.close()

    # --- HTTP entry ---------------------------------------------------------------------------

    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        try:
            request = await parse_request(raw_request, id=self._rv)
        except ApiError as exc:
            return await self._render_error(exc)
        # kmock filters every request through views over its request history: keep only the
        # requests in flight there, or each request costs O(requests so far).
        self._requests.append(request)
        try:
            return await self._serve(request)
        finally:
            self._requests.remove(request)
            self._outcomes.pop(request, None)
            for payload in self._payloads:
                del payload._requests[:-16]
            if self._errors:
                del self._errors[-1][:-16]

    async def _serve(self, request: kmock.Request) -> aiohttp.web.StreamResponse:
        raw_response: aiohttp.web.StreamResponse | None = None
        try:
            if request.resource is not None and request.resource.plural:
                self._apply(request)
                direct = await self._serve_directly(request)
                if direct is not None:
                    return direct
            try:
                # kmock's matching of DSL reactions, then our _serve_* fallbacks.
                return await kmock.RawHandler._handle(self, request)
            except StreamingError as exc:  # a stream failed after its headers went out
                raw_response = exc.args[0]
                raise (exc.__cause__ or exc) from None
        except Exception as exc:
            if self._errors and not isinstance(exc, ApiError | kmock.KubernetesError):
                self._errors[-1].append(exc)
            if raw_response is None or not raw_response.prepared:
                return await self._render_error(exc)
            await self._stream_error(exc, raw_response)
            await raw_response.write_eof()
            return raw_response

    async def _serve_directly(self, request: kmock.Request) -> aiohttp.web.StreamResponse | None:
        """The answer to a plain object request while no test has added a DSL reaction.

        kmock matches every request against every reaction's criteria and renders the answer
        through its generic payload rules: two thirds of the server's time at 10,000 objects.
        With only the built-in reactions, the one that would match is known from the action,
        so the answer is rendered here at once. Watches still go through kmock (streaming).
        """
        if len(self._payloads) != len(self._builtin_reactions) or any(
            a is not b for a, b in zip(self._payloads, self._builtin_reactions, strict=True)
        ):
            return None  # a test's reaction may match: kmock decides
        action = request.action
        if action in (kmock.action.CREATE, kmock.action.UPDATE, kmock.action.DELETE):
            status, body, warnings = self._outcomes[request]
            text = _warning_header(warnings)
            headers = {"Warning": text} if text else None
            return aiohttp.web.json_response(body, status=status, headers=headers)
        if action == kmock.action.FETCH:
            return aiohttp.web.json_response(await self._serve_fetch(request))
        if action == kmock.action.LIST:
            return aiohttp.web.json_response(await self._serve_list(request))
        return None

    async def _render_error(self, exc: Exception) -> aiohttp.web.StreamResponse:
        body = status_body(exc)
        return aiohttp.web.json_response(body, status=body["code"])

    # --- state changes (synchronous: atomic on the event loop) --------------------------------

    def _apply(self, request: kmock.Request) -> None:
        self._sync_index()
        action = request.action
        if action not in (kmock.action.CREATE, kmock.action.UPDATE, kmock.action.DELETE):
            return
        resource = self._known(request)
        if action == kmock.action.CREATE:
            self._create(request, resource, request.data)
        elif action == kmock.action.UPDATE:
            self._update(request, resource)
        else:
            self._delete(request, resource)

    def _known(self, request: kmock.Request) -> kmock.resource:
        """The request's resource; 404 unless the server serves it."""
        resource = request.resource
        if resource is None or resource not in self.resources:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return resource

    def _next_rv(self) -> int:
        self._rv += 1
        return self._rv

    def _describe(self, resource: kmock.resource, name: str | None) -> str:
        group = f".{resource.group}" if resource.group else ""
        return f'{resource.plural}{group} "{name}"'

    def _create(self, request: kmock.Request, resource: kmock.resource, data: Any) -> None:
        info = self.resources[resource]
        if not isinstance(data, dict):
            raise ApiError(400, "BadRequest", "the body of the request must be a JSON object")
        body = copy.deepcopy(data)
        meta = body.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise ApiError(400, "BadRequest", "metadata must be an object")
        namespace = namespace_of(request.namespace, meta, bool(info.namespaced))
        body.setdefault("apiVersion", _group_version(resource))
        body.setdefault("kind", info.kind)
        generated = bool(meta.get("generateName")) and not meta.get("name")
        new_identity(meta, self._rv + 1)
        check_name(meta.get("name"))
        key, taken = (namespace, meta["name"]), self._index.get(resource, {})
        for _ in range(GENERATE_NAME_ATTEMPTS - 1 if generated else 0):
            if key not in taken:
                break
            meta["name"] = generated_name(meta["generateName"])  # taken: the server tries again
            key = (namespace, meta["name"])
        if key in taken:
            raise ApiError(
                409, "AlreadyExists", f"{self._describe(resource, meta['name'])} already exists"
            )
        if "status" in info.subresources:
            body.pop("status", None)  # status is set through /status only
        body, warnings = self._admit(request, resource, body, None)
        if request.params.get("dryRun"):
            self._outcomes[request] = (201, body, warnings)
            return
        meta["resourceVersion"] = str(self._next_rv())
        self._store(resource, key, body, None)
        self._outcomes[request] = (201, body, warnings)

    def _admit(
        self, request: kmock.Request, resource: kmock.resource, body: Body, old: Body | None
    ) -> tuple[Body, list[str]]:
        """Schema and CEL checks of custom objects (see ``validation``); the warnings to send."""
        directive = validation.field_validation(request.params)
        warnings: list[str] = []
        if resource in self._schemas:
            body = copy.deepcopy(body)
            warnings = validation.conform(
                body, self._schemas[resource], old=old, directive=directive
            )
        if resource == crds.CRD_RESOURCE:
            crds.served_versions(body)  # refuse a malformed CRD before storing it
            body["status"] = crds.crd_status(body)
        return body, warnings

    def _update(self, request: kmock.Request, resource: kmock.resource) -> None:
        info = self.resources[resource]
        key = (request.namespace if info.namespaced else None, str(request.name))
        current = self._index.get(resource, {}).get(key)
        content_type = request.headers.get("Content-Type", "application/json")
        if current is None:
            if "apply-patch" in content_type and request.subresource is None:
                return self._create(request, resource, request.data)  # server-side apply creates
            raise ApiError(404, "NotFound", f"{self._describe(resource, request.name)} not found")
        old = current.raw
        if request.subresource not in (None, "status") or (
            request.subresource == "status" and "status" not in info.subresources
        ):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        check_resource_version(old, request.data)
        if request.method == kmock.method.PUT:
            if not isinstance(request.data, dict):
                raise ApiError(400, "BadRequest", "the body of the request must be a JSON object")
            new = copy.deepcopy(request.data)
        else:
            new = patched(old, request.data, content_type)
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
        new, warnings = self._admit(request, resource, new, old)
        if new == old or request.params.get("dryRun"):
            self._outcomes[request] = (200, new, warnings)  # no change: no new version or event
            return
        meta = new["metadata"]
        meta["resourceVersion"] = str(self._next_rv())
        if content_changed(old, new):
            meta["generation"] = int(old["metadata"].get("generation", 1)) + 1
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            self._remove(resource, key, new)  # the last finalizer went: the object goes
        else:
            self._store(resource, key, new, old)
        self._outcomes[request] = (200, new, warnings)
        return None

    def _delete(self, request: kmock.Request, resource: kmock.resource) -> None:
        info = self.resources[resource]
        if request.name is None:
            raise ApiError(405, "MethodNotAllowed", "deleting a collection is not supported here")
        key = (request.namespace if info.namespaced else None, request.name)
        current = self._index.get(resource, {}).get(key)
        if current is None:
            raise ApiError(404, "NotFound", f"{self._describe(resource, request.name)} not found")
        old = current.raw
        options = request.data if isinstance(request.data, dict) else {}
        check_resource_version(old, {"metadata": options.get("preconditions") or {}})
        meta = old.get("metadata", {})
        if meta.get("deletionTimestamp"):
            self._outcomes[request] = (200, old, [])
        elif meta.get("finalizers"):
            new = copy.deepcopy(old)
            new["metadata"]["deletionTimestamp"] = now_rfc3339()
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            new["metadata"]["resourceVersion"] = str(self._next_rv())
            self._store(resource, key, new, old)
            self._outcomes[request] = (200, new, [])
        else:
            gone = {**old, "metadata": {**meta, "resourceVersion": str(self._next_rv())}}
            self._remove(resource, key, gone)
            self._outcomes[request] = (200, gone, [])

    # --- storage and index --------------------------------------------------------------------

    def _store(self, resource: kmock.resource, key: Key, body: Body, old: Body | None) -> None:
        objects = self._objects._objects
        array_key = (resource, key[0], key[1])
        obj = objects.get(array_key)
        if obj is None:
            obj = objects[array_key] = kmock.Object(body)
            self._indexed += 1
        else:
            obj.create(body)
            if len(obj.history) > self.history_limit:
                del obj.history[: -self.history_limit]
        self._index.setdefault(resource, {})[key] = obj
        kind = "ADDED" if old is None else "MODIFIED"
        self._hub(resource).publish(watching.Change(self._rv, kind, body, old))
        if resource == crds.CRD_RESOURCE:
            self._serve_crd(body, old)

    def _remove(self, resource: kmock.resource, key: Key, last: Body) -> None:
        obj = self._index[resource].pop(key)
        obj.delete()
        self._hub(resource).publish(watching.Change(self._rv, "DELETED", last, obj.last.raw))
        if resource == crds.CRD_RESOURCE:
            self._serve_crd(None, last)

    def _serve_crd(self, crd: Body | None, old: Body | None) -> None:
        """Start (or stop) serving what a CRD defines, as the apiextensions server does."""
        before = {v.resource for v in crds.served_versions(old)} if old else set()
        after = crds.served_versions(crd) if crd else []
        for version in after:
            res = kmock.resource(version.resource)
            self.resources[res] = kmock.ResourceInfo(
                kind=version.kind,
                singular=version.singular,
                namespaced=version.namespaced,
                verbs=crds.CUSTOM_VERBS,
                shortnames=version.short_names,
                categories=version.categories,
                subresources=version.subresources,
            )
            self._schemas[res] = version.schema
            self._columns[res] = version.printer_columns
        for gone in before - {v.resource for v in after}:
            res = kmock.resource(gone)
            for key, obj in list(self._index.get(res, {}).items()):
                self._remove(res, key, obj.raw)  # a deleted CRD takes its objects along
            del self.resources[res]
            self._schemas.pop(res, None)
            self._columns.pop(res, None)

    def _hub(self, resource: kmock.resource) -> watching.WatchHub:
        hub = self._hubs.get(resource)
        if hub is None:
            hub = self._hubs[resource] = watching.WatchHub()
        return hub

    def _sync_index(self) -> None:
        """Rebuild the index if objects were added through ``emu.objects[...]`` directly."""
        if len(self._objects) == self._indexed:
            return
        self._index.clear()
        for (resource, namespace, name), obj in self._objects.items():
            if not obj.deleted:
                self._index.setdefault(resource, {})[(namespace, name)] = obj
        self._indexed = len(self._objects)

    def _get_resources(self) -> list[kmock.resource]:
        # The stock version scans every stored object; the index knows the resources in use.
        declared = kmock.KubernetesScaffold._get_resources(self)
        return list(set(declared) | {res for res, objs in self._index.items() if objs})

    # --- reading (kmock's fallback reactions call these) --------------------------------------

    def _selects(self, request: kmock.Request) -> Callable[[Body], bool]:
        params = request.params
        return functools.partial(
            selects,
            namespace=request.namespace,
            name=request.name,
            labels=params.get("labelSelector"),
            fields=params.get("fieldSelector"),
        )

    def _selected(self, request: kmock.Request) -> list[Body]:
        self._sync_index()
        selected = self._selects(request)
        objects = self._index.get(self._known(request), {}).values()
        return [obj.raw for obj in objects if selected(obj.raw)]

    def _list_meta(self, resource: kmock.resource) -> tuple[str, str]:
        kind = self.resources[resource].kind or str(resource.plural).capitalize()
        return _group_version(resource), kind

    async def _serve_list(self, request: kmock.Request) -> Any:
        items = self._selected(request)
        resource = self._known(request)
        api_version, kind = self._list_meta(resource)
        meta: dict[str, Any] = {"resourceVersion": str(self._rv)}
        start = int(request.params.get("continue") or 0)
        limit = int(request.params.get("limit") or 0)
        if limit > 0:
            if start + limit < len(items):
                meta["continue"] = str(start + limit)
                meta["remainingItemCount"] = len(items) - start - limit
            items = items[start : start + limit]
        version = tables.table_version(request.headers.get("Accept"))
        if version is not None:  # kubectl get: the server renders the columns
            return self._table(request, resource, items, version, list_meta=meta)
        return {"apiVersion": api_version, "kind": f"{kind}List", "metadata": meta, "items": items}

    async def _serve_fetch(self, request: kmock.Request) -> Any:
        self._sync_index()
        resource = self._known(request)
        info = self.resources[resource]
        key = (request.namespace if info.namespaced else None, str(request.name))
        obj = self._index.get(resource, {}).get(key)
        if obj is None or request.subresource not in (None, "status"):
            raise ApiError(404, "NotFound", f"{self._describe(resource, request.name)} not found")
        version = tables.table_version(request.headers.get("Accept"))
        if version is not None:
            return self._table(request, resource, [obj.raw], version)
        return obj.raw

    def _table(
        self,
        request: kmock.Request,
        resource: kmock.resource,
        bodies: list[Body],
        version: str,
        *,
        headers: bool = True,
        list_meta: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The Table of ``bodies``: the CRD's printer columns, or Name and Created At."""
        rv = bodies[0]["metadata"].get("resourceVersion", "") if len(bodies) == 1 else ""
        return tables.build_table(
            bodies,
            self._columns.get(resource),
            version=version,
            resource_version=str((list_meta or {}).get("resourceVersion", rv)),
            include=tables.include_object(request.params),
            headers=headers,
            list_meta=list_meta,
        )

    async def _serve_outcome(self, request: kmock.Request) -> Any:
        status, body, warnings = self._outcomes[request]
        # kmock merges headers into its shared reaction: None clears the previous answer's.
        text = _warning_header(warnings)
        return Response(status=status, payload=body, headers={"Warning": text or None})

    _serve_create = _serve_update = _serve_delete = _serve_outcome

    async def _serve_watch(self, request: kmock.Request) -> Any:  # type: ignore[override]
        # kmock streams as application/octet-stream, which client-go (kubectl) refuses to decode.
        return Response(headers={"Content-Type": "application/json"}, payload=self._watch(request))

    async def _watch(self, request: kmock.Request) -> AsyncIterator[Any]:
        yield b""  # send the headers now, even if nothing happens for a while
        resource = self._known(request)
        api_version, kind = self._list_meta(resource)
        table = tables.table_version(request.headers.get("Accept"))

        def bookmark(**annotations: str) -> dict[str, Any]:
            return watching.bookmark(self._rv, api_version, kind, annotations)

        def as_table(body: Body, first: bool) -> dict[str, Any]:  # kubectl get -w
            return self._table(request, resource, [body], table or "v1", headers=first)

        async for event in watching.serve(
            self._hub(resource),
            request.params,
            self._selected(request),
            self._selects(request),
            bookmark=bookmark,
            bookmark_interval=self.bookmark_interval,
            render=as_table if table else None,
        ):
            yield event

    # --- OpenAPI v3 (kubectl apply reads it before writing) -----------------------------------

    def _openapi_resources(self) -> list[openapi.ResourceDoc]:
        served = [(r, self.resources[r]) for r in self._get_resources() if r in self.resources]
        return openapi.resource_docs(served, self._schemas)

    async def _serve_openapi_root(self, request: kmock.Request) -> Any:
        return openapi.root(self._openapi_resources())

    async def _serve_openapi_doc(self, request: kmock.Request) -> Any:
        gv_path = request.url.path.removeprefix("/openapi/v3/").strip("/")
        members = [r for r in self._openapi_resources() if r.group_version_path == gv_path]
        if not members:
            raise ApiError(404, "NotFound", f"no OpenAPI document for {gv_path}")
        return openapi.group_version(members)

    async def _serve_version(self, request: kmock.Request) -> Any:
        answer = await super()._serve_version(request)
        assert isinstance(answer, dict)
        return discovery.resource_list(answer)

    async def _serve_server_version(self, request: kmock.Request) -> Any:
        return dict(SERVER_VERSION)


def _warning_header(warnings: list[str]) -> str:
    """A real server sends each warning as `299 - "text"`; kubectl prints "Warning: text"."""
    return ", ".join('299 - "{}"'.format(w.replace('"', '\\"')) for w in warnings)


def _group_version(resource: kmock.resource) -> str:
    return f"{resource.group}/{resource.version}" if resource.group else str(resource.version)
