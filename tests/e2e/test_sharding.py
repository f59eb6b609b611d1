"""Scaling out: two operators with disjoint label selectors share one cluster and one grid;
every resource is reconciled by exactly one of them."""

from __future__ import annotations

import asyncio
from typing import Any

from ddisync.config import Settings
from ddisync.runtime import running_operator
from tests.e2e.helpers import eventually, network_manifest, ready


def _reconciles(operator: Any) -> float:
    total = 0.0
    for metric in operator.metrics.reconcile_total.collect():
        for sample in metric.samples:
            if sample.name == "ddisync_reconcile_total" and sample.labels["kind"] == "Network":
                total += sample.value
    return total


async def test_each_shard_reconciles_only_its_own_resources(cluster, simulator, settings) -> None:
    shard_a = settings.model_copy(update={"label_selector": "ddisync.io/shard=a"})
    shard_b = settings.model_copy(update={"label_selector": "ddisync.io/shard=b"})
    async with (
        running_operator(shard_a, connection=cluster.connection, post_events=False) as a,
        running_operator(shard_b, connection=cluster.connection, post_events=False) as b,
    ):
        for index in range(10):
            manifest = network_manifest(f"net-{index}", cidr=f"10.40.{index}.0/24")
            shard = "a" if index % 2 == 0 else "b"
            manifest["metadata"]["labels"] = {"ddisync.io/shard": shard}
            await cluster.apply(manifest)

        async def all_ready() -> bool:
            resources = [await cluster.get("networks", "default", f"net-{i}") for i in range(10)]
            return all((ready(r) or {}).get("status") == "True" for r in resources)

        await eventually(all_ready)
        await asyncio.sleep(0.5)  # room for a wrong second reconcile to show up
        assert _reconciles(a) == 5
        assert _reconciles(b) == 5
    assert simulator.grid.count("network") == 10


async def test_a_resource_outside_every_shard_is_left_alone(
    cluster, simulator, settings: Settings
) -> None:
    only_a = settings.model_copy(update={"label_selector": "ddisync.io/shard=a"})
    async with running_operator(only_a, connection=cluster.connection, post_events=False) as a:
        await cluster.apply(network_manifest("unsharded", cidr="10.41.0.0/24"))
        labelled = network_manifest("sharded", cidr="10.41.1.0/24")
        labelled["metadata"]["labels"] = {"ddisync.io/shard": "a"}
        await cluster.apply(labelled)

        async def sharded_ready() -> bool:
            resource = await cluster.get("networks", "default", "sharded")
            return (ready(resource) or {}).get("status") == "True"

        await eventually(sharded_ready)
        assert _reconciles(a) == 1
        unsharded = await cluster.get("networks", "default", "unsharded")
        assert not (unsharded.get("status") or {}).get("conditions")
        assert "ddisync.io/finalizer" not in (unsharded["metadata"].get("finalizers") or [])
