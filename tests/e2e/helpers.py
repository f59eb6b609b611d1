"""Small helpers for e2e tests: waiting for a condition, reading the simulator's grid."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiohttp


async def eventually(
    check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05
) -> Any:
    """Wait until ``check()`` returns something truthy (and return it), or fail with the last
    value or error seen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = check()
            if asyncio.iscoroutine(last):
                last = await last
            if last:
                return last
        except (KeyError, IndexError, TypeError, AssertionError) as error:
            last = error
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s; last seen: {last!r}")
        await asyncio.sleep(interval)


def ready(resource: dict[str, Any] | None) -> dict[str, Any] | None:
    """The Ready condition of a resource, if it has one for its current generation."""
    if not resource:
        return None
    status = resource.get("status") or {}
    if status.get("observedGeneration") != resource["metadata"].get("generation"):
        return None
    return next((c for c in status.get("conditions", []) if c["type"] == "Ready"), None)


def network_manifest(name: str, namespace: str = "default", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "ddisync.io/v1alpha1",
        "kind": "Network",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def extattrs(obj: dict[str, Any]) -> dict[str, Any]:
    return {name: wrapped["value"] for name, wrapped in (obj.get("extattrs") or {}).items()}


async def wapi_create(simulator: Any, objtype: str, data: dict[str, Any]) -> str:
    """Create an object the way another tool would: a plain WAPI POST. Returns its ref."""
    from tests.stack import PASSWORD

    headers = {"Authorization": aiohttp.encode_basic_auth("admin", PASSWORD)}
    async with aiohttp.ClientSession(headers=headers) as http:
        response = await http.post(f"{simulator.url}/wapi/v2.12/{objtype}", json=data)
        assert response.status == 201, await response.text()
        ref: str = await response.json()
        return ref


def record_manifest(resource: str, namespace: str = "default", /, **spec: Any) -> dict[str, Any]:
    """A Record manifest; ``resource`` is the resource's name, ``name=`` the record's FQDN."""
    return {
        "apiVersion": "ddisync.io/v1alpha1",
        "kind": "Record",
        "metadata": {"name": resource, "namespace": namespace},
        "spec": spec,
    }


def manifest(
    kind: str, resource: str, namespace: str = "default", /, **spec: Any
) -> dict[str, Any]:
    """A manifest of any ddisync kind (``FixedAddress``, ``DHCPRange``, ...)."""
    return {
        "apiVersion": "ddisync.io/v1alpha1",
        "kind": kind,
        "metadata": {"name": resource, "namespace": namespace},
        "spec": spec,
    }


async def condition_of(
    cluster: Any, plural: str, name: str, status: str = "True", namespace: str = "default"
) -> dict[str, Any]:
    """Wait for the resource's Ready condition (current generation) to have ``status``."""

    async def check() -> dict[str, Any] | None:
        condition = ready(await cluster.get(plural, namespace, name))
        return condition if condition and condition["status"] == status else None

    result: dict[str, Any] = await eventually(check)
    return result


def markers(uid: str, owner: str, cluster: str = "e2e") -> dict[str, dict[str, str]]:
    """The ownership extensible attributes ddisync writes, in WAPI's form."""
    return {
        "ddisync-cluster": {"value": cluster},
        "ddisync-owner": {"value": owner},
        "ddisync-uid": {"value": uid},
    }


async def wapi_request(simulator: Any, method: str, path: str, data: Any = None) -> Any:
    """Any WAPI call, the way another tool would make it (e.g. an out-of-band edit)."""
    from tests.stack import PASSWORD

    headers = {"Authorization": aiohttp.encode_basic_auth("admin", PASSWORD)}
    async with aiohttp.ClientSession(headers=headers) as http:
        response = await http.request(method, f"{simulator.url}/wapi/v2.12/{path}", json=data)
        assert response.status < 300, await response.text()
        return await response.json()


def metric_value(operator: Any, name: str, **labels: str) -> float | None:
    """A sample of the running operator's metrics (``None`` when it has none)."""
    for metric in operator.metrics.registry.collect():
        for sample in metric.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return None


async def refused_by_the_operator(
    lenient_cluster: Any, settings: Any, manifest: dict[str, Any]
) -> dict[str, Any]:
    """Apply ``manifest`` to a cluster whose CRDs let anything in (so that the operator, not the
    API server, judges it) with an operator running; its Ready=False condition."""
    from ddisync.api.crd import ALL_KINDS
    from ddisync.runtime import running_operator

    plural = next(info.plural for info in ALL_KINDS if info.kind == manifest["kind"])
    meta = manifest["metadata"]
    async with running_operator(settings, connection=lenient_cluster.connection, post_events=False):
        await lenient_cluster.apply(manifest)
        return await condition_of(
            lenient_cluster, plural, meta["name"], status="False", namespace=meta["namespace"]
        )
