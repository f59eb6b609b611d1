"""End to end: the real kopf operator, the Kubernetes API emulator and the WAPI simulator.

The operator runs in-process (``ddisync.runtime.running_operator``) against the emulator over
HTTP, and talks to the simulator over HTTP through the real WAPI client. Nothing is mocked.

The emulator and the simulator serve every test of a process (``tests/stack.py``): each test
keeps to its own ``namespace``, its operator watches only that one, and the simulator's grid is
reset before it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ddisync.config import Settings
from ddisync.runtime import running_operator
from ddisync_emulator.cluster import Cluster, running_cluster
from tests.stack import lenient_crds, operator_settings


def _whole_cluster(request: pytest.FixtureRequest) -> bool:
    """Tests marked ``whole_cluster`` use fixed namespaces or cluster-scoped kinds (grants,
    grids, a CRD of their own): a cluster of their own, and an operator watching all of it."""
    return request.node.get_closest_marker("whole_cluster") is not None


@pytest.fixture()
def cluster(request: pytest.FixtureRequest, shared_cluster: Cluster) -> Cluster:
    if _whole_cluster(request):
        own: Cluster = request.getfixturevalue("own_cluster")
        return own
    return shared_cluster


@pytest.fixture()
def settings(request: pytest.FixtureRequest, simulator, namespace: str) -> Settings:  # type: ignore[no-untyped-def]
    if _whole_cluster(request):
        return operator_settings(simulator.url, "e2e")
    return operator_settings(simulator.url, "e2e", namespaces=[namespace])


@pytest.fixture()
async def operator(cluster, settings, quick_stop) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    async with running_operator(settings, connection=cluster.connection, post_events=False) as op:
        yield op


@pytest.fixture()
async def lenient_cluster() -> AsyncIterator[object]:
    """A cluster whose CRDs check nothing in ``spec`` (``stack.lenient_crds``)."""
    async with running_cluster() as emulated:
        await lenient_crds(emulated)
        yield emulated


@pytest.fixture()
def fast_settings(settings: Settings) -> Settings:
    """Drift checks and orphan scans every second."""
    return settings.model_copy(update={"resync_interval": 1.0})


@pytest.fixture()
async def fast_operator(cluster, fast_settings, quick_stop) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    # Events on: a drift repair announces itself from the sweep, outside kopf's handlers.
    async with running_operator(fast_settings, connection=cluster.connection) as op:
        yield op
