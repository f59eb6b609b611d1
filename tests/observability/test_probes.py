"""/healthz and /readyz: codes and JSON bodies in healthy and degraded states; /metrics."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from ddisync.health import HealthState, ObservabilityUrls, serving_observability
from ddisync.metrics import Metrics
from ddisync.wapi import AuthenticationError, UnavailableError

from .conftest import FakeClock


async def fetch(http: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    async with http.get(url) as response:
        assert response.content_type == "application/json"
        return response.status, await response.json()


def healthy(health: HealthState) -> None:
    health.mark_running()
    health.wapi_observer().on_request(method="GET", objtype="networkview", status=200, seconds=0)
    health.set_redis("ok")


async def test_a_healthy_operator_is_alive_and_ready(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, health: HealthState
) -> None:
    healthy(health)
    health.sync_succeeded()
    status, body = await fetch(http, urls.readyz)
    assert status == 200
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "operator": True,
        "infoblox": True,
        "redis": True,
    }
    assert body["lastSync"]["at"] is not None
    status, body = await fetch(http, urls.healthz)
    assert (status, body["status"]) == (200, "ok")
    assert body["checks"]["watchers"]["ok"] is True


async def test_infoblox_down_fails_readiness_but_never_liveness(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, health: HealthState
) -> None:
    healthy(health)
    health.wapi_observer().on_request(method="GET", objtype="network", status="error", seconds=5)
    status, body = await fetch(http, urls.readyz)
    assert status == 503
    assert body["status"] == "degraded"
    assert body["failing"] == ["infoblox"]
    assert body["checks"]["infoblox"]["ok"] is False
    assert "no answer" in body["checks"]["infoblox"]["detail"]
    status, body = await fetch(http, urls.healthz)
    assert (status, body["status"]) == (200, "ok")


async def test_rejected_credentials_fail_readiness_and_say_so(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, health: HealthState, clock: FakeClock
) -> None:
    healthy(health)
    clock.now += 1
    health.wapi_observer().on_request(method="GET", objtype="network", status=401, seconds=0)
    status, body = await fetch(http, urls.readyz)
    assert status == 503
    assert "authentication failed" in body["checks"]["infoblox"]["detail"]
    assert body["checks"]["infoblox"]["lastAuthFailure"] is not None


async def test_a_relogin_after_an_expired_cookie_stays_ready(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, health: HealthState
) -> None:
    healthy(health)
    observer = health.wapi_observer()
    observer.on_request(method="GET", objtype="network", status=401, seconds=0)  # cookie expired
    observer.on_request(method="GET", objtype="network", status=200, seconds=0)  # Basic again
    status, _ = await fetch(http, urls.readyz)
    assert status == 200


async def test_an_open_circuit_fails_readiness_until_it_closes(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, health: HealthState
) -> None:
    healthy(health)
    health.wapi_observer().on_circuit_change(True)
    status, body = await fetch(http, urls.readyz)
    assert (status, body["checks"]["infoblox"]["circuitOpen"]) == (503, True)
    health.wapi_observer().on_circuit_change(False)
    status, _ = await fetch(http, urls.readyz)
    assert status == 200


async def test_redis_down_is_reported_but_keeps_the_operator_ready(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, health: HealthState
) -> None:
    healthy(health)
    health.set_redis("degraded", "ConnectionError: connection refused")
    status, body = await fetch(http, urls.readyz)
    assert status == 200
    redis = body["checks"]["redis"]
    assert redis == {
        "ok": False,
        "required": False,
        "state": "degraded",
        "detail": "ConnectionError: connection refused",
    }
    status, _ = await fetch(http, urls.healthz)
    assert status == 200


async def test_an_operator_not_yet_running_is_not_ready(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, health: HealthState
) -> None:
    status, body = await fetch(http, urls.readyz)
    assert status == 503
    assert body["failing"] == ["operator", "infoblox"]
    assert body["checks"]["infoblox"]["detail"] == "no WAPI call made yet"


async def test_a_dead_watcher_fails_liveness(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, health: HealthState
) -> None:
    health.watchers_alive = lambda: False
    status, body = await fetch(http, urls.healthz)
    assert (status, body["status"]) == (503, "failing")
    assert body["checks"]["watchers"]["ok"] is False


async def test_a_watcher_hook_that_raises_fails_liveness(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, health: HealthState
) -> None:
    def broken() -> bool:
        raise RuntimeError("boom")

    health.watchers_alive = broken
    status, _ = await fetch(http, urls.healthz)
    assert status == 503


class Probe:
    def __init__(self, error: BaseException | None = None, hang: bool = False) -> None:
        self.calls = 0
        self.error = error
        self.hang = hang

    async def __call__(self) -> None:
        self.calls += 1
        if self.hang:
            await asyncio.Event().wait()
        if self.error is not None:
            raise self.error


async def test_a_probe_makes_an_idle_operator_ready_and_is_cached(
    health: HealthState, clock: FakeClock
) -> None:
    health.mark_running()
    probe = Probe()
    health.infoblox_probe = probe
    for _ in range(5):
        ready, _ = await health.readiness()
        assert ready
    assert probe.calls == 1
    clock.now += 61  # the evidence is stale: probe again
    assert (await health.readiness())[0]
    assert probe.calls == 2


async def test_a_failing_probe_is_retried_at_most_once_per_interval(
    health: HealthState, clock: FakeClock
) -> None:
    health.mark_running()
    probe = Probe(UnavailableError("GET networkview: the grid answered 503"))
    health.infoblox_probe = probe
    ready, body = await health.readiness()
    assert not ready
    assert "503" in body["checks"]["infoblox"]["detail"]
    await asyncio.gather(*(health.readiness() for _ in range(5)))
    assert probe.calls == 1
    clock.now += 31
    probe.error = None
    assert (await health.readiness())[0]
    assert probe.calls == 2


async def test_a_probe_with_bad_credentials_reports_authentication(health: HealthState) -> None:
    health.mark_running()
    health.infoblox_probe = Probe(AuthenticationError("the grid refused user 'admin'"))
    ready, body = await health.readiness()
    assert not ready
    assert body["checks"]["infoblox"]["detail"].startswith("authentication failed")


async def test_a_hanging_probe_times_out(health: HealthState) -> None:
    health.probe_timeout = 0.01
    health.mark_running()
    health.infoblox_probe = Probe(hang=True)
    ready, body = await health.readiness()
    assert not ready
    assert "timed out" in body["checks"]["infoblox"]["detail"]


async def test_metrics_are_served_on_their_own_port(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, metrics: Metrics
) -> None:
    metrics.reconcile_finished("Network", "synced", 0.1)
    async with http.get(urls.metrics) as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        text = await response.text()
    assert 'ddisync_reconcile_total{kind="Network",result="synced"} 1.0' in text
    assert urls.metrics.rsplit(":", 1)[1] != urls.healthz.rsplit(":", 1)[1]
    async with http.get(urls.metrics.replace("/metrics", "/healthz")) as response:
        assert response.status == 404


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
async def test_one_port_for_both_serves_everything(
    metrics: Metrics, health: HealthState, http: aiohttp.ClientSession, host: str
) -> None:
    async with serving_observability(metrics, health, metrics_port=0, health_port=0) as probe:
        port = int(probe.healthz.rsplit(":", 1)[1].split("/")[0])  # a free port, now released
    async with serving_observability(
        metrics, health, metrics_port=port, health_port=port, host=host
    ) as urls:
        assert urls.metrics == f"http://127.0.0.1:{port}/metrics"
        for url in (urls.metrics, urls.healthz, urls.readyz):
            async with http.get(url) as response:
                assert response.status in (200, 503)


async def test_the_servers_are_closed_on_exit(
    metrics: Metrics, health: HealthState, http: aiohttp.ClientSession
) -> None:
    async with serving_observability(
        metrics, health, metrics_port=0, health_port=0, host="127.0.0.1"
    ) as urls:
        pass
    with pytest.raises(aiohttp.ClientConnectionError):
        async with http.get(urls.healthz):
            pass


async def test_a_standby_is_ready_while_it_can_read_its_lease_and_says_who_leads(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, health: HealthState
) -> None:
    # Nothing of the operator runs on a standby (no WAPI evidence at all): it is still Ready,
    # so that a rolling update and a PodDisruptionBudget count it.
    reachable = True
    health.lease_reachable = lambda: reachable
    health.set_leadership(False, "pod-a", "pod-b")
    status, body = await fetch(http, urls.readyz)
    assert (status, body["leader"], body["failing"]) == (200, False, [])
    assert body["checks"]["leadership"] == {
        "ok": True, "required": True, "detail": "standby: pod-a leads",
        "identity": "pod-b", "holder": "pod-a",
    }  # fmt: skip
    assert body["checks"]["infoblox"]["required"] is False
    reachable = False
    status, body = await fetch(http, urls.readyz)
    assert (status, body["failing"]) == (503, ["leadership"])
    assert body["checks"]["leadership"]["detail"] == "standby: the Lease cannot be read"
    status, body = await fetch(http, urls.healthz)
    assert (status, body["leader"]) == (200, False)  # liveness never depends on it


async def test_a_leader_is_judged_as_any_running_operator(
    urls: ObservabilityUrls, http: aiohttp.ClientSession, health: HealthState
) -> None:
    health.set_leadership(True, "pod-b", "pod-b")
    status, body = await fetch(http, urls.readyz)
    assert (status, body["leader"]) == (503, True)  # not running yet, Infoblox unknown
    assert body["checks"]["leadership"]["detail"] == "pod-b leads"
    healthy(health)
    status, body = await fetch(http, urls.readyz)
    assert (status, body["failing"]) == (200, [])
