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


@pytest.fixture()
def cluster(shared_cluster: Cluster) -> Cluster:
    return shared_cluster


@pytest.fixture()
def settings(simulator, namespace: str) -> Settings:  # type: ignore[no-untyped-def]
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
