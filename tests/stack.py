"""The running parts most end-to-end tests share: the WAPI simulator and the emulated cluster.

Fixtures here are made available to every test folder by ``tests/conftest.py``; a folder may
override one with its own (``tests/simulator`` does).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ddisync.demo.cluster import Cluster, running_cluster
from ddisync.simulator import Simulator, SimulatorOptions, running_simulator

# Distinctive, so a test can prove it never leaks into logs, statuses or events.
PASSWORD = "Zq9-e2e-SECRET-ddisync-7731"


@pytest.fixture()
async def simulator() -> AsyncIterator[Simulator]:
    async with running_simulator(SimulatorOptions(username="admin", password=PASSWORD)) as sim:
        yield sim


@pytest.fixture()
async def cluster() -> AsyncIterator[Cluster]:
    async with running_cluster() as emulated:
        await emulated.install_crds()
        yield emulated
