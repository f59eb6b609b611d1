"""Scaling out: two operator processes with disjoint label selectors share one cluster and one
grid, as two Deployments of the chart's shards would; every resource is reconciled by exactly
one of them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from ddisync_emulator.cluster import Cluster
from ddisync_simulator import Simulator
from tests.e2e.helpers import eventually, network_manifest, ready, wapi_request
from tests.stack import OperatorProcess


async def _metric(metrics_url: str, name: str) -> float:
    """The sum of a metric's Network samples on a shard's /metrics."""
    async with aiohttp.ClientSession() as http, http.get(metrics_url) as response:
        text = await response.text()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(f'{name}{{kind="Network"')
    )


async def _reconciles(metrics_url: str) -> float:
    return await _metric(metrics_url, "ddisync_reconcile_total")


async def _sweeps(metrics_url: str) -> float:
    return await _metric(metrics_url, "ddisync_drift_sweep_duration_seconds_count")


async def _a_full_sweep(shard: OperatorProcess) -> None:
    """Wait until a drift sweep of the shard has started and ended after this call."""
    start = await _sweeps(shard.metrics_url)

    async def swept() -> bool:
        return await _sweeps(shard.metrics_url) >= start + 2

    await eventually(swept, timeout=15)


@pytest.mark.slow
async def test_each_shard_reconciles_only_its_own_resources(
    own_cluster: Cluster, simulator: Simulator, tmp_path: Path
) -> None:
    cluster = own_cluster  # the shards watch every namespace: a cluster of this test's own
    shards = {
        name: OperatorProcess(
            cluster,
            simulator,
            tmp_path,
            {
                "DDISYNC_LABEL_SELECTOR": f"ddisync.io/shard={name}",
                # A short resync: each shard's drift sweep must repair only its own resources.
                "DDISYNC_RESYNC_INTERVAL": "1",
                "DDISYNC_LOG_LEVEL": "INFO",  # kopf's handler lines are checked below
            },
            name,
        )
        for name in ("a", "b")
    }
    for shard in shards.values():
        await shard.start()
    try:
        for index in range(10):
            manifest = network_manifest(f"net-{index}", cidr=f"10.40.{index}.0/24")
            manifest["metadata"]["labels"] = {"ddisync.io/shard": "a" if index % 2 == 0 else "b"}
            await cluster.apply(manifest)
        manifest = network_manifest("unsharded", cidr="10.41.0.0/24")
        await cluster.apply(manifest)

        async def all_ready() -> bool:
            resources = [await cluster.get("networks", "default", f"net-{i}") for i in range(10)]
            return all((ready(r) or {}).get("status") == "True" for r in resources)

        await eventually(all_ready, timeout=30)
        # Room for a wrong second reconcile to show up: a whole drift sweep of each shard.
        await asyncio.gather(*(_a_full_sweep(shard) for shard in shards.values()))
        assert await _reconciles(shards["a"].metrics_url) == 5
        assert await _reconciles(shards["b"].metrics_url) == 5
        unsharded = await cluster.get("networks", "default", "unsharded")
        assert unsharded is not None
        assert not (unsharded.get("status") or {}).get("conditions")
        assert "ddisync.io/finalizer" not in (unsharded["metadata"].get("finalizers") or [])

        # net-1 belongs to shard b: edited by hand, it is put back by b's sweep, never a's.
        [net1] = [n for n in simulator.grid.objects("network") if n["network"] == "10.40.1.0/24"]
        await wapi_request(simulator, "PUT", net1["_ref"], {"comment": "edited by hand"})
        repaired = "ddisync_drift_repaired_total"

        async def put_back() -> bool:
            return await _metric(shards["b"].metrics_url, repaired) >= 1

        await eventually(put_back, timeout=15)
        await _a_full_sweep(shards["a"])  # a has looked at the drifted net-1, too
        assert await _metric(shards["a"].metrics_url, repaired) == 0
        # kopf's real log lines: one per reconcile, none for the catalog's every watch event.
        log = shards["a"].log.read_text().splitlines()
        handled = [line for line in log if "Handler '" in line and "succeeded." in line]
        assert len(handled) == 5
        assert all("network_created' succeeded" in line for line in handled)
    finally:
        for shard in shards.values():
            await shard.stop()
    assert simulator.grid.count("network") == 10
