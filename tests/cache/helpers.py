"""Operators' snapshot stores and clients the way ``open_snapshot_store`` and the start-up
handler make them, and owned objects to put in them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ddisync.cache import (
    SharedSnapshots,
    Snapshot,
    SnapshotStore,
    TrackingClient,
    connect,
    space_of,
)
from ddisync.reconcile.network import NETWORK_FIELDS
from ddisync.reconcile.ownership import Owner, ea_wire
from ddisync.wapi import WapiClient, WapiObject

from .conftest import client_settings

CLUSTER = "cache-test"


def snapshot_store(
    sim: Any, redis_url: str | None = None, *, shared_options: Any = None, **options: Any
) -> SnapshotStore:
    shared = None
    if redis_url:
        space = space_of(sim.url, "admin", "2.12", CLUSTER)
        shared = SharedSnapshots(connect(redis_url, timeout=0.5), space, **(shared_options or {}))
    return SnapshotStore(cluster_id=CLUSTER, shared=shared, **options)


@asynccontextmanager
async def operator(
    sim: Any,
    redis_url: str | None = None,
    *,
    page_size: int = 1000,
    client_options: Any = None,
    **options: Any,
) -> AsyncIterator[tuple[TrackingClient, SnapshotStore]]:
    """One operator process: its store, and its client whose writes are recorded there."""
    store = snapshot_store(sim, redis_url, **options)
    settings = client_settings(sim, page_size=page_size)
    client = TrackingClient(settings, store, **(client_options or {}))
    try:
        yield client, store
    finally:
        await client.aclose()
        await store.aclose()


async def networks(client: WapiClient, store: SnapshotStore, max_age: float = 300) -> Snapshot:
    return await store.read(client, "network", NETWORK_FIELDS, max_age=max_age)


def owner(n: int) -> Owner:
    return Owner(CLUSTER, "Network", "ns", f"net-{n}", f"uid-{n}")


async def own_network(client: WapiClient, n: int, comment: str = "") -> WapiObject:
    """An owned network 10.249.<n>.0/24, created through ``client``."""
    data = {
        "network": f"10.249.{n}.0/24",
        "comment": comment,
        "extattrs": ea_wire(owner(n).markers()),
    }
    return await client.create("network", data, return_fields=NETWORK_FIELDS)


def gets(sim: Any, objtype: str = "network") -> int:
    return int(sim.counters.total(method="GET", objtype=objtype))
