"""A Network is not deleted from under the Records allocated from it: its finalizer waits, in
``Deleting``, naming them, and goes on once the last one is gone."""

from __future__ import annotations

from typing import Any

import pytest

from ddisync_emulator.cluster import Cluster
from tests.e2e.helpers import condition_of, eventually, network_manifest, record_manifest

# Resources in fixed namespaces (and cluster-scoped kinds): a cluster of its own, and an
# operator watching every namespace (tests/e2e/conftest.py).
pytestmark = pytest.mark.whole_cluster


def networks_on_grid(simulator: Any, cidr: str) -> list[str]:
    return [o["_ref"] for o in simulator.grid.objects("network") if o["network"] == cidr]


async def test_a_network_in_use_waits_for_its_records_then_goes(
    cluster: Cluster, simulator: Any, operator: object
) -> None:
    await cluster.apply(network_manifest("apps", cidr="10.61.0.0/24"))
    await condition_of(cluster, "networks", "apps")
    for name in ("app", "db"):
        await cluster.apply(
            record_manifest(
                name,
                type="A",
                name=f"{name}.example.com",
                addressFrom={"networkRef": {"name": "apps"}},
            )
        )
        await condition_of(cluster, "records", name)

    await cluster.delete("networks", "default", "apps")
    waiting = await condition_of(cluster, "networks", "apps", status="False")
    assert waiting["reason"] == "Deleting"
    assert (
        waiting["message"] == "waiting to delete: in use by Record default/app, Record default/db"
    )
    assert networks_on_grid(simulator, "10.61.0.0/24")  # still there

    await cluster.delete("records", "default", "app")
    await cluster.delete("records", "default", "db")

    async def network_gone() -> bool:
        return await cluster.get("networks", "default", "apps") is None

    await eventually(network_gone, timeout=30)
    assert networks_on_grid(simulator, "10.61.0.0/24") == []
