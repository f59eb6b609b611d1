"""Run the operator: kopf wiring shared by ``ddisync run``, ``ddisync demo`` and the e2e tests.

Handlers are registered into an explicit ``kopf.OperatorRegistry`` built from the settings
(resync interval, label selector), not into kopf's global registry at import time, so one
process can run several differently configured operators (the sharding tests do) and importing
ddisync never changes kopf's behaviour.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import kopf

from ddisync import kube, leadership
from ddisync.api.meta import GROUP
from ddisync.config import Settings
from ddisync.handlers import register_handlers
from ddisync.handlers.index import Catalog, listed_catalog
from ddisync.handlers.reconcile import AnyDriver
from ddisync.health import HealthState, ObservabilityUrls, serving_observability
from ddisync.metrics import Metrics
from ddisync.sync.kinds import DRIVERS

logger = logging.getLogger(__name__)


def kopf_settings(
    *, post_events: bool = True, max_workers: int | None = None
) -> kopf.OperatorSettings:
    """kopf's settings for ddisync: its own prefix, finalizer, and bounded timeouts."""
    settings = kopf.OperatorSettings()
    settings.persistence.finalizer = f"{GROUP}/finalizer"
    # Our own prefix, so another kopf operator on the same objects cannot clash (zi#372).
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=GROUP)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix=GROUP, key="last-handled-configuration"
    )
    # Events are posted explicitly, on transitions (handlers/status.py), not from log lines:
    # a retry loop must not flood `kubectl describe`.
    settings.posting.enabled = post_events
    settings.posting.loggers = False
    settings.posting.level = logging.INFO
    settings.networking.request_timeout = 30  # kopf's default is 300 s: too long to notice a hang
    settings.watching.server_timeout = 300
    # After its own patch kopf waits for the watch to echo it before handling the object again;
    # past this timeout it goes on with the stale body and re-runs handlers that succeeded (seen
    # for 2 of 3 records at a 3,000-object start on a loaded API server). A real API server
    # echoes in milliseconds; waiting longer only matters when it is overloaded.
    settings.persistence.consistency_timeout = 30.0
    # kopf's per-object workers, capped by ddisync's settings (0 or None: no cap). The cap
    # bounds memory at a cold start (config.py); WAPI load is bounded by the client, not here.
    # ddisync uses no kopf indexes, with which a cap below the object count deadlocks the start.
    settings.queueing.worker_limit = max_workers or None
    if max_workers:
        settings.queueing.idle_timeout = 0.5  # a capped worker frees its slot soon after its work
    return settings


def kubernetes_login(**kwargs: Any) -> kopf.ConnectionInfo | None:
    """Kubernetes credentials from the usual places: in a pod, the service account; on a
    laptop, the kubeconfig (``KUBECONFIG`` or ``~/.kube/config``). None when neither is there.
    ``kwargs`` are kopf's login arguments (``settings=`` at least)."""
    return kopf.login_with_service_account(**kwargs) or kopf.login_with_kubeconfig(**kwargs)


def _login_handler(connection: kopf.ConnectionInfo | None) -> Any:
    """A login that uses ``connection`` when given (demo, tests), else the usual sources."""

    def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
        return connection if connection is not None else kubernetes_login(**kwargs)

    return login


def _current_login(
    connection: kopf.ConnectionInfo | None,
) -> Callable[[], kopf.ConnectionInfo | None]:
    """Credentials for ``ddisync.kube``'s client, as kopf's login finds them."""
    login = _login_handler(connection)

    def current() -> kopf.ConnectionInfo | None:
        found: kopf.ConnectionInfo | None = login(settings=kopf.OperatorSettings())
        return found

    return current


async def _listed_catalog(
    connection: kopf.ConnectionInfo | None, kinds: Sequence[AnyDriver], namespaces: list[str]
) -> Catalog:
    """The catalog's statuses listed before kopf starts (``handlers.index.listed_catalog``),
    in ``namespaces`` (exact names; none: the whole cluster)."""
    plurals = {driver.kind: driver.info.plural for driver in kinds}
    # 30 s per request, as kopf_settings gives kopf's own client.
    async with kube.KubeApi(_current_login(connection), timeout=30) as api:
        return await listed_catalog(api, plurals, namespaces)


