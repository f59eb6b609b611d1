"""Benchmark: create N A records through ddisync's WAPI client and through infoblox-client.

    python benchmarks/wapi_client.py --records 300 --latency-ms 20 [--json]

Each client gets a fresh simulator (TLS on, the demo grid) running in its own thread and event
loop, so the synchronous infoblox-client and the simulator do not share a loop.  An empty zone
``bench.test`` is created first (untimed), then ``L`` ms of latency is injected on every request
and the N creates are timed, login included:

* ddisync: ``WapiClient`` with its default settings plus the rate limit set here (``--rate``,
  ``--burst``), all N creates submitted at once (``asyncio.gather``) — the client's token
  bucket and in-flight cap decide the pace;
* infoblox-client 0.6.2 as its README shows: ``Connector(opts)`` then
  ``objects.ARecord.create(conn, view=..., name=..., ip=...)`` per record (which, by default,
  searches for the record before creating it).

``bound_seconds`` is the least time the configured limits allow ddisync:
``max((N - burst) / rate + L, ceil(N / max_in_flight) * L)``: tokens beyond the burst arrive at
``rate`` and the last request still takes ``L``; and no more than ``max_in_flight`` requests
are in flight, each taking at least ``L``.  ``bound_efficiency = bound / ours`` (1.0 = the
client adds nothing to what its limits impose); ``ratio = theirs / ours``.

With ``--json`` the last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from ddisync.wapi import WapiClient, WapiSettings
from ddisync_simulator import SimulatorOptions, running_simulator

USERNAME = "admin"
PASSWORD = "bench-password"
ZONE = "bench.test"


class SimulatorThread:
    """A simulator in a thread of its own, with its own event loop."""

    def __init__(self, options: SimulatorOptions) -> None:
        self.options = options
        self.sim: Any = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="simulator", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            async with running_simulator(self.options) as sim:
                self.sim = sim
                self._ready.set()
                await self._stop.wait()

        try:
            asyncio.run(main())
        except BaseException as e:  # reported to the main thread
            self._error = e
            self._ready.set()

    def __enter__(self) -> Any:
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None or self.sim is None:
            raise RuntimeError("the simulator did not start") from self._error
        return self.sim

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@contextmanager
def fresh_grid() -> Iterator[Any]:
    options = SimulatorOptions(username=USERNAME, password=PASSWORD, tls=True, seed=None)
    with SimulatorThread(options) as sim:
        settings = WapiSettings(
            url=sim.url, username=USERNAME, password=PASSWORD, ca_bundle=sim.ca_file
        )

        async def make_zone() -> None:
            async with WapiClient(settings) as client:
                await client.create("zone_auth", {"fqdn": ZONE, "view": "default"})

        asyncio.run(make_zone())
        yield sim


def names(n: int) -> list[tuple[str, str]]:
    return [
        (f"host{i:05d}.{ZONE}", f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}")
        for i in range(1, n + 1)
    ]


def count_records(sim: Any) -> int:
    return sum(1 for o in sim.grid.objects("record:a") if str(o.get("name", "")).endswith(ZONE))


def run_ddisync(n: int, latency_ms: float, settings: WapiSettings) -> tuple[float, int]:
    with fresh_grid() as sim:
        sim.faults.latency_ms = latency_ms
        settings = replace(settings, url=sim.url, ca_bundle=sim.ca_file)

        async def create_all() -> float:
            started = time.perf_counter()
            async with WapiClient(settings) as client:
                await asyncio.gather(
                    *(
                        client.create("record:a", {"name": name, "ipv4addr": ip, "view": "default"})
                        for name, ip in names(n)
                    )
                )
            return time.perf_counter() - started

        seconds = asyncio.run(create_all())
        return seconds, count_records(sim)


def run_infoblox_client(n: int, latency_ms: float) -> tuple[float, int]:
    from infoblox_client import connector, objects

    with fresh_grid() as sim:
        sim.faults.latency_ms = latency_ms
        host = sim.url.split("://", 1)[1]
        started = time.perf_counter()
        opts = {
            "host": host,
            "username": USERNAME,
            "password": PASSWORD,
            "ssl_verify": sim.ca_file,
            "wapi_version": "2.12",
        }
        conn = connector.Connector(opts)
        for name, ip in names(n):
            objects.ARecord.create(conn, view="default", name=name, ip=ip)
        seconds = time.perf_counter() - started
        return seconds, count_records(sim)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=250.0, help="ddisync rate limit (req/s)")
    parser.add_argument("--burst", type=int, default=None, help="ddisync burst (default: client's)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of figures")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    n, latency = args.records, args.latency_ms
    base = WapiSettings(
        url="https://unused", username=USERNAME, password=PASSWORD, rate_limit=args.rate
    )
    if args.burst is not None:
        base = replace(base, burst=args.burst)

    ours, ours_count = run_ddisync(n, latency, base)
    print(
        f"ddisync:         {n} A records in {ours:.2f}s ({n / ours:.0f}/s), "
        f"{ours_count} in the grid"
    )
    theirs, theirs_count = run_infoblox_client(n, latency)
    print(
        f"infoblox-client: {n} A records in {theirs:.2f}s ({n / theirs:.0f}/s), "
        f"{theirs_count} in the grid"
    )

    seconds = latency / 1000.0
    bound = max(
        max(0, n - base.burst) / base.rate_limit + seconds,
        math.ceil(n / base.max_in_flight) * seconds,
    )
    figures = {
        "records": n,
        "latency_ms": latency,
        "rate_limit": base.rate_limit,
        "burst": base.burst,
        "max_in_flight": base.max_in_flight,
        "ddisync_seconds": round(ours, 3),
        "infoblox_client_seconds": round(theirs, 3),
        "ratio": round(theirs / ours, 2),
        "bound_seconds": round(bound, 3),
        "bound_efficiency": round(bound / ours, 3),
        "ddisync_created": ours_count,
        "infoblox_client_created": theirs_count,
    }
    print(
        f"ratio (theirs/ours) {figures['ratio']}, bound {bound:.2f}s, "
        f"bound efficiency {figures['bound_efficiency']}"
    )
    if args.json:
        print(json.dumps(figures))
    return 0 if ours_count == n and theirs_count == n else 1


if __name__ == "__main__":
    sys.exit(main())
