"""Fault injection, the control path and the counters."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from ddisync_simulator import Simulator

from .conftest import Wapi


async def test_fail_rate_answers_503(simulator: Simulator, wapi: Wapi) -> None:
    simulator.faults.fail_rate = 1.0
    answer = await wapi.get("networkview")
    assert answer.status == 503 and "Service Unavailable" in answer.text
    simulator.faults.fail_rate = 0.0
    assert (await wapi.get("networkview")).status == 200


async def test_latency_is_added(simulator: Simulator, wapi: Wapi) -> None:
    simulator.faults.latency_ms = 50
    start = time.perf_counter()
    await wapi.get("networkview")
    assert time.perf_counter() - start >= 0.05


async def test_reset_rate_drops_the_connection(simulator: Simulator, wapi: Wapi) -> None:
    simulator.faults.reset_rate = 1.0
    with pytest.raises(aiohttp.ClientError):
        await wapi.get("networkview")
    simulator.faults.reset_rate = 0.0
    assert (await wapi.get("networkview")).status == 200
    assert simulator.counters.total(status=0) >= 1  # aiohttp may retry an idempotent GET


async def test_the_concurrency_limit_answers_403(simulator: Simulator, wapi: Wapi) -> None:
    simulator.faults.max_concurrency = 2
    simulator.faults.latency_ms = 50
    answers = await asyncio.gather(*(wapi.get("networkview") for _ in range(6)))
    statuses = sorted(a.status for a in answers)
    assert statuses.count(200) == 2 and statuses.count(403) == 4


async def test_faults_change_through_the_control_path(simulator: Simulator, wapi: Wapi) -> None:
    url = f"{simulator.url}/_sim/faults"
    current = await wapi.get("", raw_url=url, headers={})
    assert current.json["fail_rate"] == 0.0
    changed = await wapi.put("", {"fail_rate": 1.0, "latency_ms": 1}, raw_url=url, headers={})
    assert changed.status == 200 and simulator.faults.fail_rate == 1.0
    assert (await wapi.get("networkview")).status == 503
    wrong = await wapi.put("", {"bogus": 1}, raw_url=url, headers={})
    assert wrong.status == 400
    await wapi.put("", {"fail_rate": 0}, raw_url=url, headers={})
    assert (await wapi.get("networkview")).status == 200


async def test_counters_count_by_method_type_and_status(simulator: Simulator, wapi: Wapi) -> None:
    await wapi.get("networkview")
    ref = await wapi.create("record:txt", {"name": "k.example.com", "text": "x"})
    await wapi.get(ref)
    await wapi.get("bogus")
    assert simulator.counters.total(method="GET") == 3
    assert simulator.counters.total(objtype="record:txt") == 2
    assert simulator.counters.total(status=400) == 1
    snap = (await wapi.get("", raw_url=f"{simulator.url}/_sim/counters", headers={})).json
    assert snap["by_method_and_type"]["POST record:txt"] == 1 and snap["total"] == 4
    await wapi.post("", raw_url=f"{simulator.url}/_sim/reset-counters", headers={})
    assert simulator.counters.total() == 0
