"""The demo: simulator + emulated Kubernetes + operator in one process, manifests in, verdict out.

Steps: start the WAPI simulator (the demo grid) and the emulated API server; install the CRDs
through the API; start the real operator against both; apply the manifests with the official
client, namespaces and cluster-scoped kinds first (``manifests.APPLY_ORDER``); wait until every
resource is settled (``report`` says when) or the timeout; print the result on stdout;
optionally linger so a person can look around; stop everything.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ddisync.config import Settings, load_settings
from ddisync.runtime import running_operator
from ddisync_emulator import kubeconfig, report
from ddisync_emulator.client import ManifestClient, Refused
from ddisync_emulator.cluster import TOKEN, Cluster, running_cluster
from ddisync_emulator.manifests import Manifest, default_paths, in_apply_order, load
from ddisync_emulator.objects import ApiError

logger = logging.getLogger("ddisync_emulator")

# What the demo counts in the simulated grid after convergence.
INFOBLOX_TYPES = (
    "network", "ipv6network", "networkcontainer", "ipv6networkcontainer",
    "record:a", "record:aaaa", "record:cname", "record:ptr", "record:txt",
    "record:mx", "record:srv", "record:host",
    "zone_auth",
    "record:caa",
    "record:ns",
    "fixedaddress", "range",
)  # fmt: skip
_POLL = 0.2  # seconds between looks at the resources while waiting
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a Ctrl-C


@dataclass(frozen=True)
class DemoOptions:
    paths: Sequence[Path] = ()  # empty: the examples
    output: str = "table"  # table | json
    timeout: float = 60.0
    linger: float = 0.0
    sim_latency_ms: float = 0.0
    sim_fail_rate: float = 0.0
    # The simulated grid's starting point (ddisync-simulator --seed's format); None: the demo
    # seed. A file that cannot be loaded raises ddisync_simulator.SeedError.
    sim_seed: Path | None = None
    kubeconfig: Path | None = None  # write one for the emulated API here (for kubectl)
    # Settings on top of the environment's; the grid's URL and credentials are always those
    # of the simulator the demo starts.
    settings: Mapping[str, Any] = field(default_factory=dict)


def apply_all(url: str, manifests: Sequence[Manifest]) -> list[tuple[Manifest, str | None]]:
    """Apply each manifest with the official client; the API's message for each refused one."""
    client = ManifestClient(url)
    results: list[tuple[Manifest, str | None]] = []
    try:
        for manifest in manifests:
            try:
                client.apply(manifest)
                results.append((manifest, None))
            except Refused as exc:
                logger.warning("The API refused %s: %s", manifest.source, exc)
                results.append((manifest, str(exc)))
    finally:
        client.close()
    return results


async def look(cluster: Cluster, manifest: Manifest) -> report.Outcome:
    """Where one applied manifest's object stands now."""
    body, meta = manifest.body, manifest.body.get("metadata") or {}
    try:
        resource = cluster.resource_of(body)
        plural = f"{resource.group}/{resource.version}/{resource.plural}".lstrip("/")
        stored = await cluster.get(plural, meta.get("namespace", "default"), meta["name"])
    except ApiError as exc:
        return report.rejected(body, exc.message)
    if stored is None:
        return report.rejected(body, "the object is gone")
    has_status = "status" in (cluster.emulator.resources[resource].subresources or ())
    if resource.group != "ddisync.io" or not has_status:
        # Not ours to judge (a Namespace, a Secret), or with no status of its own (a DDIGrant,
        # which grants as soon as it is stored): applied is all it can be.
        return report.Outcome(
            kind=str(body.get("kind")), namespace=meta.get("namespace"), name=meta["name"],
            ready=True, reason="Applied", message="", settled=True,
        )  # fmt: skip
    return report.judge(stored)


