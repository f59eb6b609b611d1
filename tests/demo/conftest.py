from collections.abc import AsyncIterator

import pytest

from ddisync_emulator.cluster import Cluster, running_cluster


@pytest.fixture()
async def cluster() -> AsyncIterator[Cluster]:
    async with running_cluster() as running:
        await running.install_crds()
        yield running
