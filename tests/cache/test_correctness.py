"""The rule: the cache never causes a duplicate object or a lost update.

The reads that decide writes (``sync/network.py``'s ``find_network``, ``sync/record.py``'s
``find_record``) are uncached by construction; the snapshot may only decide "nothing to do".
These tests hold a stale snapshot while the grid changes out of band.
"""

from __future__ import annotations

import ast
import pathlib
from typing import Any

import ddisync.sync
from ddisync.reconcile.network import NETWORK_FIELDS, DesiredNetwork, actual_network, plan_network
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import NoChange
from ddisync.sync.network import sync_network
from ddisync.sync.snapshot import OwnedSnapshot
from ddisync.wapi import WapiClient
from tests.redis_server import RedisServer

from .conftest import client_settings
from .helpers import CLUSTER, operator

OWNER = Owner(CLUSTER, "Network", "ns", "net", "uid-1")


def desired(comment: str) -> DesiredNetwork:
    return DesiredNetwork("network", "10.251.0.0/24", None, None, "default", comment)


def snapshot(client: WapiClient, store: Any) -> OwnedSnapshot:
    return OwnedSnapshot(
        client, ("network",), store=store, return_fields=NETWORK_FIELDS, max_age=300
    )


async def drift_says_nothing_to_do(snap: OwnedSnapshot, want: DesiredNetwork) -> bool:
    found = (await snap.by_uid()).get(OWNER.uid)
    action = plan_network(want, actual_network(found) if found else None, OWNER, adopt=False)
    return isinstance(action, NoChange)


def test_write_deciding_reads_never_import_the_cache() -> None:
    package = pathlib.Path(ddisync.sync.__file__).parent
    for name in ("network.py", "record.py"):
        path = package / name
        if not path.exists():
            continue
        tree = ast.parse(path.read_text())
        imported = [
            node.module or ""
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        ] + [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names]  # fmt: skip
        assert not [m for m in imported if m.startswith("ddisync.cache")], name


async def test_an_out_of_band_change_never_hides_a_spec_change(
    simulator: Any, redis_server: RedisServer
) -> None:
    async with (
        operator(simulator, redis_server.url) as (client, store),
        WapiClient(client_settings(simulator)) as other,  # someone else, not through our cache
    ):
        created = await sync_network(client, desired("v1"), OWNER, ref=None, adopt=False)
        snap = snapshot(client, store)
        assert await drift_says_nothing_to_do(snap, desired("v1"))  # cached now

        await other.update(created.network.ref, {"comment": "changed out of band"})
        # The stale snapshot may miss the drift until it expires: allowed, it writes nothing.
        assert await drift_says_nothing_to_do(snap, desired("v1"))
        # A spec change is synced with fresh reads: the right value, on the same object.
        result = await sync_network(
            client, desired("v2"), OWNER, ref=created.network.ref, adopt=False
        )
        assert result.action == "updated"
        on_grid = [o for o in simulator.grid.objects("network") if o["network"] == "10.251.0.0/24"]
        assert len(on_grid) == 1 and on_grid[0]["comment"] == "v2"
        # And reverting the spec to the cached value still writes (the sync is not fooled).
        result = await sync_network(
            client, desired("v1"), OWNER, ref=created.network.ref, adopt=False
        )
        assert result.action == "updated"


async def test_an_object_deleted_out_of_band_is_recreated_exactly_once(
    simulator: Any, redis_server: RedisServer
) -> None:
    async with (
        operator(simulator, redis_server.url) as (client, store),
        WapiClient(client_settings(simulator)) as other,
    ):
        created = await sync_network(client, desired("v1"), OWNER, ref=None, adopt=False)
        snap = snapshot(client, store)
        assert await drift_says_nothing_to_do(snap, desired("v1"))
        await other.delete(created.network.ref)
        assert await drift_says_nothing_to_do(snap, desired("v1"))  # stale: still "there"

        ref = created.network.ref
        first = await sync_network(client, desired("v1"), OWNER, ref=ref, adopt=False)
        second = await sync_network(client, desired("v1"), OWNER, ref=ref, adopt=False)
        third = await sync_network(client, desired("v1"), OWNER, ref=first.network.ref, adopt=False)
        assert (first.action, second.action, third.action) == ("created", "unchanged", "unchanged")
        on_grid = [o for o in simulator.grid.objects("network") if o["network"] == "10.251.0.0/24"]
        assert len(on_grid) == 1
        # Our create was recorded in the snapshot: it shows the new object, with no paged read.
        simulator.counters.reset()
        assert (await snap.by_uid())[OWNER.uid]["_ref"] == first.network.ref
        assert simulator.counters.total(method="GET") == 0
