"""OwnedSnapshot through the cache: replicas sharing Redis make one paged read per sweep."""

from __future__ import annotations

import asyncio
from typing import Any

from ddisync.reconcile.network import NETWORK_FIELDS
from ddisync.reconcile.ownership import Owner, ea_wire
from ddisync.sync.snapshot import OwnedSnapshot
from ddisync.wapi import WapiClient
from tests.redis_server import RedisServer

from .helpers import close, layered, replica


async def own_networks(client: WapiClient, n: int) -> None:
    for i in range(n):
        owner = Owner("snap", "Network", "ns", f"n{i}", f"uid-{i}")
        data = {"network": f"10.252.{i}.0/24", "extattrs": ea_wire(owner.markers())}
        await client.create("network", data)


def snapshot(client: WapiClient, reads: Any, **options: Any) -> OwnedSnapshot:
    return OwnedSnapshot(
        client,
        ("network", "ipv6network"),
        cluster_id="snap",
        return_fields=NETWORK_FIELDS,
        max_age=options.pop("max_age", 270),
        cache=reads,
        **options,
    )


async def test_replicas_share_one_paged_read(simulator: Any, redis_server: RedisServer) -> None:
    one = replica(simulator, layered(redis_server.url))
    two = replica(simulator, layered(redis_server.url))
    try:
        await own_networks(one[0], 3)
        simulator.counters.reset()
        first, second = snapshot(one[0], one[1]), snapshot(two[0], two[1])
        seen = await asyncio.gather(first.by_uid(), second.by_uid(), first.by_uid())
        assert all(set(s) == {"uid-0", "uid-1", "uid-2"} for s in seen)
        assert simulator.counters.total(method="GET") == 2  # one per type, not per replica
        assert first.taken_at == second.taken_at  # when the one WAPI read began
        assert (await second.by_uid()) is (await second.by_uid())  # merged once per refresh
    finally:
        await close(*one)
        await close(*two)


async def test_a_shared_entry_older_than_max_age_is_read_again(
    simulator: Any, redis_server: RedisServer
) -> None:
    wall = [1_000_000.0]
    one = replica(simulator, layered(redis_server.url))
    one[1]._wall = lambda: wall[0]
    try:
        await snapshot(one[0], one[1], wall=lambda: wall[0]).by_uid()
        simulator.counters.reset()
        wall[0] += 100  # a replica starting its sweep 100 s later, with max_age 60 s
        late = snapshot(one[0], one[1], max_age=60, wall=lambda: wall[0])
        one[1].cache.memory.clear()
        await late.by_uid()
        assert simulator.counters.total(method="GET") == 2
        assert late.taken_at is not None and late.taken_at.timestamp() == wall[0]
    finally:
        await close(*one)
