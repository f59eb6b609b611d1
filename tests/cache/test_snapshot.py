"""OwnedSnapshot over the store: replicas sharing Redis make one paged read per type and sweep,
and the parts it merges stay live."""

from __future__ import annotations

import asyncio
from typing import Any

from ddisync.cache import SnapshotStore
from ddisync.reconcile.network import NETWORK_FIELDS
from ddisync.sync.snapshot import OwnedSnapshot
from ddisync.wapi import WapiClient
from tests.redis_server import RedisServer

from .helpers import operator, own_network


def snapshot(client: WapiClient, store: SnapshotStore, max_age: float = 270) -> OwnedSnapshot:
    return OwnedSnapshot(
        client,
        ("network", "ipv6network"),
        store=store,
        return_fields=NETWORK_FIELDS,
        max_age=max_age,
    )


async def test_replicas_share_one_paged_read_per_type(
    simulator: Any, redis_server: RedisServer
) -> None:
    async with (
        operator(simulator, redis_server.url) as (one, one_store),
        operator(simulator, redis_server.url) as (two, two_store),
    ):
        for n in range(3):
            await own_network(one, n)
        simulator.counters.reset()
        first, second = snapshot(one, one_store), snapshot(two, two_store)
        seen = await asyncio.gather(first.by_uid(), second.by_uid(), first.by_uid())
        assert all(set(s) == {"uid-0", "uid-1", "uid-2"} for s in seen)
        assert simulator.counters.total(method="GET") == 2  # one per type, not per replica
        assert first.taken_at is not None and first.taken_at == second.taken_at
        assert (await second.by_uid()) is (await second.by_uid())  # merged once per read


async def test_the_merged_view_shows_the_operators_writes(simulator: Any) -> None:
    async with operator(simulator) as (client, store):
        merged = await snapshot(client, store).by_uid()
        created = await own_network(client, 7)
        assert merged["uid-7"]["_ref"] == created["_ref"]
        await client.delete(created["_ref"])
        assert "uid-7" not in merged


async def test_taken_at_is_when_the_oldest_part_was_read(simulator: Any) -> None:
    now = [1_000_000.0]
    async with operator(simulator, wall=lambda: now[0]) as (client, store):
        await store.read(client, "network", NETWORK_FIELDS, max_age=270)
        now[0] += 100
        snap = snapshot(client, store)
        assert snap.taken_at is None
        await snap.by_uid()  # the network part is still young; ipv6network is read now
        assert snap.taken_at is not None and snap.taken_at.timestamp() == 1_000_000.0
        simulator.counters.reset()
        now[0] += 200
        await snap.by_uid()
        assert simulator.counters.total(method="GET") == 1  # only the part past max_age
