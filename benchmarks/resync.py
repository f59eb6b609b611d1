"""Benchmark: WAPI calls per resync sweep of N unchanged Records, with and without sharing.

    python benchmarks/resync.py --records 5000 [--json] [--no-redis]

A fresh simulator (the demo grid) gets N A records in ``example.com`` carrying this cluster's
ownership markers (created in batches of 100 through the multi-object ``request`` endpoint;
untimed, uncounted).  Then one drift sweep — every record compared with its desired address —
is run in several ways, counting the WAPI calls the simulator answers:

* ``per_object``: no snapshot: one GET by ref per record (what a naive periodic check does);
* ``in_process_2_replicas``: ``OwnedSnapshot`` over two stores that share nothing: each replica
  pages through the records itself;
* ``shared_first_replica``: ``OwnedSnapshot`` over a store shared through Redis: the first
  replica's sweep (cold: ``ceil(N / 1000)`` pages);
* ``shared_second_replica``: a second replica sharing the same Redis: served by it;
* ``next_sweep``: the first replica's next sweep within ``max_age``;
* ``sweep_after_100_writes``: the first replica updates 100 of its records (100 PUTs, not
  counted), then sweeps: its writes patched its snapshot, so no page is read again.

With ``redis-server`` on the PATH a private one is started on a free port (``--no-redis``:
in-process stores, so the second replica reads for itself).  The target is at most
``ceil(N / 1000) + 5`` calls per sweep with a snapshot.  ``--json`` prints one JSON object last.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from ddisync.cache import (
    SharedSnapshots,
    SnapshotStore,
    TrackingClient,
    connect,
    space_of,
)
from ddisync.reconcile.ownership import Owner, ea_wire
from ddisync.reconcile.record_desired import RETURN_FIELDS
from ddisync.sync.snapshot import OwnedSnapshot
from ddisync.wapi import BatchOp, WapiClient, WapiSettings
from ddisync_simulator import SimulatorOptions, running_simulator

CLUSTER = "bench"
OBJTYPE = "record:a"
FIELDS = RETURN_FIELDS[OBJTYPE]


def address(i: int) -> str:
    return f"10.{200 + i // 65536}.{i // 256 % 256}.{i % 256}"


@contextmanager
def redis_server(enabled: bool) -> Iterator[str | None]:
    binary = shutil.which("redis-server") if enabled else None
    if binary is None:
        yield None
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait()


@asynccontextmanager
async def replica(
    url: str, redis_url: str | None
) -> AsyncIterator[tuple[TrackingClient, SnapshotStore]]:
    """One operator replica's client and snapshot store (shared through Redis when given)."""
    settings = WapiSettings(
        url=url, username="admin", password="infoblox", rate_limit=1e6, burst=100_000
    )
    shared = None
    if redis_url:
        space = space_of(url, settings.username, settings.version, CLUSTER)
        shared = SharedSnapshots(connect(redis_url, timeout=1.0), space)
    store = SnapshotStore(cluster_id=CLUSTER, shared=shared)
    client = TrackingClient(settings, store)
    try:
        yield client, store
    finally:
        await client.aclose()
        await store.aclose()


async def create_records(client: WapiClient, n: int) -> dict[str, str]:
    """N owned A records; returns uid → ref."""
    ops, uids = [], []
    for i in range(n):
        owner = Owner(CLUSTER, "Record", "bench", f"r{i}", f"uid-{i}")
        uids.append(owner.uid)
        data = {
            "name": f"r{i}.example.com",
            "ipv4addr": address(i),
            "extattrs": ea_wire(owner.markers()),
        }
        ops.append(BatchOp.create(OBJTYPE, data))
    results = await client.batch(ops)
    refs = [r if isinstance(r, str) else r["_ref"] for r in results]
    return dict(zip(uids, refs, strict=True))


def snapshot(client: WapiClient, store: SnapshotStore) -> OwnedSnapshot:
    return OwnedSnapshot(client, (OBJTYPE,), store=store, return_fields=FIELDS, max_age=270)


async def sweep_with_snapshot(snap: OwnedSnapshot, n: int) -> int:
    """N drift checks against the shared snapshot; returns how many found drift."""
    drifted = 0
    for i in range(n):
        found = (await snap.by_uid()).get(f"uid-{i}")
        drifted += found is None or found.get("ipv4addr") != address(i)
    return drifted


async def sweep_per_object(client: WapiClient, refs: dict[str, str]) -> int:
    async def check(i: int, ref: str) -> bool:
        found = await client.get_ref(ref, return_fields=FIELDS)
        return bool(found.get("ipv4addr") != address(i))

    results = await asyncio.gather(*(check(i, refs[f"uid-{i}"]) for i in range(len(refs))))
    return sum(results)


async def run(n: int, use_redis: bool) -> dict[str, Any]:
    figures: dict[str, Any] = {"records": n, "page_size": 1000}
    with redis_server(use_redis) as redis_url:
        figures["shared_cache"] = "redis" if redis_url else "none (in process only)"
        async with running_simulator(SimulatorOptions(seed=None)) as sim:

            async def measure(name: str, sweep: Any) -> None:
                before, started = sim.counters.total(), time.perf_counter()
                drifted = await sweep
                figures[name] = {
                    "wapi_calls": sim.counters.total() - before,
                    "seconds": round(time.perf_counter() - started, 3),
                    "drifted": drifted,
                }

            async with (
                replica(sim.url, redis_url) as (one, one_store),
                replica(sim.url, redis_url) as (two, two_store),
            ):
                refs = await create_records(one, n)
                await measure("per_object", sweep_per_object(one, refs))

                async def in_process_2_replicas() -> int:
                    drifted = 0
                    for client in (one, two):
                        apart = SnapshotStore(cluster_id=CLUSTER)  # shares nothing
                        drifted += await sweep_with_snapshot(snapshot(client, apart), n)
                    return drifted

                await measure("in_process_2_replicas", in_process_2_replicas())
                first = snapshot(one, one_store)
                await measure("shared_first_replica", sweep_with_snapshot(first, n))
                second = snapshot(two, two_store)
                await measure("shared_second_replica", sweep_with_snapshot(second, n))
                await measure("next_sweep", sweep_with_snapshot(first, n))
                for i in range(min(100, n)):
                    await one.update(refs[f"uid-{i}"], {"comment": "edited"}, return_fields=FIELDS)
                await measure("sweep_after_100_writes", sweep_with_snapshot(first, n))
    target = math.ceil(n / 1000) + 5
    sweeps = (
        "shared_first_replica",
        "shared_second_replica",
        "next_sweep",
        "sweep_after_100_writes",
    )
    worst = max(figures[k]["wapi_calls"] for k in sweeps)
    figures["target_calls_per_sweep"] = target
    figures["meets_target"] = worst <= target
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--json", action="store_true", help="print a JSON object last")
    parser.add_argument("--no-redis", action="store_true", help="in-process stores only")
    args = parser.parse_args()
    figures = asyncio.run(run(args.records, not args.no_redis))
    print(f"N={figures['records']}  shared cache: {figures['shared_cache']}")
    print(f"{'sweep':32} {'WAPI calls':>10} {'seconds':>8} {'drifted':>8}")
    for name, row in figures.items():
        if isinstance(row, dict):
            print(f"{name:32} {row['wapi_calls']:>10} {row['seconds']:>8} {row['drifted']:>8}")
    print(
        f"target with a snapshot: <= {figures['target_calls_per_sweep']} calls per sweep: "
        f"{'met' if figures['meets_target'] else 'NOT met'}"
    )
    if args.json:
        print(json.dumps(figures))
    return 0 if figures["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
