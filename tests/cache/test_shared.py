"""Snapshots shared through a real redis-server: one paged read for every operator, writes
that make the shared copy unreachable, and a Redis outage that only costs WAPI reads."""

from __future__ import annotations

import asyncio
from typing import Any

from ddisync.metrics import Metrics
from ddisync.reconcile.network import NETWORK_FIELDS
from tests.e2e.helpers import eventually
from tests.redis_server import RedisServer

from .conftest import FakeHealth
from .helpers import gets, networks, operator, own_network


def redis_errors(metrics: Metrics) -> float:
    sample = {"layer": "redis", "result": "error"}
    return metrics.registry.get_sample_value("ddisync_cache_requests_total", sample) or 0.0


async def test_two_operators_share_one_paged_read(
    simulator: Any, redis_server: RedisServer
) -> None:
    async with (
        operator(simulator, redis_server.url) as (one, one_store),
        operator(simulator, redis_server.url) as (two, two_store),
        operator(simulator, redis_server.url) as (three, three_store),
    ):
        for n in range(3):
            await own_network(one, n)
        simulator.counters.reset()
        first, second = await asyncio.gather(networks(one, one_store), networks(two, two_store))
        assert gets(simulator) == 1  # the other operator waited for the claimant's value
        assert set(first.objects) == set(second.objects) == {"uid-0", "uid-1", "uid-2"}
        assert first.read_at == second.read_at  # when the one WAPI read began
        later = await networks(three, three_store)  # an operator starting later
        assert gets(simulator) == 1 and set(later.objects) == set(first.objects)


async def test_a_write_makes_the_next_read_of_every_operator_fresh(
    simulator: Any, redis_server: RedisServer
) -> None:
    async with (
        operator(simulator, redis_server.url) as (one, one_store),
        operator(simulator, redis_server.url) as (two, two_store),
    ):
        await networks(one, one_store)  # shared now
        created = await own_network(one, 1)
        simulator.counters.reset()
        assert (await networks(one, one_store)).objects["uid-1"]["_ref"] == created["_ref"]
        assert gets(simulator) == 0  # the writer's own copy was patched
        assert (await networks(two, two_store)).objects["uid-1"]["_ref"] == created["_ref"]
        assert gets(simulator) == 1  # the shared copy was out of date: read again, once
        await one.delete(created["_ref"])
        await two_store.invalidate("network")  # (two's own copy knows nothing of one's writes)
        assert "uid-1" not in (await networks(two, two_store)).objects


async def test_a_read_that_raced_with_a_write_is_not_shared(
    simulator: Any, redis_server: RedisServer
) -> None:
    async with (
        operator(simulator, redis_server.url, page_size=1) as (one, one_store),
        operator(simulator, redis_server.url) as (two, _),
        operator(simulator, redis_server.url) as (three, three_store),
    ):
        first = await own_network(two, 0, comment="v1")
        await own_network(two, 1)
        simulator.counters.reset()
        simulator.faults.latency_ms = 300  # one's read: a page each 300 ms
        reading = asyncio.ensure_future(networks(one, one_store))
        await eventually(lambda: gets(simulator), interval=0.01)  # its first page is read
        simulator.faults.latency_ms = 0
        # Two's update lands after one's first page and before its last one.
        await two.update(first["_ref"], {"comment": "v2"}, return_fields=NETWORK_FIELDS)
        assert (await reading).objects["uid-0"]["comment"] == "v1"  # raced, and stored late
        assert (await networks(three, three_store)).objects["uid-0"]["comment"] == "v2"


async def test_redis_down_degrades_to_in_process_and_recovers(
    simulator: Any, redis_server: RedisServer, health: FakeHealth
) -> None:
    now, metrics = [1000.0], Metrics()
    shared_options = {
        "metrics": metrics,
        "health": health,
        "retry_after": 5,
        "clock": lambda: now[0],
    }
    async with (
        operator(simulator, redis_server.url, shared_options=shared_options) as (one, store),
        operator(simulator, redis_server.url) as (other, other_store),
    ):
        assert store.shared is not None and await store.shared.ping()
        assert health.state == "ok"
        redis_server.kill()

        # Down: reads go to WAPI, nothing raises, one error and Redis left alone for 5 s.
        await own_network(one, 1)  # its bump stays pending
        assert "uid-1" in (await networks(one, store)).objects
        assert health.state == "degraded" and redis_errors(metrics) == 1
        await store.invalidate("network")
        assert "uid-1" in (await networks(one, store)).objects
        assert redis_errors(metrics) == 1

        # Back (empty); another operator deletes uid-1 and stores a snapshot before ours
        # tries Redis again: our writes since then must not be hidden by it.
        redis_server.start()
        await other.delete((await networks(one, store)).objects["uid-1"]["_ref"])
        assert set((await networks(other, other_store)).objects) == set()
        await own_network(one, 2)  # within retry_after: its bump stays pending
        await store.invalidate("network")
        now[0] += 6
        simulator.counters.reset()
        assert set((await networks(one, store)).objects) == {"uid-2"}
        assert gets(simulator) == 1  # the pending bumps went first: other's copy was not used
        assert health.state == "ok"
        assert [state for state, _ in health.states] == ["ok", "degraded", "ok"]


async def test_redis_down_at_start_is_not_an_error(
    simulator: Any, redis_server: RedisServer, health: FakeHealth
) -> None:
    redis_server.kill()
    now = [1000.0]
    shared_options = {"health": health, "retry_after": 5, "clock": lambda: now[0]}
    async with operator(simulator, redis_server.url, shared_options=shared_options) as (
        client,
        store,
    ):
        assert store.shared is not None and not await store.shared.ping()
        assert health.state == "degraded"
        await own_network(client, 1)
        assert "uid-1" in (await networks(client, store)).objects
        redis_server.start()
        now[0] += 5
        await store.invalidate("network")
        assert "uid-1" in (await networks(client, store)).objects
        assert health.state == "ok"
