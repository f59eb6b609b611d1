"""Deleting a resource while Infoblox is down, and ``deletionPolicy: Retain``.

The real operator runs against the Kubernetes emulator and the WAPI simulator (as in
``tests/e2e``), with short retry delays (``retry_delay_unavailable``, the circuit breaker's reset
time) so that a deletion that waits for Infoblox is seen to finish within seconds.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from ddisync.config import Settings
from ddisync.runtime import RunningOperator, running_operator
from ddisync_emulator.cluster import Cluster
from ddisync_simulator import Simulator
from tests.e2e.helpers import eventually, extattrs, network_manifest
from tests.stack import operator_settings


@pytest.fixture()
def settings(simulator: Simulator) -> Settings:
    return operator_settings(
        simulator.url,
        "reliability",
        wapi_max_attempts=2,
        wapi_circuit_reset_timeout=0.5,
        retry_delay_unavailable=1.0,
        retry_delay_slow=1.0,
    )


def operator(settings: Settings, cluster: Cluster) -> contextlib.AbstractAsyncContextManager[Any]:
    return running_operator(settings, connection=cluster.connection, post_events=False)


def ready_condition(resource: dict[str, Any] | None) -> dict[str, Any] | None:
    """The Ready condition whatever its generation (deletion may bump the generation)."""
    conditions = ((resource or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == "Ready"), None)


async def wait_ready(cluster: Cluster, name: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        resource = await cluster.get("networks", "default", name)
        condition = ready_condition(resource)
        return resource if condition and condition["status"] == "True" else None

    resource: dict[str, Any] = await eventually(check, timeout=15)
    return resource


async def wait_deleting(cluster: Cluster, name: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        condition = ready_condition(await cluster.get("networks", "default", name))
        return condition if condition and condition["reason"] == "Deleting" else None

    condition: dict[str, Any] = await eventually(check, timeout=15)
    return condition


async def wait_gone(cluster: Cluster, name: str, timeout: float = 20) -> None:
    async def check() -> bool:
        return await cluster.get("networks", "default", name) is None

    await eventually(check, timeout=timeout)


def grid_network(simulator: Simulator, cidr: str) -> dict[str, Any] | None:
    return next((n for n in simulator.grid.objects("network") if n["network"] == cidr), None)


def deletes(simulator: Simulator, status: int | None = None) -> int:
    return simulator.counters.total(method="DELETE", objtype="network", status=status)


async def test_a_deletion_waits_for_infoblox_and_explains_itself(
    simulator: Simulator, cluster: Cluster, settings: Settings
) -> None:
    cidr = "10.231.0.0/24"
    async with operator(settings, cluster) as running:
        await cluster.apply(network_manifest("outage", cidr=cidr))
        await wait_ready(cluster, "outage")
        assert grid_network(simulator, cidr) is not None

        simulator.faults.fail_rate = 1.0  # Infoblox answers every request with 503
        await cluster.delete("networks", "default", "outage")
        condition = await wait_deleting(cluster, "outage")

        held = await cluster.get("networks", "default", "outage")
        assert held is not None, "the finalizer must hold the resource while Infoblox is down"
        assert held["metadata"].get("deletionTimestamp")
        assert condition["status"] == "False"
        assert "waiting to delete from Infoblox" in condition["message"]
        assert "unavailable" in condition["message"].lower()
        assert grid_network(simulator, cidr) is not None
        assert deletes(simulator, 200) == 0

        simulator.faults.fail_rate = 0.0  # Infoblox is back
        await wait_gone(cluster, "outage")
        assert grid_network(simulator, cidr) is None
        assert deletes(simulator, 200) == 1
        assert deletes(simulator) == deletes(simulator, 200)  # no DELETE was ever refused
        assert not running.task.done()


@pytest.mark.slow
async def test_retain_keeps_the_network_through_faults_and_restarts(
    simulator: Simulator, cluster: Cluster, settings: Settings
) -> None:
    cidr = "10.232.0.0/24"
    async with operator(settings, cluster):
        await cluster.apply(network_manifest("kept", cidr=cidr, deletionPolicy="Retain"))
        await wait_ready(cluster, "kept")
        uid = (await cluster.get("networks", "default", "kept") or {})["metadata"]["uid"]
        assert extattrs(grid_network(simulator, cidr) or {})["ddisync-uid"] == uid

        simulator.faults.fail_rate = 1.0
        await cluster.delete("networks", "default", "kept")
        await wait_deleting(cluster, "kept")
    # The operator stops while the deletion is pending, and another one starts on a grid that
    # fails often and resets connections.
    assert await cluster.get("networks", "default", "kept") is not None
    simulator.faults.fail_rate = 0.3
    simulator.faults.reset_rate = 0.2
    async with operator(settings, cluster) as running:
        with contextlib.suppress(AssertionError):
            await wait_gone(cluster, "kept", timeout=4)
        simulator.faults.fail_rate = 0.0
        simulator.faults.reset_rate = 0.0
        await wait_gone(cluster, "kept")
        assert not running.task.done()

    kept = grid_network(simulator, cidr)
    assert kept is not None, "deletionPolicy Retain must never delete the Infoblox network"
    assert not {"ddisync-uid", "ddisync-owner", "ddisync-cluster"} & set(extattrs(kept))
    assert deletes(simulator) == 0


async def test_retain_survives_an_operator_restart_between_create_and_delete(
    simulator: Simulator, cluster: Cluster, settings: Settings
) -> None:
    cidr = "10.233.0.0/24"
    async with operator(settings, cluster):
        await cluster.apply(network_manifest("kept2", cidr=cidr, deletionPolicy="Retain"))
        await wait_ready(cluster, "kept2")
    await cluster.delete("networks", "default", "kept2")  # while no operator runs
    simulator.faults.reset_rate = 0.3
    async with operator(settings, cluster):
        await wait_gone(cluster, "kept2")
    assert grid_network(simulator, cidr) is not None
    assert deletes(simulator) == 0


async def test_a_deleting_resource_that_meets_a_dead_operator_finishes_later(
    simulator: Simulator, cluster: Cluster, settings: Settings
) -> None:
    """Delete policy: the outage spans an operator restart; the network is deleted once."""
    cidr = "10.234.0.0/24"
    async with operator(settings, cluster):
        await cluster.apply(network_manifest("restart", cidr=cidr))
        await wait_ready(cluster, "restart")
        simulator.faults.fail_rate = 1.0
        await cluster.delete("networks", "default", "restart")
        await wait_deleting(cluster, "restart")
    assert grid_network(simulator, cidr) is not None
    simulator.faults.fail_rate = 0.0
    running: RunningOperator
    async with operator(settings, cluster) as running:
        await wait_gone(cluster, "restart")
        assert not running.task.done()
    assert grid_network(simulator, cidr) is None
    assert deletes(simulator, 200) == 1
