"""The rule: the cache never causes a duplicate object or a lost update.

The reads that decide writes (``sync/lookup.py``, used by ``sync/pipeline.py`` for every
kind) are uncached by construction; the snapshot may only decide "nothing to do".
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
from ddisync.sync.driver import Intent
from ddisync.sync.network import DRIVER as NETWORK
from ddisync.sync.pipeline import Synced, sync
from ddisync.sync.snapshot import OwnedSnapshot
from ddisync.wapi import WapiClient
from tests.redis_server import RedisServer

from .conftest import client_settings
from .helpers import CLUSTER, operator

OWNER = Owner(CLUSTER, "Network", "ns", "net", "uid-1")


async def sync_network(client: WapiClient, want: DesiredNetwork, ref: str | None) -> Synced:
    """The operator's own pipeline for one Network."""
    return await sync(client, NETWORK, want, Intent(OWNER, adopt=False), {"ref": ref})


def ref_of(result: Synced) -> str:
    assert result.primary.obj is not None
    return str(result.primary.obj["_ref"])


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
    # lookup.py alone reads the owned snapshot, for a resource without a ref and only from a
    # read begun after the store started (its docstring holds the argument; tested in
    # tests/e2e/test_throughput.py): every other module decides from fresh reads.
    package = pathlib.Path(ddisync.sync.__file__).parent
    for name in ("pipeline.py", "apply.py", "network.py", "record.py", "ptr.py"):
        path = package / name
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
        created = await sync_network(client, desired("v1"), None)
        snap = snapshot(client, store)
        assert await drift_says_nothing_to_do(snap, desired("v1"))  # cached now

        await other.update(ref_of(created), {"comment": "changed out of band"})
        # The stale snapshot may miss the drift until it expires: allowed, it writes nothing.
        assert await drift_says_nothing_to_do(snap, desired("v1"))
        # A spec change is synced with fresh reads: the right value, on the same object.
        result = await sync_network(client, desired("v2"), ref_of(created))
        assert result.primary.what == "updated"
        on_grid = [o for o in simulator.grid.objects("network") if o["network"] == "10.251.0.0/24"]
        assert len(on_grid) == 1 and on_grid[0]["comment"] == "v2"
        # And reverting the spec to the cached value still writes (the sync is not fooled).
        result = await sync_network(client, desired("v1"), ref_of(created))
        assert result.primary.what == "updated"


async def test_an_object_deleted_out_of_band_is_recreated_exactly_once(
    simulator: Any, redis_server: RedisServer
) -> None:
    async with (
        operator(simulator, redis_server.url) as (client, store),
        WapiClient(client_settings(simulator)) as other,
    ):
        created = await sync_network(client, desired("v1"), None)
        snap = snapshot(client, store)
        assert await drift_says_nothing_to_do(snap, desired("v1"))
        await other.delete(ref_of(created))
        assert await drift_says_nothing_to_do(snap, desired("v1"))  # stale: still "there"

        ref = ref_of(created)
        first = await sync_network(client, desired("v1"), ref)
        second = await sync_network(client, desired("v1"), ref)
        third = await sync_network(client, desired("v1"), ref_of(first))
        assert (first.primary.what, second.primary.what, third.primary.what) == (
            "created",
            "unchanged",
            "unchanged",
        )
        on_grid = [o for o in simulator.grid.objects("network") if o["network"] == "10.251.0.0/24"]
        assert len(on_grid) == 1
        # Our create was recorded in the snapshot: it shows the new object, with no paged read.
        simulator.counters.reset()
        assert (await snap.by_uid())[OWNER.uid]["_ref"] == ref_of(first)
        assert simulator.counters.total(method="GET") == 0
