"""Applying manifests with the official ``kubernetes`` client, as a user's tooling would.

The demo does not write into the emulator's memory: it discovers kinds and creates objects
through the same HTTP API that kubectl and GitOps tools use, so the demo also shows that a
real client can talk to the emulator. The client is synchronous: call it in a thread
(``asyncio.to_thread``) while the event loop serves the emulator.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import kubernetes.client
import kubernetes.dynamic
from kubernetes.dynamic.exceptions import DynamicApiError, ResourceNotFoundError

from ddisync_emulator.manifests import Manifest
from ddisync_emulator.objects import with_last_applied

_MERGE = "application/merge-patch+json"
# As kubectl apply does: a field the schema does not know refuses the manifest instead of
# being dropped in silence.
_STRICT = (("fieldValidation", "Strict"),)  # copied per call: the client appends to it


class Refused(Exception):
    """The API refused a manifest; ``str()`` is the API's message."""


def api_message(error: DynamicApiError) -> str:
    """The ``message`` of the API's Status answer (what kubectl prints)."""
    try:
        return str(json.loads(str(error.body)).get("message") or error.reason)
    except (TypeError, ValueError, AttributeError):
        return f"{error.status} {error.reason}"


class ManifestClient:
    """A dynamic client bound to one API server URL (no credentials: the emulator needs none)."""

    def __init__(self, url: str) -> None:
        configuration = kubernetes.client.Configuration()
        configuration.host = url
        self._api = kubernetes.client.ApiClient(configuration)
        # Discovery is cached in a file; keep it private to this run (ports are reused).
        self._tmp = tempfile.TemporaryDirectory(prefix="ddisync-demo-")
        cache = str(Path(self._tmp.name) / "discovery.json")
        self._dynamic = kubernetes.dynamic.DynamicClient(self._api, cache_file=cache)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        self._api.close()  # type: ignore[no-untyped-call]
        self._tmp.cleanup()

    def apply(self, manifest: Manifest) -> dict[str, Any]:
        """Create the object, or merge-patch it if it exists; the stored object.

        Raises ``Refused`` with the API's message when the kind is unknown or the API says no.
        """
        body = manifest.body
        meta: dict[str, Any] = body.get("metadata") or {}
        try:
            resource = self._dynamic.resources.get(
                api_version=body.get("apiVersion"), kind=body.get("kind")
            )
        except ResourceNotFoundError:
            raise Refused(
                f'no matches for kind "{body.get("kind")}" in version "{body.get("apiVersion")}"'
            ) from None
        namespace = (meta.get("namespace") or "default") if resource.namespaced else None
        body = with_last_applied(body, namespace)  # as kubectl apply records it
        try:
            try:
                created = resource.create(
                    body=body, namespace=namespace, query_params=list(_STRICT)
                )
            except DynamicApiError as exc:
                if exc.status != 409:
                    raise
                created = resource.patch(
                    body=body,
                    name=meta.get("name"),
                    namespace=namespace,
                    content_type=_MERGE,
                    query_params=list(_STRICT),
                )
        except DynamicApiError as exc:
            raise Refused(api_message(exc)) from None
        result = created.to_dict()
        assert isinstance(result, dict)
        return result
