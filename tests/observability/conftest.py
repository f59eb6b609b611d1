"""Fixtures for the observability tests: fresh metrics and health per test, the servers on free
loopback ports, an HTTP client, root-logger restoration, and a leaked-task check."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import aiohttp
import pytest

from ddisync.health import HealthState, ObservabilityUrls, serving_observability
from ddisync.metrics import Metrics
from tests.stack import no_leaked_tasks


@dataclass
class FakeClock:
    """Unix seconds that only move when a test says so."""

    now: float = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def requests(metrics: Metrics, method: str, obj: str, code: str) -> float | None:
    labels = {"grid": "default", "method": method, "object": obj, "code": code}
    return metrics.registry.get_sample_value("ddisync_wapi_requests_total", labels)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def health(clock: FakeClock) -> HealthState:
    return HealthState(clock=clock, probe_interval=30.0, probe_timeout=0.5, stale_after=60.0)


@pytest.fixture
async def urls(metrics: Metrics, health: HealthState) -> AsyncIterator[ObservabilityUrls]:
    async with serving_observability(
        metrics, health, metrics_port=0, health_port=0, host="127.0.0.1"
    ) as served:
        yield served


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """``configure_logging`` replaces the root handlers; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


_no_leaked_tasks = pytest.fixture(autouse=True)(no_leaked_tasks)
