"""Fixtures for the kubectl workflow: the real kubectl binary against the demo stack.

The stack runs in this process (WAPI simulator, emulated Kubernetes API, the real operator), as
``ddisync demo`` runs it; kubectl runs as a subprocess with a kubeconfig pointing at the
emulated API, started with ``asyncio.create_subprocess_exec`` so the servers keep serving
while it talks to them. The binary comes from scripts/fetch-k8s-tools.py (cached, never
committed); if it cannot be had, the tests FAIL rather than skip.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from ddisync.runtime import running_operator
from ddisync_emulator import kubeconfig
from ddisync_emulator.cluster import TOKEN, Cluster, running_cluster
from ddisync_simulator import Simulator, SimulatorOptions, running_simulator
from tests.k8stools import fetch_k8s_tools
from tests.stack import operator_settings

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "kubectl-e2e-password"


@dataclass(frozen=True)
class Run:
    """One finished kubectl command."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return (
            f"kubectl {' '.join(self.args)} -> {self.returncode}\n"
            f"stdout:\n{self.stdout}\nstderr:\n{self.stderr}"
        )


@dataclass(frozen=True)
class Kubectl:
    """The real kubectl with a kubeconfig for the emulated API and a private discovery cache."""

    binary: Path
    env: Mapping[str, str]

    async def start(self, *args: str) -> asyncio.subprocess.Process:
        """A running kubectl (e.g. ``get -w``); the caller ends it."""
        return await asyncio.create_subprocess_exec(
            str(self.binary), *args, env=dict(self.env), cwd=REPO,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    async def run(self, *args: str, timeout: float = 60.0) -> Run:
        process = await self.start(*args)
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(
                f"kubectl {' '.join(args)} did not finish in {timeout} s"
            ) from None
        assert process.returncode is not None
        return Run(args, process.returncode, stdout.decode(), stderr.decode())

    async def ok(self, *args: str, timeout: float = 60.0) -> Run:
        """Run and require success."""
        done = await self.run(*args, timeout=timeout)
        assert done.returncode == 0, str(done)
        return done


async def watch_line_with(watch: asyncio.subprocess.Process, *words: bytes) -> bytes:
    """The next line of a ``kubectl get -w`` that holds every one of ``words``."""
    assert watch.stdout is not None
    while True:
        line = await asyncio.wait_for(watch.stdout.readline(), 10)
        assert line, "kubectl get -w ended"
        if all(word in line for word in words):
            return line


@dataclass(frozen=True)
class Stack:
    simulator: Simulator
    cluster: Cluster
    kubectl: Kubectl


@pytest.fixture(scope="session")
def kubectl_binary() -> Path:
    return fetch_k8s_tools()["KUBECTL"]


@pytest.fixture()
async def stack(kubectl_binary: Path, tmp_path: Path) -> AsyncIterator[Stack]:
    """The demo stack with ddisync's CRDs applied by ``kubectl apply -f crds/``; the operator
    posts its Events, as in the demo."""
    options = SimulatorOptions(username="admin", password=PASSWORD)
    async with running_simulator(options) as simulator, running_cluster() as cluster:
        config = kubeconfig.write(tmp_path / "kubeconfig", cluster.url, TOKEN)
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "KUBECONFIG": str(config)}
        kubectl = Kubectl(kubectl_binary, env)
        applied = await kubectl.ok("apply", "-f", "crds/")
        assert "customresourcedefinition.apiextensions.k8s.io/networks.ddisync.io created" in (
            applied.stdout
        ), str(applied)
        # Tenancy enforced, as in the demo: the examples bring their namespaces' grants.
        settings = operator_settings(
            simulator.url, "kubectl-e2e", wapi_password=PASSWORD, tenancy="on"
        )
        async with running_operator(settings, connection=cluster.connection, post_events=True):
            yield Stack(simulator, cluster, kubectl)
