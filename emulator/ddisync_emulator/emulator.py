"""``ApiServerEmulator``: kmock's KubernetesEmulator made to behave like a Kubernetes API server.

kmock 0.8 stores bodies as sent. A real server, which kopf, the official client and kubectl
rely on, also: stamps uid, creationTimestamp, resourceVersion and generation; bumps generation
only on spec changes; keeps ``status`` and the main resource apart when the status subresource
is on; answers 422 to a failed JSON-patch ``test`` op and 409 to a stale resourceVersion
(``writes``); serves a CRD's resource once the CRD is applied (``crd_serving``); admits objects
against its schema and CEL rules (``validation``); lists with ``kind: <Kind>List`` and renders
the ``Table`` of ``kubectl get`` (``reads``, ``tables``, ``printers`` for Events and
Namespaces); serves the OpenAPI v3 documents ``kubectl apply`` reads (``openapi``); watches from
a resourceVersion (``watching``); keeps an object with finalizers until the last one goes;
names ``generateName`` objects (Events); serves one Event storage as core ``v1`` and as
``events.k8s.io/v1`` (``versions``, ``events``); selects by the fields each kind offers
(``fields``); sets what the server sets on a Namespace (``namespaces``); and reads the protobuf
bodies of ``kubectl create namespace|secret|configmap`` (``protobuf``).
Those modules hold the rules as pure functions; this class holds the state (objects, index,
watch hubs, the resourceVersion counter) and wires them into kmock's request handling, through
``kmock_internals`` wherever that takes kmock's insides.

Speed: kmock matches each request against views over its whole request history and scans
every object for every fetch; both made the stock emulator quadratic (3 objects/s at 200
objects). Here the history holds only requests in flight, object versions are capped, a
per-resource index answers fetch, list and watch without a scan, and while no test adds a
reaction, plain requests skip kmock's matching (``responses``).

kmock's DSL still works on top (``emu['get /version'] << 503`` injects faults), and
``emu.objects[...]`` still shows the stored objects; writes made there directly are picked up
by the index on the next request.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import aiohttp.web
import kmock

from ddisync_emulator import (
    crd_serving,
    discovery,
    kmock_internals,
    openapi,
    printers,
    reads,
    responses,
    tables,
    versions,
    watching,
    writes,
)
from ddisync_emulator.addressing import Key, index_of, not_found, object_key, unknown_resource
from ddisync_emulator.objects import ApiError, Body
from ddisync_emulator.requests import parse_request
from ddisync_emulator.schema import ServedVersion

SERVER_VERSION = {"major": "1", "minor": "35", "gitVersion": "v1.35.0+ddisync-emulator",
                  "gitTreeState": "clean", "platform": "linux/amd64"}  # fmt: skip
_WRITES = (kmock.action.CREATE, kmock.action.UPDATE, kmock.action.DELETE)


class ApiServerEmulator(kmock.KubernetesEmulator):
    """An in-memory Kubernetes API server for kopf, the official client and kubectl."""

    #: Object versions kept per object for ``emu.objects[...].history`` assertions.
    history_limit = 3
    #: Seconds between watch BOOKMARKs; kopf restarts a watch silent for 70 s.
    bookmark_interval = 20.0

    def __attrs_post_init__(self) -> None:
        kmock_internals.set_up(self)
        self._rv = 0
        self._index: dict[kmock.resource, dict[Key, kmock.Object]] = {}
        self._indexed = 0  # len(self.objects) when the index was last in step
        self._hubs: dict[kmock.resource, watching.WatchHub] = {}
        self._served: dict[kmock.resource, ServedVersion] = {}  # what each CRD serves
        self._outcomes: dict[kmock.Request, writes.Outcome] = {}
        self.fallback["get /openapi/v3"] << self._serve_openapi_root
        self.fallback["get", re.compile(r"/openapi/v3/apis?/.+")] << self._serve_openapi_doc
        self._builtin_reactions = tuple(kmock_internals.reactions(self))  # see _serve_directly

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
        kmock_internals.add_request(self, request)
        try:
            return await self._serve(request)
        finally:
            kmock_internals.remove_request(self, request)
            self._outcomes.pop(request, None)
            kmock_internals.trim_histories(self, keep=16)

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
                return await kmock_internals.match_reactions(self, request)
            except kmock_internals.StreamingError as exc:  # failed after its headers went out
                raw_response, error = kmock_internals.failed_stream(exc)
                raise error from None
        except Exception as exc:
            if not isinstance(exc, ApiError | kmock.KubernetesError):
                kmock_internals.record_error(self, exc)
            if raw_response is None or not raw_response.prepared:
                return await self._render_error(exc)
            await kmock_internals.write_stream_error(self, exc, raw_response)
            await raw_response.write_eof()
            return raw_response

    async def _serve_directly(self, request: kmock.Request) -> aiohttp.web.StreamResponse | None:
        """The answer to a plain object request while no test has added a DSL reaction.

        With only the built-in reactions, the one that would match is known from the action,
        so the answer is rendered here at once (why: see ``responses``). Watches still go
        through kmock (streaming).
        """
        reactions = kmock_internals.reactions(self)
        if not responses.only_builtin_reactions(reactions, self._builtin_reactions):
            return None  # a test's reaction may match: kmock decides
        action = request.action
        if action in _WRITES:
            return responses.outcome_response(self._outcomes[request])
        if action == kmock.action.FETCH:
            return aiohttp.web.json_response(await self._serve_fetch(request))
        if action == kmock.action.LIST:
            return aiohttp.web.json_response(await self._serve_list(request))
        return None

    async def _render_error(self, exc: Exception) -> aiohttp.web.StreamResponse:
        return responses.error_response(exc)

    # --- state changes (synchronous: atomic on the event loop) --------------------------------

    def _apply(self, request: kmock.Request) -> None:
        self._sync_index()
        if request.action not in _WRITES:
            return
        resource, version = self._storage(self._known(request))
        objects = self._index.get(resource, {})
        stored = request
        if version is not None:  # made on the storage, in its form
            current = objects.get(object_key(request, self.resources[resource]))
            stored = versions.stored_request(request, version, current.raw if current else None)
        target = writes.Target(
            resource=resource,
            info=self.resources[resource],
            objects=objects,
            served=self._served.get(resource),
            rv=self._rv,
            next_rv=self._next_rv,
        )
        done = writes.write(stored, target)
        if done.change == "store":
            self._store(resource, done.key, done.outcome.body, done.old)
        elif done.change == "remove":
            self._remove(resource, done.key, done.outcome.body)
        outcome = done.outcome
        if version is not None:
            outcome = outcome._replace(body=version.from_storage(outcome.body))
        self._outcomes[request] = outcome

    def _known(self, request: kmock.Request) -> kmock.resource:
        """The request's resource; 404 unless the server serves it."""
        resource = request.resource
        if resource is None or resource not in self.resources:
            raise unknown_resource()
        return resource

    def _storage(
        self, resource: kmock.resource
    ) -> tuple[kmock.resource, versions.OtherVersion | None]:
        """Where a served resource's objects are stored: its own index, or (a resource served
        in another version, ``versions``) the storage resource's, and how to convert."""
        version = versions.SERVED_FROM.get(resource)
        if version is None or version.storage not in self.resources:
            return resource, None
        return version.storage, version

    def _next_rv(self) -> int:
        self._rv += 1
        return self._rv

    # --- storage and index --------------------------------------------------------------------

    def _store(self, resource: kmock.resource, key: Key, body: Body, old: Body | None) -> None:
        array_key = (resource, key[0], key[1])
        if array_key in self.objects:
            obj = self.objects[array_key]
            obj.create(body)
            if len(obj.history) > self.history_limit:
                del obj.history[: -self.history_limit]
        else:
            self.objects[array_key] = body
            obj = self.objects[array_key]
            self._indexed += 1
        self._index.setdefault(resource, {})[key] = obj
        kind = "ADDED" if old is None else "MODIFIED"
        self._hub(resource).publish(watching.Change(self._rv, kind, body, old))
        if resource == crd_serving.CRD_RESOURCE:
            self._serve_crd(body, old)

    def _remove(self, resource: kmock.resource, key: Key, last: Body) -> None:
        obj = self._index[resource].pop(key)
        obj.delete()
        self._hub(resource).publish(watching.Change(self._rv, "DELETED", last, obj.last.raw))
        if resource == crd_serving.CRD_RESOURCE:
            self._serve_crd(None, last)

    def _serve_crd(self, crd: Body | None, old: Body | None) -> None:
        """Start (or stop) serving what a CRD defines, as the apiextensions server does."""
        served, withdrawn = crd_serving.served_changes(crd, old)
        for version in served:
            res = kmock.resource(version.resource)
            self.resources[res] = crd_serving.resource_info(version)
            self._served[res] = version
        for res in withdrawn:
            for key, obj in list(self._index.get(res, {}).items()):
                self._remove(res, key, obj.raw)  # a deleted CRD takes its objects along
            del self.resources[res]
            self._served.pop(res, None)

    def _columns(self, resource: kmock.resource) -> tuple[dict[str, Any], ...] | None:
        """The CRD's printer columns; None for a built-in resource (kubectl's default table)."""
        served = self._served.get(resource)
        return served.printer_columns if served else None

    def _hub(self, resource: kmock.resource) -> watching.WatchHub:
        hub = self._hubs.get(resource)
        if hub is None:
            hub = self._hubs[resource] = watching.WatchHub()
        return hub

    def _sync_index(self) -> None:
        """Rebuild the index if objects were added through ``emu.objects[...]`` directly."""
        if len(self.objects) != self._indexed:
            self._index.clear()
            self._index.update(index_of(self.objects.items()))
            self._indexed = len(self.objects)

    def _get_resources(self) -> list[kmock.resource]:
        # The stock version scans every stored object; the index knows the resources in use.
        declared = kmock_internals.declared_resources(self)
        return list(set(declared) | {res for res, objs in self._index.items() if objs})

    # --- reading (kmock's fallback reactions call these) --------------------------------------

    def _selected(self, request: kmock.Request) -> list[Body]:
        """The stored objects a list or watch selects, in their stored form."""
        self._sync_index()
        selected = reads.selector(request)
        storage, _ = self._storage(self._known(request))
        objects = self._index.get(storage, {}).values()
        return [obj.raw for obj in objects if selected(obj.raw)]

    def _table(
        self,
        request: kmock.Request,
        bodies: list[Body],
        table_version: str,
        *,
        headers: bool = True,
        list_meta: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The Table ``kubectl get`` reads, of stored ``bodies``."""
        resource = self._known(request)
        storage, version = self._storage(resource)
        return reads.table(
            request,
            self._columns(resource),
            bodies,
            table_version,
            headers=headers,
            list_meta=list_meta,
            printer=printers.printer_of(storage),
            view=version.from_storage if version else None,
        )

    async def _serve_list(self, request: kmock.Request) -> Any:
        items = self._selected(request)
        resource = self._known(request)
        items, meta = reads.page(items, request.params, self._rv)
        table_version = tables.table_version(request.headers.get("Accept"))
        if table_version is not None:  # kubectl get: the server renders the columns
            return self._table(request, items, table_version, list_meta=meta)
        _, version = self._storage(resource)
        if version is not None:
            items = [version.from_storage(item) for item in items]
        return reads.object_list(resource, self.resources[resource], meta, items)

    async def _serve_fetch(self, request: kmock.Request) -> Any:
        self._sync_index()
        resource = self._known(request)
        storage, version = self._storage(resource)
        key = object_key(request, self.resources[storage])
        obj = self._index.get(storage, {}).get(key)
        if obj is None or request.subresource not in (None, "status"):
            raise not_found(resource, request.name)
        table_version = tables.table_version(request.headers.get("Accept"))
        if table_version is not None:
            return self._table(request, [obj.raw], table_version)
        return version.from_storage(obj.raw) if version else obj.raw

    async def _serve_outcome(self, request: kmock.Request) -> Any:
        return responses.outcome_reaction(self._outcomes[request])

    _serve_create = _serve_update = _serve_delete = _serve_outcome

    async def _serve_watch(self, request: kmock.Request) -> Any:  # type: ignore[override]
        self._known(request)
        reads.selector(request)  # a refused selector is an answer, not a broken stream
        # kmock streams as application/octet-stream, which client-go (kubectl) refuses to decode.
        headers = {"Content-Type": "application/json"}
        return kmock.Response(headers=headers, payload=self._watch(request))

    async def _watch(self, request: kmock.Request) -> AsyncIterator[Any]:
        yield b""  # send the headers now, even if nothing happens for a while
        resource = self._known(request)
        storage, version = self._storage(resource)
        api_version, kind = reads.list_kind(resource, self.resources[resource])

        def bookmark(**annotations: str) -> dict[str, Any]:
            return watching.bookmark(self._rv, api_version, kind, annotations)

        def as_table(body: Body, table_version: str, first: bool) -> dict[str, Any]:
            return self._table(request, [body], table_version, headers=first)

        async for event in watching.serve(
            self._hub(storage),
            request.params,
            lambda: self._selected(request),
            reads.selector(request),
            bookmark=bookmark,
            bookmark_interval=self.bookmark_interval,
            render=reads.watch_rendering(
                request, as_table, version.from_storage if version else None
            ),
        ):
            yield event

    # --- OpenAPI v3 (kubectl apply reads it before writing) -----------------------------------

    def _openapi_resources(self) -> list[openapi.ResourceDoc]:
        served = [(r, self.resources[r]) for r in self._get_resources() if r in self.resources]
        schemas = {res: version.schema for res, version in self._served.items()}
        return openapi.resource_docs(served, schemas)

    async def _serve_openapi_root(self, request: kmock.Request) -> Any:
        return openapi.root(self._openapi_resources())

    async def _serve_openapi_doc(self, request: kmock.Request) -> Any:
        gv_path = request.url.path.removeprefix("/openapi/v3/").strip("/")
        members = [r for r in self._openapi_resources() if r.group_version_path == gv_path]
        if not members:
            raise ApiError(404, "NotFound", f"no OpenAPI document for {gv_path}")
        return openapi.group_version(members)

    async def _serve_version(self, request: kmock.Request) -> Any:
        answer = await kmock_internals.resource_list(self, request)
        assert isinstance(answer, dict)
        return discovery.resource_list(answer)

    async def _serve_server_version(self, request: kmock.Request) -> Any:
        return dict(SERVER_VERSION)
