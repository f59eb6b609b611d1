"""The snapshot store in one process: single-flight, and every write the operator makes keeps
the next read right (patched in place, or read again) without a lost or a phantom object."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ddisync.reconcile.network import NETWORK_FIELDS
from ddisync.reconcile.ownership import MARKER_EAS, UID_EA, ea_wire
from ddisync.wapi import ConflictError, OutcomeUnknownError, WapiClient
from tests.e2e.helpers import eventually

from .conftest import client_settings
from .helpers import CLUSTER, gets, networks, operator, own_network, owner


async def test_concurrent_misses_make_one_paged_read(simulator: Any) -> None:
    async with operator(simulator) as (client, store):
        for n in range(3):
            await own_network(client, n)
        simulator.counters.reset()
        seen = await asyncio.gather(*(networks(client, store) for _ in range(20)))
        assert gets(simulator) == 1
        assert all(s.objects is seen[0].objects for s in seen)
        assert set(seen[0].objects) == {"uid-0", "uid-1", "uid-2"}
        await networks(client, store)
        assert gets(simulator) == 1  # still young: from this process


async def test_the_operators_own_writes_patch_the_snapshot_without_a_read(
    simulator: Any,
) -> None:
    async with operator(simulator) as (client, store):
        snapshot = await networks(client, store)
        assert dict(snapshot.objects) == {}
        simulator.counters.reset()

        created = await own_network(client, 1, comment="v1")
        assert snapshot.objects["uid-1"]["_ref"] == created["_ref"]  # the view is live
        await client.update(created["_ref"], {"comment": "v2"}, return_fields=NETWORK_FIELDS)
        assert (await networks(client, store)).objects["uid-1"]["comment"] == "v2"
        await client.delete(created["_ref"])
        assert "uid-1" not in (await networks(client, store)).objects
        assert gets(simulator) == 0


async def test_an_object_that_loses_our_marker_leaves_the_snapshot(simulator: Any) -> None:
    async with operator(simulator) as (client, store):
        created = await own_network(client, 1)
        await networks(client, store)
        released = {"extattrs-": {name: {} for name in MARKER_EAS}}  # deletionPolicy Retain
        await client.update(created["_ref"], released, return_fields=NETWORK_FIELDS)
        assert "uid-1" not in (await networks(client, store)).objects


async def test_invalidate_makes_the_next_read_a_paged_one(simulator: Any) -> None:
    async with (
        operator(simulator) as (client, store),
        WapiClient(client_settings(simulator)) as other,  # writes the store is not told of
    ):
        await networks(client, store)
        await own_network(other, 1)
        assert "uid-1" not in (await networks(client, store)).objects  # young, not re-read
        simulator.counters.reset()
        await store.invalidate("network")
        assert "uid-1" in (await networks(client, store)).objects
        assert gets(simulator) == 1


async def test_an_answer_without_extattrs_makes_the_snapshot_stale(simulator: Any) -> None:
    async with operator(simulator) as (client, store):
        created = await own_network(client, 1)
        await networks(client, store)
        simulator.counters.reset()
        await client.update(created["_ref"], {"comment": "v2"})  # answered with the base fields
        assert (await networks(client, store)).objects["uid-1"]["comment"] == "v2"
        assert gets(simulator) == 1  # the pages, read again


async def test_a_write_the_grid_refused_keeps_the_snapshot(simulator: Any) -> None:
    async with operator(simulator) as (client, store):
        await own_network(client, 1)
        await networks(client, store)
        simulator.counters.reset()
        with pytest.raises(ConflictError):
            await own_network(client, 1)  # the same CIDR again
        await networks(client, store)
        assert gets(simulator) == 0


async def test_a_write_that_may_have_landed_makes_the_snapshot_stale(simulator: Any) -> None:
    async def no_sleep(_: float) -> None:
        pass

    async with operator(simulator, client_options={"sleep": no_sleep}) as (client, store):
        await networks(client, store)
        simulator.faults.reset_rate = 1.0
        with pytest.raises(OutcomeUnknownError):
            await own_network(client, 1)  # no find_existing: not repeated blindly
        simulator.faults.reset_rate = 0.0
        simulator.counters.reset()
        await networks(client, store)
        assert gets(simulator) == 1


async def test_writes_recorded_during_a_paged_read_are_not_lost(simulator: Any) -> None:
    async with operator(simulator) as (client, store):
        for n in range(2):
            await own_network(client, n)
        await store.invalidate("network")
        simulator.faults.latency_ms = 150
        reading = asyncio.ensure_future(networks(client, store))
        await asyncio.sleep(0.05)  # the paged read is on the wire, and answers without these:
        phantom = {
            "_ref": "network/ZG5zLm5ldHdvcmskMTAuMjQ5Ljk5LjAvMjQvMA:10.249.99.0/24/default",
            "network": "10.249.99.0/24",
            "extattrs": ea_wire(owner(99).markers()),
        }
        await store.written("network", phantom)
        on_grid = {o["extattrs"][UID_EA]["value"]: o for o in simulator.grid.objects("network")}
        await store.deleted("network", str(on_grid["uid-0"]["_ref"]))
        snapshot = await reading
        simulator.faults.latency_ms = 0
        assert set(snapshot.objects) == {"uid-1", "uid-99"}


async def test_an_invalidation_during_a_paged_read_makes_it_stale(simulator: Any) -> None:
    async with operator(simulator) as (client, store):
        simulator.faults.latency_ms = 100
        reading = asyncio.ensure_future(networks(client, store))
        await asyncio.sleep(0.03)
        await store.invalidate("network")
        await reading
        simulator.faults.latency_ms = 0
        simulator.counters.reset()
        await networks(client, store)
        assert gets(simulator) == 1


async def test_a_read_begun_after_an_invalidation_does_not_join_an_older_load(
    simulator: Any,
) -> None:
    async with (
        operator(simulator, page_size=1) as (client, store),
        WapiClient(client_settings(simulator)) as other,
    ):
        first = await own_network(client, 0)
        await own_network(client, 1)
        simulator.counters.reset()
        simulator.faults.latency_ms = 500  # a page each 500 ms
        older = asyncio.ensure_future(networks(client, store))
        # Its first page (uid-0) is read, its second one is not.
        await eventually(lambda: gets(simulator), interval=0.01)
        simulator.faults.latency_ms = 0
        await other.delete(first["_ref"])
        await store.invalidate("network")  # e.g. after a write whose outcome is unknown
        assert set((await networks(client, store)).objects) == {"uid-1"}
        await older  # began before the invalidation: may answer with uid-0, but is not kept
        assert set((await networks(client, store)).objects) == {"uid-1"}


async def test_a_snapshot_older_than_max_age_is_read_again(simulator: Any) -> None:
    now = [1_000_000.0]
    async with operator(simulator, wall=lambda: now[0]) as (client, store):
        await networks(client, store, max_age=60)
        now[0] += 59
        await networks(client, store, max_age=60)
        assert gets(simulator) == 1
        now[0] += 2
        snapshot = await networks(client, store, max_age=60)
        assert gets(simulator) == 2 and snapshot.read_at == now[0]


async def test_only_objects_of_this_cluster_are_in_it(simulator: Any) -> None:
    async with operator(simulator) as (client, store):
        await own_network(client, 1)
        foreign = {**owner(2).markers(), "ddisync-cluster": "another-" + CLUSTER}
        await client.create("network", {"network": "10.249.2.0/24", "extattrs": ea_wire(foreign)})
        assert set((await networks(client, store)).objects) == {"uid-1"}