@contextlib.contextmanager
def _stopping_on_signals(
    stop_flag: asyncio.Event, received: list[signal.Signals]
) -> Iterator[list[signal.Signals]]:
    """SIGINT and SIGTERM set ``stop_flag``; appends the signals received to ``received`` and
    yields it (the first one stopped the operator: ``ddisync run`` exits 130 after a Ctrl-C, 0
    after a SIGTERM). A standby and the kopf it starts once leading share one list.

    kopf installs handlers of its own in ``spawn_tasks`` that stop it the same way but keep no
    record of the signal; these replace them, so enter this right after ``spawn_tasks``. After
    the first signal the handler is removed: a second Ctrl-C interrupts at once.
    """
    if threading.current_thread() is not threading.main_thread():
        yield received  # signals reach the main thread only; kopf says so in its log
        return
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        received.append(sig)
        logger.info("Signal %s received: the operator is stopping.", sig.name)
        loop.remove_signal_handler(sig)
        stop_flag.set()

    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        yield received
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def run_operator(
    settings: Settings,
    *,
    connection: kopf.ConnectionInfo | None = None,
    stop_flag: asyncio.Event | None = None,
    ready_flag: asyncio.Event | None = None,
    post_events: bool = True,
    ignored_tasks: set[asyncio.Task[Any]] | None = None,
    metrics: Metrics | None = None,
    health: HealthState | None = None,
    serve: bool = True,
    kinds: Sequence[AnyDriver] = DRIVERS,
) -> signal.Signals | None:
    """Run until ``stop_flag`` is set or the process gets SIGINT or SIGTERM; the signal that
    stopped it, if one did.

    ``kinds``: the drivers of the kinds to reconcile (``ddisync.sync.kinds``; a test adds one).

    ``ignored_tasks`` is a live set of tasks kopf must not cancel when it stops: kopf cancels
    every task created after it started, which in a test includes the test runner's teardown
    (the caller adds it to the set before setting ``stop_flag``).

    With ``serve`` (``ddisync run``), ``/metrics``, ``/healthz`` and ``/readyz`` are served on
    the configured ports; otherwise the caller serves ``metrics`` and ``health`` itself.
    """
    metrics = metrics or Metrics()
    health = health or HealthState()
    if settings.redis_url is None:
        health.set_redis("none")
    async with contextlib.AsyncExitStack() as stack:
        if serve:  # before kopf starts, so the probes answer during start-up
            await stack.enter_async_context(
                serving_observability(
                    metrics,
                    health,
                    metrics_port=settings.metrics_port,
                    health_port=settings.health_port,
                )
            )
        stop = stop_flag if stop_flag is not None else asyncio.Event()
        signals: list[signal.Signals] = []  # received, by the standby or by kopf's run

        async def run_kopf(kopf_stop: asyncio.Event) -> signal.Signals | None:
            return await _run_kopf(
                settings,
                connection,
                kopf_stop,
                ready_flag,
                post_events,
                ignored_tasks,
                metrics,
                health,
                kinds,
                signals,
            )

        if not settings.leader_election:
            metrics.set_leader(True)
            return await run_kopf(stop)
        return await _run_elected(settings, connection, stop, metrics, health, run_kopf, signals)


async def _run_elected(
    settings: Settings,
    connection: kopf.ConnectionInfo | None,
    stop: asyncio.Event,
    metrics: Metrics,
    health: HealthState,
    run_kopf: Callable[[asyncio.Event], Awaitable[signal.Signals | None]],
    signals: list[signal.Signals],
) -> signal.Signals | None:
    """Stand by until this replica leads, then run kopf while it does (``ddisync.leadership``).
    Raises ``LeadershipLost`` when the lead is lost without a stop being asked."""
    current_login = _current_login(connection)
    first = current_login()
    namespace = settings.lease_namespace or leadership.lease_namespace(
        first.default_namespace if first else None
    )
    name = settings.lease_name or leadership.lease_name(
        settings.cluster_id, settings.namespaces, settings.label_selector
    )
    identity = settings.leader_identity or leadership.process_identity()
    timing = leadership.ElectionTiming(
        settings.lease_duration, settings.lease_renew_deadline, settings.lease_retry_period
    )

    def changed(leading: bool, holder: str) -> None:
        health.set_leadership(leading, holder, identity)
        metrics.set_leader(leading)

    changed(False, "")
    logger.info("Leader election on Lease %s/%s as %s", namespace, name, identity)
    user_agent = "ddisync-leader-election"
    timeout = settings.lease_renew_deadline
    async with kube.KubeApi(current_login, timeout=timeout, user_agent=user_agent) as client:
        api = leadership.LeaseApi(client, namespace, name)
        elector = leadership.LeaderElector(api, identity, timing, on_change=changed)
        # A standby is ready while it can read the Lease (it could take over).
        stale_after = max(3 * timing.retry_period, float(timing.lease_duration))
        health.lease_reachable = lambda: (
            elector.last_contact is not None
            and time.monotonic() - elector.last_contact < stale_after
        )
        with _stopping_on_signals(stop, signals) as received:
            stopped_by = await leadership.run_while_leading(elector, run_kopf, stop)
    return stopped_by or (received[0] if received else None)


