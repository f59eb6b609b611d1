"""Operator at scale: cold sync of N Records and M Networks (and, if asked, FixedAddresses and
DHCPRanges), one resync sweep, change latency.

Three processes, as in a real deployment: the WAPI simulator (``ddisync-simulator``), the
emulated Kubernetes API (``apiserver.py``) and the operator (``ddisync run``, reading a
kubeconfig). This script creates the resources through the API, waits until every one is Ready,
then measures one resync sweep over unchanged objects and the latency of single spec changes.

    python benchmarks/sync.py --records 10000 --networks 100 [--latency-ms 0] [--adopt] [--json]
                              [--fixed-addresses N] [--ranges M]

With ``--json`` the last line is one JSON object with the figures. The operator runs with a
rate limit suited to a dedicated grid (``--rate-limit``, default 2000/s): the product default
(20/s) is a polite neighbour on a shared Grid Master, not a benchmark setting.

``--adopt``: the onboarding path (after ``ddisync export``). The grid already holds every
Network and Record, made by someone else (no ownership markers; seeded through the
multi-object endpoint before the clock starts, not counted), and each resource says
``adopt: true`` (the grant allows adoption). Records then name their address (no
``addressFrom``): an adopted record keeps the address it has.

The simulator counts HTTP requests (``wapi_http_requests``: a multi-object request once) apart
from operations (``wapi_operations``: each object read or written, however many requests
carried it); both are reported per object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp

from ddisync.wapi.settings import WapiSettings
from ddisync_emulator import kubeconfig as kubeconfigs
from ddisync_emulator.report import judge
from procfs import cpu_seconds, peak_rss_mb

HERE = Path(__file__).resolve().parent
USERNAME, PASSWORD = "bench", "bench-secret"  # a throwaway simulator's credentials
API = "/apis/ddisync.io/v1alpha1/namespaces/default"


@contextlib.contextmanager
def _process(
    args: list[str], env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[subprocess.Popen[str]]:
    stderr = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})}, preexec_fn=_die_with_parent,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)  # as Ctrl-C: py-spy writes its profile on it
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        if log:
            stderr.close()  # type: ignore[union-attr]


def _die_with_parent() -> None:
    """In the child: get SIGTERM when this script dies, however it dies (Linux)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _first_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line:
        raise RuntimeError(f"{process.args!r} exited before printing its URL")
    return line


def _cidr(index: int) -> str:
    return f"10.{100 + index // 256}.{index % 256}.0/24"


def _address(index: int) -> str:
    return f"10.{200 + index // 65024}.{index // 254 % 256}.{index % 254 + 1}"


def _network(index: int, adopt: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"cidr": _cidr(index)}
    if adopt:
        spec["adopt"] = True
    return {
        "apiVersion": "ddisync.io/v1alpha1", "kind": "Network",
        "metadata": {"name": f"net-{index}", "namespace": "default"},
        "spec": spec,
    }  # fmt: skip


def _record(index: int, networks: int, adopt: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "A", "name": f"r{index}.example.com"}
    if networks and not adopt:  # allocated inside the create call, from a Network
        spec["addressFrom"] = {"networkRef": {"name": f"net-{index % networks}"}}
    else:
        spec["address"] = _address(index)
    if adopt:
        spec["adopt"] = True
    return {
        "apiVersion": "ddisync.io/v1alpha1", "kind": "Record",
        "metadata": {"name": f"r-{index}", "namespace": "default"},
        "spec": spec,
    }  # fmt: skip


def _fixed_address(index: int, networks: int) -> dict[str, Any]:
    """A DHCP reservation allocated from a Network (``addressFrom``), one MAC each."""
    mac = ":".join(f"{(index >> shift) & 0xFF:02x}" for shift in (40, 32, 24, 16, 8, 0))
    return {
        "apiVersion": "ddisync.io/v1alpha1", "kind": "FixedAddress",
        "metadata": {"name": f"fa-{index}", "namespace": "default"},
        "spec": {"mac": mac, "addressFrom": {"networkRef": {"name": f"net-{index % networks}"}}},
    }  # fmt: skip


