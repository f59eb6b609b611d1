"""The real WAPI client, talking to a fake grid, moves the metrics and the health state."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping

from ddisync.health import HealthState
from ddisync.metrics import FanOutObserver, Metrics
from ddisync.wapi import UnavailableError, WapiClient, WapiSettings
from ddisync.wapi.transport import RawResponse

from .conftest import FakeClock, requests


class FakeGrid:
    """Answers every request with the next status in ``statuses`` (the last one repeats)."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)

    async def send(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes | None
    ) -> RawResponse:
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        busy = {"Error": "AdmConProtoError: busy", "code": "Client.Ibap.Proto", "text": "busy"}
        payload: object = {"result": []} if status == 200 else busy
        return RawResponse(status, {}, ("ibapauth=abc; Path=/",), json.dumps(payload).encode())

    async def aclose(self) -> None:
        pass


def client_for(grid: FakeGrid, metrics: Metrics, health: HealthState) -> WapiClient:
    async def no_sleep(_: float) -> None:
        await asyncio.sleep(0)

    settings = WapiSettings(url="http://127.0.0.1:9", username="admin", password="pw-unused")
    return WapiClient(
        settings,
        observer=FanOutObserver(metrics.wapi_observer(), health.wapi_observer()),
        transport=grid,
        sleep=no_sleep,
        random=lambda: 0.5,
    )


async def test_a_successful_call_is_counted_and_makes_infoblox_ready(
    metrics: Metrics, health: HealthState
) -> None:
    async with client_for(FakeGrid(200), metrics, health) as client:
        await client.get("record:a", {"name": "www.example.com"})
    assert requests(metrics, "GET", "record:a", "200") == 1
    health.mark_running()
    ready, body = await health.readiness()
    assert ready, body


async def test_a_503_burst_counts_retries_and_then_success(
    metrics: Metrics, health: HealthState
) -> None:
    async with client_for(FakeGrid(503, 503, 200), metrics, health) as client:
        await client.get("network")
    assert (
        metrics.registry.get_sample_value(
            "ddisync_wapi_retries_total", {"grid": "default", "reason": "503"}
        )
        == 2
    )
    assert requests(metrics, "GET", "network", "503") == 2
    assert health.last_wapi_success is not None


async def test_a_grid_that_stays_down_makes_readiness_fail(
    metrics: Metrics, health: HealthState, clock: FakeClock
) -> None:
    async with client_for(FakeGrid(503), metrics, health) as client:
        try:
            await client.get("network")
        except UnavailableError:
            pass
        else:
            raise AssertionError("the call should have failed")
    health.mark_running()
    ready, body = await health.readiness()
    assert not ready
    assert body["failing"] == ["infoblox"]
    infoblox = body["checks"]["infoblox"]
    assert infoblox["ok"] is False
    assert infoblox["lastFailure"] is not None
    assert infoblox["circuitOpen"] is True  # five straight failures open the breaker
    assert metrics.registry.get_sample_value("ddisync_wapi_circuit_open", {"grid": "default"}) == 1
