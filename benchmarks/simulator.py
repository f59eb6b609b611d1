"""Simulator figures: simple GETs per second on one core, and memory for 100,000 records.

    python benchmarks/simulator.py [--json] [--seconds 5] [--records 100000]

* Throughput: the simulator runs in its own process (one event loop, so one core) holding
  10,000 A records; this process drives it over loopback HTTP with 32 concurrent keep-alive
  connections using the ``ibapauth`` cookie, for ``--seconds`` per scenario. Reported: requests
  per wall-clock second and per second of the server's CPU time (the "one core" figure).
  Targets: >= 2,000 GETs/s.
* Memory: a fresh process builds a grid (demo seed) and adds ``--records`` A records through
  the same create path the HTTP API uses; reported is the growth of its resident set size.
  Target: < 500 MB for 100,000 records.

A benchmark, not a test: it prints figures (Markdown, or JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from procfs import cpu_seconds, rss_bytes

USER, PASSWORD = "admin", "infoblox"
SEED_RECORDS = 10_000
WORKERS = 32


def _record(i: int) -> dict[str, Any]:
    return {
        "name": f"host{i}.example.com",
        "ipv4addr": f"10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}",
        "extattrs": {"ddisync-uid": {"value": f"uid-{i}"}},
    }


def memory_child(records: int) -> None:
    """Run in a fresh interpreter: print the RSS growth for ``records`` A records."""
    from ddisync_simulator.seed import load_seed
    from ddisync_simulator.writes import create

    grid = load_seed(None)
    before = rss_bytes()
    start = time.perf_counter()
    for i in range(records):
        create(grid, "record:a", _record(i))
    elapsed = time.perf_counter() - start
    print(
        json.dumps(
            {
                "records": grid.count("record:a"),
                "rss_growth_bytes": rss_bytes() - before,
                "create_seconds": elapsed,
            }
        )
    )


def measure_memory(records: int) -> dict[str, Any]:
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"import simulator as b; b.memory_child({records})"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


async def _drive(url: str, params: dict[str, str] | None, seconds: float, cookie: str) -> int:
    done = 0
    stop_at = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=WORKERS)
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar(), headers={"Cookie": cookie}
    ) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < stop_at:
                async with session.get(url, params=params) as resp:
                    await resp.read()
                    if resp.status != 200:
                        raise RuntimeError(f"{resp.status} {await resp.text()}")
                done += 1

        await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return done


async def _scenarios(base: str, pid: int, seconds: float) -> dict[str, Any]:
    auth = {"Authorization": aiohttp.encode_basic_auth(USER, PASSWORD)}
    async with (
        aiohttp.ClientSession() as session,
        session.get(base + "record:a", params={"name": "host1.example.com"}, headers=auth) as resp,
    ):
        ref = (await resp.json())[0]["_ref"]
        cookie = resp.headers["Set-Cookie"].split(";", 1)[0]
    scenarios = {
        "get_by_ref": (base + ref, None),
        "search_by_name": (base + "record:a", {"name": "host77.example.com"}),
        "search_by_ea": (base + "record:a", {"*ddisync-uid": "uid-4242"}),
    }
    out: dict[str, Any] = {"records_in_grid": SEED_RECORDS, "workers": WORKERS}
    for name, (url, params) in scenarios.items():
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        count = await _drive(url, params, seconds, cookie)
        cpu, wall = cpu_seconds(pid) - cpu0, time.perf_counter() - t0
        out[name] = {
            "requests": count,
            "per_second": round(count / wall),
            "per_server_cpu_second": round(count / cpu) if cpu else None,
        }
    async with (
        aiohttp.ClientSession() as session,
        session.get(base.replace("/wapi/v2.12/", "/_sim/counters")) as resp,
    ):
        out["server_counted_200"] = (await resp.json())["by_status"].get("200", 0)
    return out


def measure_throughput(seconds: float) -> dict[str, Any]:
    from ddisync_simulator.seed import demo_seed

    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "seed.json"
        data = demo_seed()
        data["record:a"] = [_record(i) for i in range(SEED_RECORDS)]
        seed.write_text(json.dumps(data))
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ddisync_simulator",
                "--port",
                "0",
                "--seed",
                str(seed),
                "--username",
                USER,
                "--password",
                PASSWORD,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            base = proc.stdout.readline().strip() + "/wapi/v2.12/"
            out = asyncio.run(_scenarios(base, proc.pid, seconds))
            out["server_rss_mb"] = round(rss_bytes(proc.pid) / 2**20, 1)
            return out
        finally:
            proc.terminate()
            proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration per scenario")
    parser.add_argument("--records", type=int, default=100_000, help="records for the memory run")
    args = parser.parse_args()
    throughput = measure_throughput(args.seconds)
    memory = measure_memory(args.records)
    result = {
        "throughput": throughput,
        "memory": {
            "records": memory["records"],
            "rss_growth_mb": round(memory["rss_growth_bytes"] / 2**20, 1),
            "create_per_second": round(memory["records"] / memory["create_seconds"]),
        },
        "targets": {"gets_per_second": 2000, "memory_mb_for_100k": 500},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print("## ddisync simulator\n")
    print(f"Grid with {throughput['records_in_grid']:,} A records, {WORKERS} connections.\n")
    print("| scenario | GETs/s (wall) | GETs/s per server CPU second |")
    print("|---|---:|---:|")
    for name in ("get_by_ref", "search_by_name", "search_by_ea"):
        row = throughput[name]
        print(f"| {name} | {row['per_second']:,} | {row['per_server_cpu_second']:,} |")
    mem = result["memory"]
    print(
        f"\nMemory: {mem['records']:,} A records grow the process by {mem['rss_growth_mb']} MB "
        f"(created at {mem['create_per_second']:,}/s). Targets: >= 2,000 GETs/s, < 500 MB."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