async def _run_kopf(
    settings: Settings,
    connection: kopf.ConnectionInfo | None,
    stop_flag: asyncio.Event,
    ready_flag: asyncio.Event | None,
    post_events: bool,
    ignored_tasks: set[asyncio.Task[Any]] | None,
    metrics: Metrics,
    health: HealthState,
    kinds: Sequence[AnyDriver],
    signals: list[signal.Signals],
) -> signal.Signals | None:
    registry = kopf.OperatorRegistry()
    register_handlers(registry, settings, kinds)
    kopf.on.login(registry=registry)(_login_handler(connection))
    scope: dict[str, Any] = (
        {"namespaces": settings.namespaces} if settings.namespaces else {"clusterwide": True}
    )
    operator_settings = kopf_settings(
        post_events=post_events, max_workers=settings.max_concurrent_resources
    )
    exact = not any(c in ns for ns in settings.namespaces for c in "*?[!")
    if settings.namespaces and exact:
        # Exact names need no namespace listing (and no RBAC on namespaces); globs do.
        operator_settings.scanning.disabled = True
    # Exact namespaces are listed one by one (their Roles allow no more); globs: the cluster.
    catalog = await _listed_catalog(connection, kinds, settings.namespaces if exact else [])
    tasks = await kopf.spawn_tasks(
        **scope,
        registry=registry,
        settings=operator_settings,
        # kopf gives each resource a shallow copy of this memo: values set here are shared
        # by all resources, values a handler sets on its own memo are that resource's only.
        memo=kopf.Memo(
            settings=settings,
            operator_settings=operator_settings,  # kopf's: for the drift sweep's status writes
            metrics=metrics,
            health=health,
            # Operator-wide objects made on first use (handlers/shared.py); the catalog
            # starts with the statuses listed above.
            shared={"catalog": catalog},
        ),
        standalone=True,
        stop_flag=stop_flag,
        ready_flag=ready_flag,
    )
    health.watchers_alive = lambda: not any(task.done() for task in tasks)
    ignored = ignored_tasks if ignored_tasks is not None else set()
    ignored.update(asyncio.all_tasks())  # whatever ran before the operator is not its to stop
    with _stopping_on_signals(stop_flag, signals) as received:
        await kopf.run_tasks(tasks, ignored=ignored)
    return received[0] if received else None


@dataclass(frozen=True)
class RunningOperator:
    """An operator running in the background, with what it exposes."""

    task: asyncio.Task[signal.Signals | None]
    metrics: Metrics
    health: HealthState
    urls: ObservabilityUrls


@contextlib.asynccontextmanager
async def running_operator(
    settings: Settings,
    *,
    connection: kopf.ConnectionInfo | None = None,
    post_events: bool = True,
    ready_timeout: float = 10.0,
    host: str = "127.0.0.1",
    kinds: Sequence[AnyDriver] = DRIVERS,
) -> AsyncIterator[RunningOperator]:
    """Run the operator in the background of the current event loop (demo, tests).

    Serves metrics and probes on the configured ports (0: free ports; see ``urls``). Yields
    once kopf is ready; on exit stops it and waits for a clean shutdown.
    """
    metrics, health = Metrics(), HealthState()
    async with (
        serving_observability(
            metrics,
            health,
            metrics_port=settings.metrics_port,
            health_port=settings.health_port,
            host=host,
        ) as urls,
        _background_operator(
            settings, connection, post_events, ready_timeout, metrics, health, kinds
        ) as task,
    ):
        yield RunningOperator(task, metrics, health, urls)


@contextlib.asynccontextmanager
async def _background_operator(
    settings: Settings,
    connection: kopf.ConnectionInfo | None,
    post_events: bool,
    ready_timeout: float,
    metrics: Metrics,
    health: HealthState,
    kinds: Sequence[AnyDriver],
) -> AsyncIterator[asyncio.Task[signal.Signals | None]]:
    stop_flag, ready_flag = asyncio.Event(), asyncio.Event()
    ignored: set[asyncio.Task[Any]] = set()
    task = asyncio.create_task(
        run_operator(
            settings,
            connection=connection,
            stop_flag=stop_flag,
            ready_flag=ready_flag,
            post_events=post_events,
            ignored_tasks=ignored,
            metrics=metrics,
            health=health,
            serve=False,
            kinds=kinds,
        ),
        name="ddisync-operator",
    )
    ignored.add(task)
    ready = asyncio.create_task(ready_flag.wait())
    done, _ = await asyncio.wait(
        {task, ready}, timeout=ready_timeout, return_when="FIRST_COMPLETED"
    )
    if task in done:
        ready.cancel()
        await task  # the operator failed to start: raise its error here
        raise RuntimeError("the operator stopped while starting")
    if not done:
        ready.cancel()
        stop_flag.set()
        raise TimeoutError(f"the operator was not ready within {ready_timeout} s")
    try:
        yield task
    finally:
        current = asyncio.current_task()
        if current is not None:
            ignored.add(current)
        # Server-side keep-alive handlers of an in-process API emulator are not kopf's to stop.
        ignored.update(t for t in asyncio.all_tasks() if "RequestHandler" in repr(t.get_coro()))
        stop_flag.set()
        try:
            await asyncio.wait_for(task, timeout=15)
        except TimeoutError:
            logger.warning("The operator did not stop within 15 s.")