def _range(index: int) -> dict[str, Any]:
    """A DHCP range at the top of Network ``index`` (.200-.250), checked against it."""
    prefix = f"10.{100 + index // 256}.{index % 256}"
    return {
        "apiVersion": "ddisync.io/v1alpha1", "kind": "DHCPRange",
        "metadata": {"name": f"range-{index}", "namespace": "default"},
        "spec": {"start": f"{prefix}.200", "end": f"{prefix}.250",
                 "networkRef": {"name": f"net-{index}"}},
    }  # fmt: skip


PLURALS = {"Network": "networks", "Record": "records", "FixedAddress": "fixedaddresses",
           "DHCPRange": "dhcpranges"}  # fmt: skip


async def _seed_unmanaged(
    http: aiohttp.ClientSession, sim: str, networks: int, records: int
) -> None:
    """Every object the resources will adopt, made by "someone else" (no markers), in
    multi-object requests of 1,000 (before the counters are reset)."""
    ops = [
        {"method": "POST", "object": "network", "data": {"network": _cidr(i)}}
        for i in range(networks)
    ]
    ops += [
        {"method": "POST", "object": "record:a",
         "data": {"name": f"r{i}.example.com", "ipv4addr": _address(i)}}
        for i in range(records)
    ]  # fmt: skip
    headers = {"Authorization": aiohttp.encode_basic_auth(USERNAME, PASSWORD)}
    for start in range(0, len(ops), 1000):
        chunk = ops[start : start + 1000]
        url = f"{sim}/wapi/v2.12/request"
        async with http.post(url, json=chunk, headers=headers) as response:
            if response.status >= 300:
                raise RuntimeError(f"seed the grid: {await response.text()}")


# Tenancy is on, as by default: every resource is judged against this grant before any WAPI
# call, so the figures include that check.
GRANT: dict[str, Any] = {
    "apiVersion": "ddisync.io/v1alpha1", "kind": "DDIGrant", "metadata": {"name": "bench"},
    "spec": {
        "namespaces": ["default"],
        "dns": {"zones": ["example.com"]},
        "ipam": {"containers": ["10.0.0.0/8"]},
    },
}  # fmt: skip


async def _grant(http: aiohttp.ClientSession, api: str, adopt: bool) -> None:
    grant = {**GRANT, "spec": {**GRANT["spec"], "adopt": adopt}}
    async with http.post(f"{api}/apis/ddisync.io/v1alpha1/ddigrants", json=grant) as response:
        if response.status >= 300:
            raise RuntimeError(f"create the grant: {await response.text()}")


async def _create_all(http: aiohttp.ClientSession, api: str, bodies: list[dict[str, Any]]) -> None:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def worker() -> None:
        while not queue.empty():
            body = queue.get_nowait()
            plural = PLURALS[body["kind"]]
            async with http.post(f"{api}{API}/{plural}", json=body) as response:
                if response.status >= 300:
                    raise RuntimeError(
                        f"create {body['metadata']['name']}: {await response.text()}"
                    )

    await asyncio.gather(*(worker() for _ in range(16)))


