"""End to end: the real kopf operator, the Kubernetes API emulator and the WAPI simulator.

The operator runs in-process (``ddisync.runtime.running_operator``) against the emulator over
HTTP, and talks to the simulator over HTTP through the real WAPI client. Nothing is mocked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ddisync.config import Settings
from ddisync.demo.cluster import running_cluster
from ddisync.runtime import running_operator
from tests.stack import PASSWORD


@pytest.fixture()
def settings(simulator) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        wapi_url=simulator.url,
        wapi_username="admin",
        wapi_password=PASSWORD,
        cluster_id="e2e",
        metrics_port=0,
        health_port=0,
        wapi_rate_limit=1000,
        wapi_burst=1000,
    )


@pytest.fixture()
async def operator(cluster, settings) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    async with running_operator(settings, connection=cluster.connection, post_events=False) as op:
        yield op


@pytest.fixture()
async def lenient_cluster() -> AsyncIterator[object]:
    """A cluster whose CRDs check nothing in ``spec`` (an old CRD, or an API server without
    CEL): bad specs reach the operator, which must refuse them itself (InvalidSpec)."""
    from ddisync.api.crd import KINDS, build_crd

    async with running_cluster() as emulated:
        for info in KINDS:
            crd = build_crd(info)
            schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
            schema["properties"]["spec"] = {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
            }
            await emulated.apply(crd)
        yield emulated


@pytest.fixture()
def fast_settings(settings: Settings) -> Settings:
    """Drift checks and orphan scans every second."""
    return settings.model_copy(update={"resync_interval": 1.0})


@pytest.fixture()
async def fast_operator(cluster, fast_settings) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    # Events on: a drift repair announces itself from the sweep, outside kopf's handlers.
    async with running_operator(fast_settings, connection=cluster.connection) as op:
        yield op
