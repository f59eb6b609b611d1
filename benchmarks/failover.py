"""Active/standby failover: two replicas of one instance, 500 resources; the leader is killed
(SIGKILL, a crash) and then stopped (SIGTERM, a rolling update).

Processes as in a real deployment: the WAPI simulator, the emulated Kubernetes API
(``apiserver.py``) and two ``ddisync run`` replicas reading a kubeconfig, with the product's
leader-election defaults (``DDISYNC_LEASE_*``). Each replica reaches the grid through a
recording proxy of its own in this script, so every WAPI request is attributed to the replica
that sent it and timed independently of the replicas' own word.

    python benchmarks/failover.py [--records 490 --networks 10] [--json]

Figures:

- ``sigkill_failover_seconds``: from the SIGKILL of the leader to the standby having
  reconciled (Ready for the new generation) a spec change made once the leader had exited;
- ``sigterm_failover_seconds``: the same from a SIGTERM of the leader (its stop included);
- ``overlapping_writes``: WAPI writes (POST, PUT, DELETE) sent by one replica while another
  had already taken the lead (from its "now leads" log line), or sent by the new leader
  before the old one's last request: writes made while two replicas could both be active;
- ``duplicates``: objects the grid holds twice (same network, or same record name) at the end;
- ``standby_wapi_requests``: requests a replica made before it first led;
- ``failover_wapi_requests_per_object``: requests from the kill until the change was
  reconciled, per resource (the new leader resumes every resource).

With ``--json`` the last line is one JSON object with the figures. The replicas use a rate
limit suited to a dedicated grid (``--rate-limit``, default 2000/s), as ``sync.py`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from ddisync.config import Settings
from ddisync_emulator import kubeconfig as kubeconfigs
from ddisync_emulator.report import judge
from sync import (
    API,
    PASSWORD,
    USERNAME,
    _counters,
    _create_all,
    _grant,
    _network,
    _process,
    _record,
    _servers,
    _wait_all_ready,
)

T = TypeVar("T")
WRITES = frozenset({"POST", "PUT", "DELETE"})
_HOP_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


@dataclass
class RecordingProxy:
    """Forwards one replica's WAPI requests to the simulator and notes (time, method) of each."""

    target: str
    sent: list[tuple[float, str]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request, http: aiohttp.ClientSession) -> web.Response:
        self.sent.append((time.time(), request.method))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        async with http.request(
            request.method, self.target + request.path_qs, headers=headers,
            data=await request.read(),
        ) as answer:  # fmt: skip
            body = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_HEADERS}
            response = web.Response(status=answer.status, body=body)
            for name, value in kept.items():
                response.headers.add(name, value)
            return response


@contextlib.asynccontextmanager
async def _proxy(target: str) -> AsyncIterator[RecordingProxy]:
    proxy = RecordingProxy(target)
    async with aiohttp.ClientSession() as http:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", lambda request: proxy.handle(request, http))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        proxy.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            yield proxy
        finally:
            await runner.cleanup()


@dataclass
class Replica:
    """One ``ddisync run`` process, its proxy and its log."""

    name: str
    proxy: RecordingProxy
    log: Path
    env: dict[str, str]
    process: subprocess.Popen[str] | None = None
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    signalled: bool = False

    def start(self) -> None:
        self.signalled = False
        self.env["DDISYNC_HEALTH_PORT"] = str(_free_port())
        command = [sys.executable, "-m", "ddisync.cli", "run"]
        self.process = self.stack.enter_context(_process(command, self.env, self.log))

    def signal(self, signum: signal.Signals) -> None:
        assert self.process is not None
        self.signalled = True
        self.process.send_signal(signum)

    def exited_by_itself(self) -> int | None:
        """Its exit code if it ended without being told to (1: it lost the lead)."""
        code = self.process.poll() if self.process is not None else None
        return None if self.signalled else code

    def wait(self) -> None:
        if self.process is not None:
            self.process.wait(timeout=30)
        self.stack.close()
        self.process = None

    async def leader(self, http: aiohttp.ClientSession) -> bool | None:
        """What its /readyz says: leads (True), stands by (False), None: not answering."""
        url = f"http://127.0.0.1:{self.env['DDISYNC_HEALTH_PORT']}/readyz"
        try:
            async with http.get(url) as response:
                leader: bool | None = (await response.json())["leader"]
                return leader
        except aiohttp.ClientError:
            return None

    def led_since(self) -> list[float]:
        """Unix times at which it started leading, from its log ("... now leads")."""
        times = []
        for line in self.log.read_text().splitlines():
            if " now leads " in line:
                stamp = datetime.datetime.fromisoformat(line[:23].replace(",", "."))
                times.append(stamp.timestamp())
        return times


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _watch_exits(replicas: list[Replica]) -> None:
    """Fail the run at once when a replica ends by itself (no kubelet restarts it here)."""
    while True:
        for replica in replicas:
            code = replica.exited_by_itself()
            if code is not None:
                tail = replica.log.read_text(errors="replace").splitlines()[-3:]
                raise RuntimeError(f"{replica.name} exited with {code}: {tail}")
        await asyncio.sleep(0.2)


