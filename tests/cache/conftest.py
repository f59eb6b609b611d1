"""Fixtures for the cache tests: the simulator and a fake health sink (the real
``redis-server`` fixture is shared, in ``tests/redis_server.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from ddisync.wapi import WapiClient, WapiSettings
from ddisync_simulator import SimulatorOptions, running_simulator
from tests.stack import no_leaked_tasks


@dataclass
class FakeHealth:
    states: list[tuple[str, str | None]] = field(default_factory=list)

    def set_redis(self, state: Any, detail: str | None = None) -> None:
        self.states.append((state, detail))

    @property
    def state(self) -> str | None:
        return self.states[-1][0] if self.states else None


@pytest.fixture
def health() -> FakeHealth:
    return FakeHealth()


@pytest.fixture
async def simulator() -> AsyncIterator[Any]:
    async with running_simulator(SimulatorOptions()) as sim:
        yield sim


def client_settings(sim: Any, **options: Any) -> WapiSettings:
    return WapiSettings(
        url=sim.url,
        username="admin",
        password="infoblox",
        rate_limit=10_000,
        burst=10_000,
        **options,
    )


@pytest.fixture
async def wapi(simulator: Any) -> AsyncIterator[WapiClient]:
    async with WapiClient(client_settings(simulator)) as client:
        yield client


_no_leaked_tasks = pytest.fixture(autouse=True)(no_leaked_tasks)
