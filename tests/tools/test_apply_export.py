"""An exported grid applied through the real operator converges, writing only markers.

The operator runs in-process against the Kubernetes API emulator and the simulator (as in
``tests/e2e``). The grid holds a few hundred objects of every type the export handles, with
comments, TTLs and extensible attributes: enough for every path of the adoption, while the
scale of onboarding (10,000 objects) is measured by ``benchmarks/sync.py --adopt``, and an
export of over a thousand objects planning as adoptions only by ``test_export_plan``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from ddisync.reconcile.ownership import MARKER_EAS
from ddisync_simulator import Simulator
from tests.stack import operator_settings
from tests.tools.conftest import PASSWORD, cli, connection, running_simulator_of
from tests.tools.grids import EXCLUDED, big_grid, grid_size

pytest.importorskip("kmock")

from ddisync.runtime import running_operator
from ddisync_emulator.cluster import Cluster, running_cluster

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TYPES = ("network", "ipv6network", "record:a", "record:aaaa", "record:cname", "record:txt",
         "record:mx", "record:srv", "record:ptr", "record:host", "record:caa",
         "zone_auth")  # fmt: skip
CLUSTER = "gitops"


def _state(sim: Simulator) -> dict[str, dict[str, Any]]:
    return {o["_ref"]: dict(o) for t in TYPES for o in sim.grid.objects(t)}


def _without_markers(obj: Mapping[str, Any]) -> dict[str, Any]:
    extattrs = {k: v for k, v in (obj.get("extattrs") or {}).items() if k not in MARKER_EAS}
    return {**obj, "extattrs": extattrs}


def _manifests(folder: Path) -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    return [yaml.safe_load((folder / path).read_text()) for path in kustomization["resources"]]


def _ready(resource: Mapping[str, Any]) -> bool:
    status = resource.get("status") or {}
    if status.get("observedGeneration") != resource["metadata"].get("generation"):
        return False
    return any(c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions", []))


async def _apply(cluster: Cluster, manifests: list[dict[str, Any]]) -> None:
    queue = list(manifests)

    async def worker() -> None:
        while queue:
            await cluster.apply(queue.pop())

    await asyncio.gather(*(worker() for _ in range(8)))


async def _wait_ready(cluster: Cluster, total: int, timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        resources = [
            resource
            for plural in ("networks", "zones", "records")
            for resource in await cluster.list(plural)
        ]
        pending = [r for r in resources if not _ready(r)]
        if len(resources) == total and not pending:
            return resources
        if time.monotonic() > deadline:
            sample = [(r["metadata"]["name"], r.get("status")) for r in pending[:3]]
            raise AssertionError(f"{len(pending)} of {len(resources)} not Ready: {sample}")
        await asyncio.sleep(0.5)


SEED = big_grid(networks=150, records=160)


@pytest.fixture()
async def grid_sim() -> AsyncIterator[Simulator]:
    async with running_simulator_of(SEED) as sim:
        yield sim


async def test_applying_an_export_adopts_everything_and_writes_only_markers(
    grid_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    big_sim = grid_sim
    exported = await cli("export", "--output-dir", str(tmp_path),
                         *connection(big_sim, password_file))  # fmt: skip
    assert exported.code == 0, exported.err
    manifests = _manifests(tmp_path)
    total = grid_size(SEED) - EXCLUDED
    assert len(manifests) == total > 300
    before = _state(big_sim)
    big_sim.counters.reset()

    settings = operator_settings(
        big_sim.url, CLUSTER, wapi_password=PASSWORD, wapi_rate_limit=5000, wapi_burst=5000,
        wapi_max_in_flight=16,
    )  # fmt: skip
    async with running_cluster() as cluster:
        await cluster.install_crds()
        async with running_operator(settings, connection=cluster.connection, post_events=False):
            await _apply(cluster, manifests)
            await _wait_ready(cluster, total, timeout=90)

    # Operations, however many requests carried them (writes go in multi-object requests).
    assert big_sim.counters.operations_total(method="POST") == 0
    assert big_sim.counters.operations_total(method="DELETE") == 0
    assert big_sim.counters.operations_total(method="PUT") == total  # one marker write each
    after = _state(big_sim)
    assert set(after) == set(before)  # nothing created, deleted or renamed
    adopted = 0
    for ref, obj in after.items():
        assert _without_markers(obj) == _without_markers(before[ref]), ref
        markers = {k: v["value"] for k, v in (obj.get("extattrs") or {}).items()}
        if markers.get("ddisync-cluster") == CLUSTER:
            adopted += 1
            assert markers["ddisync-owner"].startswith("default/")
    assert adopted == total
