"""CachedReads against the simulator: single-flight, invalidation by writes, shared Redis."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.redis_server import RedisServer

from .helpers import close, layered, replica


def gets(sim: Any, objtype: str) -> int:
    return sim.counters.total(method="GET", objtype=objtype)


async def test_concurrent_misses_make_one_wapi_call(simulator: Any) -> None:
    client, reads = replica(simulator, layered())
    try:
        answers = await asyncio.gather(*(reads.get("view") for _ in range(20)))
        assert gets(simulator, "view") == 1
        assert all(answer == answers[0] for answer in answers) and answers[0]
        await reads.get("view")
        assert gets(simulator, "view") == 1  # a hit
        await reads.get("view", fresh=True)
        assert gets(simulator, "view") == 2
    finally:
        await close(client, reads)


async def test_the_same_query_written_differently_is_the_same_key(simulator: Any) -> None:
    client, reads = replica(simulator, layered())
    try:
        await reads.get("view", {"name": "default"}, return_fields=["comment", "name"])
        await reads.get("view", {"name": "default"}, return_fields=["name", "comment"])
        assert gets(simulator, "view") == 1
    finally:
        await close(client, reads)


async def test_a_write_invalidates_the_reads_of_its_type(simulator: Any) -> None:
    client, reads = replica(simulator, layered())
    try:
        before = await reads.get("network", {"network_view": "default"})
        await reads.get("view")
        await client.create("network", {"network": "10.250.1.0/24"})
        after = await reads.get("network", {"network_view": "default"})
        assert len(after) == len(before) + 1
        await reads.get("view")  # another type: still cached
        assert gets(simulator, "view") == 1
    finally:
        await close(client, reads)


async def test_a_read_racing_with_a_write_is_not_stored(simulator: Any) -> None:
    client, reads = replica(simulator, layered())
    try:
        simulator.faults.latency_ms = 100
        slow = asyncio.ensure_future(reads.get("network", {"network_view": "default"}))
        await asyncio.sleep(0.03)  # the read is on the wire
        simulator.faults.latency_ms = 0
        await client.create("network", {"network": "10.250.2.0/24"})
        stale = await slow
        fresh = await reads.get("network", {"network_view": "default"})
        assert len(fresh) == len(stale) + 1
    finally:
        await close(client, reads)


async def test_replicas_sharing_redis_make_one_read(
    simulator: Any, redis_server: RedisServer
) -> None:
    one = replica(simulator, layered(redis_server.url))
    two = replica(simulator, layered(redis_server.url))
    try:
        await asyncio.gather(one[1].get("networkview"), two[1].get("networkview"))
        assert gets(simulator, "networkview") == 1  # the other waited for the claimant
        await two[1].get("view")
        await one[1].get("view")
        assert gets(simulator, "view") == 1
        # A write by replica one reaches replica two through Redis (after its memory copy).
        await one[0].create("network", {"network": "10.250.3.0/24"})
        await asyncio.sleep(0.05)  # the background invalidation
        two[1].cache.memory.clear()
        await two[1].get("view")
        assert gets(simulator, "view") == 1
        await one[1].get("network")
        await two[1].get("network")
        await one[0].create("network", {"network": "10.250.4.0/24"})
        await asyncio.sleep(0.05)
        two[1].cache.memory.clear()
        assert any(n["network"] == "10.250.4.0/24" for n in await two[1].get("network"))
    finally:
        await close(*one)
        await close(*two)
