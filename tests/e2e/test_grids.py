"""Several grids: an InfobloxGrid is a second connection with its own client, its own Secret
and its own status. A namespace's resources on it sync while the default grid is down, and a
rotated password (in the grid and in the Secret) keeps them syncing with no restart.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ddisync.config import Settings
from ddisync.runtime import running_operator
from ddisync.tenancy import Enforcement
from ddisync_emulator.cluster import Cluster
from ddisync_simulator import Simulator, SimulatorOptions, running_simulator
from tests.e2e.helpers import condition_of, eventually, record_manifest

# Resources in fixed namespaces (and cluster-scoped kinds): a cluster of its own, and an
# operator watching every namespace (tests/e2e/conftest.py).
pytestmark = pytest.mark.whole_cluster


LAB_PASSWORD = "lab-Secret-1"


def secret(password: str) -> dict[str, Any]:
    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "lab-wapi", "namespace": "ddisync-system"},
        "data": {"username": b64("admin"), "password": b64(password)},
    }


def grant(name: str, grid: str) -> dict[str, Any]:
    return {
        "apiVersion": "ddisync.io/v1alpha1",
        "kind": "DDIGrant",
        "metadata": {"name": name},
        "spec": {
            "grid": grid,
            "namespaces": ["team-a"],
            "dns": {"views": ["default"], "zones": ["team-a.example.com"]},
        },
    }


@pytest.fixture()
async def lab() -> AsyncIterator[Simulator]:
    async with running_simulator(SimulatorOptions(username="admin", password=LAB_PASSWORD)) as sim:
        yield sim


@pytest.fixture()
async def two_grids(
    cluster: Cluster, simulator: Simulator, lab: Simulator, settings: Settings
) -> AsyncIterator[None]:
    for namespace in ("team-a", "ddisync-system"):
        await cluster.apply(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        )
    await cluster.apply(secret(LAB_PASSWORD))
    await cluster.apply(
        {
            "apiVersion": "ddisync.io/v1alpha1",
            "kind": "InfobloxGrid",
            "metadata": {"name": "lab"},
            "spec": {
                "url": lab.url,
                "credentialsSecretRef": {"namespace": "ddisync-system", "name": "lab-wapi"},
            },
        }
    )
    await cluster.apply(grant("team-a-default", "default"))
    await cluster.apply(grant("team-a-lab", "lab"))
    fast = settings.model_copy(
        update={
            "tenancy": Enforcement.ON,
            "grid_check_interval": 0.5,
            "resync_interval": 1.0,
            "retry_delay_unavailable": 1.0,
            "retry_delay_auth": 1.0,
            "wapi_max_attempts": 1,
        }
    )
    async with running_operator(fast, connection=cluster.connection, post_events=False):
        yield


def a_records(sim: Simulator, name: str) -> list[str]:
    return [o["ipv4addr"] for o in sim.grid.objects("record:a") if o["name"] == name]


async def test_a_second_grid_works_while_the_first_is_down_and_after_a_rotation(
    cluster: Cluster,
    simulator: Simulator,
    lab: Simulator,
    two_grids: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="kopf.objects")
    condition = await condition_of(cluster, "infobloxgrids", "lab", namespace=None)  # type: ignore[arg-type]
    assert lab.url in condition["message"]

    await cluster.apply(
        record_manifest(
            "app", "team-a", type="A", name="app.team-a.example.com", address="10.9.0.1", grid="lab"
        )
    )
    await condition_of(cluster, "records", "app", namespace="team-a")
    assert a_records(lab, "app.team-a.example.com") == ["10.9.0.1"]
    assert any("created in Infoblox (grid lab)" in r.getMessage() for r in caplog.records)
    assert a_records(simulator, "app.team-a.example.com") == []

    # The default grid goes down; the lab grid's resources do not notice.
    simulator.faults.fail_rate = 1.0
    await cluster.apply(
        record_manifest(
            "home", "team-a", type="A", name="home.team-a.example.com", address="10.9.0.2"
        )
    )
    down = await condition_of(cluster, "records", "home", status="False", namespace="team-a")
    assert down["reason"] == "InfobloxUnavailable"
    await cluster.patch("records", "team-a", "app", {"spec": {"address": "10.9.0.3"}})
    await eventually(lambda: a_records(lab, "app.team-a.example.com") == ["10.9.0.3"])

    # The lab grid's password is rotated: in the grid, then in the Secret. No restart.
    lab.auth.password = "lab-Secret-2"
    await cluster.apply(secret("lab-Secret-2"))
    await cluster.patch("records", "team-a", "app", {"spec": {"address": "10.9.0.4"}})
    await eventually(lambda: a_records(lab, "app.team-a.example.com") == ["10.9.0.4"], timeout=30)
    await condition_of(cluster, "infobloxgrids", "lab", namespace=None)  # type: ignore[arg-type]


async def test_a_grid_whose_secret_lacks_a_key_says_so_and_its_resources_wait(
    cluster: Cluster, lab: Simulator, two_grids: None
) -> None:
    broken = secret(LAB_PASSWORD)
    broken["metadata"]["name"] = "broken"
    del broken["data"]["password"]
    await cluster.apply(broken)
    await cluster.apply(
        {
            "apiVersion": "ddisync.io/v1alpha1",
            "kind": "InfobloxGrid",
            "metadata": {"name": "broken"},
            "spec": {
                "url": lab.url,
                "credentialsSecretRef": {"namespace": "ddisync-system", "name": "broken"},
            },
        }
    )
    condition = await condition_of(
        cluster, "infobloxgrids", "broken", status="False", namespace=None
    )  # type: ignore[arg-type]
    assert condition["reason"] == "SecretKeyMissing"
    assert condition["message"] == "Secret ddisync-system/broken has no key 'password'"
    await cluster.apply(grant("team-a-broken", "broken"))
    await cluster.apply(
        record_manifest(
            "w", "team-a", type="A", name="w.team-a.example.com", address="10.9.0.9", grid="broken"
        )
    )
    waiting = await condition_of(cluster, "records", "w", status="False", namespace="team-a")
    assert waiting["reason"] == "GridNotReady" and "has no key 'password'" in waiting["message"]
