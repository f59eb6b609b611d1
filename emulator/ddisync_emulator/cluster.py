"""``running_cluster()``: an emulated Kubernetes API server on 127.0.0.1, and a small client.

For the demo, the e2e tests and the benchmarks::

    async with running_cluster() as cluster:
        await cluster.install_crds()                  # as `kubectl apply -f crds/`
        await cluster.apply({"apiVersion": "ddisync.io/v1alpha1", "kind": "Network",
                             "metadata": {"name": "lab", "namespace": "default"},
                             "spec": {"cidr": "10.1.0.0/24"}})
        net = await cluster.get("networks", "default", "lab")
        # run the operator with connection=cluster.connection ...

Every helper goes through HTTP like any client (nothing writes into the emulator's memory),
and raises ``ApiError`` (status, reason, message) when the API refuses.
"""

from __future__ import annotations

import builtins
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import kmock
import kopf

from ddisync.api.crd import ALL_KINDS, build_crd
from ddisync_emulator import namespaces
from ddisync_emulator.emulator import ApiServerEmulator
from ddisync_emulator.objects import ApiError, Body, with_last_applied

_MERGE = "application/merge-patch+json"
# The emulator checks no credentials; clients that insist on some get this placeholder.
TOKEN = "ddisync-demo"
# The emulator speaks plain HTTP, yet kopf (and ``ddisync.kube``) build an SSL context for
# every API session they open. Without a CA of its own, such a context loads the system's whole
# CA bundle: 20 ms each, and the tests and benchmarks start hundreds of operators. Given this
# one (self-signed, signing nothing, never used for a connection), it loads only that.
UNUSED_CA = """\
-----BEGIN CERTIFICATE-----
MIIB1TCCAXugAwIBAgIUUQiEhjUHC9sV8VTXdZuQbrm6tSIwCgYIKoZIzj0EAwIw
PzE9MDsGA1UEAww0ZGRpc3luYy1lbXVsYXRvciAocGxhaW4gSFRUUDsgdGhpcyBD
QSBzaWducyBub3RoaW5nKTAgFw0yNjEyMDYxOTA5NTZaGA8yMTI2MTExMjE5MDk1
NlowPzE9MDsGA1UEAww0ZGRpc3luYy1lbXVsYXRvciAocGxhaW4gSFRUUDsgdGhp
cyBDQSBzaWducyBub3RoaW5nKTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABP9q
3WtWwMlUZVaAUM9/mwaGs5EqtCe9bQUF0Bwuw6cLI52DYg/tOpI4Z7DcAmVAIJiI
hSIXH04TIu9PNRkFokWjUzBRMB0GA1UdDgQWBBQr+W8JRqxHsh4eAW8fGLv0h5LQ
8TAfBgNVHSMEGDAWgBQr+W8JRqxHsh4eAW8fGLv0h5LQ8TAPBgNVHRMBAf8EBTAD
AQH/MAoGCCqGSM49BAMCA0gAMEUCIQCB0gCf+c5Jl4gG/U1koh/FuPPQT0R5axht
OBx6SpedXgIgEnsqqOYoj9G1iOarWWcl3+QF37JDvaAfYs12PThovsA=
-----END CERTIFICATE-----
"""


