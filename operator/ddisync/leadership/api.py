"""The few calls leader election makes to the Kubernetes API: read, create and replace one Lease
(through ``ddisync.kube``: a standby runs no kopf, so kopf's client is not there to borrow).
Its errors are ``kube``'s: ``KubeApiError``, and ``KubeConflict`` (409: someone else wrote first).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ddisync.kube import KubeApi


class LeaseApi:
    """``get``, ``create`` and ``replace`` of the Lease ``namespace/name``, through ``kube``
    (whose owner closes it)."""

    def __init__(self, kube: KubeApi, namespace: str, name: str) -> None:
        self.kube = kube
        self.namespace, self.name = namespace, name

    @property
    def _collection(self) -> str:
        return f"/apis/coordination.k8s.io/v1/namespaces/{self.namespace}/leases"

    async def get(self) -> dict[str, Any] | None:
        """The Lease, or None when there is none."""
        return await self.kube.request("GET", f"{self._collection}/{self.name}", missing_ok=True)

    async def create(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        created = await self.kube.request("POST", self._collection, self._body(spec))
        assert created is not None
        return created

    async def replace(self, lease: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, Any]:
        """PUT ``spec`` over ``lease`` as read: its resourceVersion makes a stale write a 409."""
        version = (lease.get("metadata") or {}).get("resourceVersion")
        body = self._body(spec, version)
        replaced = await self.kube.request("PUT", f"{self._collection}/{self.name}", body)
        assert replaced is not None
        return replaced

    def _body(self, spec: Mapping[str, Any], version: str | None = None) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": self.name, "namespace": self.namespace}
        if version is not None:
            meta["resourceVersion"] = version
        return {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": meta,
            "spec": dict(spec),
        }