async def converge(
    cluster: Cluster,
    applied: list[tuple[Manifest, str | None]],
    timeout: float,
    operator: asyncio.Task[Any] | None = None,
) -> list[report.Outcome]:
    """Poll until every resource is settled, ``timeout`` passes or the ``operator`` stops (a
    Ctrl-C stops it); the last outcomes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        outcomes = [
            report.rejected(m.body, refusal) if refusal is not None else await look(cluster, m)
            for m, refusal in applied
        ]
        stopped = operator is not None and operator.done()
        if all(o.settled for o in outcomes) or loop.time() >= deadline or stopped:
            return outcomes
        await asyncio.sleep(_POLL)


def _example_network(manifests: Sequence[Manifest]) -> tuple[str, str]:
    """The namespace and name of a Network the hints can name: the first one applied that
    Infoblox lets go of when it is deleted (the hints say "Infoblox follows"), else the first
    one, else the examples' first."""
    networks = [m.body for m in manifests if m.body.get("kind") == "Network"]
    deleted = [b for b in networks if (b.get("spec") or {}).get("deletionPolicy") != "Retain"]
    body = next(iter(deleted + networks), None)
    if body is None:
        return "team-a", "web-frontend"
    meta = body.get("metadata") or {}
    return str(meta.get("namespace") or "default"), str(meta.get("name", "web-frontend"))


def _ports(settings: Settings) -> dict[str, int]:
    """Free ports for metrics and probes unless the environment names them: a demo must not
    fail because something else (another demo) listens on 9090 or 8080."""
    return {
        field: 0
        for field in ("metrics_port", "health_port")
        if field not in settings.model_fields_set
    }


async def run_demo(options: DemoOptions, out: TextIO = sys.stdout) -> int:
    """Run the demo; the exit code (0 only if every resource is Ready; 130 after a Ctrl-C)."""
    from ddisync_simulator import SimulatorOptions, running_simulator

    manifests = in_apply_order(load(options.paths or default_paths()))
    logger.info("Loaded %d manifests.", len(manifests))
    sim_options = SimulatorOptions(
        host="127.0.0.1",
        port=0,
        seed=options.sim_seed,
        latency_ms=options.sim_latency_ms,
        fail_rate=options.sim_fail_rate,
    )
    async with running_simulator(sim_options) as sim, running_cluster() as cluster:
        logger.info("WAPI simulator at %s, Kubernetes API emulator at %s.", sim.url, cluster.url)
        settings = load_settings(
            {
                **options.settings,
                "wapi_url": sim.url,
                "wapi_username": sim_options.username,
                "wapi_password": sim_options.password,
            }
        )
        # kubectl's namespace is that of the Network the hints name, so they need no -n.
        namespace, network = _example_network(manifests)
        if options.kubeconfig is not None:
            kubeconfig.write(options.kubeconfig, cluster.url, TOKEN, namespace)
            logger.info("Wrote a kubeconfig for the emulated API to %s.", options.kubeconfig)
        await cluster.install_crds()
        operator_settings = settings.model_copy(update=_ports(settings))
        async with running_operator(operator_settings, connection=cluster.connection) as operator:
            applied = await asyncio.to_thread(apply_all, cluster.url, manifests)
            outcomes = await converge(cluster, applied, options.timeout, operator.task)
            counts = {t: sim.grid.count(t) for t in INFOBLOX_TYPES}
            if options.output == "json":
                print(report.render_json(outcomes, counts), file=out, flush=True)
            else:
                print(report.render_table(outcomes, counts), file=out, flush=True)
            if options.linger > 0:
                hints = (
                    kubeconfig.session_hints(options.kubeconfig, network, namespace)
                    if options.kubeconfig is not None
                    else f"  e.g. curl {cluster.url}/apis/ddisync.io/v1alpha1/networks\n"
                    "  (add --kubeconfig PATH to try kubectl against it)"
                )
                print(
                    f"Serving for {options.linger:g} s more:\n"
                    f"  Kubernetes API (emulated): {cluster.url}\n"
                    f"  Infoblox WAPI (simulated): {sim.url}/wapi/v{settings.wapi_version}/\n"
                    f"  Metrics: {operator.urls.metrics}\n"
                    f"  Health:  {operator.urls.healthz}  {operator.urls.readyz}\n"
                    f"{hints}",
                    file=sys.stderr,
                    flush=True,
                )
                # Until the time is up or the operator stops: it takes SIGINT/SIGTERM to stop,
                # and a person's Ctrl-C should end the whole demo, not only the operator.
                await asyncio.wait({operator.task}, timeout=options.linger)
    if _interrupted(operator.task):
        return EXIT_INTERRUPTED
    return 0 if outcomes and all(o.ready for o in outcomes) else 1


def _interrupted(operator: asyncio.Task[signal.Signals | None]) -> bool:
    """Whether a Ctrl-C (SIGINT) stopped the operator."""
    if not operator.done() or operator.cancelled() or operator.exception() is not None:
        return False
    return operator.result() == signal.SIGINT