async def _wait_all_ready(
    http: aiohttp.ClientSession, api: str, expected: int, timeout: float, plurals: list[str]
) -> None:
    """Until ``expected`` objects are Ready, followed through one watch per kind.

    A watch, as ``kubectl get -w`` would do it: polling full lists of 10,000 objects would load
    the API server (and this script's CPU, which the operator shares) more than the operator
    does, and so slow down what it measures.
    """
    ready: set[tuple[str, str]] = set()  # (plural, name) of the Ready ones
    done = asyncio.Event()

    async def follow(plural: str) -> None:
        async with http.get(f"{api}{API}/{plural}") as response:
            listing = await response.json()
        for item in listing["items"]:
            if judge(item).ready:
                ready.add((plural, item["metadata"]["name"]))
        version = listing["metadata"]["resourceVersion"]
        url = f"{api}{API}/{plural}?watch=true&resourceVersion={version}"
        timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
        while not done.is_set():
            async with http.get(url, timeout=timeout) as response:
                async for line in response.content:
                    event = json.loads(line)
                    obj = event["object"]
                    if event["type"] == "BOOKMARK":
                        continue
                    key = (plural, obj["metadata"]["name"])
                    if event["type"] != "DELETED" and judge(obj).ready:
                        ready.add(key)
                    else:
                        ready.discard(key)
                    version = obj["metadata"]["resourceVersion"]
                    if len(ready) >= expected:
                        done.set()
                        return
            url = f"{api}{API}/{plural}?watch=true&resourceVersion={version}"

    tasks = [asyncio.create_task(follow(plural)) for plural in plurals]
    try:
        await asyncio.wait_for(done.wait(), timeout)
    except TimeoutError:
        raise TimeoutError(f"only {len(ready)}/{expected} Ready after {timeout:.0f} s") from None
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _counters(http: aiohttp.ClientSession, sim: str, reset: bool = False) -> dict[str, Any]:
    async with http.get(f"{sim}/_sim/counters") as response:
        snapshot: dict[str, Any] = await response.json()
    if reset:
        async with http.post(f"{sim}/_sim/reset-counters"):
            pass
    return snapshot


async def _change_latencies(
    http: aiohttp.ClientSession, api: str, changes: int, kind: str
) -> list[float]:
    plural = "networks" if kind == "Network" else "records"
    latencies = []
    for index in range(changes):
        name = f"net-{index}" if kind == "Network" else f"r-{index}"
        patch = {"spec": {"comment": f"change {index} at {time.time():.3f}"}}
        started = time.monotonic()
        async with http.patch(
            f"{api}{API}/{plural}/{name}", json=patch,
            headers={"Content-Type": "application/merge-patch+json"},
        ) as response:  # fmt: skip
            generation = (await response.json())["metadata"]["generation"]
        while True:
            async with http.get(f"{api}{API}/{plural}/{name}") as response:
                obj = await response.json()
            if obj["metadata"]["generation"] == generation and judge(obj).ready:
                break
            await asyncio.sleep(0.01)
        latencies.append((time.monotonic() - started) * 1000)
    return latencies


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@contextlib.contextmanager
def _servers(
    workdir: Path, latency_ms: float
) -> Iterator[tuple[subprocess.Popen[str], str, subprocess.Popen[str], str]]:
    """The simulator and the emulated API, each in its own process, with their URLs."""
    python = sys.executable
    simulator_args = [python, "-m", "ddisync_simulator", "--port", "0", "--username", USERNAME,
                      "--password", PASSWORD, "--latency-ms", str(latency_ms)]  # fmt: skip
    with (
        _process(simulator_args, log=workdir / "simulator.log") as simulator,
        _process([python, str(HERE / "apiserver.py")], log=workdir / "apiserver.log") as apiserver,
    ):
        yield simulator, _first_line(simulator), apiserver, _first_line(apiserver)


def _py_spy(output: str) -> list[str]:
    """A py-spy command line: a flame graph (SVG), or collapsed stacks for a ``.txt``."""
    beside = Path(sys.executable).with_name("py-spy")  # the venv's, when not on the PATH
    fmt = "raw" if output.endswith(".txt") else "flamegraph"
    return [str(beside) if beside.exists() else "py-spy", "record", "--nonblocking",
            "-f", fmt, "-o", output]  # fmt: skip


OBJECTS_PER_SECOND = WapiSettings.objects_per_second  # DDISYNC_WAPI_OBJECTS_PER_SECOND