@dataclass
class Cluster:
    """A running emulated API server and helpers that talk to it over HTTP."""

    emulator: ApiServerEmulator
    url: str  # e.g. http://127.0.0.1:40123, no trailing slash
    session: aiohttp.ClientSession

    @property
    def connection(self) -> kopf.ConnectionInfo:
        """What the operator's login handler returns to talk to this cluster."""
        return kopf.ConnectionInfo(server=self.url, token=TOKEN, ca_data=UNUSED_CA.encode())

    async def request(
        self, method: str, path: str, body: Any = None, *, content_type: str = "application/json"
    ) -> Body:
        """One API call; the decoded JSON answer, or ``ApiError`` for an HTTP error."""
        headers = {"Content-Type": content_type} if body is not None else {}
        async with self.session.request(
            method, self.url + path, json=body, headers=headers
        ) as response:
            text = await response.text()
            try:
                answer = json.loads(text)
            except ValueError:
                answer = None  # not JSON: an error says what came instead
            if response.status >= 400:
                status = answer if isinstance(answer, dict) else {"message": text[:200]}
                raise ApiError(
                    response.status,
                    str(status.get("reason") or response.reason),
                    str(status.get("message") or ""),
                )
            assert isinstance(answer, dict), text[:200]
            return answer

    def path(self, plural: str, namespace: str | None = None, name: str | None = None) -> str:
        """The URL path of a resource: ``networks``, ``v1/events``, ``ddisync.io/v1/networks``..."""
        resource = self.resolve(plural)
        info = self.emulator.resources[resource]
        base = f"/apis/{resource.group}/{resource.version}" if resource.group else "/api/v1"
        if info.namespaced and namespace is not None:
            base += f"/namespaces/{namespace}"
        base += f"/{resource.plural}"
        return f"{base}/{name}" if name else base

    def resolve(self, plural: str) -> kmock.resource:
        """The served resource a plural (or group/version/plural) names, ddisync.io first."""
        wanted = kmock.resource(plural)
        candidates = sorted(
            (res for res in self.emulator.resources if wanted.check(res)),
            key=lambda res: (res.group != "ddisync.io", res.group != "", res.group or ""),
        )
        if not candidates:
            raise ApiError(404, "NotFound", f"the server doesn't have a resource type {plural!r}")
        return candidates[0]

    def resource_of(self, manifest: Mapping[str, Any]) -> kmock.resource:
        """The served resource of a manifest's apiVersion and kind (discovery, as clients do)."""
        api_version, kind = str(manifest.get("apiVersion", "")), manifest.get("kind")
        group, _, version = api_version.rpartition("/")
        for res in self.emulator.resources:
            same_version = (res.group, res.version) == (group, version)
            if same_version and self.emulator.resources[res].kind == kind:
                return res
        raise ApiError(404, "NotFound", f'no matches for kind "{kind}" in version "{api_version}"')

    async def apply(self, manifest: Mapping[str, Any]) -> Body:
        """Create the object, or merge-patch it if it exists; returns the stored object.

        Like ``kubectl apply``, it records the manifest in the last-applied annotation, so a
        later ``kubectl apply -f`` of the same file finds nothing to change.
        """
        resource = self.resource_of(manifest)
        meta = manifest.get("metadata") or {}
        plural = f"{resource.group}/{resource.version}/{resource.plural}".lstrip("/")
        namespace = meta.get("namespace", "default")
        scope = namespace if self.emulator.resources[resource].namespaced else None
        body = with_last_applied(manifest, scope)
        try:
            return await self.request("POST", self.path(plural, namespace), body)
        except ApiError as exc:
            if exc.status != 409:
                raise
        return await self.patch(plural, namespace, meta["name"], body)

    async def patch(
        self, plural: str, namespace: str | None, name: str, merge_patch: Mapping[str, Any]
    ) -> Body:
        """Merge-patch an object (``status`` goes through ``/status``, as the API requires)."""
        return await self.request(
            "PATCH", self.path(plural, namespace, name), dict(merge_patch), content_type=_MERGE
        )

    async def patch_status(
        self, plural: str, namespace: str | None, name: str, status: Mapping[str, Any]
    ) -> Body:
        """Merge-patch the status subresource of an object."""
        path = self.path(plural, namespace, name) + "/status"
        return await self.request("PATCH", path, {"status": dict(status)}, content_type=_MERGE)

    async def delete(self, plural: str, namespace: str | None, name: str) -> Body | None:
        """Delete an object; its last state (with deletionTimestamp if finalizers hold it)."""
        try:
            return await self.request("DELETE", self.path(plural, namespace, name))
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    async def get(self, plural: str, namespace: str | None, name: str) -> Body | None:
        """The object, or None if there is none."""
        try:
            return await self.request("GET", self.path(plural, namespace, name))
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    async def list(self, plural: str, namespace: str | None = None) -> list[Body]:
        """All objects of a resource (in all namespaces unless one is given)."""
        answer = await self.request("GET", self.path(plural, namespace))
        return list(answer.get("items") or [])

    async def install_crds(self) -> builtins.list[Body]:
        """Apply ddisync's CRDs through the API, as ``kubectl apply -f crds/`` would."""
        return [await self.apply(build_crd(info)) for info in ALL_KINDS]


@contextlib.asynccontextmanager
async def running_cluster(*, port: int | None = None) -> AsyncIterator[Cluster]:
    """Serve an ``ApiServerEmulator`` with the built-in resources on 127.0.0.1 (a free port),
    with the namespaces every cluster starts with (``default``, ``kube-system``, ...)."""
    async with ApiServerEmulator() as emulator:
        emulator.resources.load_bundled()  # kopf waits for v1/namespaces to be discoverable
        async with kmock.Server(emulator, host="127.0.0.1", port=port) as server:
            url = str(server.url).rstrip("/")
            try:
                async with aiohttp.ClientSession() as session:
                    cluster = Cluster(emulator=emulator, url=url, session=session)
                    for name in namespaces.BOOTSTRAP:  # as kube-apiserver creates them
                        await cluster.request(
                            "POST", "/api/v1/namespaces", namespaces.manifest(name)
                        )
                    yield cluster
            finally:
                emulator.close_watches()  # or the server waits for open watch streams
