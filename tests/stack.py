"""The running parts most end-to-end tests share: the WAPI simulator and the emulated cluster.

Fixtures here are made available to every test folder by ``tests/conftest.py``; a folder may
override one with its own (``tests/simulator`` does).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import kopf
import pytest

from ddisync import runtime
from ddisync.config import Settings
from ddisync_emulator import kubeconfig as kubeconfigs
from ddisync_emulator.cluster import Cluster, running_cluster
from ddisync_simulator import Simulator, SimulatorOptions, running_simulator

# Distinctive, so a test can prove it never leaks into logs, statuses or events.
PASSWORD = "Zq9-e2e-SECRET-ddisync-7731"
CLUSTER_ID = "e2e"


def operator_settings(wapi_url: str, cluster_id: str, **overrides: Any) -> Settings:
    """An in-process operator's settings for a test: this module's password, no fixed ports,
    a test grid's rate limit (no need to be a polite neighbour), and tenancy off: tests of
    other features run as a single-team cluster would (tests/e2e/test_tenancy.py turns it
    on). ``overrides`` adds."""
    return Settings(
        **{
            "wapi_url": wapi_url,
            "wapi_username": "admin",
            "wapi_password": PASSWORD,
            "cluster_id": cluster_id,
            "metrics_port": 0,
            "health_port": 0,
            "wapi_rate_limit": 1000,
            "wapi_burst": 1000,
            "tenancy": "off",
            **overrides,
        }
    )


async def lenient_crds(cluster: Cluster) -> None:
    """Install CRDs that check nothing in ``spec`` (an old CRD, or an API server without CEL):
    bad specs reach the operator, which must refuse them itself (InvalidSpec)."""
    from ddisync.api.crd import KINDS, build_crd

    for info in KINDS:
        crd = build_crd(info)
        schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
        schema["properties"]["spec"] = {"x-kubernetes-preserve-unknown-fields": True}
        await cluster.apply(crd)


async def no_leaked_tasks() -> AsyncIterator[None]:
    """Fails a test that leaves asyncio tasks running (a folder's conftest makes it autouse)."""
    before = asyncio.all_tasks()
    yield
    await asyncio.sleep(0)
    leaked = [t for t in asyncio.all_tasks() - before if not t.done()]
    leaked = [t for t in leaked if t is not asyncio.current_task()]
    assert not leaked, f"leaked asyncio tasks: {leaked}"


@pytest.fixture(scope="session")
async def shared_simulator() -> AsyncIterator[Simulator]:
    """One simulator per test process (per pytest-xdist worker); ``simulator`` resets it."""
    async with running_simulator(SimulatorOptions(username="admin", password=PASSWORD)) as sim:
        yield sim


@pytest.fixture()
def simulator(shared_simulator: Simulator) -> Simulator:
    """The simulator as freshly started: the demo seed, no faults, no counters, no sessions."""
    shared_simulator.reset()
    return shared_simulator


@pytest.fixture(scope="session")
async def shared_cluster() -> AsyncIterator[Cluster]:
    """One emulated API server with ddisync's CRDs per test process. Tests on it keep to their
    own ``namespace`` (and an operator watching only that one): what other tests left behind,
    finalizers and all, is in namespaces nobody watches any more."""
    async with running_cluster() as emulated:
        await emulated.install_crds()
        yield emulated


_namespaces = itertools.count(1)


@pytest.fixture()
def namespace(request: pytest.FixtureRequest) -> str:
    """A namespace of this test's own on ``shared_cluster``: ``t<n>-<test name>``."""
    slug = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    return f"t{next(_namespaces)}-{slug}"[:63].rstrip("-")


@pytest.fixture()
async def own_cluster() -> AsyncIterator[Cluster]:
    """A fresh emulated API server of this test's own, for tests that need the whole cluster
    (an operator in its own process watches every namespace, a test cuts every watch...)."""
    async with running_cluster() as emulated:
        await emulated.install_crds()
        yield emulated


@pytest.fixture()
def cluster(own_cluster: Cluster) -> Cluster:
    """Outside ``tests/e2e`` (whose conftest shares one): a fresh cluster per test."""
    return own_cluster


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class OperatorProcess:
    """``ddisync run`` in its own process against the emulated cluster and the simulator, as a
    pod would run it: ``kill()`` is SIGKILL (a real crash: no cleanup handler, no status patch,
    no finalizer removal), ``stop()`` SIGTERM, ``start()`` a fresh process with the same
    settings (appending to the same log). ``env`` adds or overrides ``DDISYNC_*`` settings."""

    def __init__(
        self,
        cluster: Cluster,
        simulator: Simulator,
        workdir: Path,
        env: Mapping[str, str] | None = None,
        name: str = "operator",
    ) -> None:
        kubeconfig = kubeconfigs.write(workdir / f"{name}.kubeconfig", cluster.url, "e2e")
        self.log = workdir / f"{name}.log"
        self.env = {
            **os.environ,
            "KUBECONFIG": str(kubeconfig),
            "DDISYNC_WAPI_URL": simulator.url,
            "DDISYNC_WAPI_USERNAME": "admin",
            "DDISYNC_WAPI_PASSWORD": PASSWORD,
            "DDISYNC_CLUSTER_ID": CLUSTER_ID,
            "DDISYNC_LOG_LEVEL": "WARNING",
            "DDISYNC_LOG_FORMAT": "text",
            # A test grid: no need to be a polite neighbour.
            "DDISYNC_WAPI_RATE_LIMIT": "1000",
            "DDISYNC_WAPI_BURST": "1000",
            "DDISYNC_TENANCY": "off",  # a single-team cluster, as operator_settings
            # As a pod's name: a restarted process takes its own Lease back at once.
            "DDISYNC_LEADER_IDENTITY": name,
            **(env or {}),
        }
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        self.env["DDISYNC_METRICS_PORT"] = str(free_port())
        self.env["DDISYNC_HEALTH_PORT"] = str(free_port())
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "ddisync.cli", "run", env=self.env,
                stdout=log, stderr=log,
            )  # fmt: skip
        self.starts += 1

    async def kill(self) -> None:
        """SIGKILL: the operator gets no chance to finish anything it started."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        await process.wait()

    async def stop(self) -> None:
        """SIGTERM, as Kubernetes stops a pod; SIGKILL if it takes more than 15 s."""
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=15)
        except TimeoutError:
            process.kill()
            await process.wait()

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.env['DDISYNC_METRICS_PORT']}/metrics"

    @property
    def readyz_url(self) -> str:
        return f"http://127.0.0.1:{self.env['DDISYNC_HEALTH_PORT']}/readyz"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


@pytest.fixture()
def quick_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Operators started in this test stop at once at its end.

    At a stop kopf gives each resource's worker ``queueing.exit_timeout`` (2 s) to finish its
    queue; a worker sleeping out a retry delay (Conflict, ParentNotFound, Infoblox down...) is
    cancelled only then, so a test leaving such a resource behind used to end 2 s late. For a
    stop at a test's end, after its assertions, nothing is lost by cancelling it sooner; tests
    that stop an operator mid-way to check a restart do not use this.
    """
    make = runtime.kopf_settings

    def quick(**kwargs: Any) -> kopf.OperatorSettings:
        settings = make(**kwargs)
        settings.queueing.exit_timeout = 0.1
        return settings

    monkeypatch.setattr(runtime, "kopf_settings", quick)