def _objects_per_second(args: argparse.Namespace) -> float:
    """As given; else the operator's default, or the request rate when that is higher: a grid
    dedicated to the benchmark at 2,000 requests/s takes as many writes."""
    if args.objects_per_second is not None:
        return float(args.objects_per_second)
    return max(OBJECTS_PER_SECOND, float(args.rate_limit))


def _operator(args: argparse.Namespace, workdir: Path, sim_url: str, api_url: str) -> Any:
    """``ddisync run`` in its own process, reading a kubeconfig as in a cluster."""
    kubeconfigs.write(workdir / "kubeconfig", api_url, "bench")
    env = {
        "KUBECONFIG": str(workdir / "kubeconfig"),
        "DDISYNC_WAPI_URL": sim_url,
        "DDISYNC_WAPI_USERNAME": USERNAME,
        "DDISYNC_WAPI_PASSWORD": PASSWORD,
        "DDISYNC_WAPI_RATE_LIMIT": str(args.rate_limit),
        "DDISYNC_WAPI_BURST": str(args.rate_limit),
        "DDISYNC_WAPI_MAX_IN_FLIGHT": str(args.max_in_flight),
        "DDISYNC_WAPI_OBJECTS_PER_SECOND": str(_objects_per_second(args)),
        "DDISYNC_RESYNC_INTERVAL": str(args.resync_interval),
        **(
            {"DDISYNC_MAX_CONCURRENT_RESOURCES": str(args.workers)}
            if args.workers is not None
            else {}
        ),
        "DDISYNC_METRICS_PORT": "0",  # any free port: nothing here reads them
        "DDISYNC_HEALTH_PORT": "0",
        "DDISYNC_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "INFO"),
    }
    command = [sys.executable, "-m", "ddisync.cli", "run"]
    if args.profile:  # py-spy samples the operator from its start to the end
        command = [*_py_spy(args.profile), "--", *command]
    return _process(command, env, workdir / "operator.log")


@contextlib.contextmanager
def _profiled(output: str | None, pid: int, workdir: Path) -> Iterator[None]:
    """py-spy attached to a running process (the API server) for the cold sync only."""
    if not output:
        yield
        return
    with _process([*_py_spy(output), "--pid", str(pid)], log=workdir / "py-spy.log"):
        yield