async def _first_of(work: Coroutine[Any, Any, T], watchdog: Coroutine[Any, Any, None]) -> T:
    """``work``'s result, unless ``watchdog`` fails first (then its error)."""
    working, watching = asyncio.create_task(work), asyncio.create_task(watchdog)
    try:
        await asyncio.wait({working, watching}, return_when="FIRST_COMPLETED")
        if watching.done():
            watching.result()
        return await working
    finally:
        for task in (working, watching):
            task.cancel()
        await asyncio.gather(working, watching, return_exceptions=True)


async def _until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.05)


async def _change_and_wait(http: aiohttp.ClientSession, api: str, comment: str) -> None:
    """Change r-0's spec and wait until it is Ready for the new generation."""
    async with http.patch(
        f"{api}{API}/records/r-0", json={"spec": {"comment": comment}},
        headers={"Content-Type": "application/merge-patch+json"},
    ) as response:  # fmt: skip
        generation = (await response.json())["metadata"]["generation"]

    async def reconciled() -> bool:
        async with http.get(f"{api}{API}/records/r-0") as response:
            obj = await response.json()
        status = obj.get("status") or {}
        return bool(status.get("observedGeneration") == generation and judge(obj).ready)

    await _until(reconciled, 120, "the change reconciled")


async def _duplicates(http: aiohttp.ClientSession, sim: str) -> int:
    """Objects the grid holds more than once: networks by cidr, A records by name."""
    auth = {"Authorization": aiohttp.encode_basic_auth(USERNAME, PASSWORD)}
    found = 0
    for objtype, key in (("network", "network"), ("record:a", "name")):
        seen: list[str] = []
        url = f"{sim}/wapi/v2.12/{objtype}?_paging=1&_max_results=1000&_return_as_object=1"
        page: str | None = url
        while page:
            async with http.get(page, headers=auth) as response:
                answer = await response.json()
            seen += [str(obj[key]) for obj in answer["result"]]
            next_id = answer.get("next_page_id")
            page = f"{sim}/wapi/v2.12/{objtype}?_page_id={next_id}" if next_id else None
        found += len(seen) - len(set(seen))
    return found


def _overlapping_writes(old: Replica, new: Replica, stopped: float, new_leads: float) -> int:
    """Writes sent while both could be active: by the old leader once the new one led, and
    by the new one (since the old one was signalled) before the old one's last request."""
    old_last = max((at for at, _ in old.proxy.sent), default=0.0)
    late = sum(1 for at, method in old.proxy.sent if method in WRITES and at >= new_leads)
    early = sum(
        1 for at, method in new.proxy.sent if method in WRITES and stopped <= at <= old_last
    )
    return late + early


