"""Helpers of the chaos test: an operator process that can be SIGKILLed and started again, the
resources to sync, and an inventory of what the simulated grid holds.

The operator runs as ``ddisync run`` in its own process (as in ``tests/e2e/test_sharding.py``)
so that a kill is a real crash: no cleanup handler, no status patch, no finalizer removal.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ddisync.demo.cluster import Cluster
from ddisync.simulator import Simulator
from tests.e2e.helpers import extattrs, network_manifest, ready, record_manifest
from tests.stack import PASSWORD

CLUSTER_ID = "e2e"

RECORD_TYPES = ("record:a", "record:cname", "record:txt", "record:ptr")
"""Every WAPI type the chaos resources make (Networks make ``network``)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class OperatorProcess:
    """``ddisync run`` against the emulated cluster and the simulator; ``kill()`` is SIGKILL,
    ``start()`` starts a fresh process with the same settings (and appends to the same log)."""

    def __init__(
        self, cluster: Cluster, simulator: Simulator, redis_url: str, workdir: Path
    ) -> None:
        kubeconfig = workdir / "kubeconfig"
        kubeconfig.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "e2e",
            "clusters": [{"name": "e2e", "cluster": {"server": cluster.url}}],
            "users": [{"name": "e2e", "user": {"token": "e2e"}}],
            "contexts": [{"name": "e2e", "context": {"cluster": "e2e", "user": "e2e"}}],
        }))  # fmt: skip
        self.log = workdir / "operator.log"
        self.env = {
            **os.environ,
            "KUBECONFIG": str(kubeconfig),
            "DDISYNC_WAPI_URL": simulator.url,
            "DDISYNC_WAPI_PASSWORD": PASSWORD,
            "DDISYNC_CLUSTER_ID": CLUSTER_ID,
            "DDISYNC_REDIS_URL": redis_url,
            "DDISYNC_LOG_LEVEL": "WARNING",
            "DDISYNC_LOG_FORMAT": "text",
            # A test grid: no need to be a polite neighbour, and no minutes-long retry delays.
            "DDISYNC_WAPI_RATE_LIMIT": "1000",
            "DDISYNC_WAPI_BURST": "1000",
            "DDISYNC_RETRY_DELAY_UNAVAILABLE": "1",
            "DDISYNC_RETRY_DELAY_SLOW": "2",
            "DDISYNC_WAPI_CIRCUIT_RESET_TIMEOUT": "1",
            "DDISYNC_RESYNC_INTERVAL": "5",
            "DDISYNC_CACHE_REDIS_RETRY_SECONDS": "1",
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

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def manifests(networks: int) -> list[dict[str, Any]]:
    """``networks`` Networks and four Records per Network: an A record with a fixed address,
    an A record whose address comes from the Network, a CNAME and a TXT; every third A record
    also has a PTR (createPTR)."""
    made: list[dict[str, Any]] = []
    for i in range(networks):
        made.append(network_manifest(f"net-{i}", cidr=f"10.60.{i}.0/24", comment=f"chaos {i}"))
    for i in range(networks):
        made += [
            record_manifest(
                f"fixed-{i}", type="A", name=f"fixed-{i}.example.com",
                address=f"10.60.{i}.10", createPTR=i % 3 == 0,
            ),
            record_manifest(
                f"alloc-{i}", type="A", name=f"alloc-{i}.example.com",
                addressFrom={"networkRef": {"name": f"net-{i}"}}, createPTR=i % 3 == 1,
            ),
            record_manifest(
                f"alias-{i}", type="CNAME", name=f"alias-{i}.example.com",
                canonical=f"fixed-{i}.example.com",
            ),
            record_manifest(
                f"text-{i}", type="TXT", name=f"text-{i}.example.org",
                text=f"chaos={i}; owner=team-{i % 7}",
            ),
        ]  # fmt: skip
    return made


def plural(manifest: dict[str, Any]) -> str:
    return "networks" if manifest["kind"] == "Network" else "records"


def expected_counts(chosen: list[dict[str, Any]]) -> Counter[str]:
    """How many objects of each WAPI type the resources ``chosen`` should make."""
    counts: Counter[str] = Counter()
    for manifest in chosen:
        spec = manifest["spec"]
        if manifest["kind"] == "Network":
            counts["network"] += 1
            continue
        counts[f"record:{spec['type'].lower()}"] += 1
        if spec.get("createPTR"):
            counts["record:ptr"] += 1
    return counts


def marked(simulator: Simulator, objtype: str) -> list[dict[str, Any]]:
    """The objects of a type that carry this cluster's ownership marker."""
    return [
        obj
        for obj in simulator.grid.objects(objtype)
        if extattrs(obj).get("ddisync-cluster") == CLUSTER_ID
    ]


def inventory(simulator: Simulator) -> dict[str, list[dict[str, Any]]]:
    return {objtype: marked(simulator, objtype) for objtype in ("network", *RECORD_TYPES)}


def ref_key(ref: str) -> str:
    """``record:a/ZG5z...:name/view`` → ``record:a/ZG5z...`` (the part a lookup uses)."""
    objtype, _, rest = ref.partition("/")
    return f"{objtype}/{rest.split(':', 1)[0]}"


def duplicates(found: dict[str, list[dict[str, Any]]]) -> list[tuple[str, Any, int]]:
    """(type, uid, count) for every uid that more than one object of a type carries."""
    return [
        (objtype, uid, n)
        for objtype, objects in found.items()
        for uid, n in Counter(extattrs(o).get("ddisync-uid") for o in objects).items()
        if n > 1
    ]


async def ready_names(cluster: Cluster) -> set[tuple[str, str]]:
    """(plural, name) of every resource whose Ready condition is True for its generation."""
    names: set[tuple[str, str]] = set()
    for kind in ("networks", "records"):
        for resource in await cluster.list(kind, "default"):
            if (ready(resource) or {}).get("status") == "True":
                names.add((kind, resource["metadata"]["name"]))
    return names