async def run(args: argparse.Namespace) -> dict[str, Any]:
    objects = args.records + args.networks + args.fixed_addresses + args.ranges
    if args.ranges > args.networks:
        raise SystemExit("--ranges: at most one per Network (--networks)")
    if args.fixed_addresses and not args.networks:
        raise SystemExit("--fixed-addresses: allocated from Networks, so --networks > 0")
    with tempfile.TemporaryDirectory(prefix="ddisync-bench-") as tmp:
        workdir = Path(args.keep_logs) if args.keep_logs else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        with _servers(workdir, args.latency_ms) as (simulator, sim, apiserver, api):
            async with aiohttp.ClientSession() as http:
                # Cold start: every resource exists before the operator starts, as after an
                # install into a cluster that already holds the manifests.
                bodies = [_network(i, args.adopt) for i in range(args.networks)]
                bodies += [_record(i, args.networks, args.adopt) for i in range(args.records)]
                bodies += [_fixed_address(i, args.networks) for i in range(args.fixed_addresses)]
                bodies += [_range(i) for i in range(args.ranges)]
                plurals = sorted({PLURALS[body["kind"]] for body in bodies})
                if args.adopt:
                    await _seed_unmanaged(http, sim, args.networks, args.records)
                await _grant(http, api, args.adopt)
                await _create_all(http, api, bodies)
                await _counters(http, sim, reset=True)
                started = time.monotonic()
                servers = {"simulator": simulator.pid, "apiserver": apiserver.pid}
                cpu_before = {name: cpu_seconds(pid) for name, pid in servers.items()}
                with _operator(args, workdir, sim, api) as operator:
                    with _profiled(args.profile_apiserver, apiserver.pid, workdir):
                        await _wait_all_ready(http, api, objects, args.timeout, plurals)
                    seconds = time.monotonic() - started
                    # Which process the cold sync kept busy: on 2 cores, the limit.
                    cpu = {"operator": cpu_seconds(operator.pid)}
                    cpu |= {n: cpu_seconds(pid) - cpu_before[n] for n, pid in servers.items()}
                    cold = await _counters(http, sim, reset=True)
                    # One resync sweep: every object's drift check runs once per interval.
                    await asyncio.sleep(args.resync_interval)
                    sweep = await _counters(http, sim, reset=True)
                    kind = "Record" if args.records else "Network"
                    latencies = await _change_latencies(http, api, args.changes, kind)
                    peak = peak_rss_mb(operator.pid)
    return {
        "records": args.records,
        "networks": args.networks,
        "fixed_addresses": args.fixed_addresses,
        "ranges": args.ranges,
        "latency_ms": args.latency_ms,
        "adopt": args.adopt,
        "seconds_to_all_ready": round(seconds, 2),
        "objects_per_second": round(objects / seconds, 1),
        "wapi_http_requests": cold["total"],
        "wapi_http_requests_per_object": round(cold["total"] / objects, 4),
        "wapi_operations": cold["operations"],
        "wapi_operations_per_object": round(cold["operations"] / objects, 4),
        "wapi_calls": dict(sorted(cold["by_method_and_type"].items())),
        "wapi_operations_by_kind": dict(sorted(cold["operations_by_method_and_type"].items())),
        "wapi_calls_total": cold["total"],
        "wapi_calls_per_object": round(cold["total"] / objects, 3),
        "resync_wapi_calls": sweep["total"],
        "resync_wapi_calls_by_kind": dict(sorted(sweep["by_method_and_type"].items())),
        "resync_wapi_calls_per_object": round(sweep["total"] / objects, 5),
        "change_latency_p50_ms": round(statistics.median(latencies), 1),
        "change_latency_p99_ms": round(_percentile(latencies, 0.99), 1),
        "peak_rss_mb": round(peak, 1),
        "cold_sync_cpu_seconds": {name: round(value, 1) for name, value in cpu.items()},
        "rate_limit": args.rate_limit,
        "objects_per_second_cap": _objects_per_second(args),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--networks", type=int, default=10)
    parser.add_argument(
        "--fixed-addresses", type=int, default=0,
        help="FixedAddresses, each allocated from a Network (addressFrom)",
    )  # fmt: skip
    parser.add_argument(
        "--ranges",
        type=int,
        default=0,
        help="DHCPRanges, one at the top of each of the first Networks",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--rate-limit", type=float, default=2000.0)
    parser.add_argument("--max-in-flight", type=int, default=32)
    parser.add_argument(
        "--objects-per-second",
        type=float,
        help="DDISYNC_WAPI_OBJECTS_PER_SECOND (default: the operator's, 200, or --rate-limit "
        "when higher)",
    )
    parser.add_argument(
        "--adopt", action="store_true", help="the grid holds every object, unmanaged; adopt them"
    )
    parser.add_argument("--resync-interval", type=float, default=20.0)
    parser.add_argument(
        "--workers",
        type=int,
        help="DDISYNC_MAX_CONCURRENT_RESOURCES (default: the operator's, 300; 0 = no cap)",
    )
    parser.add_argument("--changes", type=int, default=50, help="spec changes timed one by one")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--profile", help="py-spy profile of the operator: SVG, or collapsed stacks for a .txt"
    )
    parser.add_argument(
        "--profile-apiserver", help="py-spy profile of the API server during the cold sync"
    )
    parser.add_argument("--keep-logs", help="folder to keep the three processes' logs in")
    parser.add_argument("--json", action="store_true", help="last line: the figures as JSON")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