async def _failover(
    http: aiohttp.ClientSession, api: str, sim: str, leader: Replica, standby: Replica, how: str
) -> dict[str, float]:
    """Stop ``leader`` by ``how``; once it has exited, change a spec; the seconds from the
    signal until the standby has reconciled the change. (A change made while a leader stops
    may still be handled by it, within its grace: that would time no failover.)"""
    await _counters(http, sim, reset=True)
    started = time.time()
    leader.signal(signal.SIGKILL if how == "sigkill" else signal.SIGTERM)
    await asyncio.to_thread(leader.wait)
    await _change_and_wait(http, api, f"after {how}")
    seconds = time.time() - started
    counters = await _counters(http, sim)
    new_leads = [at for at in standby.led_since() if at >= started]
    assert new_leads, f"{standby.name} did not log that it leads"
    return {
        "started": started,
        "seconds": seconds,
        "overlapping_writes": _overlapping_writes(leader, standby, started, new_leads[0]),
        "requests": counters["total"],
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    objects = args.records + args.networks
    with tempfile.TemporaryDirectory(prefix="ddisync-failover-") as tmp:
        workdir = Path(args.keep_logs or tmp)
        os.makedirs(workdir, exist_ok=True)
        with _servers(workdir, 0.0) as (_, sim, _, api):
            kubeconfig = kubeconfigs.write(workdir / "kubeconfig", api, "bench")
            async with (
                aiohttp.ClientSession() as http,
                _proxy(sim) as proxy_a,
                _proxy(sim) as proxy_b,
            ):
                bodies = [_network(i) for i in range(args.networks)]
                bodies += [_record(i, args.networks) for i in range(args.records)]
                await _grant(http, api, adopt=False)
                await _create_all(http, api, bodies)
                replicas = {
                    name: Replica(name, proxy, workdir / f"{name}.log", {
                        "KUBECONFIG": str(kubeconfig), "DDISYNC_WAPI_URL": proxy.url,
                        "DDISYNC_WAPI_USERNAME": USERNAME, "DDISYNC_WAPI_PASSWORD": PASSWORD,
                        "DDISYNC_WAPI_RATE_LIMIT": str(args.rate_limit),
                        "DDISYNC_WAPI_BURST": str(args.rate_limit),
                        "DDISYNC_LEADER_IDENTITY": name, "DDISYNC_METRICS_PORT": "0",
                        "DDISYNC_LOG_FORMAT": "text", "DDISYNC_LOG_LEVEL": "INFO",
                    })
                    for name, proxy in (("replica-a", proxy_a), ("replica-b", proxy_b))
                }  # fmt: skip
                a, b = replicas["replica-a"], replicas["replica-b"]

                async def scenario() -> tuple[dict[str, float], dict[str, float], int, int]:
                    a.start()
                    await _until(lambda: _is(a, http, True), 60, "replica-a leads")
                    await _wait_all_ready(http, api, objects, args.timeout, ["networks", "records"])
                    b.start()
                    await _until(lambda: _is(b, http, False), 60, "replica-b stands by")
                    standby_requests = len(b.proxy.sent)
                    kill = await _failover(http, api, sim, a, b, "sigkill")
                    restarted = time.time()
                    a.start()  # back, as Kubernetes restarts the pod: a standby now
                    await _until(lambda: _is(a, http, False), 60, "replica-a stands by")
                    term = await _failover(http, api, sim, b, a, "sigterm")
                    standby_requests += sum(
                        1 for at, _ in a.proxy.sent if restarted <= at < term["started"]
                    )
                    return kill, term, standby_requests, await _duplicates(http, sim)

                try:
                    kill, term, standby_requests, duplicates = await _first_of(
                        scenario(), _watch_exits([a, b])
                    )
                finally:
                    for replica in replicas.values():
                        if replica.process is not None and replica.process.poll() is None:
                            replica.signal(signal.SIGTERM)
                        replica.wait()
    return {
        "resources": objects,
        "sigkill_failover_seconds": round(kill["seconds"], 2),
        "sigterm_failover_seconds": round(term["seconds"], 2),
        "overlapping_writes": int(kill["overlapping_writes"] + term["overlapping_writes"]),
        "duplicates": duplicates,
        "standby_wapi_requests": standby_requests,
        "failover_wapi_requests_per_object": {
            "sigkill": round(kill["requests"] / objects, 3),
            "sigterm": round(term["requests"] / objects, 3),
        },
        "lease": {  # the defaults
            name: Settings.model_fields[f"lease_{name}"].default
            for name in ("duration", "renew_deadline", "retry_period")
        },
        "rate_limit": args.rate_limit,
    }


async def _is(replica: Replica, http: aiohttp.ClientSession, leading: bool) -> bool:
    return await replica.leader(http) is leading


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=490)
    parser.add_argument("--networks", type=int, default=10)
    parser.add_argument("--rate-limit", type=float, default=2000.0)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--keep-logs", help="folder to keep the processes' logs in")
    parser.add_argument("--json", action="store_true", help="last line: the figures as JSON")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "")
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:36} {value}")


if __name__ == "__main__":
    main()
