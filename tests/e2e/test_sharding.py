"""Scaling out: two operator processes with disjoint label selectors share one cluster and one
grid, as two Deployments of the chart's shards would; every resource is reconciled by exactly
one of them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from tests.e2e.helpers import eventually, network_manifest, ready
from tests.stack import PASSWORD


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def _operator_process(
    cluster: Any, simulator: Any, selector: str, workdir: Path
) -> AsyncIterator[str]:
    """``ddisync run`` in its own process; yields its metrics URL."""
    kubeconfig = workdir / f"kubeconfig-{selector.replace('=', '-').replace('/', '-')}"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "e2e",
        "clusters": [{"name": "e2e", "cluster": {"server": cluster.url}}],
        "users": [{"name": "e2e", "user": {"token": "e2e"}}],
        "contexts": [{"name": "e2e", "context": {"cluster": "e2e", "user": "e2e"}}],
    }))  # fmt: skip
    metrics_port = _free_port()
    env = {
        **os.environ,
        "KUBECONFIG": str(kubeconfig),
        "DDISYNC_WAPI_URL": simulator.url,
        "DDISYNC_WAPI_PASSWORD": PASSWORD,
        "DDISYNC_CLUSTER_ID": "e2e",
        "DDISYNC_LABEL_SELECTOR": selector,
        "DDISYNC_METRICS_PORT": str(metrics_port),
        "DDISYNC_HEALTH_PORT": str(_free_port()),
        "DDISYNC_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ddisync.cli", "run", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{metrics_port}/metrics"
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=15)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _reconciles(metrics_url: str) -> float:
    async with aiohttp.ClientSession() as http, http.get(metrics_url) as response:
        text = await response.text()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith('ddisync_reconcile_total{kind="Network"')
    )


async def test_each_shard_reconciles_only_its_own_resources(cluster, simulator, tmp_path) -> None:
    async with (
        _operator_process(cluster, simulator, "ddisync.io/shard=a", tmp_path) as shard_a,
        _operator_process(cluster, simulator, "ddisync.io/shard=b", tmp_path) as shard_b,
    ):
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
        await asyncio.sleep(0.5)  # room for a wrong second reconcile to show up
        assert await _reconciles(shard_a) == 5
        assert await _reconciles(shard_b) == 5
        unsharded = await cluster.get("networks", "default", "unsharded")
        assert not (unsharded.get("status") or {}).get("conditions")
        assert "ddisync.io/finalizer" not in (unsharded["metadata"].get("finalizers") or [])
    assert simulator.grid.count("network") == 10
