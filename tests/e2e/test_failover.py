"""Active/standby: two ``ddisync run`` processes of one instance, as two pods of the chart's
Deployment. One leads and reconciles; the other makes no WAPI call until the leader goes, then
takes over: after a crash (SIGKILL) once the Lease expires, after a stop (SIGTERM) at once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ddisync_emulator.cluster import Cluster
from ddisync_simulator import Simulator
from tests.e2e.helpers import eventually, network_manifest, ready
from tests.stack import OperatorProcess

# Short, to keep the test to seconds: a crashed leader is replaced after about 2 s.
LEASE = {
    "DDISYNC_LEASE_DURATION": "2",
    "DDISYNC_LEASE_RENEW_DEADLINE": "1.5",
    "DDISYNC_LEASE_RETRY_PERIOD": "0.2",
    "DDISYNC_LOG_LEVEL": "INFO",  # the leadership lines are checked
}


async def _scrape(replica: OperatorProcess) -> dict[str, float]:
    """The replica's metrics, summed by name."""
    async with aiohttp.ClientSession() as http, http.get(replica.metrics_url) as response:
        text = await response.text()
    found: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name = line.split("{", 1)[0].split(" ", 1)[0]
            found[name] = found.get(name, 0.0) + float(line.rsplit(" ", 1)[1])
    return found


async def _readiness(replica: OperatorProcess) -> dict[str, Any] | None:
    try:
        async with aiohttp.ClientSession() as http, http.get(replica.readyz_url) as response:
            body: dict[str, Any] = await response.json()
            return body | {"httpStatus": response.status}
    except aiohttp.ClientError:
        return None  # not serving yet


async def _leads(replica: OperatorProcess) -> bool:
    body = await _readiness(replica)
    return body is not None and body["leader"] is True and body["httpStatus"] == 200


async def _stands_by(replica: OperatorProcess) -> bool:
    body = await _readiness(replica)
    return body is not None and body["leader"] is False and body["httpStatus"] == 200


async def _comment_applied(cluster: Cluster, simulator: Simulator, comment: str) -> bool:
    network = await cluster.get("networks", "default", "web")
    condition = ready(network) or {}
    in_grid = [n for n in simulator.grid.objects("network") if n["network"] == "10.50.0.0/24"]
    return condition.get("status") == "True" and [n.get("comment") for n in in_grid] == [comment]


async def _edit(cluster: Cluster, comment: str) -> None:
    await cluster.patch("networks", "default", "web", {"spec": {"comment": comment}})


@pytest.mark.slow
async def test_the_standby_takes_over_when_the_leader_dies_or_stops(
    own_cluster: Cluster, simulator: Simulator, tmp_path: Path
) -> None:
    cluster = own_cluster
    first, second = (
        OperatorProcess(cluster, simulator, tmp_path, LEASE, name) for name in ("first", "second")
    )
    await first.start()
    try:
        await eventually(lambda: _leads(first), timeout=20)
        await second.start()
        await eventually(lambda: _stands_by(second), timeout=20)
        await cluster.apply(network_manifest("web", cidr="10.50.0.0/24", comment="one"))
        await eventually(lambda: _comment_applied(cluster, simulator, "one"), timeout=15)
        standby = await _scrape(second)
        assert standby["ddisync_leader"] == 0
        assert standby.get("ddisync_wapi_requests_total", 0) == 0  # the standby never called
        assert (await _scrape(first))["ddisync_leader"] == 1

        # A crash: no release. The standby waits for the Lease to expire, then leads.
        await first.kill()
        await _edit(cluster, "two")
        await eventually(lambda: _comment_applied(cluster, simulator, "two"), timeout=15)
        assert await _leads(second)
        assert (await _scrape(second))["ddisync_leader"] == 1

        # A stop, as a rolling update does it: the leader releases the Lease, and the other
        # replica (started again, a standby now) takes over within about a retry period.
        await first.start()
        await eventually(lambda: _stands_by(first), timeout=20)
        await second.stop()
        stopped = time.monotonic()
        await _edit(cluster, "three")
        await eventually(lambda: _comment_applied(cluster, simulator, "three"), timeout=15)
        # Far under the 2 s lease duration plus kopf's start, which a crash costs.
        assert time.monotonic() - stopped < 10
        assert await _leads(first)
    finally:
        for replica in (first, second):
            await replica.stop()
    assert simulator.grid.count("network") == 1  # no duplicate made by either replica
    log = second.log.read_text()
    assert "now leads" in log and "released the Lease" in log
